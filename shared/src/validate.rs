//! Input rules shared by handlers. Each returns the cleaned value or a 400 naming the field.

use crate::error::{ApiError, ApiResult};

pub fn name(field: &str, value: &str, max: usize) -> ApiResult<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ApiError::invalid(field, "must not be empty"));
    }
    if trimmed.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(trimmed.to_string())
}

/// An email address field: trimmed, lower-cased and checked ([`crate::types::Email`]).
pub fn email(field: &str, value: &str) -> ApiResult<String> {
    crate::types::Email::parse(value)
        .map(String::from)
        .map_err(|problem| ApiError::invalid(field, problem))
}

/// Slugs name a client in sign-in and URLs: 3 to 40 of `a-z 0-9 -`, no dash at either end.
pub fn slug(field: &str, value: &str) -> ApiResult<String> {
    let slug = value.trim();
    let valid = (3..=40).contains(&slug.len())
        && slug
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if valid {
        Ok(slug.to_string())
    } else {
        Err(ApiError::invalid(
            field,
            "must be 3 to 40 lower-case letters, digits or dashes, not starting or ending with a dash",
        ))
    }
}

pub fn totp_code(field: &str, value: &str) -> ApiResult<String> {
    let code = value.trim();
    if code.len() == 6 && code.bytes().all(|byte| byte.is_ascii_digit()) {
        Ok(code.to_string())
    } else {
        Err(ApiError::invalid(
            field,
            "must be the 6-digit code from your authenticator app",
        ))
    }
}

/// Free text: trimmed, at most `max` characters, no control characters but line breaks and tabs.
pub fn text(field: &str, value: &str, max: usize) -> ApiResult<String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(ApiError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email("e", " Ann@Example.COM ").unwrap(), "ann@example.com");
        for bad in [
            "",
            "ann",
            "ann@",
            "@x.com",
            "a b@x.com",
            "a@x",
            "a@x..com",
            "a@@x.com",
        ] {
            let error = email("contact.email", bad).unwrap_err();
            assert!(error.message.starts_with("contact.email:"), "{bad}");
        }
    }

    #[test]
    fn slugs() {
        assert!(slug("slug", "acme-co").is_ok());
        for bad in [
            "ab",
            "-acme",
            "acme-",
            "Acme",
            "ac me",
            "acme_co",
            &"a".repeat(41),
        ] {
            assert!(slug("slug", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names() {
        assert!(name("name", "  ", 10).is_err());
        assert!(name("name", "abc\u{7}", 10).is_err());
        assert!(name("name", "Ünïcödé Ltd", 20).is_ok());
        assert!(name("name", &"x".repeat(11), 10).is_err());
    }
}
