//! The editable content of an invoice, checked field by field. Creating takes every required
//! field; updating a draft takes any of them.

use crate::data::{InvoiceLine, InvoiceRecord};
#[cfg(test)]
use crate::money::MAX_AMOUNT_MINOR;
use crate::money::{currency, Minor, Sign};
use atrium_documents::data::Documents;
use atrium_shared::dates::due_date;
use atrium_shared::ids::is_id;
use atrium_shared::principal::TenantScope;
use atrium_shared::store::Write;
use atrium_shared::validate::text;
use atrium_shared::{ApiError, ApiResult, App};
use serde::Deserialize;

pub const MAX_LINES: usize = 100;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineBody {
    pub description: String,
    pub quantity: i64,
    pub unit_amount_minor: i64,
}

/// The body of both create and update (one struct, not a flattened pair, so a bad value is
/// named by its own path, e.g. `lines[0].quantity`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentBody {
    /// Update: the version the caller read.
    #[serde(default)]
    pub version: Option<u64>,
    /// `draft` (default) or `sent` when creating; any next status when updating.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub issue_date: Option<String>,
    #[serde(default)]
    pub due_date: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub lines: Option<Vec<LineBody>>,
    #[serde(default)]
    pub total_minor: Option<i64>,
    #[serde(default)]
    pub tax_minor: Option<i64>,
    /// A billing document of this client holding the PDF; `""` detaches it.
    #[serde(default)]
    pub document_id: Option<String>,
    /// `https://…` at the firm's payment provider; `""` removes it.
    #[serde(default)]
    pub payment_url: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl ContentBody {
    pub fn is_empty(&self) -> bool {
        self.payment_url.is_none() && !self.changes_beyond_payment_link()
    }

    /// Whether anything but the payment link is given (only drafts take those changes).
    pub fn changes_beyond_payment_link(&self) -> bool {
        !(self.number.is_none()
            && self.issue_date.is_none()
            && self.due_date.is_none()
            && self.currency.is_none()
            && self.lines.is_none()
            && self.total_minor.is_none()
            && self.tax_minor.is_none()
            && self.document_id.is_none()
            && self.note.is_none())
    }
}

/// What firms print on invoices: 1 to 40 letters and digits, single `-_/.` between them
/// (`2026/014`, `INV-0007`). Not path-like text (`../x`, `a//b`, a leading or trailing
/// separator), since numbers end up in file names and links.
pub fn invoice_number(value: &str) -> ApiResult<String> {
    let value = value.trim();
    let is_separator = |c: char| matches!(c, '-' | '_' | '/' | '.');
    let fits = (1..=40).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || is_separator(c))
        && !value.starts_with(is_separator)
        && !value.ends_with(is_separator)
        && !value
            .as_bytes()
            .windows(2)
            .any(|pair| is_separator(pair[0] as char) && is_separator(pair[1] as char));
    if fits {
        Ok(value.to_string())
    } else {
        Err(ApiError::invalid(
            "number",
            "must be 1 to 40 letters or digits, with single - _ / . between them",
        ))
    }
}

pub fn payment_url(value: &str) -> ApiResult<Option<String>> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let host = value.strip_prefix("https://").unwrap_or_default();
    let valid = value.len() <= 2000
        && !host.is_empty()
        && !host.starts_with('/')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(Some(value.to_string()))
    } else {
        Err(ApiError::invalid(
            "payment_url",
            "must be an https:// link of at most 2000 characters",
        ))
    }
}

fn lines(given: Vec<LineBody>) -> ApiResult<Vec<InvoiceLine>> {
    if given.is_empty() || given.len() > MAX_LINES {
        return Err(ApiError::invalid(
            "lines",
            format!("give 1 to {MAX_LINES} lines"),
        ));
    }
    given
        .into_iter()
        .enumerate()
        .map(|(index, line)| {
            let field = |name: &str| format!("lines[{index}].{name}");
            let description = text(&field("description"), &line.description, 200)?;
            if description.is_empty() {
                return Err(ApiError::invalid(
                    &field("description"),
                    "must not be empty",
                ));
            }
            if !(1..=1_000_000).contains(&line.quantity) {
                return Err(ApiError::invalid(
                    &field("quantity"),
                    "must be a whole number from 1 to 1000000",
                ));
            }
            let unit = Minor::parse(
                &field("unit_amount_minor"),
                line.unit_amount_minor,
                Sign::AnySign,
            )?;
            let line_amount = unit.times(line.quantity, &field("quantity"))?;
            Ok(InvoiceLine {
                description,
                quantity: line.quantity,
                unit_amount_minor: unit.get(),
                amount_minor: line_amount.get(),
            })
        })
        .collect()
}

