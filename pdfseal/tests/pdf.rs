//! Pages, fields, stamping, sealing and verifying, with in-test signers.

// Test helpers, like the tests themselves (clippy.toml), may unwrap and panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use atrium_pdfseal::{
    check_fields, page_sizes, seal, stamp, verify, Certificate, CertificateSection, FieldValue,
    FilledField, PageSize, PdfError, SealError, SignatureAlgorithm, VerifyError,
};
use common::*;
use lopdf::{dictionary, Document, Object};
use time::macros::datetime;

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() < 0.01
}

fn text_field(page: u32, text: &str) -> FilledField {
    FilledField {
        page,
        x: 0.1,
        y: 0.8,
        width: 0.4,
        height: 0.05,
        value: FieldValue::Text(text.to_string()),
    }
}

fn image_field(page: u32) -> FilledField {
    FilledField {
        page,
        x: 0.55,
        y: 0.75,
        width: 0.35,
        height: 0.1,
        value: FieldValue::Image(png(400, 120, false)),
    }
}

fn certificate() -> Certificate {
    Certificate {
        title: "Certificate of completion".into(),
        lines: vec![
            ("Document".into(), "Engagement letter 2025.pdf".into()),
            (
                "Original SHA-256".into(),
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
            ),
        ],
        sections: vec![
            CertificateSection {
                heading: "Signer 1: Zoë Ångström".into(),
                lines: vec![
                    ("Name".into(), "Zoë Ångström".into()),
                    ("Email".into(), "zoe@example.com".into()),
                    ("Signed at".into(), "2025-03-04 10:11:12 UTC".into()),
                    ("Address".into(), "203.0.113.7".into()),
                    (
                        "Consent".into(),
                        "I agree to sign electronically. ".repeat(12),
                    ),
                    ("Step-up verified".into(), "2025-03-04 10:09:58 UTC".into()),
                ],
            },
            CertificateSection {
                heading: "Signer 2: 李小龙".into(),
                lines: vec![
                    ("Name".into(), "李小龙 (Łukasz Ørsted)".into()),
                    ("Email".into(), "lee@example.com".into()),
                ],
            },
            CertificateSection {
                heading: "Steps".into(),
                lines: (1..=40)
                    .map(|i| {
                        (
                            format!("2025-03-04 10:{i:02}"),
                            format!("Step {i} of the ceremony"),
                        )
                    })
                    .collect(),
            },
        ],
    }
}

const AT: time::OffsetDateTime = datetime!(2025-03-04 10:15:00 UTC);

// ---- page_sizes ----

#[test]
fn page_sizes_of_one_and_three_page_pdfs() {
    let one = page_sizes(&one_page()).unwrap();
    assert_eq!(one.len(), 1);
    assert!(close(one[0].width, A4.0) && close(one[0].height, A4.1));

    let three = page_sizes(&three_pages()).unwrap();
    let expected = [A4, LETTER, A4];
    assert_eq!(three.len(), 3);
    for (size, (width, height)) in three.iter().zip(expected) {
        assert!(
            close(size.width, width) && close(size.height, height),
            "{size:?}"
        );
    }
}

#[test]
fn a_rotated_page_reports_its_sides_as_shown() {
    let pdf = make_pdf(&[
        TestPage {
            size: LETTER,
            rotate: 90,
        },
        TestPage {
            size: A4,
            rotate: -180,
        },
    ]);
    let sizes = page_sizes(&pdf).unwrap();
    assert!(close(sizes[0].width, LETTER.1) && close(sizes[0].height, LETTER.0));
    assert!(close(sizes[1].width, A4.0) && close(sizes[1].height, A4.1));
}

#[test]
fn page_sizes_refuses_what_is_not_a_readable_pdf() {
    assert!(matches!(page_sizes(b""), Err(PdfError::Unreadable(_))));
    assert!(matches!(
        page_sizes(b"hello, I am not a PDF at all"),
        Err(PdfError::Unreadable(_))
    ));
    let pdf = three_pages();
    for cut in [pdf.len() / 2, pdf.len() - 40, 20] {
        let error = page_sizes(&pdf[..cut]).unwrap_err();
        assert!(
            matches!(error, PdfError::Unreadable(_) | PdfError::Damaged),
            "cut at {cut}: {error:?}"
        );
    }
}

