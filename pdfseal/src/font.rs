//! The embedded font: Noto Sans Regular (from the `notosans` crate), measured with ttf-parser
//! and subset with typst's `subsetter`, written as a CID-keyed TrueType font (Type0,
//! Identity-H) with a ToUnicode map so text copies and searches as written. Bold is drawn from
//! the same face (fill and stroke), which saves the bold face's 200 KB in every binary.

use crate::error::PdfError;
use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream, StringFormat};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

/// The family named in messages.
pub(crate) const FAMILY: &str = "Noto Sans";

fn face() -> Option<&'static Face<'static>> {
    static FACE: OnceLock<Option<Face<'static>>> = OnceLock::new();
    FACE.get_or_init(|| Face::parse(notosans::REGULAR_TTF, 0).ok())
        .as_ref()
}

/// Whether the font has a glyph for `c`.
pub(crate) fn has_glyph(c: char) -> bool {
    face().is_some_and(|face| face.glyph_index(c).is_some_and(|glyph| glyph.0 != 0))
}

/// The first character of `text` the font cannot draw.
pub(crate) fn first_missing(text: &str) -> Option<char> {
    text.chars().find(|&c| !has_glyph(c))
}

/// `text` made drawable: tabs become spaces, and every run of characters the font lacks (or
/// control characters) is written as its code points, `[U+674E U+5C0F]`, so nothing is dropped
/// silently. The flag tells whether anything was replaced.
pub(crate) fn displayable(text: &str) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut run: Vec<char> = Vec::new();
    let mut replaced = false;
    let flush = |run: &mut Vec<char>, out: &mut String| {
        if !run.is_empty() {
            let points: Vec<String> = run
                .iter()
                .map(|&c| format!("U+{:04X}", u32::from(c)))
                .collect();
            out.push('[');
            out.push_str(&points.join(" "));
            out.push(']');
            run.clear();
        }
    };
    for c in text.chars() {
        let c = if c == '\t' { ' ' } else { c };
        if !c.is_control() && has_glyph(c) {
            flush(&mut run, &mut out);
            out.push(c);
        } else {
            replaced = true;
            run.push(c);
        }
    }
    flush(&mut run, &mut out);
    (out, replaced)
}

/// Vertical metrics, in thousandths of the font size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Metrics {
    pub ascent: f32,
    pub descent: f32,
    pub cap_height: f32,
}

pub(crate) fn metrics() -> Metrics {
    match face() {
        Some(face) => {
            let scale = 1000.0 / f32::from(face.units_per_em().max(1));
            Metrics {
                ascent: f32::from(face.ascender()) * scale,
                descent: f32::from(face.descender()) * scale,
                cap_height: f32::from(face.capital_height().unwrap_or(714)) * scale,
            }
        }
        None => Metrics {
            ascent: 1069.0,
            descent: -293.0,
            cap_height: 714.0,
        },
    }
}

fn advance(face: &Face<'_>, glyph: GlyphId) -> f32 {
    let scale = 1000.0 / f32::from(face.units_per_em().max(1));
    f32::from(face.glyph_hor_advance(glyph).unwrap_or(0)) * scale
}

/// Width of `text` at size 1000 (thousandths of the font size); characters without glyphs
/// count as nothing (callers pass [`displayable`] text).
pub(crate) fn width(text: &str) -> f32 {
    let Some(face) = face() else {
        return 0.0;
    };
    text.chars()
        .filter_map(|c| face.glyph_index(c))
        .map(|glyph| advance(face, glyph))
        .sum()
}

/// The glyphs drawn in one document, and what it writes into it.
pub(crate) struct FontUse {
    remapper: GlyphRemapper,
    /// New glyph id → advance (thousandths) and the text it stands for.
    glyphs: BTreeMap<u16, (f32, String)>,
}

impl FontUse {
    pub fn new() -> Self {
        Self {
            remapper: GlyphRemapper::new(),
            glyphs: BTreeMap::new(),
        }
    }

