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

pub const MAX_FILE_NAME_CHARS: usize = 180;

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

/// A file name fit to show and to offer back in a download: no path, no control characters,
/// no quotes or separators that could break a header, at most 180 characters (keeping the
/// extension), never empty.
pub fn file_name(value: &str) -> String {
    let base = value.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '"' | ';' | ':' | '*' | '?' | '<' | '>' | '|' => '_',
            other => other,
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_string();
    let cleaned = if cleaned.is_empty() {
        "document".to_string()
    } else {
        cleaned
    };
    if cleaned.chars().count() <= MAX_FILE_NAME_CHARS {
        return cleaned;
    }
    let (stem, extension) = match cleaned.rsplit_once('.') {
        Some((stem, extension)) if extension.chars().count() <= 10 && !stem.is_empty() => {
            (stem.to_string(), format!(".{extension}"))
        }
        _ => (cleaned.clone(), String::new()),
    };
    let keep = MAX_FILE_NAME_CHARS - extension.chars().count();
    format!("{}{extension}", stem.chars().take(keep).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(file_name("../../etc/passwd"), "passwd");
        assert_eq!(
            file_name("C:\\Users\\ann\\tax return.pdf"),
            "tax return.pdf"
        );
        assert_eq!(file_name("bad\u{0}\u{7}name\n.pdf"), "badname.pdf");
        assert_eq!(file_name("say \"hi\"; rm.pdf"), "say _hi__ rm.pdf");
        assert_eq!(file_name("   "), "document");
        assert_eq!(file_name(".hidden"), "hidden");
        assert_eq!(
            file_name("Überweisung 2025 – März.pdf"),
            "Überweisung 2025 – März.pdf"
        );
        let long = format!("{}.pdf", "x".repeat(400));
        let cleaned = file_name(&long);
        assert_eq!(cleaned.chars().count(), MAX_FILE_NAME_CHARS);
        assert!(cleaned.ends_with(".pdf"));
    }

    #[test]
    fn dispositions_keep_the_name_and_stay_one_header() {
        let cleaned =
            atrium_shared::objects::attachment_disposition(&file_name("März \"plan\".pdf"));
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