#[test]
fn page_sizes_refuses_an_encrypted_pdf() {
    let mut document = Document::load_mem(&one_page()).unwrap();
    let encrypt = document.add_object(dictionary! {
        "Filter" => "Standard",
        "V" => 1,
        "R" => 2,
        "O" => Object::String(vec![1; 32], lopdf::StringFormat::Hexadecimal),
        "U" => Object::String(vec![2; 32], lopdf::StringFormat::Hexadecimal),
        "P" => -4,
    });
    document.trailer.set("Encrypt", encrypt);
    let mut bytes = Vec::new();
    document.save_to(&mut bytes).unwrap();
    assert!(page_sizes(&bytes).is_err());
}

// ---- check_fields ----

fn sizes() -> Vec<PageSize> {
    page_sizes(&three_pages()).unwrap()
}

#[test]
fn check_fields_accepts_fields_on_their_pages() {
    let fields = vec![
        text_field(1, "Zoë Ångström"),
        text_field(2, "Łukasz Ørsted, 2025-03-04"),
        image_field(3),
        FilledField {
            page: 3,
            x: 0.0,
            y: 0.0,
            width: 1.0,
            height: 1.0,
            value: FieldValue::Text(String::new()),
        },
    ];
    check_fields(&sizes(), &fields).unwrap();
}

#[test]
fn check_fields_names_the_field_and_the_reason() {
    let sizes = sizes();
    let fine = text_field(1, "ok");
    let cases: Vec<(FilledField, &str)> = vec![
        (
            FilledField {
                x: 0.7,
                width: 0.4,
                ..fine.clone()
            },
            "right edge",
        ),
        (
            FilledField {
                y: 0.98,
                height: 0.05,
                ..fine.clone()
            },
            "bottom",
        ),
        (
            FilledField {
                x: -0.1,
                ..fine.clone()
            },
            "fractions",
        ),
        (
            FilledField {
                width: -0.2,
                ..fine.clone()
            },
            "fractions",
        ),
        (
            FilledField {
                y: f32::NAN,
                ..fine.clone()
            },
            "not a number",
        ),
        (
            FilledField {
                height: f32::INFINITY,
                ..fine.clone()
            },
            "not a number",
        ),
        (
            FilledField {
                width: 0.0,
                ..fine.clone()
            },
            "no size",
        ),
        (
            FilledField {
                page: 0,
                ..fine.clone()
            },
            "page 0 does not exist",
        ),
        (
            FilledField {
                page: 4,
                ..fine.clone()
            },
            "page 4 does not exist",
        ),
        (
            FilledField {
                value: FieldValue::Image(png(500, 200, true)),
                ..fine.clone()
            },
            "KiB",
        ),
        (
            FilledField {
                value: FieldValue::Image(png(2001, 10, false)),
                ..fine.clone()
            },
            "pixels",
        ),
        (
            FilledField {
                value: FieldValue::Image(b"\xff\xd8\xff\xe0 a JPEG, not a PNG".to_vec()),
                ..fine.clone()
            },
            "not a PNG",
        ),
        (
            FilledField {
                value: FieldValue::Image({
                    let mut broken = png(40, 20, false);
                    broken.truncate(broken.len() - 30);
                    broken
                }),
                ..fine.clone()
            },
            "cannot be decoded",
        ),
        (text_field(1, "李小龙"), "U+674E"),
        (text_field(1, "two\nlines"), "control character"),
        (text_field(1, &"x".repeat(501)), "at most 500"),
    ];
    for (case, (field, reason)) in cases.into_iter().enumerate() {
        let fields = vec![fine.clone(), field];
        let error = check_fields(&sizes, &fields).unwrap_err();
        assert_eq!(error.index, 1, "case {case}: {error}");
        assert!(
            error.reason.contains(reason),
            "case {case}: expected {reason:?} in {:?}",
            error.reason
        );
    }
}

