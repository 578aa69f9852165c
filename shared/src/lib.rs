//! The library every Atrium function uses.
//!
//! - [`error`]: the one error type and its JSON shape;
//! - [`http`]: reading requests (JSON bodies, cookies, origin) and writing responses;
//! - [`principal`]: who is calling, and the [`principal::TenantScope`] without which no tenant
//!   data can be read or written;
//! - [`keys`]: the only place DynamoDB keys are built;
//! - [`store`]: firm-level registry and tenant-scoped repositories;
//! - [`mail`]: branded SES mail;
//! - [`app`] and [`config`]: clients and settings, built once per sandbox;
//! - [`runtime`]: the thin glue between a handler and `lambda_http::run`.

pub mod access;
pub mod app;
pub mod audit;
pub mod branding;
pub mod cognito;
pub mod config;
pub mod contrast;
pub mod currency;
pub mod dates;
pub mod edge;
pub mod error;
pub mod http;
pub mod ids;
pub mod keys;
pub mod lazy;
pub mod mail;
pub mod objects;
pub mod operation;
pub mod principal;
pub mod response;
pub mod runtime;
pub mod sealed;
pub mod secrets;
pub mod store;
pub mod tenancy;
#[cfg(any(test, feature = "test-util"))]
pub mod tls_test_server;
pub mod trust;
pub mod types;
pub mod validate;

pub use app::App;
pub use error::{ApiError, ApiResult};
