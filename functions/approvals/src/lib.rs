//! Approvals: the firm asks a client to approve a document version, a milestone or a
//! statement, optionally as a signature; a contact decides. Signatures record the typed name,
//! the signer, time, address and browser, the consent to sign electronically, and for
//! documents the exact version and its SHA-256. Every completed signature has a certificate.

pub mod certificate;
pub mod create;
pub mod decide;
pub mod get;
pub mod list;

/// The consent a contact gives, once per version of this text, before their first signature.
pub const CONSENT_VERSION: &str = "2026-11";
pub const CONSENT_TEXT: &str = "I agree to sign documents electronically. Typing my full name and choosing Sign has the same effect as my handwritten signature. I can ask for a paper copy of anything I sign.";
