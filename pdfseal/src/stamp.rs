//! The stamped PDF: the original pages with the filled fields drawn over them (an extra content
//! stream and a form XObject a page; the original content streams stay as they are), then the
//! certificate page(s).

use crate::error::PdfError;
use crate::fields::{check_fields, decode_png, FieldValue, FilledField};
use crate::font::{self, FontUse};
use crate::pdf::{self, Page};
use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream};
use std::fmt::Write as _;

/// The certificate appended to a signed document: plain data, laid out by [`stamp`].
///
/// A title, then `lines` (label, value) — typically the document's name and the original's
/// SHA-256 in hex — then one section a signer (name, email, time, address, the consent text
/// accepted, when step-up was verified) and a section for the ceremony's steps. Values of any
/// length wrap; a `\n` in a value starts a new line. Characters the embedded font cannot show
/// (CJK, Hebrew, Arabic, …) are written as their code points, `[U+674E]`, and a note on the
/// last page says so: nothing is dropped silently.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Certificate {
    pub title: String,
    pub lines: Vec<(String, String)>,
    pub sections: Vec<CertificateSection>,
}

/// One block of the certificate: a heading, then label–value lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateSection {
    pub heading: String,
    pub lines: Vec<(String, String)>,
}

/// The original pages with the fields drawn in, plus the certificate page(s) appended; not yet
/// sealed. The fields are checked first ([`check_fields`]); a failing one is
/// [`PdfError::Field`].
pub fn stamp(
    original: &[u8],
    fields: &[FilledField],
    certificate: &Certificate,
) -> Result<Vec<u8>, PdfError> {
    let mut document = pdf::load(original)?;
    let pages = pdf::pages(&document)?;
    let sizes: Vec<_> = pages.iter().map(Page::displayed_size).collect();
    check_fields(&sizes, fields)?;

    let mut fonts = Fonts {
        font: FontUse::new(),
        id: document.new_object_id(),
    };
    for (index, page) in pages.iter().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let on_page: Vec<&FilledField> = fields.iter().filter(|f| f.page == number).collect();
        if !on_page.is_empty() {
            draw_fields(&mut document, page, &on_page, &mut fonts)?;
        }
    }
    let first = sizes.first().copied();
    append_certificate(&mut document, certificate, first, pages.len(), &mut fonts)?;

    let Fonts { font, id } = fonts;
    let written = font.write(&mut document)?;
    // The pages refer to the id reserved above; the font was written under a new one.
    alias(&mut document, id, written)?;

    save(&mut document)
}

pub(crate) fn save(document: &mut Document) -> Result<Vec<u8>, PdfError> {
    let mut out = Vec::new();
    document
        .save_to(&mut out)
        .map_err(|error| PdfError::Write(error.to_string()))?;
    Ok(out)
}

/// Puts a copy of the object `from` at the reserved id `to` (and drops `from`).
fn alias(document: &mut Document, to: ObjectId, from: ObjectId) -> Result<(), PdfError> {
    let object = document
        .objects
        .remove(&from)
        .ok_or_else(|| PdfError::Write("a font object went missing".into()))?;
    document.objects.insert(to, object);
    Ok(())
}

/// How text is drawn: bold is the regular face filled and stroked (text render mode 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weight {
    Regular,
    Bold,
}

struct Fonts {
    font: FontUse,
    id: ObjectId,
}

impl Fonts {
    fn resources(&self) -> Dictionary {
        dictionary! { "F1" => self.id }
    }

    /// A text object drawing `text` at `size` points, baseline starting at (`x`, `y`), in grey
    /// level `grey` (0 black).
    fn show(&mut self, weight: Weight, size: f32, grey: f32, x: f32, y: f32, text: &str) -> String {
        let operand = self.font.encode(text);
        let mode = match weight {
            Weight::Regular => "0 Tr".to_string(),
            Weight::Bold => format!("2 Tr {} w {} G", n(size * 0.035), n(grey)),
        };
        format!(
            "BT {} g {mode} /F1 {} Tf {} {} Td {operand} Tj ET\n",
            n(grey),
            n(size),
            n(x),
            n(y)
        )
    }
}

/// A number for a content stream: finite, at most three decimals, no exponent.
fn n(value: f32) -> String {
    let value = if value.is_finite() { value } else { 0.0 };
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    match text {
        "" | "-0" => "0".to_string(),
        other => other.to_string(),
    }
}

