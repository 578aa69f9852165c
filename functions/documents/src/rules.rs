//! What may be uploaded, and how file names are cleaned before they are stored. Dates, free
//! text and checksums are the kernel's (`atrium_shared::dates`, `validate`).

use atrium_shared::types::ContentType;
use atrium_shared::{ApiError, ApiResult};

/// Types a firm's clients send: documents, spreadsheets, scans and photos, archives.
pub const ALLOWED_CONTENT_TYPES: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/heic",
    "image/webp",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
];

pub const MAX_FILE_NAME_CHARS: usize = 255;

/// A media type this portal takes for documents.
pub fn content_type(value: ContentType) -> ApiResult<ContentType> {
    if ALLOWED_CONTENT_TYPES.contains(&value.as_str()) {
        Ok(value)
    } else {
        Err(ApiError::invalid(
            "content_type",
            "this kind of file is not accepted; send a PDF, an image, an Office document, a text or CSV file, or a ZIP archive",
        ))
    }
}

pub fn size(value: i64, max_bytes: i64) -> ApiResult<i64> {
    if value <= 0 {
        return Err(ApiError::invalid("size", "the file is empty"));
    }
    if value > max_bytes {
        return Err(ApiError::too_large(format!(
            "size: the file is larger than the limit of {} MB",
            max_bytes / 1_000_000
        )));
    }
    Ok(value)
}

/// A file name fit to show and to offer back in a download. A name with a folder in it,
/// control characters, or more than 255 characters is refused (the browser sends the bare
/// name; anything else is a crafted request); quotes and separators that could break a header
/// are replaced, and a leading dot is dropped.
pub fn file_name(value: &str) -> ApiResult<String> {
    if value.contains(['/', '\\']) {
        return Err(ApiError::invalid(
            "file_name",
            "give the file's name only, without a folder",
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "file_name",
            "the file's name has control characters",
        ));
    }
    if value.chars().count() > MAX_FILE_NAME_CHARS {
        return Err(ApiError::invalid(
            "file_name",
            format!("the file's name is longer than {MAX_FILE_NAME_CHARS} characters; rename it"),
        ));
    }
    let cleaned: String = value
        .chars()
        .map(|c| match c {
            '"' | ';' | ':' | '*' | '?' | '<' | '>' | '|' => '_',
            other => other,
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_string();
    if cleaned.is_empty() {
        return Err(ApiError::invalid("file_name", "the file needs a name"));
    }
    Ok(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_checked_and_cleaned() {
        let refused = |name: &str| {
            let error = file_name(name).unwrap_err();
            (
                error.status.as_u16(),
                error.message.split(':').next().map(str::to_string),
            )
        };
        assert_eq!(
            refused("../../etc/passwd"),
            (400, Some("file_name".to_string()))
        );
        assert_eq!(
            refused("C:\\Users\\ann\\tax return.pdf"),
            (400, Some("file_name".to_string()))
        );
        assert_eq!(
            refused("bad\u{0}name.pdf"),
            (400, Some("file_name".to_string()))
        );
        assert_eq!(
            refused("line\r\nbreak.pdf"),
            (400, Some("file_name".to_string()))
        );
        assert_eq!(
            refused(&"x".repeat(1000)),
            (400, Some("file_name".to_string()))
        );
        assert_eq!(refused("   "), (400, Some("file_name".to_string())));
        assert_eq!(file_name("say \"hi\"; rm.pdf").unwrap(), "say _hi__ rm.pdf");
        assert_eq!(file_name(".hidden").unwrap(), "hidden");
        assert_eq!(
            file_name("Überweisung 2025 – März.pdf").unwrap(),
            "Überweisung 2025 – März.pdf"
        );
        assert!(file_name(&format!("{}.pdf", "x".repeat(251))).is_ok());
    }

    #[test]
    fn dispositions_keep_the_name_and_stay_one_header() {
        let cleaned = atrium_shared::objects::attachment_disposition(
            &file_name("März \"plan\".pdf").unwrap(),
        );
        assert_eq!(
            cleaned,
            "attachment; filename=\"M_rz _plan_.pdf\"; filename*=UTF-8''M%C3%A4rz%20_plan_.pdf"
        );
    }

    #[test]
    fn limits() {
        let parsed = |text| ContentType::parse(text).unwrap();
        assert!(content_type(parsed("application/PDF")).is_ok());
        assert_eq!(
            content_type(parsed("application/x-msdownload"))
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(size(101_000_000, 100_000_000).unwrap_err().status, 413);
        assert!(size(0, 100).is_err());
    }
}
