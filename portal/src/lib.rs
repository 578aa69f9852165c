//! The portal's operations, gathered from every capability, and what is made from them: the
//! template's function blocks ([`template`]) and the dispatch of the one Lambda binary
//! (`src/main.rs`).
//!
//! A capability declares its operations next to its handlers (`OPERATIONS` in its `lib.rs`);
//! adding a capability adds its list here.

pub mod template;

use atrium_shared::operation::Operation;

const CAPABILITIES: &[&[Operation]] = &[
    atrium_authorizer::OPERATIONS,
    atrium_auth::OPERATIONS,
    atrium_clients::OPERATIONS,
    atrium_workspace::OPERATIONS,
    atrium_documents::OPERATIONS,
    atrium_reminders::OPERATIONS,
    atrium_audit::OPERATIONS,
    atrium_projects::OPERATIONS,
    atrium_approvals::OPERATIONS,
    atrium_messages::OPERATIONS,
    atrium_contacts::OPERATIONS,
    atrium_invoices::OPERATIONS,
    atrium_tickets::OPERATIONS,
    atrium_forms::OPERATIONS,
    atrium_branding::OPERATIONS,
    atrium_staff::OPERATIONS,
];

/// Every operation, in the order of the template.
pub fn operations() -> impl Iterator<Item = &'static Operation> {
    CAPABILITIES.iter().flat_map(|operations| operations.iter())
}

/// The operation of that name.
pub fn find(name: &str) -> Option<&'static Operation> {
    operations().find(|operation| operation.name == name)
}
