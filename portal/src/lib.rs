//! The portal's operations, gathered from every capability, and what is made from them: the
//! template's function blocks ([`template`]) and the Lambda binaries that run them
//! ([`serve`]).
//!
//! A capability declares its operations next to its handlers (`OPERATIONS` in its `lib.rs`).
//! Its operations are built into one of a few binaries ([`BINARIES`]); every function of the
//! template runs its operation's binary with `ATRIUM_OPERATION` naming the operation, so each
//! Lambda keeps its own role, policy and configuration while `sam build` compiles and links a
//! handful of programs instead of one per operation. A binary links only its own
//! capabilities' code (each `src/bin/` main names just its list), which keeps each under the
//! size budget (docs/architecture.md, "One binary per group of capabilities").

pub mod template;

use atrium_shared::operation::{Operation, Serve, OPERATION_VARIABLE};

/// Sign-in, identities and the firm's settings: the authorizer, auth, clients, contacts,
/// staff and branding.
pub const ACCESS: &[&[Operation]] = &[
    atrium_authorizer::OPERATIONS,
    atrium_auth::OPERATIONS,
    atrium_clients::OPERATIONS,
    atrium_contacts::OPERATIONS,
    atrium_staff::OPERATIONS,
    atrium_branding::OPERATIONS,
];

/// Files and money: document requests and documents, the daily reminders, approvals and
/// invoices.
pub const FILES: &[&[Operation]] = &[
    atrium_documents::OPERATIONS,
    atrium_reminders::OPERATIONS,
    atrium_approvals::OPERATIONS,
    atrium_invoices::OPERATIONS,
];

/// The work itself: the dashboard, projects, messages, tickets, intake forms and the trail.
pub const WORK: &[&[Operation]] = &[
    atrium_workspace::OPERATIONS,
    atrium_projects::OPERATIONS,
    atrium_messages::OPERATIONS,
    atrium_tickets::OPERATIONS,
    atrium_forms::OPERATIONS,
    atrium_audit::OPERATIONS,
];

/// A Lambda binary (`src/bin/<name>.rs`) and the capabilities it runs.
pub struct Binary {
    pub name: &'static str,
    pub capabilities: &'static [&'static [Operation]],
}

pub const BINARIES: &[Binary] = &[
    Binary {
        name: "atrium-access",
        capabilities: ACCESS,
    },
    Binary {
        name: "atrium-files",
        capabilities: FILES,
    },
    Binary {
        name: "atrium-work",
        capabilities: WORK,
    },
];

/// Every operation, in the order of the template.
pub fn operations() -> impl Iterator<Item = &'static Operation> {
    BINARIES
        .iter()
        .flat_map(|binary| binary.capabilities.iter())
        .flat_map(|operations| operations.iter())
}

/// The operation of that name.
pub fn find(name: &str) -> Option<&'static Operation> {
    operations().find(|operation| operation.name == name)
}

/// The binary that runs the operation of that name.
pub fn binary_of(name: &str) -> Option<&'static str> {
    BINARIES
        .iter()
        .find(|binary| {
            binary
                .capabilities
                .iter()
                .any(|operations| operations.iter().any(|operation| operation.name == name))
        })
        .map(|binary| binary.name)
}

/// The whole of a binary's `main`: run the operation `ATRIUM_OPERATION` names, if it is one of
/// `capabilities`.
pub async fn serve(
    capabilities: &'static [&'static [Operation]],
) -> Result<(), lambda_http::Error> {
    let name = std::env::var(OPERATION_VARIABLE)
        .map_err(|_| format!("{OPERATION_VARIABLE} must name the function's operation"))?;
    let operation = capabilities
        .iter()
        .flat_map(|operations| operations.iter())
        .find(|operation| operation.name == name)
        .ok_or_else(|| format!("{OPERATION_VARIABLE}={name} is not an operation of this binary"))?;
    match operation.serve {
        Serve::Http(handler) => atrium_shared::runtime::run_http(handler).await,
        Serve::Runtime(serve) => serve().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_in_exactly_one_binary_and_names_are_unique() {
        let mut names = std::collections::BTreeSet::new();
        for operation in operations() {
            assert!(names.insert(operation.name), "{} twice", operation.name);
            assert!(binary_of(operation.name).is_some());
        }
        for binary in BINARIES {
            assert!(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join(format!("src/bin/{}.rs", binary.name))
                    .is_file(),
                "{} has no main",
                binary.name
            );
        }
    }
}