fn draw_fields(
    document: &mut Document,
    page: &Page,
    fields: &[&FilledField],
    fonts: &mut Fonts,
) -> Result<(), PdfError> {
    let size = page.displayed_size();
    let m = page.display_to_user();
    let mut content = String::new();
    let _ = writeln!(
        content,
        "q {} {} {} {} {} {} cm",
        n(m[0]),
        n(m[1]),
        n(m[2]),
        n(m[3]),
        n(m[4]),
        n(m[5])
    );
    let mut images = Dictionary::new();
    for field in fields {
        // Display space: origin bottom-left of the page as shown.
        let w = field.width * size.width;
        let h = field.height * size.height;
        let x = field.x * size.width;
        let y = size.height - field.y * size.height - h;
        match &field.value {
            FieldValue::Text(text) => {
                if text.is_empty() {
                    continue;
                }
                let text_width = font::width(text);
                let pad = (w * 0.04).min(h * 0.1).min(2.0);
                let mut font_size = h * 0.7;
                if text_width > 0.0 {
                    font_size = font_size.min((w - 2.0 * pad).max(0.1) * 1000.0 / text_width);
                }
                let font_size = font_size.max(0.1);
                let cap = font::metrics().cap_height / 1000.0;
                let baseline = y + h / 2.0 - font_size * cap / 2.0;
                let shown = fonts.show(Weight::Regular, font_size, 0.0, x + pad, baseline, text);
                content.push_str(&shown);
            }
            FieldValue::Image(png) => {
                let pixels = decode_png(png).map_err(|reason| PdfError::Page {
                    page: field.page,
                    reason,
                })?;
                let (pw, ph) = (pixels.width as f32, pixels.height as f32);
                let scale = (w / pw).min(h / ph);
                let (dw, dh) = (pw * scale, ph * scale);
                let (dx, dy) = (x + (w - dw) / 2.0, y + (h - dh) / 2.0);
                let image = image_xobject(document, pixels)?;
                let name = format!("I{}", images.len() + 1);
                images.set(name.as_bytes().to_vec(), image);
                let _ = writeln!(
                    content,
                    "q {} 0 0 {} {} {} cm /{name} Do Q",
                    n(dw),
                    n(dh),
                    n(dx),
                    n(dy)
                );
            }
        }
    }
    content.push_str("Q\n");

    let [llx, lly, urx, ury] = page.visible;
    let mut resources = dictionary! { "Font" => fonts.resources() };
    if !images.is_empty() {
        resources.set("XObject", images);
    }
    let mut form = Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Form",
            "BBox" => vec![llx.into(), lly.into(), urx.into(), ury.into()],
            "Resources" => resources,
        },
        content.into_bytes(),
    );
    compress(&mut form)?;
    let form = document.add_object(form);
    let name = add_page_xobject(document, page.id, form)?;
    add_page_content(document, page.id, &name)
}

fn compress(stream: &mut Stream) -> Result<(), PdfError> {
    stream
        .compress()
        .map_err(|error| PdfError::Write(format!("compression: {error}")))
}

fn image_xobject(
    document: &mut Document,
    pixels: crate::fields::Pixels,
) -> Result<ObjectId, PdfError> {
    let colour_space = if pixels.channels == 3 {
        "DeviceRGB"
    } else {
        "DeviceGray"
    };
    let mut dict = dictionary! {
        "Type" => "XObject",
        "Subtype" => "Image",
        "Width" => i64::from(pixels.width),
        "Height" => i64::from(pixels.height),
        "ColorSpace" => colour_space,
        "BitsPerComponent" => 8,
    };
    if let Some(alpha) = pixels.alpha {
        let mut mask = Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => i64::from(pixels.width),
                "Height" => i64::from(pixels.height),
                "ColorSpace" => "DeviceGray",
                "BitsPerComponent" => 8,
            },
            alpha,
        );
        compress(&mut mask)?;
        dict.set("SMask", document.add_object(mask));
    }
    let mut image = Stream::new(dict, pixels.colour);
    compress(&mut image)?;
    Ok(document.add_object(image))
}

