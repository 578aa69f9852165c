//! The crate's errors: each names what failed, none carries a panic.

use std::fmt;

/// A PDF that cannot be read, or cannot be written back.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("not a readable PDF: {0}")]
    Unreadable(String),
    #[error("the PDF is encrypted (password-protected or restricted); save an unprotected copy")]
    Encrypted,
    #[error(
        "the PDF is damaged (its cross-reference table is unreadable or truncated); \
         save it again from the application that made it"
    )]
    Damaged,
    #[error("the PDF has no pages")]
    NoPages,
    #[error("page {page}: {reason}")]
    Page { page: u32, reason: String },
    #[error("{0}")]
    Field(#[from] FieldError),
    #[error("could not write the PDF: {0}")]
    Write(String),
}

/// Why a filled field was refused: `index` is its position in the list given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FieldError {
    pub index: usize,
    pub reason: String,
}

impl FieldError {
    pub(crate) fn new(index: usize, reason: impl Into<String>) -> Self {
        Self {
            index,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field {}: {}", self.index, self.reason)
    }
}

/// Sealing failed.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("{0}")]
    Pdf(#[from] PdfError),
    #[error("the PDF already has a signature; sealing it again would invalidate it")]
    AlreadySealed,
    #[error("the signer failed: {0}")]
    Signer(String),
    #[error("KMS: {0}")]
    Kms(String),
    #[error("the key is not usable for the seal: {0}")]
    UnsupportedKey(String),
    #[error("could not encode the signature: {0}")]
    Encoding(String),
    #[error("the signature ({needed} bytes) does not fit the room reserved for it ({room} bytes)")]
    SignatureTooLarge { needed: usize, room: usize },
    #[error("the signing time is out of range: {0}")]
    Time(String),
}

impl From<der::Error> for SealError {
    fn from(error: der::Error) -> Self {
        Self::Encoding(error.to_string())
    }
}

/// A sealed PDF did not verify; each variant names the check that failed.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{0}")]
    Pdf(#[from] PdfError),
    #[error("the PDF is not sealed (it has no signature)")]
    NotSealed,
    #[error("the PDF has {0} signatures; a sealed PDF has exactly one")]
    SignatureCount(usize),
    #[error("the signature dictionary is malformed: {0}")]
    Malformed(String),
    #[error("the signed byte range does not cover the whole file: {0}")]
    ByteRange(String),
    #[error("the CMS signature cannot be read: {0}")]
    Cms(String),
    #[error("the document's digest does not match the signed message digest (the file was changed after sealing)")]
    DigestMismatch,
    #[error("the signature does not verify against the embedded certificate's key")]
    BadSignature,
    #[error("the embedded certificate: {0}")]
    Certificate(String),
    #[error("unsupported algorithm: {0}")]
    UnsupportedAlgorithm(String),
}
