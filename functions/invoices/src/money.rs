//! Exact amounts: integers in a currency's minor units, added with checks, shown as decimals.

use atrium_shared::{ApiError, ApiResult};

/// ISO 4217 codes the portal takes, with their minor-unit digits. A firm bills in a handful;
/// an unknown code is refused rather than guessed.
const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2),
    ("AUD", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CNY", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("ILS", 2),
    ("INR", 2),
    ("ISK", 0),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("MXN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PLN", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("TRY", 2),
    ("USD", 2),
    ("ZAR", 2),
];

/// The currency code, upper-cased, if the portal knows it.
pub fn currency(field: &str, value: &str) -> ApiResult<String> {
    let code = value.trim().to_ascii_uppercase();
    if minor_digits(&code).is_some() {
        Ok(code)
    } else {
        Err(ApiError::invalid(
            field,
            "must be an ISO 4217 currency code the portal supports, e.g. EUR, USD, GBP",
        ))
    }
}

pub fn minor_digits(code: &str) -> Option<u32> {
    CURRENCIES
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, digits)| *digits)
}

/// `123456` with 2 digits is `"1234.56"`; `-5` is `"-0.05"`.
pub fn decimal(amount_minor: i64, digits: u32) -> String {
    if digits == 0 {
        return amount_minor.to_string();
    }
    let scale = 10_u64.pow(digits);
    let sign = if amount_minor < 0 { "-" } else { "" };
    let magnitude = amount_minor.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        magnitude / scale,
        magnitude % scale,
        width = digits as usize
    )
}

/// The largest amount an invoice takes: a trillion major units is beyond any firm's bill and
/// far inside `i64`, so sums of at most 100 lines cannot overflow.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000_000;

pub fn amount(field: &str, value: i64, allow_negative: bool) -> ApiResult<i64> {
    if value.abs() > MAX_AMOUNT_MINOR {
        return Err(ApiError::invalid(field, "is too large"));
    }
    if value < 0 && !allow_negative {
        return Err(ApiError::invalid(field, "must not be negative"));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(decimal(123_456, 2), "1234.56");
        assert_eq!(decimal(5, 2), "0.05");
        assert_eq!(decimal(-5, 2), "-0.05");
        assert_eq!(decimal(1_500, 0), "1500");
        assert_eq!(decimal(1_234, 3), "1.234");
        assert_eq!(decimal(i64::MIN, 2), "-92233720368547758.08");
    }

    #[test]
    fn currencies_are_known_codes() {
        assert_eq!(currency("c", " eur ").unwrap(), "EUR");
        assert!(currency("c", "EURO").is_err());
        assert_eq!(minor_digits("JPY"), Some(0));
        assert!(amount("a", -1, false).is_err());
        assert!(amount("a", MAX_AMOUNT_MINOR + 1, true).is_err());
    }
}
