//! The portal's operations, gathered from every capability, and what is made from them: the
//! template's function blocks ([`template`]) and the Lambda binaries that run them
//! ([`serve`]).
//!
//! A capability declares its operations next to its handlers (`OPERATIONS` in its `lib.rs`),
//! and all of them are built into one binary ([`BINARIES`]); every function of the template
//! runs its capability's binary with `ATRIUM_OPERATION` naming the operation, so each Lambda
//! keeps its own role, policy and configuration while `sam build` links twenty programs
//! instead of one per operation. A binary links only its own capability's code (each
//! `src/bin/` main names just its list), which keeps each under the size budget
//! (docs/architecture.md, "One binary per capability").

pub mod template;

use atrium_shared::operation::{Operation, Serve, OPERATION_VARIABLE};

/// A Lambda binary (`src/bin/<name>.rs`) and the operations it runs: one per capability.
pub struct Binary {
    pub name: &'static str,
    pub operations: &'static [Operation],
}

/// Every capability's binary. A binary of two capabilities would pass the size budget only for
/// the smallest pairs (each alone is 6.3 to 7.9 MB; docs/architecture.md, "One binary per
/// capability"), so each capability is built once, and every function of it runs that binary.
pub const BINARIES: &[Binary] = &[
    Binary {
        name: "atrium-authorizer",
        operations: atrium_authorizer::OPERATIONS,
    },
    Binary {
        name: "atrium-auth",
        operations: atrium_auth::OPERATIONS,
    },
    Binary {
        name: "atrium-clients",
        operations: atrium_clients::OPERATIONS,
    },
    Binary {
        name: "atrium-contacts",
        operations: atrium_contacts::OPERATIONS,
    },
    Binary {
        name: "atrium-staff",
        operations: atrium_staff::OPERATIONS,
    },
    Binary {
        name: "atrium-branding",
        operations: atrium_branding::OPERATIONS,
    },
    Binary {
        name: "atrium-documents",
        operations: atrium_documents::OPERATIONS,
    },
    Binary {
        name: "atrium-uploads",
        operations: atrium_files::UPLOAD_OPERATIONS,
    },
    Binary {
        name: "atrium-files",
        operations: atrium_files::OPERATIONS,
    },
    Binary {
        name: "atrium-archives",
        operations: atrium_files::ARCHIVE_OPERATIONS,
    },
    Binary {
        name: "atrium-reminders",
        operations: atrium_reminders::OPERATIONS,
    },
    Binary {
        name: "atrium-approvals",
        operations: atrium_approvals::OPERATIONS,
    },
    Binary {
        name: "atrium-signatures",
        operations: atrium_signatures::OPERATIONS,
    },
    Binary {
        name: "atrium-signature-pdfs",
        operations: atrium_signatures::PDF_OPERATIONS,
    },
    Binary {
        name: "atrium-invoices",
        operations: atrium_invoices::OPERATIONS,
    },
    Binary {
        name: "atrium-payments",
        operations: atrium_payments::OPERATIONS,
    },
    Binary {
        name: "atrium-workspace",
        operations: atrium_workspace::OPERATIONS,
    },
    Binary {
        name: "atrium-projects",
        operations: atrium_projects::OPERATIONS,
    },
    Binary {
        name: "atrium-messages",
        operations: atrium_messages::OPERATIONS,
    },
    Binary {
        name: "atrium-tickets",
        operations: atrium_tickets::OPERATIONS,
    },
    Binary {
        name: "atrium-forms",
        operations: atrium_forms::OPERATIONS,
    },
    Binary {
        name: "atrium-audit",
        operations: atrium_audit::OPERATIONS,
    },
];

/// Every operation, in the order of the template.
pub fn operations() -> impl Iterator<Item = &'static Operation> {
    BINARIES.iter().flat_map(|binary| binary.operations.iter())
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
                .operations
                .iter()
                .any(|operation| operation.name == name)
        })
        .map(|binary| binary.name)
}

/// The whole of a binary's `main`: run the operation `ATRIUM_OPERATION` names, if it is one of
/// `capability`'s (naming only those keeps the other capabilities' code out of the binary).
pub async fn serve(capability: &'static [Operation]) -> Result<(), lambda_http::Error> {
    let name = std::env::var(OPERATION_VARIABLE)
        .map_err(|_| format!("{OPERATION_VARIABLE} must name the function's operation"))?;
    let operation = capability
        .iter()
        .find(|operation| operation.name == name)
        .ok_or_else(|| format!("{OPERATION_VARIABLE}={name} is not an operation of this binary"))?;
    match operation.serve {
        Serve::Http(handler) => atrium_shared::runtime::run_http(handler).await,
        Serve::Runtime(serve) => serve().await,
        Serve::Event(handler) => atrium_shared::runtime::run_events(handler).await,
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
