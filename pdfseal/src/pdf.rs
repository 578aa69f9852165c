//! Reading a PDF through lopdf, and the geometry of its pages.

use crate::error::PdfError;
use lopdf::xref::XrefRecovery;
use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};

/// The most any one stream may inflate to while loading (lopdf's own default is 256 MiB).
const MAX_DECOMPRESSED: usize = 64 * 1024 * 1024;
/// How far up the page tree an inherited attribute is looked for.
const MAX_TREE_DEPTH: usize = 64;
/// What a page without a usable MediaBox is shown at by readers (pdf.js): US Letter.
const DEFAULT_BOX: [f32; 4] = [0.0, 0.0, 612.0, 792.0];
/// The largest page side PDF allows (ISO 32000-1, annex C: 14 400 units).
const MAX_SIDE: f32 = 14_400.0;

/// A page's size as it is shown (after /Rotate), in PDF points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSize {
    pub width: f32,
    pub height: f32,
}

/// Page sizes (width, height in PDF points, as displayed: a page rotated by 90° reports its
/// sides swapped) of a PDF, 1-based page order. The visible area is the CropBox (clipped to the
/// MediaBox), as browsers render it.
///
/// Errors: bytes that are not a PDF, a PDF that lopdf reads only by rebuilding its
/// cross-reference table (damaged or truncated: [`PdfError::Damaged`]), an encrypted PDF, a PDF
/// without pages.
pub fn page_sizes(pdf: &[u8]) -> Result<Vec<PageSize>, PdfError> {
    let document = load(pdf)?;
    pages(&document)?
        .iter()
        .map(|page| Ok(page.displayed_size()))
        .collect()
}

/// Loads a PDF, refusing what the portal should not seal.
pub(crate) fn load(pdf: &[u8]) -> Result<Document, PdfError> {
    if pdf.is_empty() {
        return Err(PdfError::Unreadable("the file is empty".into()));
    }
    if !pdf.starts_with(b"%PDF-") {
        // lopdf looks for the header anywhere; a PDF the portal accepts starts with it.
        return Err(PdfError::Unreadable(
            "the file does not start with %PDF-".into(),
        ));
    }
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_DECOMPRESSED),
        ..LoadOptions::default()
    };
    let document = Document::load_mem_with_options(pdf, options)
        .map_err(|error| PdfError::Unreadable(error.to_string()))?;
    if document.trailer.get(b"Encrypt").is_ok() || document.was_encrypted() {
        return Err(PdfError::Encrypted);
    }
    if document.xref_recovery == Some(XrefRecovery::Reconstructed) {
        return Err(PdfError::Damaged);
    }
    Ok(document)
}

/// One page: its object, visible box in user space and rotation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page {
    pub id: ObjectId,
    /// llx, lly, urx, ury (normalised: ll < ur).
    pub visible: [f32; 4],
    /// 0, 90, 180 or 270 (clockwise, as shown).
    pub rotate: u16,
}

impl Page {
    pub fn box_width(&self) -> f32 {
        self.visible[2] - self.visible[0]
    }

    pub fn box_height(&self) -> f32 {
        self.visible[3] - self.visible[1]
    }

    pub fn displayed_size(&self) -> PageSize {
        let (width, height) = (self.box_width(), self.box_height());
        if self.rotate == 90 || self.rotate == 270 {
            PageSize {
                width: height,
                height: width,
            }
        } else {
            PageSize { width, height }
        }
    }

    /// The matrix (a b c d e f) that maps "display space" (origin at the bottom-left of the page
    /// as shown, x right, y up, points) into the page's user space.
    pub fn display_to_user(&self) -> [f32; 6] {
        let [llx, lly, urx, ury] = self.visible;
        let (w, h) = (urx - llx, ury - lly);
        match self.rotate {
            // Shown turned clockwise: display x runs along user y, display y against user x.
            90 => [0.0, 1.0, -1.0, 0.0, llx + w, lly],
            180 => [-1.0, 0.0, 0.0, -1.0, llx + w, lly + h],
            270 => [0.0, -1.0, 1.0, 0.0, llx, lly + h],
            _ => [1.0, 0.0, 0.0, 1.0, llx, lly],
        }
    }
}

