//! Exact amounts: integers in a currency's minor units ([`Minor`]), combined only through
//! checked steps that answer a 400 naming the field, shown as decimals.

use atrium_shared::{ApiError, ApiResult};

/// The active ISO 4217 codes with their minor-unit digits (the standard's list, without the
/// fund and precious-metal codes nobody bills in). An unknown code is refused, not guessed.
#[rustfmt::skip] // A table, seven to a line, in alphabetical order (a unit test checks).
const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2), ("AFN", 2), ("ALL", 2), ("AMD", 2), ("AOA", 2), ("ARS", 2), ("AUD", 2),
    ("AWG", 2), ("AZN", 2), ("BAM", 2), ("BBD", 2), ("BDT", 2), ("BGN", 2), ("BHD", 3),
    ("BIF", 0), ("BMD", 2), ("BND", 2), ("BOB", 2), ("BRL", 2), ("BSD", 2), ("BTN", 2),
    ("BWP", 2), ("BYN", 2), ("BZD", 2), ("CAD", 2), ("CDF", 2), ("CHF", 2), ("CLP", 0),
    ("CNY", 2), ("COP", 2), ("CRC", 2), ("CUP", 2), ("CVE", 2), ("CZK", 2), ("DJF", 0),
    ("DKK", 2), ("DOP", 2), ("DZD", 2), ("EGP", 2), ("ERN", 2), ("ETB", 2), ("EUR", 2),
    ("FJD", 2), ("FKP", 2), ("GBP", 2), ("GEL", 2), ("GHS", 2), ("GIP", 2), ("GMD", 2),
    ("GNF", 0), ("GTQ", 2), ("GYD", 2), ("HKD", 2), ("HNL", 2), ("HTG", 2), ("HUF", 2),
    ("IDR", 2), ("ILS", 2), ("INR", 2), ("IQD", 3), ("IRR", 2), ("ISK", 0), ("JMD", 2),
    ("JOD", 3), ("JPY", 0), ("KES", 2), ("KGS", 2), ("KHR", 2), ("KMF", 0), ("KPW", 2),
    ("KRW", 0), ("KWD", 3), ("KYD", 2), ("KZT", 2), ("LAK", 2), ("LBP", 2), ("LKR", 2),
    ("LRD", 2), ("LSL", 2), ("LYD", 3), ("MAD", 2), ("MDL", 2), ("MGA", 2), ("MKD", 2),
    ("MMK", 2), ("MNT", 2), ("MOP", 2), ("MRU", 2), ("MUR", 2), ("MVR", 2), ("MWK", 2),
    ("MXN", 2), ("MYR", 2), ("MZN", 2), ("NAD", 2), ("NGN", 2), ("NIO", 2), ("NOK", 2),
    ("NPR", 2), ("NZD", 2), ("OMR", 3), ("PAB", 2), ("PEN", 2), ("PGK", 2), ("PHP", 2),
    ("PKR", 2), ("PLN", 2), ("PYG", 0), ("QAR", 2), ("RON", 2), ("RSD", 2), ("RUB", 2),
    ("RWF", 0), ("SAR", 2), ("SBD", 2), ("SCR", 2), ("SDG", 2), ("SEK", 2), ("SGD", 2),
    ("SHP", 2), ("SLE", 2), ("SOS", 2), ("SRD", 2), ("SSP", 2), ("STN", 2), ("SVC", 2),
    ("SYP", 2), ("SZL", 2), ("THB", 2), ("TJS", 2), ("TMT", 2), ("TND", 3), ("TOP", 2),
    ("TRY", 2), ("TTD", 2), ("TWD", 2), ("TZS", 2), ("UAH", 2), ("UGX", 0), ("USD", 2),
    ("UYU", 2), ("UZS", 2), ("VES", 2), ("VND", 0), ("VUV", 0), ("WST", 2), ("XAF", 0),
    ("XCD", 2), ("XCG", 2), ("XOF", 0), ("XPF", 0), ("YER", 2), ("ZAR", 2), ("ZMW", 2),
    ("ZWG", 2),
];