/// Gives the page its own copy of its (possibly inherited or shared) resources with the form
/// added under a name not already used; the name.
fn add_page_xobject(
    document: &mut Document,
    page: ObjectId,
    form: ObjectId,
) -> Result<String, PdfError> {
    let mut resources = pdf::inherited(document, page, b"Resources")
        .and_then(|object| pdf::dictionary(document, object))
        .cloned()
        .unwrap_or_default();
    let mut xobjects = resources
        .get(b"XObject")
        .ok()
        .and_then(|object| pdf::dictionary(document, object))
        .cloned()
        .unwrap_or_default();
    let name = (0..)
        .map(|i| {
            if i == 0 {
                "AtriumFields".to_string()
            } else {
                format!("AtriumFields{i}")
            }
        })
        .find(|name| !xobjects.has(name.as_bytes()))
        .unwrap_or_else(|| "AtriumFields".to_string());
    xobjects.set(name.as_bytes().to_vec(), form);
    resources.set("XObject", xobjects);
    page_mut(document, page)?.set("Resources", resources);
    Ok(name)
}

/// Brackets the original content streams with `q` … `Q` (so whatever state they leave does not
/// move the fields) and draws the form after them. The original streams are not touched.
fn add_page_content(document: &mut Document, page: ObjectId, name: &str) -> Result<(), PdfError> {
    let existing: Vec<Object> = {
        let dict = document
            .get_dictionary(page)
            .map_err(|error| PdfError::Write(error.to_string()))?;
        match dict.get(b"Contents") {
            Ok(Object::Reference(id)) => match document.get_object(*id) {
                Ok(Object::Array(items)) => items.clone(),
                _ => vec![Object::Reference(*id)],
            },
            Ok(Object::Array(items)) => items.clone(),
            _ => Vec::new(),
        }
    };
    let mut contents = Vec::with_capacity(existing.len() + 2);
    if !existing.is_empty() {
        let open = document.add_object(Stream::new(Dictionary::new(), b"q\n".to_vec()));
        contents.push(Object::Reference(open));
        contents.extend(existing.iter().cloned());
    }
    let close = if existing.is_empty() {
        format!("q /{name} Do Q\n")
    } else {
        format!("\nQ\nq /{name} Do Q\n")
    };
    let close = document.add_object(Stream::new(Dictionary::new(), close.into_bytes()));
    contents.push(Object::Reference(close));
    page_mut(document, page)?.set("Contents", contents);
    Ok(())
}

fn page_mut(document: &mut Document, page: ObjectId) -> Result<&mut Dictionary, PdfError> {
    document
        .get_object_mut(page)
        .and_then(Object::as_dict_mut)
        .map_err(|error| PdfError::Write(format!("page object: {error}")))
}

// ---- the certificate pages ----

const A4: (f32, f32) = (595.276, 841.89);
const MARGIN: f32 = 56.0;
const LABEL_WIDTH: f32 = 140.0;
const GUTTER: f32 = 12.0;
const TITLE_SIZE: f32 = 18.0;
const HEADING_SIZE: f32 = 12.0;
const LABEL_SIZE: f32 = 9.0;
const VALUE_SIZE: f32 = 10.0;
const LINE: f32 = 13.5;
const FOOTER_SIZE: f32 = 8.0;
/// A bound on the certificate's length (a value in megabytes would otherwise make thousands of
/// pages).
const MAX_CERTIFICATE_PAGES: usize = 200;

struct Layout<'a> {
    fonts: &'a mut Fonts,
    width: f32,
    height: f32,
    title: String,
    pages: Vec<String>,
    y: f32,
    replaced: bool,
}