// ---- stamp ----

#[test]
fn stamp_keeps_the_original_pages_and_appends_the_certificate() {
    let original = three_pages();
    let before = Document::load_mem(&original).unwrap();
    let stream_bytes = |document: &Document, page| -> Vec<Vec<u8>> {
        document
            .get_page_contents(page)
            .into_iter()
            .map(|id| match document.get_object(id).unwrap() {
                Object::Stream(stream) => stream.content.clone(),
                other => panic!("{other:?}"),
            })
            .collect()
    };
    let original_contents: Vec<Vec<u8>> = before
        .get_pages()
        .values()
        .map(|&page| {
            let streams = stream_bytes(&before, page);
            assert_eq!(streams.len(), 1);
            streams[0].clone()
        })
        .collect();

    let fields = vec![
        text_field(1, "Zoë Ångström"),
        image_field(1),
        text_field(3, "2025-03-04"),
    ];
    let stamped = stamp(&original, &fields, &certificate()).unwrap();
    keep_sample("stamped.pdf", &stamped);

    let after = Document::load_mem(&stamped).unwrap();
    let pages = after.get_pages();
    // Three originals and a certificate long enough (40 steps, long consent) for two pages.
    assert!(pages.len() >= 5, "{} pages", pages.len());
    for (number, original_content) in original_contents.iter().enumerate() {
        let page = pages[&(number as u32 + 1)];
        // Every original content stream is still there, byte for byte, among the page's.
        let streams = stream_bytes(&after, page);
        assert!(
            streams.iter().any(|content| content == original_content),
            "page {}: original content stream missing",
            number + 1
        );
    }
    // The certificate pages: the text is searchable as written (ToUnicode), Latin with diacritics
    // drawn, CJK written as code points.
    let certificate_pages: Vec<u32> = (4..=pages.len() as u32).collect();
    let text = after.extract_text(&certificate_pages).unwrap_or_default();
    assert!(text.contains("Certificate of completion"), "{text}");
    assert!(text.contains("Zoë Ångström"), "{text}");
    assert!(text.contains("U+674E"), "{text}");

    // The page sizes of the originals are unchanged.
    let sizes = page_sizes(&stamped).unwrap();
    assert!(close(sizes[1].width, LETTER.0) && close(sizes[1].height, LETTER.1));
}

#[test]
fn stamp_draws_on_rotated_pages_and_refuses_bad_fields() {
    let original = make_pdf(&[TestPage {
        size: LETTER,
        rotate: 270,
    }]);
    let stamped = stamp(
        &original,
        &[text_field(1, "Rotated"), image_field(1)],
        &certificate(),
    );
    keep_sample("rotated.pdf", stamped.as_ref().unwrap());
    assert!(stamped.is_ok());

    // A title longer than a line wraps, and the footers shorten it.
    let long_title = Certificate {
        title: "A very long title for a certificate, ".repeat(20),
        ..certificate()
    };
    let stamped = stamp(&original, &[], &long_title).unwrap();
    let text = Document::load_mem(&stamped)
        .unwrap()
        .extract_text(&[2, 3])
        .unwrap_or_default();
    assert!(text.contains("… · page 1 of"), "{text}");

    let error = stamp(&original, &[text_field(2, "nowhere")], &certificate()).unwrap_err();
    assert!(
        matches!(error, PdfError::Field(ref field) if field.index == 0),
        "{error}"
    );
}

// ---- seal and verify ----

