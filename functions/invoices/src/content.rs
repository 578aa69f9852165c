//! The editable content of an invoice, checked field by field. Creating takes every required
//! field; updating a draft takes any of them.

use crate::data::{InvoiceLine, InvoiceRecord};
use crate::money::{amount, currency};
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

/// Letters, digits and `-_/.`, 1 to 40 characters: what firms print on invoices.
pub fn invoice_number(value: &str) -> ApiResult<String> {
    let value = value.trim();
    let fits = !value.is_empty()
        && value.len() <= 40
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.'));
    if fits {
        Ok(value.to_string())
    } else {
        Err(ApiError::invalid(
            "number",
            "must be 1 to 40 letters, digits or - _ / .",
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
            let unit = amount(&field("unit_amount_minor"), line.unit_amount_minor, true)?;
            let line_amount = unit
                .checked_mul(line.quantity)
                .ok_or_else(|| ApiError::invalid(&field("unit_amount_minor"), "is too large"))?;
            Ok(InvoiceLine {
                description,
                quantity: line.quantity,
                unit_amount_minor: unit,
                amount_minor: amount(&field("quantity"), line_amount, true)?,
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
        record.tax_minor = amount("tax_minor", tax, false)?;
    }
    if let Some(total) = body.total_minor {
        record.lines.clear();
        record.total_minor = amount("total_minor", total, false)?;
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
fn totals(record: &mut InvoiceRecord) -> ApiResult<()> {
    if record.lines.is_empty() {
        if record.tax_minor > record.total_minor {
            return Err(ApiError::invalid(
                "tax_minor",
                "must not exceed total_minor",
            ));
        }
        record.subtotal_minor = record.total_minor - record.tax_minor;
    } else {
        let subtotal = record
            .lines
            .iter()
            .map(|line| line.amount_minor)
            .sum::<i64>();
        if subtotal < 0 {
            return Err(ApiError::invalid("lines", "must not add up to less than 0"));
        }
        record.subtotal_minor = subtotal;
        record.total_minor = subtotal + record.tax_minor;
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
}
