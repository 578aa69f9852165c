//! Verifying a sealed PDF: the byte range, the digest, the CMS signature, the certificate.

use crate::cms::{sha256, SignatureAlgorithm, SigningCertificateV2};
use crate::error::VerifyError;
use crate::pdf;
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use const_oid::db::{rfc4519, rfc5911, rfc5912};
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Decode, Encode, Reader, SliceReader, Tag, Tagged};
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::HashSet;
use time::OffsetDateTime;
use x509_cert::Certificate;

/// What a valid seal says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealReport {
    /// The certificate's subject, RFC 4514 (e.g. `CN=Example LLP`).
    pub subject: String,
    /// The subject's common name, when it has one.
    pub common_name: Option<String>,
    /// The claimed signing time: the signature dictionary's /M (covered by the signature).
    pub sealed_at: Option<OffsetDateTime>,
    /// A CMS signing-time attribute, when the signature has one ([`crate::seal`] writes none:
    /// PAdES keeps the time in /M).
    pub signing_time: Option<OffsetDateTime>,
    /// The SubFilter (`ETSI.CAdES.detached` or `adbe.pkcs7.detached`).
    pub sub_filter: String,
    pub algorithm: SignatureAlgorithm,
    /// SHA-256 of the signer's certificate, hex.
    pub certificate_sha256: String,
    /// The signer's certificate (DER).
    pub certificate_der: Vec<u8>,
    /// SHA-256 of the certificate's SubjectPublicKeyInfo (DER), hex: the same for every seal
    /// made with one key, whatever certificate was made for it. The value to pin.
    pub public_key_sha256: String,
    /// Whether the certificate is self-signed (and its own signature verified).
    pub self_signed: bool,
}