    /// The string operand (2-byte glyph ids, hexadecimal) that draws `text`.
    pub fn encode(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() * 4 + 2);
        out.push('<');
        if let Some(face) = face() {
            for c in text.chars() {
                let Some(glyph) = face.glyph_index(c) else {
                    continue;
                };
                let new = self.remapper.remap(glyph.0);
                self.glyphs
                    .entry(new)
                    .or_insert_with(|| (advance(face, glyph), c.to_string()));
                out.push_str(&format!("{new:04X}"));
            }
        }
        out.push('>');
        out
    }

    /// Writes the subset font into `document`; the Type0 font's id.
    pub fn write(self, document: &mut Document) -> Result<ObjectId, PdfError> {
        let face = face().ok_or_else(|| PdfError::Write("the font is unreadable".into()))?;
        let subset = subsetter::subset(notosans::REGULAR_TTF, 0, &self.remapper)
            .map_err(|error| PdfError::Write(format!("font subset: {error}")))?;
        let name = format!("{}+NotoSans-Regular", tag(&self.glyphs));
        let scale = 1000.0 / f32::from(face.units_per_em().max(1));
        let bbox = face.global_bounding_box();
        let metrics = metrics();
        let length = i64::try_from(subset.len())
            .map_err(|_| PdfError::Write("the font subset is too large".into()))?;
        let mut file = Stream::new(dictionary! { "Length1" => length }, subset);
        file.compress()
            .map_err(|error| PdfError::Write(format!("font compression: {error}")))?;
        let file = document.add_object(file);
        let descriptor = document.add_object(dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => Object::Name(name.clone().into_bytes()),
            "Flags" => 32,
            "FontBBox" => vec![
                real(f32::from(bbox.x_min) * scale),
                real(f32::from(bbox.y_min) * scale),
                real(f32::from(bbox.x_max) * scale),
                real(f32::from(bbox.y_max) * scale),
            ],
            "ItalicAngle" => 0,
            "Ascent" => real(metrics.ascent),
            "Descent" => real(metrics.descent),
            "CapHeight" => real(metrics.cap_height),
            "StemV" => 80,
            "FontFile2" => file,
        });
        // New glyph ids run from 1 in the order first used (0 is .notdef, never drawn): runs of
        // consecutive ids, each `first [w1 w2 …]`.
        let mut w: Vec<Object> = Vec::new();
        let mut run: Vec<Object> = Vec::new();
        let (mut first, mut next) = (0u16, None);
        for (&id, (advance, _)) in &self.glyphs {
            if next != Some(id) {
                if !run.is_empty() {
                    w.push(Object::Integer(i64::from(first)));
                    w.push(Object::Array(std::mem::take(&mut run)));
                }
                first = id;
            }
            run.push(real(*advance));
            next = id.checked_add(1);
        }
        if !run.is_empty() {
            w.push(Object::Integer(i64::from(first)));
            w.push(Object::Array(run));
        }
        let cid_font = document.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "CIDFontType2",
            "BaseFont" => Object::Name(name.clone().into_bytes()),
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::String(b"Adobe".to_vec(), StringFormat::Literal),
                "Ordering" => Object::String(b"Identity".to_vec(), StringFormat::Literal),
                "Supplement" => 0,
            },
            "FontDescriptor" => descriptor,
            "W" => w,
            "CIDToGIDMap" => "Identity",
        });
        let mut to_unicode = Stream::new(
            Dictionary::new(),
            to_unicode_cmap(&self.glyphs).into_bytes(),
        );
        to_unicode
            .compress()
            .map_err(|error| PdfError::Write(format!("ToUnicode compression: {error}")))?;
        let to_unicode = document.add_object(to_unicode);
        Ok(document.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => Object::Name(name.into_bytes()),
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![Object::Reference(cid_font)],
            "ToUnicode" => to_unicode,
        }))
    }
}

fn real(value: f32) -> Object {
    Object::Real((value * 100.0).round() / 100.0)
}

/// The subset's tag: six capitals derived from what it holds (ISO 32000-1, 9.6.4).
fn tag(glyphs: &BTreeMap<u16, (f32, String)>) -> String {
    let mut hash = Sha256::new();
    for (id, (_, text)) in glyphs {
        hash.update(id.to_be_bytes());
        hash.update(text.as_bytes());
    }
    hash.finalize()
        .iter()
        .take(6)
        .map(|byte| char::from(b'A' + byte % 26))
        .collect()
}

fn to_unicode_cmap(glyphs: &BTreeMap<u16, (f32, String)>) -> String {
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<(u16, &str)> = glyphs
        .iter()
        .filter(|(_, (_, text))| !text.is_empty())
        .map(|(id, (_, text))| (*id, text.as_str()))
        .collect();
    // At most 100 entries a block (ISO 32000-1, 9.10.3).
    for block in entries.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", block.len()));
        for (id, text) in block {
            let utf16: String = text
                .encode_utf16()
                .map(|unit| format!("{unit:04X}"))
                .collect();
            cmap.push_str(&format!("<{id:04X}> <{utf16}>\n"));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    cmap
}
