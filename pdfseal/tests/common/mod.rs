//! Test helpers: PDFs and PNGs made here (no binary fixtures), and in-test signers.
#![allow(dead_code)]
// Test helpers, like the tests themselves (clippy.toml), may unwrap and panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use atrium_pdfseal::{
    p256_spki_der, self_signed_certificate, DigestSigner, SealError, SignatureAlgorithm,
};
use lopdf::{dictionary, Document, Object, Stream};
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use time::OffsetDateTime;

pub const A4: (f32, f32) = (595.276, 841.89);
pub const LETTER: (f32, f32) = (612.0, 792.0);

/// One page of a test PDF: its MediaBox size, and its /Rotate.
#[derive(Clone, Copy)]
pub struct TestPage {
    pub size: (f32, f32),
    pub rotate: i64,
}

pub fn page(size: (f32, f32)) -> TestPage {
    TestPage { size, rotate: 0 }
}

/// The text each original page shows ("Original page N"), uncompressed in its content stream.
pub fn original_text(number: usize) -> String {
    format!("Original page {number}")
}

/// A PDF made with lopdf: Helvetica text on each page, resources inherited from the page tree.
pub fn make_pdf(pages: &[TestPage]) -> Vec<u8> {
    let mut document = Document::with_version("1.5");
    let pages_id = document.new_object_id();
    let font = document.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
    });
    let resources = document.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font },
    });
    let mut kids = Vec::new();
    for (index, test_page) in pages.iter().enumerate() {
        let (width, height) = test_page.size;
        let content = format!(
            "BT /F1 24 Tf 72 {} Td ({}) Tj ET\n",
            height - 100.0,
            original_text(index + 1)
        );
        let content = document.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let mut dict = dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), width.into(), height.into()],
            "Contents" => content,
        };
        if test_page.rotate != 0 {
            dict.set("Rotate", test_page.rotate);
        }
        kids.push(Object::Reference(document.add_object(dict)));
    }
    let count = kids.len() as i64;
    document.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "Resources" => resources,
        }),
    );
    let catalog = document.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
    });
    document.trailer.set("Root", catalog);
    let mut out = Vec::new();
    document.save_to(&mut out).unwrap();
    out
}

pub fn one_page() -> Vec<u8> {
    make_pdf(&[page(A4)])
}

pub fn three_pages() -> Vec<u8> {
    make_pdf(&[page(A4), page(LETTER), page(A4)])
}

/// A PNG of `width` × `height` RGBA pixels: a dark stroke on transparency, or noise.
pub fn png(width: u32, height: u32, noise: bool) -> Vec<u8> {
    let mut pixels = Vec::with_capacity((width * height * 4) as usize);
    let mut state: u32 = 0x1234_5678;
    for y in 0..height {
        for x in 0..width {
            if noise {
                for _ in 0..4 {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    pixels.push((state & 0xff) as u8);
                }
            } else {
                let on_stroke = (y as i64 - (height as i64 / 2)).abs() < 3 || x == y;
                pixels.extend_from_slice(if on_stroke {
                    &[10, 20, 120, 255]
                } else {
                    &[0, 0, 0, 0]
                });
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&pixels).unwrap();
    }
    out
}

/// An ECDSA P-256 key made by ring, with a certificate self-signed the way KmsSigner's is.
/// ring signs messages (it hashes them itself), so this signer overrides `sign_message` and
/// cannot sign a bare digest.
pub struct EcdsaSigner {
    key: EcdsaKeyPair,
    certificate: Vec<u8>,
}

impl EcdsaSigner {
    pub async fn new(common_name: &str) -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let spki = p256_spki_der(key.public_key().as_ref()).unwrap();
        let not_before = OffsetDateTime::now_utc() - time::Duration::days(1);
        let certificate = self_signed_certificate(
            &spki,
            common_name,
            not_before,
            SignatureAlgorithm::EcdsaP256Sha256,
            |tbs| {
                let signature = key
                    .sign(&rng, &tbs)
                    .map(|signature| signature.as_ref().to_vec())
                    .map_err(|_| SealError::Signer("ring".into()));
                async move { signature }
            },
        )
        .await
        .unwrap();
        Self { key, certificate }
    }
}

impl DigestSigner for EcdsaSigner {
    fn certificate_der(&self) -> &[u8] {
        &self.certificate
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::EcdsaP256Sha256
    }

    async fn sign_digest(&self, _digest: [u8; 32]) -> Result<Vec<u8>, SealError> {
        Err(SealError::Signer("ring signs messages, not digests".into()))
    }

    async fn sign_message(&self, message: &[u8]) -> Result<Vec<u8>, SealError> {
        self.key
            .sign(&SystemRandom::new(), message)
            .map(|signature| signature.as_ref().to_vec())
            .map_err(|_| SealError::Signer("ring could not sign".into()))
    }
}

/// An RSA-2048 key (the `rsa` crate) that signs bare SHA-256 digests, as KMS does with
/// MessageType DIGEST: exercises the trait's default `sign_message` and RSA verification.
pub struct RsaSigner {
    key: rsa::RsaPrivateKey,
    certificate: Vec<u8>,
}

impl RsaSigner {
    pub async fn new(common_name: &str) -> Self {
        use rsa::pkcs8::EncodePublicKey;
        let mut rng = rand::thread_rng();
        let key = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
        let spki = key.to_public_key().to_public_key_der().unwrap();
        let mut signer = Self {
            key,
            certificate: Vec::new(),
        };
        let certificate = {
            let signer = &signer;
            self_signed_certificate(
                spki.as_bytes(),
                common_name,
                OffsetDateTime::now_utc(),
                SignatureAlgorithm::RsaPkcs1Sha256,
                |tbs| async move { signer.sign_message(&tbs).await },
            )
            .await
            .unwrap()
        };
        signer.certificate = certificate;
        signer
    }
}

impl DigestSigner for RsaSigner {
    fn certificate_der(&self) -> &[u8] {
        &self.certificate
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::RsaPkcs1Sha256
    }

    async fn sign_digest(&self, digest: [u8; 32]) -> Result<Vec<u8>, SealError> {
        self.key
            .sign(rsa::Pkcs1v15Sign::new::<rsa::sha2::Sha256>(), &digest)
            .map_err(|error| SealError::Signer(error.to_string()))
    }
}

/// Writes `bytes` to `$PDFSEAL_SAMPLES/<name>` when that variable is set (for checking the
/// output by hand with pdfsig, qpdf or a reader).
pub fn keep_sample(name: &str, bytes: &[u8]) {
    if let Ok(dir) = std::env::var("PDFSEAL_SAMPLES") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(name), bytes).unwrap();
    }
}

/// The first position of `needle` in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
