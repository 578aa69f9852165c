//! The seal's key in AWS KMS: an asymmetric SIGN_VERIFY key (RSA_2048/3072/4096 with
//! RSASSA_PKCS1_V1_5_SHA_256, or ECC_NIST_P256 with ECDSA_SHA_256). The private key never leaves
//! KMS; the certificate is self-signed by KMS too.

use crate::cms::{self, SignatureAlgorithm};
use crate::error::SealError;
use crate::seal::DigestSigner;
use aws_sdk_kms::error::DisplayErrorContext;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{KeySpec, KeyUsageType, MessageType, SigningAlgorithmSpec};
use time::{Duration, OffsetDateTime};

/// The largest message KMS signs with MessageType RAW.
const MAX_RAW_MESSAGE: usize = 4096;

/// The KMS-backed signer, with a self-signed X.509 certificate for the key's public key (built
/// once, by [`KmsSigner::new`], and kept).
///
/// It signs messages with MessageType RAW (KMS hashes them with SHA-256): the CMS signed
/// attributes and the certificate are a few hundred bytes, well under KMS's 4096-byte limit for
/// RAW. [`DigestSigner::sign_digest`] uses MessageType DIGEST. (moto 5.2.5, the tests' KMS,
/// ignores DIGEST and hashes the digest again, so only the RAW path is exercised there.)
///
/// IAM: `kms:GetPublicKey` and `kms:Sign` on the key.
#[derive(Debug, Clone)]
pub struct KmsSigner {
    client: aws_sdk_kms::Client,
    key_id: String,
    algorithm: SignatureAlgorithm,
    certificate: Vec<u8>,
}

impl KmsSigner {
    /// Reads the key's public key and has KMS sign a self-signed certificate for it,
    /// `CN=<subject_common_name>`, valid from a day ago (so a seal dated a little before this
    /// signer was made is inside it) with no expiry.
    pub async fn new(
        client: aws_sdk_kms::Client,
        key_id: String,
        subject_common_name: &str,
    ) -> Result<Self, SealError> {
        let not_before = OffsetDateTime::now_utc() - Duration::days(1);
        Self::with_not_before(client, key_id, subject_common_name, not_before).await
    }

    /// As [`KmsSigner::new`], with the certificate valid from `not_before`. With a fixed
    /// `not_before` and an RSA key (deterministic signatures) the certificate is the same every
    /// time it is built.
    pub async fn with_not_before(
        client: aws_sdk_kms::Client,
        key_id: String,
        subject_common_name: &str,
        not_before: OffsetDateTime,
    ) -> Result<Self, SealError> {
        let key = client
            .get_public_key()
            .key_id(&key_id)
            .send()
            .await
            .map_err(|error| {
                SealError::Kms(format!("GetPublicKey: {}", DisplayErrorContext(&error)))
            })?;
        if key.key_usage() != Some(&KeyUsageType::SignVerify) {
            return Err(SealError::UnsupportedKey(
                "the key's usage is not SIGN_VERIFY".into(),
            ));
        }
        let public_key = key
            .public_key()
            .ok_or_else(|| SealError::Kms("GetPublicKey returned no key".into()))?
            .as_ref()
            .to_vec();
        // The kind of key is read from the public key itself (moto answers with the deprecated
        // CustomerMasterKeySpec and no KeySpec).
        let algorithm = algorithm_of(&public_key).ok_or_else(|| {
            let spec = key.key_spec().map(KeySpec::as_str).unwrap_or("unknown");
            SealError::UnsupportedKey(format!(
                "key spec {spec}: use RSA_2048 (or 3072, 4096) or ECC_NIST_P256"
            ))
        })?;
        let wanted = signing_algorithm(algorithm);
        if !key.signing_algorithms().is_empty() && !key.signing_algorithms().contains(&wanted) {
            return Err(SealError::UnsupportedKey(format!(
                "the key does not offer {wanted}"
            )));
        }
        let mut signer = Self {
            client,
            key_id,
            algorithm,
            certificate: Vec::new(),
        };
        let certificate = {
            let signer = &signer;
            cms::self_signed_certificate(
                &public_key,
                subject_common_name,
                not_before,
                algorithm,
                |tbs| async move { signer.sign_message(&tbs).await },
            )
            .await?
        };
        signer.certificate = certificate;
        Ok(signer)
    }

    /// A signer for a key whose certificate was made before (kept by the caller, so every seal
    /// carries the same certificate). No call is made; a certificate for another key makes
    /// every seal fail verification.
    pub fn with_certificate(
        client: aws_sdk_kms::Client,
        key_id: String,
        certificate_der: Vec<u8>,
    ) -> Result<Self, SealError> {
        use der::{Decode, Encode};
        let certificate = x509_cert::Certificate::from_der(&certificate_der)
            .map_err(|error| SealError::UnsupportedKey(format!("certificate: {error}")))?;
        let spki = certificate
            .tbs_certificate
            .subject_public_key_info
            .to_der()?;
        let algorithm = algorithm_of(&spki).ok_or_else(|| {
            SealError::UnsupportedKey("the certificate's key is neither RSA nor P-256".into())
        })?;
        Ok(Self {
            client,
            key_id,
            algorithm,
            certificate: certificate_der,
        })
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    async fn sign(&self, message: Vec<u8>, kind: MessageType) -> Result<Vec<u8>, SealError> {
        let output = self
            .client
            .sign()
            .key_id(&self.key_id)
            .message(Blob::new(message))
            .message_type(kind)
            .signing_algorithm(signing_algorithm(self.algorithm))
            .send()
            .await
            .map_err(|error| SealError::Kms(format!("Sign: {}", DisplayErrorContext(&error))))?;
        output
            .signature()
            .map(|signature| signature.as_ref().to_vec())
            .ok_or_else(|| SealError::Kms("Sign returned no signature".into()))
    }
}

fn signing_algorithm(algorithm: SignatureAlgorithm) -> SigningAlgorithmSpec {
    match algorithm {
        SignatureAlgorithm::RsaPkcs1Sha256 => SigningAlgorithmSpec::RsassaPkcs1V15Sha256,
        SignatureAlgorithm::EcdsaP256Sha256 => SigningAlgorithmSpec::EcdsaSha256,
    }
}

/// The seal algorithm for a public key (SubjectPublicKeyInfo, DER): RSA or P-256.
fn algorithm_of(spki_der: &[u8]) -> Option<SignatureAlgorithm> {
    use der::Decode;
    let spki = spki::SubjectPublicKeyInfoOwned::from_der(spki_der).ok()?;
    [
        SignatureAlgorithm::RsaPkcs1Sha256,
        SignatureAlgorithm::EcdsaP256Sha256,
    ]
    .into_iter()
    .find(|algorithm| algorithm.matches(&spki))
}

impl DigestSigner for KmsSigner {
    fn certificate_der(&self) -> &[u8] {
        &self.certificate
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    async fn sign_digest(&self, digest: [u8; 32]) -> Result<Vec<u8>, SealError> {
        self.sign(digest.to_vec(), MessageType::Digest).await
    }

    async fn sign_message(&self, message: &[u8]) -> Result<Vec<u8>, SealError> {
        if message.len() > MAX_RAW_MESSAGE {
            return self.sign_digest(cms::sha256(message)).await;
        }
        self.sign(message.to_vec(), MessageType::Raw).await
    }
}
