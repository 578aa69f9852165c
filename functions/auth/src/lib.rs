//! Sign-in and the signed-in person's own account. One module per operation; each exposes
//! `handle(&App, Request)`, which the Lambda binary and the local gateway both call.

pub mod accept_invite;
pub mod login;
pub mod logout;
pub mod me;
pub mod mfa_associate;
pub mod mfa_disable;
pub mod mfa_verify;
pub mod refresh;
pub mod session;

pub use session::SignInResponse;