/// Checks a sealed PDF: exactly one signature; its ByteRange covers the whole file except the
/// signature's /Contents; the SHA-256 of those bytes matches the CMS message-digest; the CMS
/// signature over the signed attributes verifies against the embedded certificate's public key
/// (and ESS signing-certificate-v2, when present, names that certificate). Returns who sealed it
/// and when; an error names the check that failed.
///
/// This says the file is unchanged since it was sealed with that key; whether the key is the
/// firm's is for the caller to decide (compare [`SealReport::certificate_sha256`] with the
/// certificate it expects).
pub fn verify(pdf_bytes: &[u8]) -> Result<SealReport, VerifyError> {
    let document = pdf::load(pdf_bytes)?;
    let signatures = signature_dictionaries(&document);
    let signature = match signatures.as_slice() {
        [] => return Err(VerifyError::NotSealed),
        [one] => *one,
        many => return Err(VerifyError::SignatureCount(many.len())),
    };
    let sub_filter = signature
        .get(b"SubFilter")
        .and_then(Object::as_name)
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .map_err(|_| VerifyError::Malformed("no SubFilter".into()))?;
    if sub_filter != "ETSI.CAdES.detached" && sub_filter != "adbe.pkcs7.detached" {
        return Err(VerifyError::UnsupportedAlgorithm(format!(
            "SubFilter {sub_filter}"
        )));
    }
    let contents = match signature
        .get(b"Contents")
        .map(|o| pdf::resolve(&document, o))
    {
        Ok(Object::String(bytes, _)) => bytes.as_slice(),
        _ => return Err(VerifyError::Malformed("no Contents string".into())),
    };
    let (gap_start, gap_end) = byte_range(&document, signature, pdf_bytes, contents)?;

    let digest = {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        hash.update(&pdf_bytes[..gap_start]);
        hash.update(&pdf_bytes[gap_end..]);
        let digest: [u8; 32] = hash.finalize().into();
        digest
    };

    let signed = signed_data(contents)?;
    check_signed_data(&signed)?;
    let signer = signed
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or_else(|| VerifyError::Cms("no SignerInfo".into()))?;
    if signer.digest_alg.oid != rfc5912::ID_SHA_256 {
        return Err(VerifyError::UnsupportedAlgorithm(format!(
            "digest {}",
            signer.digest_alg.oid
        )));
    }
    let attributes = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| VerifyError::Cms("no signed attributes".into()))?;
    let attribute = |oid: ObjectIdentifier| -> Result<Option<&der::Any>, VerifyError> {
        let mut found = attributes.iter().filter(|a| a.oid == oid);
        match (found.next(), found.next()) {
            (None, _) => Ok(None),
            (Some(one), None) if one.values.len() == 1 => Ok(one.values.iter().next()),
            _ => Err(VerifyError::Cms(format!("attribute {oid} is repeated"))),
        }
    };
    let content_type = attribute(rfc5911::ID_CONTENT_TYPE)?
        .ok_or_else(|| VerifyError::Cms("no content-type attribute".into()))?
        .decode_as::<ObjectIdentifier>()
        .map_err(|error| VerifyError::Cms(format!("content-type: {error}")))?;
    if content_type != rfc5911::ID_DATA {
        return Err(VerifyError::Cms("the content type is not id-data".into()));
    }
    let message_digest = attribute(rfc5911::ID_MESSAGE_DIGEST)?
        .ok_or_else(|| VerifyError::Cms("no message-digest attribute".into()))?
        .decode_as::<OctetString>()
        .map_err(|error| VerifyError::Cms(format!("message-digest: {error}")))?;
    if message_digest.as_bytes() != digest.as_slice() {
        return Err(VerifyError::DigestMismatch);
    }

    let certificate = signer_certificate(&signed, &signer.sid)?;
    let certificate_der = certificate
        .to_der()
        .map_err(|error| VerifyError::Certificate(error.to_string()))?;
    if let Some(value) = attribute(rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2)? {
        let essential = value
            .decode_as::<SigningCertificateV2>()
            .map_err(|error| VerifyError::Cms(format!("signing-certificate-v2: {error}")))?;
        let first = essential
            .certs
            .first()
            .ok_or_else(|| VerifyError::Cms("signing-certificate-v2 is empty".into()))?;
        let sha256_only = first
            .hash_algorithm
            .as_ref()
            .is_none_or(|algorithm| algorithm.oid == rfc5912::ID_SHA_256);
        if !sha256_only {
            return Err(VerifyError::UnsupportedAlgorithm(
                "signing-certificate-v2 hash".into(),
            ));
        }
        if first.cert_hash.as_bytes() != sha256(&certificate_der).as_slice() {
            return Err(VerifyError::Certificate(
                "signing-certificate-v2 names another certificate".into(),
            ));
        }
    }
    let signing_time = attribute(rfc5911::ID_SIGNING_TIME)?
        .map(|value| {
            value
                .to_der()
                .and_then(|der| x509_cert::time::Time::from_der(&der))
                .map_err(|error| VerifyError::Cms(format!("signing-time: {error}")))
                .and_then(|time| to_offset_date_time(time.to_unix_duration()))
        })
        .transpose()?;

    let spki = &certificate.tbs_certificate.subject_public_key_info;
    let spki_der = spki
        .to_der()
        .map_err(|error| VerifyError::Certificate(error.to_string()))?;
    let algorithm = algorithm_for(&signer.signature_algorithm.oid, spki)?;
    let message = attributes
        .to_der()
        .map_err(|error| VerifyError::Cms(error.to_string()))?;
    verify_signature(
        algorithm,
        spki.subject_public_key.raw_bytes(),
        &message,
        signer.signature.as_bytes(),
    )
    .map_err(|_| VerifyError::BadSignature)?;

    let tbs = &certificate.tbs_certificate;
    let self_signed = tbs.issuer == tbs.subject;
    if self_signed {
        let own = algorithm_for(&certificate.signature_algorithm.oid, spki)?;
        let tbs_der = tbs
            .to_der()
            .map_err(|error| VerifyError::Certificate(error.to_string()))?;
        let signature = certificate
            .signature
            .as_bytes()
            .ok_or_else(|| VerifyError::Certificate("its signature is not whole bytes".into()))?;
        verify_signature(
            own,
            spki.subject_public_key.raw_bytes(),
            &tbs_der,
            signature,
        )
        .map_err(|_| {
            VerifyError::Certificate("its own (self-signed) signature does not verify".into())
        })?;
    }

    let sealed_at = signature
        .get(b"M")
        .ok()
        .and_then(Object::as_datetime)
        .and_then(|date| pdf_date(date.as_str()));
    Ok(SealReport {
        subject: distinguished_name(&tbs.subject),
        common_name: common_name(&tbs.subject),
        sealed_at,
        signing_time,
        sub_filter,
        algorithm,
        certificate_sha256: hex::encode(sha256(&certificate_der)),
        certificate_der,
        public_key_sha256: hex::encode(sha256(&spki_der)),
        self_signed,
    })
}

