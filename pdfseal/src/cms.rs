//! The CMS SignedData of the seal and the seal's self-signed X.509 certificate, built from the
//! RustCrypto types (`cms`, `x509-cert`, `der`): the signer is asynchronous (KMS), so the
//! structures are assembled here and only the signature comes from outside.

use crate::error::SealError;
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedAttributes, SignedData, SignerIdentifier,
    SignerInfo, SignerInfos,
};
use const_oid::db::{rfc4519, rfc5280, rfc5911, rfc5912};
use const_oid::ObjectIdentifier;
use der::asn1::{BitString, GeneralizedTime, Null, OctetString, SetOfVec, UtcTime};
use der::{Any, Decode, Encode, Sequence, Tag};
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use std::future::Future;
use std::time::Duration;
use time::OffsetDateTime;
use x509_cert::attr::{Attribute, AttributeTypeAndValue};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{KeyUsage, KeyUsages, SubjectKeyIdentifier};
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate, Version};

/// How a seal's signature is made; both are verified with `ring`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// RSA (2048 to 8192 bits), PKCS#1 v1.5, SHA-256 (KMS: RSASSA_PKCS1_V1_5_SHA_256).
    RsaPkcs1Sha256,
    /// ECDSA on P-256 with SHA-256, DER signature (KMS: ECDSA_SHA_256 on ECC_NIST_P256).
    EcdsaP256Sha256,
}

impl SignatureAlgorithm {
    /// The AlgorithmIdentifier of the signature (certificate and SignerInfo).
    pub(crate) fn identifier(self) -> Result<AlgorithmIdentifierOwned, SealError> {
        Ok(match self {
            Self::RsaPkcs1Sha256 => AlgorithmIdentifierOwned {
                oid: rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
                parameters: Some(Any::encode_from(&Null)?),
            },
            Self::EcdsaP256Sha256 => AlgorithmIdentifierOwned {
                oid: rfc5912::ECDSA_WITH_SHA_256,
                parameters: None,
            },
        })
    }

    /// Whether a public key (SubjectPublicKeyInfo) is of this algorithm's kind.
    pub(crate) fn matches(self, spki: &SubjectPublicKeyInfoOwned) -> bool {
        match self {
            Self::RsaPkcs1Sha256 => spki.algorithm.oid == rfc5912::RSA_ENCRYPTION,
            Self::EcdsaP256Sha256 => {
                spki.algorithm.oid == rfc5912::ID_EC_PUBLIC_KEY
                    && spki
                        .algorithm
                        .parameters
                        .as_ref()
                        .and_then(|parameters| parameters.decode_as::<ObjectIdentifier>().ok())
                        == Some(rfc5912::SECP_256_R_1)
            }
        }
    }
}

/// ESS SigningCertificateV2 (RFC 5035), the signed attribute PAdES requires: binds the signature
/// to the certificate by its hash.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    pub policies: Option<Vec<Any>>,
}

/// ESSCertIDv2; `hash_algorithm` absent means SHA-256 (its DEFAULT, which DER leaves out).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct EssCertIdV2 {
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct IssuerSerial {
    pub issuer: Vec<GeneralName>,
    pub serial_number: SerialNumber,
}

pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn sha256_identifier() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: rfc5912::ID_SHA_256,
        parameters: None,
    }
}

/// The SubjectPublicKeyInfo (DER) of a P-256 public key given as its uncompressed point (what
/// `ring`'s `EcdsaKeyPair::public_key` gives).
pub fn p256_spki_der(uncompressed_point: &[u8]) -> Result<Vec<u8>, SealError> {
    if uncompressed_point.len() != 65 || uncompressed_point.first() != Some(&4) {
        return Err(SealError::UnsupportedKey(
            "a P-256 public key is a 65-byte uncompressed point".into(),
        ));
    }
    let spki = SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: rfc5912::ID_EC_PUBLIC_KEY,
            parameters: Some(Any::encode_from(&rfc5912::SECP_256_R_1)?),
        },
        subject_public_key: BitString::from_bytes(uncompressed_point)?,
    };
    Ok(spki.to_der()?)
}

/// An X.509 time: UTCTime through 2049, GeneralizedTime after (RFC 5280, 4.1.2.5).
fn x509_time(at: OffsetDateTime) -> Result<Time, SealError> {
    let seconds =
        u64::try_from(at.unix_timestamp()).map_err(|_| SealError::Time("before 1970".into()))?;
    let duration = Duration::from_secs(seconds);
    let utc = UtcTime::from_unix_duration(duration);
    match utc {
        Ok(utc) => Ok(Time::UtcTime(utc)),
        Err(_) => Ok(Time::GeneralTime(GeneralizedTime::from_unix_duration(
            duration,
        )?)),
    }
}

fn common_name(name: &str) -> Result<Name, SealError> {
    let length = name.chars().count();
    if length == 0 || length > 64 {
        return Err(SealError::Encoding(
            "the certificate's common name must be 1 to 64 characters".into(),
        ));
    }
    let value = AttributeTypeAndValue {
        oid: rfc4519::CN,
        value: Any::new(Tag::Utf8String, name.as_bytes())?,
    };
    Ok(RdnSequence(vec![RelativeDistinguishedName(
        SetOfVec::try_from(vec![value])?,
    )]))
}

