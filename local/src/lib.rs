//! The local portal. Nothing here runs in AWS: it stands in for API Gateway and provisions
//! the local AWS stack (moto), and it runs the very handlers the Lambda functions run.
//!
//! - [`moto`]: starts moto from the project's virtual environment;
//! - [`stripe`]: starts localstripe, the local Stripe, the same way;
//! - [`stack`]: creates the table, buckets, staff pool and mail identity;
//! - [`template`]: reads the routes and each function's operation from template.yaml (whose
//!   function blocks are written from the operations' declarations, `atrium_portal`);
//! - [`events`]: builds payload-2.0 events, as API Gateway would;
//! - [`gateway`]: authorizer first, then the route's handler;
//! - [`server`]: serves web/ and /api/* on one origin, and the dev mailbox;
//! - [`watcher`]: what S3 and GuardDuty do when an object lands (scan, tag, events);
//! - [`seed`]: the demo firm.

pub mod events;
pub mod gateway;
pub mod mailbox;
pub mod moto;
pub mod samples;
pub mod seed;
pub mod server;
pub mod stack;
pub mod stripe;
pub mod template;
pub mod watcher;

use std::path::PathBuf;

/// The project's root: `ATRIUM_ROOT`, or the workspace this crate was built in.
pub fn project_root() -> PathBuf {
    std::env::var_os("ATRIUM_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."))
}