/// Every page in order, with its geometry.
pub(crate) fn pages(document: &Document) -> Result<Vec<Page>, PdfError> {
    let ids = document.get_pages();
    if ids.is_empty() {
        return Err(PdfError::NoPages);
    }
    ids.into_iter()
        .map(|(number, id)| page(document, number, id))
        .collect()
}

fn page(document: &Document, number: u32, id: ObjectId) -> Result<Page, PdfError> {
    let media = match inherited(document, id, b"MediaBox") {
        Some(object) => rectangle(document, object).ok_or_else(|| PdfError::Page {
            page: number,
            reason: "its MediaBox is not a rectangle".into(),
        })?,
        None => DEFAULT_BOX,
    };
    // A CropBox outside the MediaBox, or unreadable, is ignored (as readers do).
    let visible = inherited(document, id, b"CropBox")
        .and_then(|object| rectangle(document, object))
        .and_then(|crop| intersect(crop, media))
        .unwrap_or(media);
    let (width, height) = (visible[2] - visible[0], visible[3] - visible[1]);
    if !(width >= 1.0 && height >= 1.0 && width <= MAX_SIDE && height <= MAX_SIDE) {
        return Err(PdfError::Page {
            page: number,
            reason: format!("its size ({width} × {height} points) is outside what PDF allows"),
        });
    }
    let rotate = inherited(document, id, b"Rotate")
        .and_then(|object| resolve(document, object).as_i64().ok())
        .map(|degrees| degrees.rem_euclid(360))
        .and_then(|degrees| match degrees {
            0 | 90 | 180 | 270 => u16::try_from(degrees).ok(),
            // Not a multiple of 90: readers ignore it.
            _ => None,
        })
        .unwrap_or(0);
    Ok(Page {
        id,
        visible,
        rotate,
    })
}

/// Follows references (a bounded number of times).
pub(crate) fn resolve<'a>(document: &'a Document, object: &'a Object) -> &'a Object {
    document
        .dereference(object)
        .map(|(_, object)| object)
        .unwrap_or(object)
}

/// A page attribute, from the page or the nearest ancestor in the page tree that has it.
pub(crate) fn inherited<'a>(
    document: &'a Document,
    page: ObjectId,
    key: &[u8],
) -> Option<&'a Object> {
    let mut node = document.get_dictionary(page).ok()?;
    for _ in 0..MAX_TREE_DEPTH {
        if let Ok(value) = node.get(key) {
            return Some(value);
        }
        let parent = node.get(b"Parent").ok()?.as_reference().ok()?;
        node = document.get_dictionary(parent).ok()?;
    }
    None
}

/// The dictionary an object is or refers to.
pub(crate) fn dictionary<'a>(document: &'a Document, object: &'a Object) -> Option<&'a Dictionary> {
    resolve(document, object).as_dict().ok()
}

fn number(document: &Document, object: &Object) -> Option<f32> {
    match resolve(document, object) {
        Object::Integer(value) => {
            // Page coordinates beyond ±1e7 are nonsense; keep the cast exact enough and finite.
            let value = (*value).clamp(-10_000_000, 10_000_000);
            Some(value as f32)
        }
        Object::Real(value) if value.is_finite() => Some(*value),
        _ => None,
    }
}

fn rectangle(document: &Document, object: &Object) -> Option<[f32; 4]> {
    let array = resolve(document, object).as_array().ok()?;
    if array.len() != 4 {
        return None;
    }
    let mut values = [0.0f32; 4];
    for (slot, item) in values.iter_mut().zip(array) {
        *slot = number(document, item)?;
    }
    let [x0, y0, x1, y1] = values;
    Some([x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)])
}

fn intersect(a: [f32; 4], b: [f32; 4]) -> Option<[f32; 4]> {
    let r = [
        a[0].max(b[0]),
        a[1].max(b[1]),
        a[2].min(b[2]),
        a[3].min(b[3]),
    ];
    (r[2] - r[0] >= 1.0 && r[3] - r[1] >= 1.0).then_some(r)
}
