//! What may be uploaded, and how names and dates are cleaned before they are stored.

use atrium_shared::{ApiError, ApiResult};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

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

pub fn content_type(value: &str) -> ApiResult<String> {
    let value = value.trim().to_ascii_lowercase();
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

/// The base64 SHA-256 the uploader computed (what `x-amz-checksum-sha256` carries).
pub fn sha256(value: &str) -> ApiResult<String> {
    let value = value.trim();
    match STANDARD.decode(value) {
        Ok(bytes) if bytes.len() == 32 => Ok(value.to_string()),
        _ => Err(ApiError::invalid(
            "sha256",
            "must be the base64 SHA-256 of the file",
        )),
    }
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

/// `Content-Disposition` for a download: an ASCII fallback and the exact UTF-8 name.
pub fn attachment_disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

pub fn today() -> String {
    let now = time::OffsetDateTime::now_utc().date();
    format!(
        "{:04}-{:02}-{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    )
}

/// `YYYY-MM-DD`, a real date; `allow_past` is false for new deadlines.
pub fn due_date(field: &str, value: &str, allow_past: bool) -> ApiResult<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(value.trim(), &format)
        .map_err(|_| ApiError::invalid(field, "must be a date like 2026-12-31"))?;
    let text = format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    );
    if !allow_past && text < today() {
        return Err(ApiError::invalid(field, "must not be in the past"));
    }
    Ok(text)
}

/// The day `days` after today, as `YYYY-MM-DD`.
pub fn days_from_today(days: i64) -> String {
    add_days(&today(), days).unwrap_or_else(today)
}

/// The day `days` after `date` (`YYYY-MM-DD`).
pub fn add_days(date: &str, days: i64) -> Option<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(date, &format).ok()? + time::Duration::days(days);
    Some(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

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
        let cleaned = attachment_disposition(&file_name("März \"plan\".pdf"));
        assert_eq!(
            cleaned,
            "attachment; filename=\"M_rz _plan_.pdf\"; filename*=UTF-8''M%C3%A4rz%20_plan_.pdf"
        );
    }

    #[test]
    fn limits() {
        assert!(content_type("application/PDF").is_ok());
        assert_eq!(
            content_type("application/x-msdownload").unwrap_err().status,
            400
        );
        assert_eq!(size(101_000_000, 100_000_000).unwrap_err().status, 413);
        assert!(size(0, 100).is_err());
        assert!(sha256("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=").is_ok());
        assert!(sha256("abc").is_err());
        assert!(due_date("due_date", "2026-02-30", true).is_err());
        assert!(due_date("due_date", "2000-01-01", false).is_err());
        assert_eq!(
            due_date("due_date", "2999-01-31", false).unwrap(),
            "2999-01-31"
        );
    }
}