#[tokio::test]
async fn seal_then_verify() {
    let signer = EcdsaSigner::new("Example LLP").await;
    let stamped = stamp(&three_pages(), &[text_field(1, "Zoë")], &certificate()).unwrap();
    let sealed = seal(&stamped, &signer, AT, "Signed by all parties")
        .await
        .unwrap();
    keep_sample("sealed-ecdsa.pdf", &sealed);

    let report = verify(&sealed).unwrap();
    assert_eq!(report.common_name.as_deref(), Some("Example LLP"));
    assert_eq!(report.subject, "CN=Example LLP");
    assert_eq!(report.sealed_at, Some(AT));
    assert_eq!(report.signing_time, None);
    assert_eq!(report.sub_filter, "ETSI.CAdES.detached");
    assert_eq!(report.algorithm, SignatureAlgorithm::EcdsaP256Sha256);
    assert!(report.self_signed);
    assert_eq!(report.certificate_der, signer_certificate(&signer));
    // The sealed file still has the stamped pages.
    assert_eq!(
        page_sizes(&sealed).unwrap().len(),
        page_sizes(&stamped).unwrap().len()
    );
}

fn signer_certificate(signer: &impl atrium_pdfseal::DigestSigner) -> Vec<u8> {
    signer.certificate_der().to_vec()
}

#[tokio::test]
async fn an_rsa_signer_that_signs_digests_seals_too() {
    let signer = RsaSigner::new("Example LLP (RSA)").await;
    let stamped = stamp(&one_page(), &[image_field(1)], &certificate()).unwrap();
    let sealed = seal(&stamped, &signer, AT, "Sealed").await.unwrap();
    keep_sample("sealed-rsa.pdf", &sealed);
    let report = verify(&sealed).unwrap();
    assert_eq!(report.algorithm, SignatureAlgorithm::RsaPkcs1Sha256);
    assert_eq!(report.common_name.as_deref(), Some("Example LLP (RSA)"));
}

async fn sealed_three_pages() -> Vec<u8> {
    let signer = EcdsaSigner::new("Example LLP").await;
    let stamped = stamp(&three_pages(), &[text_field(2, "Zoë")], &certificate()).unwrap();
    seal(&stamped, &signer, AT, "Sealed").await.unwrap()
}

#[tokio::test]
async fn a_changed_byte_in_an_original_page_is_detected() {
    let mut sealed = sealed_three_pages().await;
    let at = find(&sealed, original_text(2).as_bytes()).expect("page 2's text, uncompressed");
    sealed[at] = b'o'; // "Original" → "original"
    assert!(matches!(verify(&sealed), Err(VerifyError::DigestMismatch)));
}

#[tokio::test]
async fn a_changed_byte_in_the_certificate_page_is_detected() {
    let sealed = sealed_three_pages().await;
    let document = Document::load_mem(&sealed).unwrap();
    let last_page = *document.get_pages().values().last().unwrap();
    let content = document.get_page_contents(last_page)[0];
    let offset = match document.reference_table.get(content.0).unwrap() {
        lopdf::xref::XrefEntry::Normal { offset, .. } => *offset as usize,
        other => panic!("{other:?}"),
    };
    let data = offset + find(&sealed[offset..], b"stream").unwrap() + "stream\r\n".len() + 10;
    let mut tampered = sealed.clone();
    tampered[data] ^= 0x01;
    assert!(matches!(
        verify(&tampered),
        Err(VerifyError::DigestMismatch)
    ));
}

#[tokio::test]
async fn bytes_appended_after_the_end_are_detected() {
    let mut sealed = sealed_three_pages().await;
    assert!(verify(&sealed).is_ok());
    sealed.extend_from_slice(b"\n% appended\n");
    assert!(matches!(verify(&sealed), Err(VerifyError::ByteRange(_))));
}

#[tokio::test]
async fn a_changed_signature_is_detected() {
    let sealed = sealed_three_pages().await;
    let document = Document::load_mem(&sealed).unwrap();
    let signature = document
        .objects
        .values()
        .filter_map(|object| object.as_dict().ok())
        .find(|dict| dict.has(b"ByteRange"))
        .unwrap();
    let contents = signature
        .get(b"Contents")
        .unwrap()
        .as_str()
        .unwrap()
        .to_vec();
    let range = signature.get(b"ByteRange").unwrap().as_array().unwrap();
    let hex_start = range[1].as_i64().unwrap() as usize + 1;
    assert_eq!(sealed[hex_start - 1], b'<');
    let last = contents.iter().rposition(|&b| b != 0).unwrap();
    let mut tampered = sealed.clone();
    let digit = hex_start + 2 * last + 1;
    tampered[digit] = if tampered[digit] == b'0' { b'1' } else { b'0' };
    assert!(matches!(verify(&tampered), Err(VerifyError::BadSignature)));
}