/// The signature dictionaries reachable from the AcroForm's fields (each counted once).
pub(crate) fn signature_dictionaries(document: &Document) -> Vec<&Dictionary> {
    const MAX_NODES: usize = 10_000;
    const MAX_DEPTH: usize = 16;
    let mut found: Vec<&Dictionary> = Vec::new();
    let Some(fields) = document
        .catalog()
        .ok()
        .and_then(|catalog| catalog.get(b"AcroForm").ok())
        .and_then(|form| pdf::dictionary(document, form))
        .and_then(|form| form.get(b"Fields").ok())
        .and_then(|fields| pdf::resolve(document, fields).as_array().ok())
    else {
        return found;
    };
    let mut stack: Vec<(&Object, usize)> = fields.iter().map(|field| (field, 0)).collect();
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut values_seen: HashSet<ObjectId> = HashSet::new();
    let mut visited = 0usize;
    while let Some((object, depth)) = stack.pop() {
        visited += 1;
        if visited > MAX_NODES {
            break;
        }
        if let Object::Reference(id) = object {
            if !seen.insert(*id) {
                continue;
            }
        }
        let Some(field) = pdf::dictionary(document, object) else {
            continue;
        };
        if let Ok(value) = field.get(b"V") {
            let new = match value {
                Object::Reference(id) => values_seen.insert(*id),
                _ => true,
            };
            if let Some(value) = pdf::dictionary(document, value) {
                if new && value.has(b"ByteRange") {
                    found.push(value);
                }
            }
        }
        if depth < MAX_DEPTH {
            if let Some(kids) = field
                .get(b"Kids")
                .ok()
                .and_then(|kids| pdf::resolve(document, kids).as_array().ok())
            {
                stack.extend(kids.iter().map(|kid| (kid, depth + 1)));
            }
        }
    }
    found
}

/// Checks the ByteRange: `[0 a b c]` with the gap `a..b` being exactly the /Contents hex string
/// (brackets included) and `b + c` the end of the file. Returns `(a, b)`.
fn byte_range(
    document: &Document,
    signature: &Dictionary,
    file: &[u8],
    contents: &[u8],
) -> Result<(usize, usize), VerifyError> {
    let range = signature
        .get(b"ByteRange")
        .map(|o| pdf::resolve(document, o))
        .and_then(Object::as_array)
        .map_err(|_| VerifyError::Malformed("no ByteRange array".into()))?;
    let numbers: Vec<usize> = range
        .iter()
        .map(|item| {
            pdf::resolve(document, item)
                .as_i64()
                .ok()
                .and_then(|value| usize::try_from(value).ok())
        })
        .collect::<Option<_>>()
        .ok_or_else(|| {
            VerifyError::ByteRange("its entries are not non-negative integers".into())
        })?;
    let [start, first_length, second_start, second_length] = numbers.as_slice() else {
        return Err(VerifyError::ByteRange(format!(
            "{} entries (a sealed PDF has one gap: 4 entries)",
            numbers.len()
        )));
    };
    if *start != 0 {
        return Err(VerifyError::ByteRange("it does not start at byte 0".into()));
    }
    let (gap_start, gap_end) = (*first_length, *second_start);
    let end = gap_end
        .checked_add(*second_length)
        .ok_or_else(|| VerifyError::ByteRange("its numbers overflow".into()))?;
    if end != file.len() {
        return Err(VerifyError::ByteRange(format!(
            "it ends at byte {end}, the file has {} bytes",
            file.len()
        )));
    }
    if gap_start == 0 || gap_end < gap_start.saturating_add(2) {
        return Err(VerifyError::ByteRange("the gap is malformed".into()));
    }
    let gap = &file[gap_start..gap_end];
    let hex_digits = match gap {
        [b'<', inner @ .., b'>'] => inner,
        _ => {
            return Err(VerifyError::ByteRange(
                "the gap is not the signature's hex string".into(),
            ))
        }
    };
    let decoded = hex::decode(hex_digits)
        .map_err(|_| VerifyError::ByteRange("the gap is not one hex string".into()))?;
    if decoded != contents {
        return Err(VerifyError::ByteRange(
            "the gap is not the signature dictionary's Contents".into(),
        ));
    }
    Ok((gap_start, gap_end))
}

