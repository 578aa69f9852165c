//! Sample files for the demo data and the tests: a plain PDF letter of a few pages, made with
//! lopdf (the same library the portal reads and seals PDFs with).

use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, Stream};

/// A letter of `pages` A4 pages headed `title`, each page numbered, with a line to sign on
/// the last.
pub fn letter_pdf(title: &str, pages: usize) -> Result<Vec<u8>, String> {
    let mut document = Document::with_version("1.7");
    let pages_id = document.new_object_id();
    let font_id = document.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
    });
    let resources_id = document.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
    });
    let mut kids = Vec::with_capacity(pages);
    for number in 1..=pages.max(1) {
        let mut lines = vec![
            (18.0, 760.0, title.to_string()),
            (11.0, 730.0, format!("Page {number} of {}", pages.max(1))),
            (
                11.0,
                700.0,
                "This letter sets out the terms of our engagement.".to_string(),
            ),
        ];
        if number == pages.max(1) {
            lines.push((
                11.0,
                200.0,
                "Signed: ______________________________".to_string(),
            ));
        }
        let mut operations = Vec::new();
        for (size, y, text) in lines {
            operations.push(Operation::new("BT", vec![]));
            operations.push(Operation::new("Tf", vec!["F1".into(), size.into()]));
            operations.push(Operation::new("Td", vec![72.into(), y.into()]));
            operations.push(Operation::new("Tj", vec![Object::string_literal(text)]));
            operations.push(Operation::new("ET", vec![]));
        }
        let content = Content { operations }
            .encode()
            .map_err(|error| error.to_string())?;
        let content_id = document.add_object(Stream::new(dictionary! {}, content));
        let page_id = document.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        kids.push(Object::from(page_id));
    }
    let count = i64::try_from(kids.len()).unwrap_or(1);
    document.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
        }),
    );
    let catalog_id = document.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
    });
    document.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    document
        .save_to(&mut bytes)
        .map_err(|error| error.to_string())?;
    Ok(bytes)
}
