//! Signed PDFs a firm can rely on.
//!
//! When the last signer signs, the portal makes a new version of the document:
//!
//! 1. [`page_sizes`] and [`check_fields`] first, when fields are placed and filled (nothing is
//!    stored that could not be drawn);
//! 2. [`stamp`]: the original pages with the filled fields drawn over them, then the
//!    [`Certificate`] page(s);
//! 3. [`seal`]: a PDF digital signature over every byte, made with a [`DigestSigner`] — in the
//!    portal the [`KmsSigner`], an asymmetric AWS KMS key;
//! 4. [`verify`], for the portal's own check of a sealed file.
//!
//! # The seal
//!
//! PAdES baseline B-B: a detached CMS SignedData (RFC 5652), SubFilter `ETSI.CAdES.detached`,
//! digest SHA-256, signed attributes content-type, message-digest and ESS
//! signing-certificate-v2 (RFC 5035), the signer's certificate embedded. The claimed signing
//! time is the signature dictionary's /M, inside the signed bytes; PAdES leaves the CMS
//! signing-time attribute out (ETSI EN 319 142-1), so [`seal`] writes none. Why not
//! `adbe.pkcs7.detached`: every reader that verifies one verifies the other (Acrobat and Reader
//! X+, poppler's `pdfsig`, EU DSS), and only ETSI.CAdES.detached is a PAdES profile.
//!
//! The byte range covers the whole file but the signature's own hex string, so any changed,
//! removed or appended byte fails [`verify`] and readers. The seal is self-signed (the key is
//! the firm's KMS key, no CA): readers show the signature as intact with an unknown signer;
//! [`SealReport::public_key_sha256`] is what to pin.
//!
//! KMS keys: RSA_2048 (RSASSA_PKCS1_V1_5_SHA_256; the widest reader support) or ECC_NIST_P256
//! (ECDSA_SHA_256); both are verified with `ring` and both are tested against moto. KMS signs the
//! DER messages (signed attributes, certificate) with MessageType RAW, which moto implements
//! faithfully (it ignores DIGEST).
//!
//! # Fonts and text
//!
//! Field values and the certificate are drawn in Noto Sans Regular 1.04 (SIL Open Font
//! License, from the `notosans` crate — the font comes from a crate dependency, not a file in
//! this repository), embedded as a subset CID TrueType font with a ToUnicode map (`subsetter`,
//! typst's subsetter): text is searchable and copyable, and each PDF carries only the glyphs it
//! uses (a certificate page's subset is about 5 KB compressed). Headings and labels are "bold"
//! by filling and stroking the same face (text render mode 2); the real bold face would cost
//! another 200 KB in every binary.
//!
//! Noto Sans covers Latin (with Vietnamese), Greek and Cyrillic: "Zoë Ångström", "Łukasz",
//! "Ørsted" draw as written. What it cannot draw (CJK such as "李小龙", Hebrew, Arabic, symbols
//! such as ✓):
//! - [`check_fields`] refuses a text field with such a character, naming it (the signer draws
//!   the signature instead, which is an image);
//! - the certificate writes each run of such characters as its code points, `[U+674E U+5C0F
//!   U+9F99]`, and adds a note saying so: nothing is dropped silently.
//!
//! There is no shaping: right-to-left and complex scripts need a shaper and fonts of their own
//! (a CJK font alone is 10+ MB, more than a Lambda binary can carry).
//!
//! # Size
//!
//! Measured on x86_64 release builds with the workspace profile (`opt-level = "s"`, fat LTO,
//! stripped), a binary calling every function here against one calling only KMS and STS:
//! **+1.62 MB** (3.48 → 5.10 MB), of which the font is 0.20 MB, lopdf 0.25 MB of code plus its
//! Brotli dictionary (0.12 MB; lopdf always links its decryption, Brotli and stringprep code),
//! this crate with its DER code 0.26 MB, and subsetter, x509-cert, cms, png, ttf-parser the
//! rest. The KMS client itself adds 0.23 MB (3.25 → 3.48 MB). A capability binary already near
//! 8 MB (approvals 6–7 MB) would pass the goal with sealing in it: sealing belongs in a binary
//! of its own. With the bold face the crate was 2.0 MB.
//!
//! # Geometry
//!
//! Fields are fractions of the page as the browser shows it: the CropBox (within the MediaBox)
//! after /Rotate. [`page_sizes`] reports those sizes, and [`stamp`] maps the fractions back into
//! the page's user space for rotated and offset pages. Fields are drawn by a form XObject in a
//! content stream added after the original ones (which are bracketed by `q`/`Q` and otherwise
//! untouched).
//!
//! # Refused input
//!
//! Not a PDF, an encrypted PDF, a damaged or truncated PDF (lopdf could read it only by
//! rebuilding the cross-reference table: objects may be missing or stale), a PDF without pages;
//! sealing a PDF that already has a signature. No input panics; numbers read from a PDF go
//! through checked arithmetic.

mod cms;
mod error;
mod fields;
mod font;
mod kms;
mod pdf;
mod seal;
mod stamp;
mod verify;

pub use crate::cms::{p256_spki_der, self_signed_certificate, SignatureAlgorithm};
pub use crate::error::{FieldError, PdfError, SealError, VerifyError};
pub use crate::fields::{
    check_fields, FieldValue, FilledField, MAX_FIELDS, MAX_PNG_BYTES, MAX_PNG_HEIGHT,
    MAX_PNG_WIDTH, MAX_TEXT_CHARS,
};
pub use crate::kms::KmsSigner;
pub use crate::pdf::{page_sizes, PageSize};
pub use crate::seal::{seal, DigestSigner, SIGNATURE_ROOM, SUB_FILTER};
pub use crate::stamp::{stamp, Certificate, CertificateSection};
pub use crate::verify::{verify, SealReport};