/// A self-signed X.509 v3 certificate (DER) for a public key (`spki_der`, SubjectPublicKeyInfo),
/// subject and issuer `CN=<common_name>`, valid from `not_before` with no expiry
/// (99991231235959Z, RFC 5280 4.1.2.5), key usage digitalSignature and nonRepudiation. `sign`
/// is given the DER of the TBSCertificate and returns its signature made with the key (for KMS:
/// Sign on that message) — the same signer that will seal.
pub async fn self_signed_certificate<F, Fut>(
    spki_der: &[u8],
    common_name_value: &str,
    not_before: OffsetDateTime,
    algorithm: SignatureAlgorithm,
    sign: F,
) -> Result<Vec<u8>, SealError>
where
    F: FnOnce(Vec<u8>) -> Fut,
    Fut: Future<Output = Result<Vec<u8>, SealError>>,
{
    let spki = SubjectPublicKeyInfoOwned::from_der(spki_der)
        .map_err(|error| SealError::UnsupportedKey(format!("public key: {error}")))?;
    if !algorithm.matches(&spki) {
        return Err(SealError::UnsupportedKey(format!(
            "the public key does not suit {algorithm:?}"
        )));
    }
    let name = common_name(common_name_value)?;
    // A positive serial of 16 bytes, derived from the key and the start of validity.
    let mut seed = spki_der.to_vec();
    seed.extend_from_slice(&not_before.unix_timestamp().to_be_bytes());
    let mut serial = [0u8; 16];
    serial.copy_from_slice(&sha256(&seed)[..16]);
    serial[0] = (serial[0] & 0x7f) | 0x40;
    let key_id = sha256(spki.subject_public_key.raw_bytes());
    let key_usage = KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation);
    let extensions = vec![
        Extension {
            extn_id: rfc5280::ID_CE_KEY_USAGE,
            critical: true,
            extn_value: OctetString::new(key_usage.to_der()?)?,
        },
        Extension {
            extn_id: rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER,
            critical: false,
            extn_value: OctetString::new(
                SubjectKeyIdentifier(OctetString::new(&key_id[..20])?).to_der()?,
            )?,
        },
    ];
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(&serial)?,
        signature: algorithm.identifier()?,
        issuer: name.clone(),
        validity: Validity {
            not_before: x509_time(not_before)?,
            not_after: Time::INFINITY,
        },
        subject: name,
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    let signature = sign(tbs.to_der()?).await?;
    let certificate = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: algorithm.identifier()?,
        signature: BitString::from_bytes(&signature)?,
    };
    Ok(certificate.to_der()?)
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, SealError> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value])?,
    })
}

/// The signed attributes of a PAdES B-B signature: content-type (id-data), message-digest and
/// ESS signing-certificate-v2. No signing-time: PAdES puts the claimed time in the signature
/// dictionary's /M (ETSI EN 319 142-1, 5.3), which the byte range covers.
pub(crate) fn signed_attributes(
    digest: &[u8; 32],
    certificate: &Certificate,
    certificate_der: &[u8],
) -> Result<SignedAttributes, SealError> {
    let signing_certificate = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(sha256(certificate_der).to_vec())?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(
                    certificate.tbs_certificate.issuer.clone(),
                )],
                serial_number: certificate.tbs_certificate.serial_number.clone(),
            }),
        }],
        policies: None,
    };
    Ok(SetOfVec::try_from(vec![
        attribute(
            rfc5911::ID_CONTENT_TYPE,
            Any::encode_from(&rfc5911::ID_DATA)?,
        )?,
        attribute(
            rfc5911::ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest.to_vec())?)?,
        )?,
        attribute(
            rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2,
            Any::encode_from(&signing_certificate)?,
        )?,
    ])?)
}

/// The detached SignedData (as a ContentInfo, DER) carrying the certificate and one SignerInfo.
pub(crate) fn signed_data(
    attributes: SignedAttributes,
    signature: Vec<u8>,
    certificate: Certificate,
    algorithm: SignatureAlgorithm,
) -> Result<Vec<u8>, SealError> {
    let signer = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: certificate.tbs_certificate.issuer.clone(),
            serial_number: certificate.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256_identifier(),
        signed_attrs: Some(attributes),
        signature_algorithm: algorithm.identifier()?,
        signature: OctetString::new(signature)?,
        unsigned_attrs: None,
    };
    let signed = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256_identifier()])?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: rfc5911::ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet::try_from(vec![
            CertificateChoices::Certificate(certificate),
        ])?),
        crls: None,
        signer_infos: SignerInfos::try_from(vec![signer])?,
    };
    let info = ContentInfo {
        content_type: rfc5911::ID_SIGNED_DATA,
        content: Any::encode_from(&signed)?,
    };
    Ok(info.to_der()?)
}
