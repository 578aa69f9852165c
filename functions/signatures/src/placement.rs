//! Who signs and where: the signers and fields of a new request (or a replacement signer),
//! parsed and checked once, each error naming its field (`signers[1].contact`,
//! `fields[3].x`).

use crate::data::{Field, FieldKind, Signer, SignerKind, SignerState};
use atrium_documents::data::DocumentRecord;
use atrium_shared::ids::new_id;
use atrium_shared::principal::{Role, TenantScope};
use atrium_shared::store::records::UserStatus;
use atrium_shared::{validate, ApiError, ApiResult, App};
use serde::Deserialize;

pub const MAX_SIGNERS: usize = 10;
pub const MAX_FIELDS: usize = 200;
/// The smallest field, as a fraction of the page's width or height.
const MIN_SIZE: f32 = 0.01;

/// A signer as the firm names them: exactly one of a contact's or a staff member's user id.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignerInput {
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub staff: Option<String>,
    /// Signing order (1 first); signers of one group sign in parallel. Default: the signer's
    /// place in the list, so a plain list signs in sequence.
    #[serde(default)]
    pub group: Option<u32>,
}

/// A field for one signer (`signer`: the index in `signers`), in fractions of the page from
/// its top-left corner.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldInput {
    pub signer: usize,
    pub kind: FieldKind,
    pub page: u32,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub required: Option<bool>,
}

/// Resolves one signer inside the client and the firm: an active contact who may act (an
/// admin or a member) and may see the document, or an active member of the firm's staff.
pub async fn resolve_signer(
    app: &App,
    scope: &TenantScope,
    document: &DocumentRecord,
    input: &SignerInput,
    field: &str,
) -> ApiResult<(SignerKind, String, String, String)> {
    // `signers[1].contact`, or plain `contact` for a body that names one signer.
    let named = |name: &str| {
        if field.is_empty() {
            name.to_string()
        } else {
            format!("{field}.{name}")
        }
    };
    match (&input.contact, &input.staff) {
        (Some(sub), None) => {
            let name = named("contact");
            let sub = validate::name(&name, sub, 128)?;
            let contact = app
                .store
                .contact(scope, &sub)
                .await?
                .filter(|contact| contact.status == UserStatus::Active)
                .ok_or_else(|| {
                    ApiError::invalid(&name, "is not an active contact of this client")
                })?;
            let acts =
                contact.roles.contains(&Role::Admin) || contact.roles.contains(&Role::Member);
            if !acts {
                return Err(ApiError::invalid(
                    &name,
                    "a read-only or billing-only contact cannot sign; make them a member first",
                ));
            }
            let sees_billing =
                contact.roles.contains(&Role::Admin) || contact.roles.contains(&Role::Billing);
            if document.billing_only && !sees_billing {
                return Err(ApiError::invalid(
                    &name,
                    "this document is for the client's admins and billing contacts only",
                ));
            }
            Ok((SignerKind::Contact, sub, contact.email, contact.name))
        }
        (None, Some(sub)) => {
            let name = named("staff");
            let sub = validate::name(&name, sub, 128)?;
            let staff = app
                .store
                .staff_user(&sub)
                .await?
                .filter(|staff| staff.status == UserStatus::Active)
                .ok_or_else(|| ApiError::invalid(&name, "is not an active member of the firm"))?;
            Ok((SignerKind::Staff, sub, staff.email, staff.name))
        }
        _ => Err(ApiError::invalid(
            if field.is_empty() { "contact" } else { field },
            "name exactly one of contact or staff",
        )),
    }
}

/// The signers of a new request, in the order given.
pub async fn signers(
    app: &App,
    scope: &TenantScope,
    document: &DocumentRecord,
    inputs: &[SignerInput],
) -> ApiResult<Vec<Signer>> {
    if inputs.is_empty() || inputs.len() > MAX_SIGNERS {
        return Err(ApiError::invalid(
            "signers",
            format!("name 1 to {MAX_SIGNERS} signers"),
        ));
    }
    let mut signers: Vec<Signer> = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.iter().enumerate() {
        let field = format!("signers[{index}]");
        let (kind, sub, email, name) = resolve_signer(app, scope, document, input, &field).await?;
        if signers
            .iter()
            .any(|signer| signer.kind == kind && signer.sub == sub)
        {
            return Err(ApiError::invalid(
                &field,
                "is already a signer of this request",
            ));
        }
        let position = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let group = input.group.unwrap_or(position);
        if !(1..=MAX_SIGNERS as u32).contains(&group) {
            return Err(ApiError::invalid(
                &format!("{field}.group"),
                format!("must be 1 to {MAX_SIGNERS}"),
            ));
        }
        signers.push(Signer {
            id: new_id(),
            kind,
            sub,
            email,
            name,
            group,
            state: SignerState::Waiting,
            asked_at: None,
            reminded_at: None,
            signed: None,
        });
    }
    Ok(signers)
}