/// The SignedData in /Contents (DER, then zero padding).
fn signed_data(contents: &[u8]) -> Result<SignedData, VerifyError> {
    let cms = |error: der::Error| VerifyError::Cms(error.to_string());
    let mut reader = SliceReader::new(contents).map_err(cms)?;
    let info = ContentInfo::decode(&mut reader).map_err(cms)?;
    let rest = usize::try_from(u32::from(reader.remaining_len())).unwrap_or(usize::MAX);
    let consumed = contents.len().saturating_sub(rest);
    if !contents[consumed..].iter().all(|&b| b == 0) {
        return Err(VerifyError::Cms("bytes follow the signature".into()));
    }
    if info.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(VerifyError::Cms("not a SignedData".into()));
    }
    info.content.decode_as::<SignedData>().map_err(cms)
}

fn check_signed_data(signed: &SignedData) -> Result<(), VerifyError> {
    if signed.encap_content_info.econtent.is_some() {
        return Err(VerifyError::Cms("the signature is not detached".into()));
    }
    if signed.encap_content_info.econtent_type != rfc5911::ID_DATA {
        return Err(VerifyError::Cms("the signed content is not id-data".into()));
    }
    if signed.signer_infos.0.len() != 1 {
        return Err(VerifyError::Cms(format!(
            "{} signers (a seal has one)",
            signed.signer_infos.0.len()
        )));
    }
    Ok(())
}

fn signer_certificate(
    signed: &SignedData,
    sid: &SignerIdentifier,
) -> Result<Certificate, VerifyError> {
    let certificates = signed
        .certificates
        .as_ref()
        .ok_or_else(|| VerifyError::Certificate("not included in the signature".into()))?;
    certificates
        .0
        .iter()
        .filter_map(|choice| match choice {
            CertificateChoices::Certificate(certificate) => Some(certificate),
            CertificateChoices::Other(_) => None,
        })
        .find(|certificate| match sid {
            SignerIdentifier::IssuerAndSerialNumber(id) => {
                certificate.tbs_certificate.issuer == id.issuer
                    && certificate.tbs_certificate.serial_number == id.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(key_id) => certificate
                .tbs_certificate
                .get::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
                .ok()
                .flatten()
                .is_some_and(|(_, own)| own == *key_id),
        })
        .cloned()
        .ok_or_else(|| VerifyError::Certificate("the signer's certificate is not included".into()))
}

fn algorithm_for(
    oid: &ObjectIdentifier,
    spki: &spki::SubjectPublicKeyInfoOwned,
) -> Result<SignatureAlgorithm, VerifyError> {
    let algorithm =
        if *oid == rfc5912::RSA_ENCRYPTION || *oid == rfc5912::SHA_256_WITH_RSA_ENCRYPTION {
            SignatureAlgorithm::RsaPkcs1Sha256
        } else if *oid == rfc5912::ECDSA_WITH_SHA_256 {
            SignatureAlgorithm::EcdsaP256Sha256
        } else {
            return Err(VerifyError::UnsupportedAlgorithm(format!(
                "signature {oid}"
            )));
        };
    if !algorithm.matches(spki) {
        return Err(VerifyError::UnsupportedAlgorithm(format!(
            "signature {oid} with a {} key",
            spki.algorithm.oid
        )));
    }
    Ok(algorithm)
}

fn verify_signature(
    algorithm: SignatureAlgorithm,
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), ring::error::Unspecified> {
    use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_ASN1, RSA_PKCS1_2048_8192_SHA256};
    match algorithm {
        SignatureAlgorithm::RsaPkcs1Sha256 => {
            UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public_key)
                .verify(message, signature)
        }
        SignatureAlgorithm::EcdsaP256Sha256 => {
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, public_key).verify(message, signature)
        }
    }
}

fn to_offset_date_time(since_epoch: std::time::Duration) -> Result<OffsetDateTime, VerifyError> {
    i64::try_from(since_epoch.as_secs())
        .ok()
        .and_then(|seconds| OffsetDateTime::from_unix_timestamp(seconds).ok())
        .ok_or_else(|| VerifyError::Cms("signing-time out of range".into()))
}

