//! The firm's branding, which a firm admin sets and everyone sees: the sign-in page (before
//! anyone signs in), the portal, and every mail. Colours must carry white text at WCAG AA
//! (4.5:1), since the portal's buttons and the mail's button put white text on them. The logo
//! is uploaded straight to S3 like a document (a presigned PUT signed over type, length and
//! SHA-256) under `firm/branding/`, and served through a public redirect to a short-lived GET.
//! Changes go into the firm's own audit trail in the same transaction.

use atrium_shared::handler;
use atrium_shared::operation::prelude::*;

pub mod get;
pub mod logo_confirm;
pub mod logo_get;
pub mod logo_upload;
pub mod update;

use atrium_shared::contrast::{format_ratio, parse_hex, white_text_on, AA_NORMAL_TEXT};

/// Logo types: raster images only. SVG is refused: it can carry script and it is served from
/// the portal's own bucket.
pub const LOGO_CONTENT_TYPES: &[&str] = &["image/png", "image/jpeg", "image/webp"];

/// Largest logo, in bytes (512 KiB).
pub const MAX_LOGO_BYTES: i64 = 512 * 1024;

/// A colour for white text: `#rrggbb` (answered lower-case) whose contrast with white reaches
/// 4.5:1. The problem, when there is one, says what was found and what is needed.
pub fn colour_for_white_text(value: &str) -> Result<String, String> {
    let value = value.trim().to_ascii_lowercase();
    let Some(rgb) = parse_hex(&value) else {
        return Err("must be a colour written #rrggbb (six hexadecimal digits)".to_string());
    };
    let ratio = white_text_on(rgb);
    if ratio < AA_NORMAL_TEXT {
        return Err(format!(
            "white text on {value} has a contrast ratio of {}:1; at least {AA_NORMAL_TEXT}:1 is needed (WCAG AA); choose a darker colour",
            format_ratio(ratio)
        ));
    }
    Ok(value)
}

/// This capability's operations: routes, who may call them, the AWS access each needs
/// (docs/architecture.md, "Adding an operation").
pub const OPERATIONS: &[Operation] = &[
    Operation::http("branding-get", handler!(get::handle))
    .describe("The firm's branding, for the sign-in page (public) and the portal.")
    .routes(&[
        Route::public(Get, "/api/branding"),
    ])
    .grants(&[
        FIRM_READ,
    ]),
    Operation::http("branding-update", handler!(update::handle))
    .describe("Changes the firm's name, colours (checked for contrast) and support address.")
    .routes(&[
        Route::new(Put, "/api/branding", FIRM_ADMIN),
    ])
    .grants(&[
        FIRM_WRITE,
    ]),
    Operation::http("branding-logo-upload", handler!(logo_upload::handle))
    .describe("Starts a logo upload (a presigned PUT signed over type, length and SHA-256).")
    .routes(&[
        Route::new(Post, "/api/branding/logo", FIRM_ADMIN),
    ])
    .grants(&[
        FIRM_WRITE,
        Grant::new(&["s3:PutObject"], &[Resource::BrandingObjects]),
    ]),
    Operation::http("branding-logo-confirm", handler!(logo_confirm::handle))
    .describe("Checks the uploaded logo and makes it the firm's logo.")
    .routes(&[
        Route::new(Post, "/api/branding/logo/confirm", FIRM_ADMIN),
    ])
    .grants(&[
        table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]).firm_keys_only(),
        Grant::new(&["s3:GetObject"], &[Resource::BrandingObjects]),
    ]),
    Operation::http("branding-logo", handler!(logo_get::handle))
    .describe("Redirects to a short-lived download of the firm's logo (public, for the sign-in page and mail).")
    .routes(&[
        Route::public(Get, "/api/branding/logo"),
    ])
    .grants(&[
        FIRM_READ,
        Grant::new(&["s3:GetObject"], &[Resource::BrandingObjects]),
    ]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_checked_for_white_text() {
        assert_eq!(colour_for_white_text(" #1D4ED8 ").unwrap(), "#1d4ed8");
        let refused = colour_for_white_text("#facc15").unwrap_err();
        assert!(refused.contains("1.53:1"), "{refused}");
        assert!(refused.contains("4.5:1"), "{refused}");
        assert!(colour_for_white_text("blue")
            .unwrap_err()
            .contains("#rrggbb"));
    }
}