/// The fields of a new request on a PDF of `pages` pages. Every signer needs at least one
/// signature field, so the signed PDF shows each signature where the firm wants it.
pub fn fields(inputs: &[FieldInput], signers: &[Signer], pages: u32) -> ApiResult<Vec<Field>> {
    if inputs.len() > MAX_FIELDS {
        return Err(ApiError::invalid(
            "fields",
            format!("place at most {MAX_FIELDS} fields"),
        ));
    }
    let mut fields = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.iter().enumerate() {
        let at = |name: &str| format!("fields[{index}].{name}");
        let signer = signers
            .get(input.signer)
            .ok_or_else(|| ApiError::invalid(&at("signer"), "is not the index of a signer"))?;
        if input.page == 0 || input.page > pages {
            return Err(ApiError::invalid(
                &at("page"),
                format!("must be a page of the document (1 to {pages})"),
            ));
        }
        for (name, value) in [
            ("x", input.x),
            ("y", input.y),
            ("width", input.width),
            ("height", input.height),
        ] {
            if !value.is_finite() || !(0.0..=1.0).contains(&value) {
                return Err(ApiError::invalid(
                    &at(name),
                    "must be a fraction of the page, from 0 to 1",
                ));
            }
        }
        if input.width < MIN_SIZE || input.height < MIN_SIZE {
            return Err(ApiError::invalid(&at("width"), "is too small to fill in"));
        }
        if input.x + input.width > 1.0 + f32::EPSILON {
            return Err(ApiError::invalid(
                &at("x"),
                "the field runs off the page's right edge",
            ));
        }
        if input.y + input.height > 1.0 + f32::EPSILON {
            return Err(ApiError::invalid(
                &at("y"),
                "the field runs off the page's bottom edge",
            ));
        }
        let label = input
            .label
            .as_deref()
            .map(|label| validate::name(&at("label"), label, 80))
            .transpose()?;
        fields.push(Field {
            id: new_id(),
            signer: signer.id.clone(),
            kind: input.kind,
            page: input.page,
            x: input.x,
            y: input.y,
            width: input.width,
            height: input.height,
            label,
            // Signatures and initials are always required; text fields unless said otherwise.
            required: match input.kind {
                FieldKind::Signature | FieldKind::Initials | FieldKind::Date => true,
                FieldKind::Text => input.required.unwrap_or(true),
            },
        });
    }
    for (index, signer) in signers.iter().enumerate() {
        let has_signature = fields
            .iter()
            .any(|field| field.signer == signer.id && field.kind == FieldKind::Signature);
        if !has_signature {
            return Err(ApiError::invalid(
                "fields",
                format!(
                    "place a signature field for signers[{index}] ({})",
                    signer.name
                ),
            ));
        }
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(id: &str) -> Signer {
        Signer {
            id: id.to_string(),
            kind: SignerKind::Contact,
            sub: id.to_string(),
            email: format!("{id}@example.com"),
            name: id.to_string(),
            group: 1,
            state: SignerState::Waiting,
            asked_at: None,
            reminded_at: None,
            signed: None,
        }
    }

    fn input(page: u32, x: f32, y: f32, width: f32, height: f32) -> FieldInput {
        FieldInput {
            signer: 0,
            kind: FieldKind::Signature,
            page,
            x,
            y,
            width,
            height,
            label: None,
            required: None,
        }
    }

    fn problem(inputs: &[FieldInput]) -> String {
        fields(inputs, &[signer("a")], 2)
            .map(|_| String::new())
            .unwrap_or_else(|error| error.to_string())
    }

    #[test]
    fn fields_stay_on_their_pages() {
        assert!(fields(&[input(2, 0.1, 0.8, 0.3, 0.1)], &[signer("a")], 2).is_ok());
        assert!(problem(&[input(3, 0.1, 0.1, 0.2, 0.1)]).contains("fields[0].page"));
        assert!(problem(&[input(0, 0.1, 0.1, 0.2, 0.1)]).contains("fields[0].page"));
        assert!(problem(&[input(1, 0.9, 0.1, 0.2, 0.1)]).contains("fields[0].x"));
        assert!(problem(&[input(1, 0.1, 0.95, 0.2, 0.1)]).contains("fields[0].y"));
        assert!(problem(&[input(1, -0.1, 0.1, 0.2, 0.1)]).contains("fields[0].x"));
        assert!(problem(&[input(1, f32::NAN, 0.1, 0.2, 0.1)]).contains("fields[0].x"));
        assert!(problem(&[input(1, 0.1, 0.1, 0.0, 0.1)]).contains("fields[0].width"));
        let mut other = input(1, 0.1, 0.1, 0.2, 0.1);
        other.signer = 4;
        assert!(problem(&[other]).contains("fields[0].signer"));
    }

    #[test]
    fn every_signer_has_a_signature_field() {
        let mut initials = input(1, 0.1, 0.1, 0.2, 0.1);
        initials.kind = FieldKind::Initials;
        assert!(problem(&[initials]).contains("place a signature field for signers[0]"));
    }
}