impl Layout<'_> {
    fn push(&mut self, content: &str) {
        match self.pages.last_mut() {
            Some(page) => page.push_str(content),
            None => self.pages.push(content.to_string()),
        }
    }

    fn bottom(&self) -> f32 {
        MARGIN + 2.0 * FOOTER_SIZE
    }

    fn new_page(&mut self) -> Result<(), PdfError> {
        if self.pages.len() >= MAX_CERTIFICATE_PAGES {
            return Err(PdfError::Write(format!(
                "the certificate would run past {MAX_CERTIFICATE_PAGES} pages"
            )));
        }
        self.pages.push(String::new());
        self.y = self.height - MARGIN;
        if self.pages.len() > 1 {
            let title = fit(&self.title, " (continued)", 11.0, self.width - 2.0 * MARGIN);
            self.text(Weight::Bold, 11.0, MARGIN, self.y - 11.0, 0.0, &title);
            self.y -= 11.0 + 14.0;
        }
        Ok(())
    }

    /// Room for `needed` points below the cursor, or a new page.
    fn ensure(&mut self, needed: f32) -> Result<(), PdfError> {
        if self.pages.is_empty() || self.y - needed < self.bottom() {
            self.new_page()?;
        }
        Ok(())
    }

    fn text(&mut self, weight: Weight, size: f32, x: f32, baseline: f32, grey: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        let line = self.fonts.show(weight, size, grey, x, baseline, text);
        self.push(&line);
    }

    fn displayable(&mut self, text: &str) -> String {
        let (text, replaced) = font::displayable(text);
        self.replaced |= replaced;
        text
    }

    fn title(&mut self, title: &str) -> Result<(), PdfError> {
        let title = self.displayable(title);
        let lines = wrap(TITLE_SIZE, self.width - 2.0 * MARGIN, &title);
        for line in lines {
            self.ensure(TITLE_SIZE * 1.3)?;
            self.y -= TITLE_SIZE * 1.3;
            self.text(Weight::Bold, TITLE_SIZE, MARGIN, self.y, 0.0, &line);
        }
        self.y -= 10.0;
        Ok(())
    }

    fn heading(&mut self, heading: &str) -> Result<(), PdfError> {
        let heading = self.displayable(heading);
        let lines = wrap(HEADING_SIZE, self.width - 2.0 * MARGIN, &heading);
        // Keep the heading with its first line.
        self.ensure(12.0 + HEADING_SIZE * 1.4 * lines.len() as f32 + LINE)?;
        self.y -= 8.0;
        let rule = format!(
            "q 0.75 G 0.5 w {} {} m {} {} l S Q\n",
            n(MARGIN),
            n(self.y),
            n(self.width - MARGIN),
            n(self.y)
        );
        self.push(&rule);
        self.y -= 4.0;
        for line in lines {
            self.y -= HEADING_SIZE * 1.4;
            self.text(Weight::Bold, HEADING_SIZE, MARGIN, self.y, 0.0, &line);
        }
        self.y -= 4.0;
        Ok(())
    }

    fn row(&mut self, label: &str, value: &str) -> Result<(), PdfError> {
        let label = self.displayable(label);
        let value = self.displayable(value);
        let value_x = MARGIN + LABEL_WIDTH + GUTTER;
        let labels = wrap(LABEL_SIZE, LABEL_WIDTH, &label);
        let values = wrap(VALUE_SIZE, self.width - MARGIN - value_x, &value);
        let count = labels.len().max(values.len()).max(1);
        for i in 0..count {
            self.ensure(LINE)?;
            self.y -= LINE;
            if let Some(line) = labels.get(i) {
                self.text(Weight::Bold, LABEL_SIZE, MARGIN, self.y, 0.35, line);
            }
            if let Some(line) = values.get(i) {
                self.text(Weight::Regular, VALUE_SIZE, value_x, self.y, 0.0, line);
            }
        }
        self.y -= 3.0;
        Ok(())
    }

    fn note(&mut self, text: &str) -> Result<(), PdfError> {
        let lines = wrap(FOOTER_SIZE, self.width - 2.0 * MARGIN, text);
        self.y -= 8.0;
        for line in lines {
            self.ensure(FOOTER_SIZE * 1.4)?;
            self.y -= FOOTER_SIZE * 1.4;
            self.text(Weight::Regular, FOOTER_SIZE, MARGIN, self.y, 0.35, &line);
        }
        Ok(())
    }

    fn footers(&mut self) {
        let total = self.pages.len();
        let mut pages = std::mem::take(&mut self.pages);
        for (index, page) in pages.iter_mut().enumerate() {
            let suffix = format!(" · page {} of {total}", index + 1);
            let footer = fit(&self.title, &suffix, FOOTER_SIZE, self.width - 2.0 * MARGIN);
            let line = self
                .fonts
                .show(Weight::Regular, FOOTER_SIZE, 0.35, MARGIN, MARGIN, &footer);
            page.push_str(&line);
        }
        self.pages = pages;
    }
}

/// `text` + `suffix` in one line at `size` within `max` points, shortening `text` (with an
/// ellipsis) when it is too long.
fn fit(text: &str, suffix: &str, size: f32, max: f32) -> String {
    let width = |candidate: &str| font::width(candidate) * size / 1000.0;
    let whole = format!("{text}{suffix}");
    if width(&whole) <= max {
        return whole;
    }
    // Nothing longer than a line is worth measuring character by character.
    let mut kept: String = text.chars().take(200).collect();
    while !kept.is_empty() {
        kept.pop();
        let candidate = format!("{}…{suffix}", kept.trim_end());
        if width(&candidate) <= max {
            return candidate;
        }
    }
    suffix.trim_start().trim_start_matches("· ").to_string()
}

