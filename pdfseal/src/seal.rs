//! Sealing: a signature field and dictionary are added, the PDF is written with placeholders for
//! /ByteRange and /Contents, the placeholders are patched with the byte range and the CMS
//! signature over it.

use crate::cms::{self, SignatureAlgorithm};
use crate::error::{PdfError, SealError};
use crate::pdf;
use crate::stamp::save;
use der::Decode;
use lopdf::xref::XrefEntry;
use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, StringFormat};
use std::future::Future;
use time::OffsetDateTime;

/// Bytes reserved for the CMS signature (hex-encoded in the file, so twice this). A seal with an
/// RSA-2048 certificate is about 1.7 KB; the room leaves space for larger keys and chains.
pub const SIGNATURE_ROOM: usize = 8192;
/// The placeholder written for each ByteRange number: ten digits (files up to ~9.3 GB).
const RANGE_PLACEHOLDER: i64 = 9_999_999_999;
/// The SubFilter written. ETSI.CAdES.detached is PAdES (ETSI EN 319 142-1, baseline B-B):
/// Acrobat and Reader (X and later), poppler's pdfsig and EU DSS verify it, and it is what
/// validators of advanced electronic signatures expect. adbe.pkcs7.detached verifies in the same
/// readers but is not a PAdES profile, so it buys no compatibility worth having.
pub const SUB_FILTER: &str = "ETSI.CAdES.detached";

/// Something that signs with SHA-256 and holds the signer's X.509 certificate (DER).
pub trait DigestSigner {
    /// The signer's certificate (DER), embedded in the CMS signature.
    fn certificate_der(&self) -> &[u8];

    /// How the signer signs.
    fn algorithm(&self) -> SignatureAlgorithm;

    /// Signs a SHA-256 digest (for RSA: PKCS#1 v1.5 over the DigestInfo; for ECDSA: over the
    /// digest), returning the signature (ECDSA: DER-encoded).
    fn sign_digest(
        &self,
        digest: [u8; 32],
    ) -> impl Future<Output = Result<Vec<u8>, SealError>> + Send;

    /// Signs `message` with SHA-256. By default the digest is taken here and
    /// [`Self::sign_digest`] signs it; a signer that prefers the message itself (KMS with
    /// MessageType RAW, or a library that only signs messages) overrides this. [`seal`] calls
    /// this method.
    fn sign_message(
        &self,
        message: &[u8],
    ) -> impl Future<Output = Result<Vec<u8>, SealError>> + Send {
        self.sign_digest(cms::sha256(message))
    }
}