/// A PDF date as lopdf gives it (`D`, `:` and `'` removed): `YYYYMMDDHHmmSS` then `Z`, an
/// offset `+HHmm`, or nothing (UTC).
fn pdf_date(text: &str) -> Option<OffsetDateTime> {
    use time::macros::format_description;
    let with_offset = format_description!(
        "[year][month][day][hour][minute][second][offset_hour sign:mandatory][offset_minute]"
    );
    let utc = format_description!("[year][month][day][hour][minute][second]");
    let text = text.strip_suffix('Z').unwrap_or(text);
    OffsetDateTime::parse(text, with_offset).ok().or_else(|| {
        time::PrimitiveDateTime::parse(text, utc)
            .ok()
            .map(time::PrimitiveDateTime::assume_utc)
    })
}

/// A name as RFC 4514 writes it (`CN=Example LLP,O=Example`), without x509-cert's `Display`,
/// which links const-oid's whole OID database (names of thousands of OIDs) into the binary.
fn distinguished_name(name: &x509_cert::name::Name) -> String {
    let key = |oid: &ObjectIdentifier| -> String {
        let known = [
            (rfc4519::CN, "CN"),
            (rfc4519::O, "O"),
            (rfc4519::OU, "OU"),
            (rfc4519::C, "C"),
            (rfc4519::L, "L"),
            (rfc4519::ST, "ST"),
            (rfc4519::STREET, "STREET"),
            (rfc4519::DC, "DC"),
            (rfc4519::UID, "UID"),
        ];
        known
            .iter()
            .find(|(known, _)| known == oid)
            .map(|(_, key)| (*key).to_string())
            .unwrap_or_else(|| oid.to_string())
    };
    let value = |atv: &x509_cert::attr::AttributeTypeAndValue| -> String {
        let text = matches!(
            atv.value.tag(),
            Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::TeletexString
        )
        .then(|| std::str::from_utf8(atv.value.value()).ok())
        .flatten();
        match text {
            Some(text) => {
                let mut escaped = String::with_capacity(text.len());
                let last = text.chars().count().saturating_sub(1);
                for (index, c) in text.chars().enumerate() {
                    let edge =
                        (index == 0 && (c == ' ' || c == '#')) || (index == last && c == ' ');
                    if edge || matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';') {
                        escaped.push('\\');
                    }
                    escaped.push(c);
                }
                escaped
            }
            None => match atv.value.to_der() {
                Ok(der) => format!("#{}", hex::encode(der)),
                Err(_) => String::new(),
            },
        }
    };
    name.0
        .iter()
        .rev()
        .map(|rdn| {
            rdn.0
                .iter()
                .map(|atv| format!("{}={}", key(&atv.oid), value(atv)))
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn common_name(name: &x509_cert::name::Name) -> Option<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == rfc4519::CN)
        .filter(|atv| {
            matches!(
                atv.value.tag(),
                Tag::Utf8String | Tag::PrintableString | Tag::Ia5String
            )
        })
        .and_then(|atv| std::str::from_utf8(atv.value.value()).ok())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_cert::attr::AttributeTypeAndValue;
    use x509_cert::name::{RdnSequence, RelativeDistinguishedName};

    fn name(parts: &[(ObjectIdentifier, &str)]) -> x509_cert::name::Name {
        RdnSequence(
            parts
                .iter()
                .map(|(oid, value)| {
                    let atv = AttributeTypeAndValue {
                        oid: *oid,
                        value: der::Any::new(Tag::Utf8String, value.as_bytes()).unwrap(),
                    };
                    RelativeDistinguishedName(der::asn1::SetOfVec::try_from(vec![atv]).unwrap())
                })
                .collect(),
        )
    }

    #[test]
    fn names_are_written_as_rfc_4514_says() {
        let subject = name(&[(rfc4519::O, "Example"), (rfc4519::CN, "Smith, Jones + Co ")]);
        assert_eq!(
            distinguished_name(&subject),
            "CN=Smith\\, Jones \\+ Co\\ ,O=Example"
        );
        assert_eq!(common_name(&subject).as_deref(), Some("Smith, Jones + Co "));
    }

    #[test]
    fn pdf_dates_with_and_without_offsets() {
        let utc = time::macros::datetime!(2025-03-04 10:15:00 UTC);
        assert_eq!(pdf_date("20250304101500+0000"), Some(utc));
        assert_eq!(pdf_date("20250304101500Z"), Some(utc));
        assert_eq!(pdf_date("20250304101500"), Some(utc));
        assert_eq!(
            pdf_date("20250304111500+0100"),
            Some(time::macros::datetime!(2025-03-04 11:15:00 +01:00))
        );
        assert_eq!(pdf_date("yesterday"), None);
    }
}
