//! The client's workspace.

pub mod get;