#[tokio::test]
async fn an_unsealed_pdf_is_not_sealed_and_a_sealed_one_is_not_sealed_twice() {
    let stamped = stamp(&one_page(), &[], &certificate()).unwrap();
    assert!(matches!(verify(&stamped), Err(VerifyError::NotSealed)));
    assert!(matches!(verify(&one_page()), Err(VerifyError::NotSealed)));
    assert!(verify(b"not a pdf").is_err());

    let signer = EcdsaSigner::new("Example LLP").await;
    let sealed = seal(&stamped, &signer, AT, "Sealed").await.unwrap();
    assert!(matches!(
        seal(&sealed, &signer, AT, "Again").await,
        Err(SealError::AlreadySealed)
    ));
}

// ---- hostile input ----

#[test]
fn absurd_page_boxes_are_refused() {
    for media_box in [
        vec![0.into(), 0.into(), 0.into(), 0.into()],
        vec![0.into(), 0.into(), 1e30f32.into(), 1e30f32.into()],
        vec![0.into(), 0.into(), i64::MAX.into(), i64::MIN.into()],
        vec![0.into(), 0.into(), "wide".into()],
    ] {
        let mut document = Document::load_mem(&one_page()).unwrap();
        let page = *document.get_pages().values().next().unwrap();
        document
            .get_object_mut(page)
            .and_then(Object::as_dict_mut)
            .unwrap()
            .set("MediaBox", media_box.clone());
        let mut bytes = Vec::new();
        document.save_to(&mut bytes).unwrap();
        assert!(
            matches!(page_sizes(&bytes), Err(PdfError::Page { page: 1, .. })),
            "{media_box:?}"
        );
    }
}

#[tokio::test]
async fn an_absurd_byte_range_is_refused() {
    let sealed = sealed_three_pages().await;
    let key = find(&sealed, b"/ByteRange").unwrap();
    let open = key + find(&sealed[key..], b"[").unwrap();
    let close = open + find(&sealed[open..], b"]").unwrap();
    for replacement in [
        "0 99999999999999999999",
        "0 -1 -1 -1",
        "0 9223372036854775807 1 2",
    ] {
        // The patched range is padded with spaces after its `]`.
        let end = close
            + 1
            + sealed[close + 1..]
                .iter()
                .take_while(|&&b| b == b' ')
                .count();
        let width = end - open;
        let mut tampered = sealed[..open].to_vec();
        tampered.extend_from_slice(format!("{:<width$}", format!("[{replacement}]")).as_bytes());
        tampered.extend_from_slice(&sealed[end..]);
        assert_eq!(tampered.len(), sealed.len());
        assert!(verify(&tampered).is_err(), "{replacement}");
    }
}

/// Random byte changes: every call returns (an error or not), none panics.
#[tokio::test]
async fn mangled_pdfs_never_panic() {
    let plain = three_pages();
    let sealed = sealed_three_pages().await;
    let mut state: u32 = 0x9e37_79b9;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state as usize
    };
    for round in 0..120 {
        let mut bytes = if round % 2 == 0 {
            plain.clone()
        } else {
            sealed.clone()
        };
        for _ in 0..=(round % 6) {
            let at = next() % bytes.len();
            let alphabet = b"0123456789 <>[]/()RnobjR\\-.e";
            bytes[at] = alphabet[next() % alphabet.len()];
        }
        if round % 5 == 0 {
            bytes.truncate(next() % bytes.len());
        }
        let _ = page_sizes(&bytes);
        let _ = verify(&bytes);
        let _ = stamp(&bytes, &[text_field(1, "x")], &Certificate::default());
    }
}
