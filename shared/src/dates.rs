//! Calendar dates as the portal stores them: `YYYY-MM-DD`, in UTC.

use crate::error::{ApiError, ApiResult};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_real_and_new_deadlines_not_past() {
        assert!(due_date("due_date", "2026-02-30", true).is_err());
        assert!(due_date("due_date", "2000-01-01", false).is_err());
        assert_eq!(
            due_date("due_date", "2999-01-31", false).unwrap(),
            "2999-01-31"
        );
        assert_eq!(add_days("2026-12-31", 1).as_deref(), Some("2027-01-01"));
        assert_eq!(add_days("not a date", 1), None);
    }
}
