//! Exact amounts: integers in a currency's minor units ([`Minor`]), combined only through
//! checked steps that answer a 400 naming the field, shown as decimals. The currency codes
//! themselves are the kernel's (`atrium_shared::currency`): projects take them too.

pub use atrium_shared::currency::{currency, minor_digits};
use atrium_shared::{ApiError, ApiResult};

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