/// Applies the given fields to `record` and recomputes its totals. Field checks that need no
/// table come first, so bad input is refused before anything is read.
pub fn apply(record: &mut InvoiceRecord, body: &ContentBody) -> ApiResult<()> {
    if let Some(number) = &body.number {
        record.number = invoice_number(number)?;
    }
    if let Some(date) = &body.issue_date {
        record.issue_date = due_date("issue_date", date, true)?;
    }
    if let Some(date) = &body.due_date {
        record.due_date = due_date("due_date", date, true)?;
    }
    if let Some(code) = &body.currency {
        record.currency = currency("currency", code)?;
    }
    if body.lines.is_some() && body.total_minor.is_some() {
        return Err(ApiError::invalid(
            "lines",
            "give lines or total_minor, not both",
        ));
    }
    if let Some(given) = &body.lines {
        record.lines = lines(given.clone())?;
    }
    if let Some(tax) = body.tax_minor {
        record.tax_minor = Minor::parse("tax_minor", tax, Sign::NotNegative)?.get();
    }
    if let Some(total) = body.total_minor {
        record.lines.clear();
        record.total_minor = Minor::parse("total_minor", total, Sign::NotNegative)?.get();
    }
    if let Some(url) = &body.payment_url {
        record.payment_url = payment_url(url)?;
    }
    if let Some(note) = &body.note {
        record.note = text("note", note, 2000)?;
    }
    totals(record)?;
    if record.due_date < record.issue_date {
        return Err(ApiError::invalid(
            "due_date",
            "must be on or after issue_date",
        ));
    }
    Ok(())
}

/// With lines, the total is their sum plus tax; with only a total, the tax is part of it.
/// Every amount is re-parsed, so a stored record is held to the same limits as a request.
pub(crate) fn totals(record: &mut InvoiceRecord) -> ApiResult<()> {
    let tax = Minor::parse("tax_minor", record.tax_minor, Sign::NotNegative)?;
    if record.lines.is_empty() {
        let total = Minor::parse("total_minor", record.total_minor, Sign::NotNegative)?;
        if tax > total {
            return Err(ApiError::invalid(
                "tax_minor",
                "must not exceed total_minor",
            ));
        }
        record.subtotal_minor = total.minus(tax, "tax_minor")?.get();
    } else {
        let amounts = record
            .lines
            .iter()
            .map(|line| Minor::parse("lines", line.amount_minor, Sign::AnySign))
            .collect::<ApiResult<Vec<Minor>>>()?;
        let subtotal = Minor::sum(amounts, "lines")?;
        if subtotal < Minor::ZERO {
            return Err(ApiError::invalid("lines", "must not add up to less than 0"));
        }
        record.subtotal_minor = subtotal.get();
        record.total_minor = subtotal.plus(tax, "tax_minor")?.get();
    }
    Ok(())
}