/// Greedy word wrap at `size` points within `max` points; words longer than a line break
/// between characters. Every paragraph (`\n`) gives at least one line.
fn wrap(size: f32, max: f32, text: &str) -> Vec<String> {
    let fits = |candidate: &str| font::width(candidate) * size / 1000.0 <= max;
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut current = String::new();
        for word in paragraph.split(' ') {
            let candidate = if current.is_empty() {
                word.to_string()
            } else {
                format!("{current} {word}")
            };
            if fits(&candidate) {
                current = candidate;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            if fits(word) {
                current = word.to_string();
            } else {
                for c in word.chars() {
                    current.push(c);
                    if !fits(&current) && current.chars().count() > 1 {
                        current.pop();
                        lines.push(std::mem::take(&mut current));
                        current.push(c);
                    }
                }
            }
        }
        lines.push(current);
    }
    lines
}

fn append_certificate(
    document: &mut Document,
    certificate: &Certificate,
    first_page: Option<pdf::PageSize>,
    original_pages: usize,
    fonts: &mut Fonts,
) -> Result<(), PdfError> {
    // The original's page size when it is an ordinary portrait page (A4, Letter, Legal …), else A4.
    let (width, height) = match first_page {
        Some(size)
            if (500.0..=700.0).contains(&size.width) && (700.0..=1100.0).contains(&size.height) =>
        {
            (size.width, size.height)
        }
        _ => A4,
    };
    let title = if certificate.title.trim().is_empty() {
        "Certificate of completion".to_string()
    } else {
        certificate.title.clone()
    };
    let mut layout = Layout {
        fonts,
        width,
        height,
        title: String::new(),
        pages: Vec::new(),
        y: height - MARGIN,
        replaced: false,
    };
    layout.title = layout.displayable(&title).replace('\n', " ");
    layout.new_page()?;
    layout.title(&title)?;
    for (label, value) in &certificate.lines {
        layout.row(label, value)?;
    }
    for section in &certificate.sections {
        layout.heading(&section.heading)?;
        for (label, value) in &section.lines {
            layout.row(label, value)?;
        }
    }
    if layout.replaced {
        let note = format!(
            "Characters that the certificate's font ({}) cannot show are written as their \
             Unicode code points in brackets, for example [U+674E].",
            font::FAMILY
        );
        layout.note(&note)?;
    }
    layout.footers();
    let contents = std::mem::take(&mut layout.pages);
    let resources = dictionary! { "Font" => layout.fonts.resources() };
    drop(layout);

    let root = pages_root(document)?;
    let media: Vec<Object> = vec![0.into(), 0.into(), width.into(), height.into()];
    let mut added = Vec::with_capacity(contents.len());
    for content in contents {
        let mut stream = Stream::new(Dictionary::new(), content.into_bytes());
        compress(&mut stream)?;
        let stream = document.add_object(stream);
        let page = document.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => root,
            "MediaBox" => media.clone(),
            // Set here so nothing inherited from the page tree applies.
            "CropBox" => media.clone(),
            "Rotate" => 0,
            "Resources" => resources.clone(),
            "Contents" => stream,
        });
        added.push(Object::Reference(page));
    }
    let added_count = i64::try_from(added.len()).unwrap_or(i64::MAX);
    let kids_ref = document
        .get_dictionary(root)
        .ok()
        .and_then(|dict| dict.get(b"Kids").ok())
        .and_then(|kids| kids.as_reference().ok());
    match kids_ref {
        Some(id) => document
            .get_object_mut(id)
            .and_then(Object::as_array_mut)
            .map_err(|error| PdfError::Write(format!("page tree: {error}")))?
            .extend(added),
        None => {
            let root_dict = page_mut(document, root)?;
            let mut kids = root_dict
                .get(b"Kids")
                .and_then(Object::as_array)
                .cloned()
                .unwrap_or_default();
            kids.extend(added);
            root_dict.set("Kids", kids);
        }
    }
    // The root's count is every leaf below it: the pages read, plus ours.
    let count = i64::try_from(original_pages)
        .ok()
        .and_then(|pages| pages.checked_add(added_count))
        .ok_or_else(|| PdfError::Write("the page count overflows".into()))?;
    page_mut(document, root)?.set("Count", count);
    Ok(())
}

fn pages_root(document: &Document) -> Result<ObjectId, PdfError> {
    document
        .catalog()
        .and_then(|catalog| catalog.get(b"Pages"))
        .and_then(Object::as_reference)
        .map_err(|error| PdfError::Write(format!("the catalog has no page tree: {error}")))
}