/// Adds the signature field and dictionary, and the CMS signature (claimed signing time `at`, as
/// /M); the result is a new PDF whose ByteRange covers every byte but the signature itself.
///
/// The signature is PAdES B-B: SubFilter [`SUB_FILTER`], a detached CMS SignedData over the
/// byte range with signed attributes content-type, message-digest and ESS
/// signing-certificate-v2, and the signer's certificate. The signature field is invisible and
/// sits on the last page (the certificate). A PDF that already has a signature is refused
/// ([`SealError::AlreadySealed`]): writing it again would break that signature.
pub async fn seal(
    pdf_bytes: &[u8],
    signer: &impl DigestSigner,
    at: OffsetDateTime,
    reason: &str,
) -> Result<Vec<u8>, SealError> {
    let certificate = x509_cert::Certificate::from_der(signer.certificate_der())
        .map_err(|error| SealError::Signer(format!("the signer's certificate: {error}")))?;
    let signing_time = pdf_date(at)?;

    let mut document = pdf::load(pdf_bytes)?;
    if !crate::verify::signature_dictionaries(&document).is_empty() {
        return Err(SealError::AlreadySealed);
    }
    let pages = pdf::pages(&document)?;
    let last = pages.last().map(|page| page.id).ok_or(PdfError::NoPages)?;
    if version_below_1_7(&document.version) {
        document.version = "1.7".to_string();
    }

    let signature = document.add_object(dictionary! {
        "Type" => "Sig",
        "Filter" => "Adobe.PPKLite",
        "SubFilter" => SUB_FILTER,
        "ByteRange" => vec![
            Object::Integer(0),
            Object::Integer(RANGE_PLACEHOLDER),
            Object::Integer(RANGE_PLACEHOLDER),
            Object::Integer(RANGE_PLACEHOLDER),
        ],
        "Contents" => Object::String(vec![0; SIGNATURE_ROOM], StringFormat::Hexadecimal),
        "M" => Object::String(signing_time.into_bytes(), StringFormat::Literal),
        "Reason" => text_string(reason),
    });
    let field = document.add_object(dictionary! {
        "Type" => "Annot",
        "Subtype" => "Widget",
        "FT" => "Sig",
        "T" => text_string("Seal"),
        "V" => signature,
        "Rect" => vec![0.into(), 0.into(), 0.into(), 0.into()],
        // Print and Locked; no appearance: the seal is shown in the reader's signature panel.
        "F" => 132,
        "P" => last,
    });
    add_annotation(&mut document, last, field)?;
    add_to_acroform(&mut document, field)?;

    let mut out = save(&mut document)?;
    let (range_span, contents_span) = placeholders(&out, signature)?;

    // Everything but the hex string (angle brackets included) is signed.
    let (gap_start, gap_end) = contents_span;
    let after = out
        .len()
        .checked_sub(gap_end)
        .ok_or_else(|| PdfError::Write("the signature placeholder is past the end".into()))?;
    let range = format!("[0 {gap_start} {gap_end} {after}]");
    let (range_start, range_end) = range_span;
    let width = range_end - range_start;
    if range.len() > width {
        return Err(PdfError::Write("the file is too large for the byte range".into()).into());
    }
    let padded = format!("{range:<width$}");
    out[range_start..range_end].copy_from_slice(padded.as_bytes());

    let digest = {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        hash.update(&out[..gap_start]);
        hash.update(&out[gap_end..]);
        let digest: [u8; 32] = hash.finalize().into();
        digest
    };
    let attributes = cms::signed_attributes(&digest, &certificate, signer.certificate_der())?;
    let to_sign = der::Encode::to_der(&attributes)?;
    let signature_value = signer.sign_message(&to_sign).await?;
    let cms = cms::signed_data(attributes, signature_value, certificate, signer.algorithm())?;
    if cms.len() > SIGNATURE_ROOM {
        return Err(SealError::SignatureTooLarge {
            needed: cms.len(),
            room: SIGNATURE_ROOM,
        });
    }
    let encoded = hex::encode_upper(&cms);
    // Inside the angle brackets; the zeros after the DER are padding.
    let hex_start = gap_start + 1;
    out[hex_start..hex_start + encoded.len()].copy_from_slice(encoded.as_bytes());
    Ok(out)
}

fn version_below_1_7(version: &str) -> bool {
    let mut parts = version.split('.');
    let major: u32 = parts
        .next()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(1);
    let minor: u32 = parts
        .next()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(0);
    major < 1 || (major == 1 && minor < 7)
}

/// A PDF date in UTC, `D:YYYYMMDDHHmmSS+00'00'`.
fn pdf_date(at: OffsetDateTime) -> Result<String, SealError> {
    let at = at.to_offset(time::UtcOffset::UTC);
    if !(1..=9999).contains(&at.year()) {
        return Err(SealError::Time(format!("year {}", at.year())));
    }
    let format =
        time::macros::format_description!("D:[year][month][day][hour][minute][second]+00'00'");
    at.format(&format)
        .map_err(|error| SealError::Time(error.to_string()))
}