/// The currency code, trimmed and upper-cased, if ISO 4217 lists it.
pub fn currency(field: &str, value: &str) -> ApiResult<String> {
    let code = value.trim().to_ascii_uppercase();
    if minor_digits(&code).is_some() {
        Ok(code)
    } else {
        Err(ApiError::invalid(
            field,
            "must be an ISO 4217 currency code, e.g. EUR, USD, GBP",
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

/// The largest amount an invoice takes, either way: a trillion major units is beyond any
/// firm's bill and far inside `i64`; every step is checked all the same.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000_000;

/// Whether an amount may be below zero (a discount line) or not (a total, a tax).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sign {
    AnySign,
    NotNegative,
}

/// An amount in minor units, known to lie within `±MAX_AMOUNT_MINOR`. Made only by
/// [`Minor::parse`] and by the checked steps below, each of which names the field a failure
/// is reported against, so no arithmetic on money can wrap or panic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Minor(i64);

impl Minor {
    pub const ZERO: Minor = Minor(0);

    pub fn parse(field: &str, value: i64, sign: Sign) -> ApiResult<Self> {
        // `unsigned_abs`, not `abs`: `i64::MIN` has no positive twin.
        if value.unsigned_abs() > MAX_AMOUNT_MINOR.unsigned_abs() {
            return Err(ApiError::invalid(
                field,
                format!("must be from -{MAX_AMOUNT_MINOR} to {MAX_AMOUNT_MINOR}"),
            ));
        }
        if value < 0 && sign == Sign::NotNegative {
            return Err(ApiError::invalid(field, "must not be negative"));
        }
        Ok(Self(value))
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// `self × quantity`, refused (naming `field`) past the limit.
    pub fn times(self, quantity: i64, field: &str) -> ApiResult<Self> {
        let product = self
            .0
            .checked_mul(quantity)
            .ok_or_else(|| too_large(field))?;
        Self::parse(field, product, Sign::AnySign)
    }

    pub fn plus(self, other: Minor, field: &str) -> ApiResult<Self> {
        let sum = self
            .0
            .checked_add(other.0)
            .ok_or_else(|| too_large(field))?;
        Self::parse(field, sum, Sign::AnySign)
    }

    pub fn minus(self, other: Minor, field: &str) -> ApiResult<Self> {
        let difference = self
            .0
            .checked_sub(other.0)
            .ok_or_else(|| too_large(field))?;
        Self::parse(field, difference, Sign::AnySign)
    }

    /// The sum of `amounts`, refused (naming `field`) if any partial sum leaves the range.
    pub fn sum(amounts: impl IntoIterator<Item = Minor>, field: &str) -> ApiResult<Self> {
        amounts
            .into_iter()
            .try_fold(Minor::ZERO, |total, amount| total.plus(amount, field))
    }
}

fn too_large(field: &str) -> ApiError {
    ApiError::invalid(
        field,
        format!("makes an amount beyond {MAX_AMOUNT_MINOR} minor units"),
    )
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
    fn currencies_are_iso_codes_upper_cased() {
        assert_eq!(currency("c", " eur ").unwrap(), "EUR");
        assert_eq!(currency("c", "xof").unwrap(), "XOF");
        for refused in ["EURO", "", "E", "ABC", "../", "€"] {
            assert!(currency("c", refused).is_err(), "{refused}");
        }
        assert_eq!(minor_digits("JPY"), Some(0));
        assert_eq!(minor_digits("KWD"), Some(3));
        let mut codes: Vec<&str> = CURRENCIES.iter().map(|(code, _)| *code).collect();
        codes.dedup();
        assert_eq!(codes.len(), CURRENCIES.len(), "each code once, in order");
        assert!(codes.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn the_integer_limits_are_refused_not_wrapped() {
        for value in [
            i64::MIN,
            i64::MAX,
            MAX_AMOUNT_MINOR + 1,
            -MAX_AMOUNT_MINOR - 1,
        ] {
            let refused = Minor::parse("lines[0].unit_amount_minor", value, Sign::AnySign);
            let error = refused.expect_err("out of range");
            assert!(
                error.to_string().contains("lines[0].unit_amount_minor"),
                "{error}"
            );
        }
        assert!(Minor::parse("a", -1, Sign::NotNegative).is_err());
        let most = Minor::parse("a", MAX_AMOUNT_MINOR, Sign::AnySign).unwrap();
        assert!(most.plus(Minor(1), "a").is_err());
        assert!(most.times(i64::MAX, "a").is_err());
        assert!(Minor(-MAX_AMOUNT_MINOR).minus(most, "a").is_err());
    }
}