/// Checks the PDF named by `document_id` (a confirmed PDF the firm shared with this client) and
/// answers the transaction item that makes it billing-only, unless it already is.
pub async fn attach_pdf(
    app: &App,
    scope: &TenantScope,
    record: &mut InvoiceRecord,
    document_id: &str,
) -> ApiResult<Option<Write>> {
    let document_id = document_id.trim();
    if document_id.is_empty() {
        record.document_id = None;
        return Ok(None);
    }
    let not_usable = || {
        ApiError::invalid(
            "document_id",
            "must be a PDF the firm shared with this client (upload it first)",
        )
    };
    if !is_id(document_id) {
        return Err(not_usable());
    }
    let document = Documents::of(app.store.tenant(scope))
        .get(document_id)
        .await?
        .filter(|document| {
            document.latest_version > 0
                && document.origin == atrium_documents::data::DocumentOrigin::Firm
        })
        .ok_or_else(not_usable)?;
    let latest = Documents::of(app.store.tenant(scope))
        .version(document_id, document.latest_version)
        .await?
        .ok_or_else(not_usable)?;
    if latest.content_type != "application/pdf" {
        return Err(ApiError::invalid("document_id", "must be a PDF"));
    }
    record.document_id = Some(document.id.clone());
    if document.billing_only {
        Ok(None)
    } else {
        Documents::of(app.store.tenant(scope))
            .restrict_to_billing(&document.id, document.version)
            .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank() -> InvoiceRecord {
        InvoiceRecord {
            id: "i".into(),
            tenant_id: "t".into(),
            number: String::new(),
            issue_date: "2026-01-01".into(),
            due_date: "2026-01-31".into(),
            currency: "EUR".into(),
            lines: vec![],
            subtotal_minor: 0,
            tax_minor: 0,
            total_minor: 0,
            status: crate::data::InvoiceStatus::Draft,
            document_id: None,
            payment_url: None,
            note: String::new(),
            created_by: "staff:s".into(),
            sent_at: None,
            paid_at: None,
            voided_at: None,
            paid_minor: 0,
            payment_lock: None,
            created_at: String::new(),
            updated_at: String::new(),
            version: 0,
        }
    }

    fn line(description: &str, quantity: i64, unit: i64) -> LineBody {
        LineBody {
            description: description.into(),
            quantity,
            unit_amount_minor: unit,
        }
    }

    fn field_of(error: ApiError) -> String {
        error
            .message
            .split(':')
            .next()
            .unwrap_or_default()
            .to_string()
    }

    #[test]
    fn lines_add_up_exactly_with_tax() {
        let mut record = blank();
        let body = ContentBody {
            lines: Some(vec![line("Advice", 3, 33_333), line("Discount", 1, -999)]),
            tax_minor: Some(19_000),
            ..Default::default()
        };
        apply(&mut record, &body).unwrap();
        assert_eq!(record.subtotal_minor, 99_000);
        assert_eq!(record.total_minor, 118_000);
        assert_eq!(record.lines[0].amount_minor, 99_999);
    }

    #[test]
    fn a_total_alone_includes_its_tax() {
        let mut record = blank();
        let body = ContentBody {
            total_minor: Some(12_000),
            tax_minor: Some(2_000),
            ..Default::default()
        };
        apply(&mut record, &body).unwrap();
        assert_eq!(
            (record.subtotal_minor, record.total_minor),
            (10_000, 12_000)
        );
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases: Vec<(ContentBody, &str)> = vec![
            (
                ContentBody {
                    number: Some("no spaces please".into()),
                    ..Default::default()
                },
                "number",
            ),
            (
                ContentBody {
                    due_date: Some("2025-12-31".into()),
                    ..Default::default()
                },
                "due_date",
            ),
            (
                ContentBody {
                    currency: Some("XYZ".into()),
                    ..Default::default()
                },
                "currency",
            ),
            (
                ContentBody {
                    lines: Some(vec![line("x", 0, 1)]),
                    ..Default::default()
                },
                "lines[0].quantity",
            ),
            (
                ContentBody {
                    lines: Some(vec![line("x", 1, i64::MAX)]),
                    ..Default::default()
                },
                "lines[0].unit_amount_minor",
            ),
            (
                ContentBody {
                    lines: Some(vec![line("x", 1, -5)]),
                    ..Default::default()
                },
                "lines",
            ),
            (
                ContentBody {
                    lines: Some(vec![]),
                    total_minor: Some(1),
                    ..Default::default()
                },
                "lines",
            ),
            (
                ContentBody {
                    total_minor: Some(100),
                    tax_minor: Some(101),
                    ..Default::default()
                },
                "tax_minor",
            ),
            (
                ContentBody {
                    payment_url: Some("http://pay.example/x".into()),
                    ..Default::default()
                },
                "payment_url",
            ),
        ];
        for (body, field) in cases {
            let error = apply(&mut blank(), &body).unwrap_err();
            assert_eq!(field_of(error), field);
        }
    }

    #[test]
    fn the_integer_limits_are_a_400_naming_the_line() {
        let cases = [
            (line("x", 1, i64::MIN), "lines[0].unit_amount_minor"),
            (line("x", 1_000_000, MAX_AMOUNT_MINOR), "lines[0].quantity"),
            (line("x", i64::MAX, 1), "lines[0].quantity"),
        ];
        for (given, field) in cases {
            let body = ContentBody {
                lines: Some(vec![line("ok", 1, 1), given]),
                ..Default::default()
            };
            let error = apply(&mut blank(), &body).unwrap_err();
            assert_eq!(field_of(error).replace("[1]", "[0]"), field);
        }
        // A hundred lines at the limit: the sum leaves i64 (1e20), refused instead of wrapped.
        let body = ContentBody {
            lines: Some(vec![line("x", 1, MAX_AMOUNT_MINOR); MAX_LINES]),
            ..Default::default()
        };
        assert_eq!(field_of(apply(&mut blank(), &body).unwrap_err()), "lines");
        let body = ContentBody {
            lines: Some(vec![line("x", 1, MAX_AMOUNT_MINOR)]),
            tax_minor: Some(1),
            ..Default::default()
        };
        assert_eq!(
            field_of(apply(&mut blank(), &body).unwrap_err()),
            "tax_minor"
        );
        for tax in [i64::MIN, i64::MAX, -1] {
            let body = ContentBody {
                total_minor: Some(10),
                tax_minor: Some(tax),
                ..Default::default()
            };
            assert_eq!(
                field_of(apply(&mut blank(), &body).unwrap_err()),
                "tax_minor"
            );
        }
    }

    #[test]
    fn invoice_numbers_are_not_paths() {
        for number in ["INV-001", "2026/014", "A.B_C-1", "7"] {
            assert_eq!(invoice_number(number).unwrap(), number);
        }
        for number in [
            "../etc", "a//b", "/root", "x/", ".", "a b", "a\\b", "", "ü1",
        ] {
            assert!(invoice_number(number).is_err(), "{number}");
        }
        assert!(invoice_number(&"9".repeat(41)).is_err());
    }

    mod properties {
        use super::*;
        use crate::money::decimal;
        use proptest::prelude::*;

        /// Quantities and amounts over the whole `i64` range, with the edges made likely.
        fn any_amount() -> impl Strategy<Value = i64> {
            prop_oneof![
                any::<i64>(),
                -MAX_AMOUNT_MINOR - 2..=MAX_AMOUNT_MINOR + 2,
                Just(i64::MIN),
                Just(i64::MAX),
                -1_000_000_i64..1_000_000,
            ]
        }

        /// What the totals must be, worked out in `i128` where nothing can overflow: `None`
        /// where the invoice must be refused.
        fn expected(lines: &[(i64, i64)], tax: i64) -> Option<(i128, i128)> {
            let limit = i128::from(MAX_AMOUNT_MINOR);
            let within = |value: i128| (-limit..=limit).contains(&value);
            if !(0..=limit).contains(&i128::from(tax)) {
                return None;
            }
            let mut subtotal = 0_i128;
            for (quantity, unit) in lines {
                let amount = i128::from(*quantity) * i128::from(*unit);
                if !(1..=1_000_000).contains(quantity)
                    || !within(i128::from(*unit))
                    || !within(amount)
                {
                    return None;
                }
                subtotal += amount;
                if !within(subtotal) {
                    return None;
                }
            }
            let total = subtotal + i128::from(tax);
            (subtotal >= 0 && total <= limit).then_some((subtotal, total))
        }

        proptest! {
            #[test]
            fn totals_are_exact_or_refused_by_name(
                lines in prop::collection::vec((any_amount(), any_amount()), 1..=MAX_LINES),
                tax in any_amount(),
            ) {
                let body = ContentBody {
                    lines: Some(lines.iter().map(|(quantity, unit)| line("x", *quantity, *unit)).collect()),
                    tax_minor: Some(tax),
                    ..Default::default()
                };
                let mut record = blank();
                match (apply(&mut record, &body), expected(&lines, tax)) {
                    (Ok(()), Some((subtotal, total))) => {
                        prop_assert_eq!(i128::from(record.subtotal_minor), subtotal);
                        prop_assert_eq!(i128::from(record.total_minor), total);
                    }
                    (Err(error), None) => {
                        prop_assert_eq!(error.status, http::StatusCode::BAD_REQUEST);
                        let field = field_of(error);
                        prop_assert!(field.starts_with("lines") || field == "tax_minor", "{}", field);
                    }
                    (outcome, model) => prop_assert!(false, "{:?} but the model says {:?}", outcome.map_err(|e| e.message), model),
                }
            }

            #[test]
            fn a_total_alone_splits_exactly_into_subtotal_and_tax(total in any_amount(), tax in any_amount()) {
                let body = ContentBody { total_minor: Some(total), tax_minor: Some(tax), ..Default::default() };
                let mut record = blank();
                let valid = (0..=MAX_AMOUNT_MINOR).contains(&total) && (0..=total).contains(&tax);
                match apply(&mut record, &body) {
                    Ok(()) => {
                        prop_assert!(valid);
                        prop_assert_eq!(record.subtotal_minor + record.tax_minor, total);
                    }
                    Err(error) => {
                        prop_assert!(!valid);
                        let field = field_of(error);
                        prop_assert!(field == "total_minor" || field == "tax_minor", "{}", field);
                    }
                }
            }

            /// Shown amounts are exact: the decimal text reads back as the same minor units,
            /// with no rounding, for every `i64` and every currency's digits.
            #[test]
            fn decimals_read_back_exactly(amount in any::<i64>(), digits in 0_u32..=3) {
                let shown = decimal(amount, digits);
                let negative = shown.starts_with('-');
                let digits_only: String = shown.chars().filter(char::is_ascii_digit).collect();
                let magnitude: i128 = digits_only.parse().unwrap();
                prop_assert_eq!(if negative { -magnitude } else { magnitude }, i128::from(amount));
                let fraction = shown.split('.').nth(1).map_or(0, str::len);
                prop_assert_eq!(fraction, digits as usize);
            }
        }
    }
}
