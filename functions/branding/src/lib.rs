//! The firm's branding, which a firm admin sets and everyone sees: the sign-in page (before
//! anyone signs in), the portal, and every mail. Colours must carry white text at WCAG AA
//! (4.5:1), since the portal's buttons and the mail's button put white text on them. The logo
//! is uploaded straight to S3 like a document (a presigned PUT signed over type, length and
//! SHA-256) under `firm/branding/`, and served through a public redirect to a short-lived GET.
//! Changes go into the firm's own audit trail in the same transaction.

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