/// A PDF text string: PDFDocEncoding-safe ASCII as is, anything else as UTF-16BE with a BOM.
pub(crate) fn text_string(text: &str) -> Object {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Object::String(text.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut bytes = vec![0xfe, 0xff];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

fn add_annotation(
    document: &mut Document,
    page: ObjectId,
    field: ObjectId,
) -> Result<(), PdfError> {
    let existing: Vec<Object> = {
        let dict = document
            .get_dictionary(page)
            .map_err(|error| PdfError::Write(error.to_string()))?;
        dict.get(b"Annots")
            .ok()
            .map(|annots| pdf::resolve(document, annots))
            .and_then(|annots| annots.as_array().ok())
            .cloned()
            .unwrap_or_default()
    };
    let mut annots = existing;
    annots.push(Object::Reference(field));
    document
        .get_object_mut(page)
        .and_then(Object::as_dict_mut)
        .map_err(|error| PdfError::Write(error.to_string()))?
        .set("Annots", annots);
    Ok(())
}

fn add_to_acroform(document: &mut Document, field: ObjectId) -> Result<(), PdfError> {
    let mut form: Dictionary = document
        .catalog()
        .ok()
        .and_then(|catalog| catalog.get(b"AcroForm").ok())
        .and_then(|form| pdf::dictionary(document, form))
        .cloned()
        .unwrap_or_default();
    let mut fields: Vec<Object> = form
        .get(b"Fields")
        .ok()
        .map(|fields| pdf::resolve(document, fields))
        .and_then(|fields| fields.as_array().ok())
        .cloned()
        .unwrap_or_default();
    fields.push(Object::Reference(field));
    form.set("Fields", fields);
    // SignaturesExist | AppendOnly.
    form.set("SigFlags", 3);
    document
        .catalog_mut()
        .map_err(|error| PdfError::Write(format!("catalog: {error}")))?
        .set("AcroForm", form);
    Ok(())
}

/// Where the ByteRange array (`[` to `]`, inclusive-exclusive) and the Contents hex string
/// (`<` to after `>`) of the signature dictionary were written. Only the bytes this module
/// wrote are searched: from the dictionary's own offset in the cross-reference table, read back
/// with lopdf.
fn placeholders(out: &[u8], signature: ObjectId) -> Result<(Span, Span), PdfError> {
    let missing = || PdfError::Write("the signature placeholders were not found".into());
    let written = Document::load_mem(out).map_err(|error| PdfError::Write(error.to_string()))?;
    let offset = match written.reference_table.get(signature.0) {
        Some(XrefEntry::Normal { offset, .. }) => *offset as usize,
        _ => return Err(missing()),
    };
    let object = out.get(offset..).ok_or_else(missing)?;
    let header = format!("{} {} obj", signature.0, signature.1);
    if !object.starts_with(header.as_bytes()) {
        return Err(missing());
    }
    let end = find(object, b"endobj").ok_or_else(missing)?;
    let object = &object[..end];

    let key = find(object, b"/ByteRange").ok_or_else(missing)?;
    let open = key + find(&object[key..], b"[").ok_or_else(missing)?;
    let close = open + find(&object[open..], b"]").ok_or_else(missing)?;
    let expected = format!("0 {RANGE_PLACEHOLDER} {RANGE_PLACEHOLDER} {RANGE_PLACEHOLDER}");
    let inside: Vec<&[u8]> = object[open + 1..close]
        .split(|b| b.is_ascii_whitespace())
        .filter(|token| !token.is_empty())
        .collect();
    let wanted: Vec<&[u8]> = expected.as_bytes().split(|b| *b == b' ').collect();
    if inside != wanted {
        return Err(missing());
    }

    let key = find(object, b"/Contents").ok_or_else(missing)?;
    let open_hex = key + find(&object[key..], b"<").ok_or_else(missing)?;
    let digits = 2 * SIGNATURE_ROOM;
    let hex = object
        .get(open_hex + 1..open_hex + 1 + digits)
        .ok_or_else(missing)?;
    if !hex.iter().all(|&b| b == b'0') || object.get(open_hex + 1 + digits) != Some(&b'>') {
        return Err(missing());
    }
    Ok((
        (offset + open, offset + close + 1),
        (offset + open_hex, offset + open_hex + digits + 2),
    ))
}

/// A byte span of the written file, start inclusive, end exclusive.
type Span = (usize, usize);

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
