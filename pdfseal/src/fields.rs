//! Fields placed by staff and filled by signers, and the checks made before anything is stored.

use crate::error::FieldError;
use crate::font;
use crate::pdf::PageSize;

/// The largest PNG accepted for a drawn or typed signature.
pub const MAX_PNG_BYTES: usize = 256 * 1024;
/// The largest PNG width accepted, in pixels.
pub const MAX_PNG_WIDTH: u32 = 2000;
/// The largest PNG height accepted, in pixels.
pub const MAX_PNG_HEIGHT: u32 = 1000;
/// The longest text value accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 500;
/// The most fields one document may carry.
pub const MAX_FIELDS: usize = 1000;
/// The smallest side a field may have, as a fraction of its page.
pub const MIN_FRACTION: f32 = 0.001;

/// A field placed by staff, filled by a signer. Coordinates are fractions of the page as shown
/// (0.0..=1.0), measured from its top-left corner (as the browser places them over a rendered
/// page); `page` is 1-based.
#[derive(Debug, Clone, PartialEq)]
pub struct FilledField {
    pub page: u32,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub value: FieldValue,
}

/// What a signer put in a field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// Text, a date, typed initials: one line, drawn in the embedded font.
    Text(String),
    /// A PNG of a drawn or typed signature.
    Image(Vec<u8>),
}

/// Validation used by the API before anything is stored: every field inside its page (fractions
/// in range, `x + width <= 1`, `y + height <= 1`, positive size, the page exists), PNGs decodable
/// within [`MAX_PNG_BYTES`], [`MAX_PNG_WIDTH`] × [`MAX_PNG_HEIGHT`], text of at most
/// [`MAX_TEXT_CHARS`] characters, on one line, that the embedded font can draw (Latin, Greek,
/// Cyrillic; see the crate docs). The first failing field is named by its index.
pub fn check_fields(sizes: &[PageSize], fields: &[FilledField]) -> Result<(), FieldError> {
    if fields.len() > MAX_FIELDS {
        return Err(FieldError::new(
            MAX_FIELDS,
            format!("too many fields (at most {MAX_FIELDS})"),
        ));
    }
    for (index, field) in fields.iter().enumerate() {
        check_field(sizes, field).map_err(|reason| FieldError::new(index, reason))?;
    }
    Ok(())
}

fn check_field(sizes: &[PageSize], field: &FilledField) -> Result<(), String> {
    let page_count = sizes.len();
    let page_exists = usize::try_from(field.page)
        .ok()
        .is_some_and(|page| page >= 1 && page <= page_count);
    if !page_exists {
        return Err(format!(
            "page {} does not exist (the document has {page_count} pages, numbered from 1)",
            field.page
        ));
    }
    for (name, value) in [
        ("x", field.x),
        ("y", field.y),
        ("width", field.width),
        ("height", field.height),
    ] {
        if !value.is_finite() {
            return Err(format!("{name} is not a number"));
        }
        if !(0.0..=1.0).contains(&value) {
            return Err(format!(
                "{name} is {value}: positions and sizes are fractions of the page, from 0 to 1"
            ));
        }
    }
    if field.width < MIN_FRACTION || field.height < MIN_FRACTION {
        return Err("the field has no size (width and height must be positive)".into());
    }
    // A small tolerance for the browser's float arithmetic (a field flush with the edge).
    const EDGE: f32 = 1.0 + 1e-4;
    if field.x + field.width > EDGE {
        return Err("the field runs off the right edge of the page (x + width > 1)".into());
    }
    if field.y + field.height > EDGE {
        return Err("the field runs off the bottom of the page (y + height > 1)".into());
    }
    match &field.value {
        FieldValue::Text(text) => check_text(text),
        FieldValue::Image(png) => decode_png(png).map(|_| ()),
    }
}

fn check_text(text: &str) -> Result<(), String> {
    let count = text.chars().count();
    if count > MAX_TEXT_CHARS {
        return Err(format!(
            "the text is {count} characters long (at most {MAX_TEXT_CHARS})"
        ));
    }
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Err(format!(
            "the text contains a control character (U+{:04X}); a field holds one line",
            u32::from(c)
        ));
    }
    if let Some(c) = font::first_missing(text) {
        return Err(format!(
            "the character '{c}' (U+{:04X}) cannot be drawn: the embedded font ({}) covers \
             Latin, Greek and Cyrillic scripts; draw the signature instead",
            u32::from(c),
            font::FAMILY
        ));
    }
    Ok(())
}

/// A PNG decoded to 8-bit samples.
pub(crate) struct Pixels {
    pub width: u32,
    pub height: u32,
    /// 1 (gray) or 3 (RGB) samples a pixel, without alpha.
    pub colour: Vec<u8>,
    pub channels: u8,
    /// One sample a pixel, when the PNG has transparency.
    pub alpha: Option<Vec<u8>>,
}

/// Decodes a signature PNG within the limits above.
pub(crate) fn decode_png(bytes: &[u8]) -> Result<Pixels, String> {
    use png::{BitDepth, ColorType, Transformations};
    if bytes.len() > MAX_PNG_BYTES {
        return Err(format!(
            "the image is {} bytes (at most {} KiB)",
            bytes.len(),
            MAX_PNG_BYTES / 1024
        ));
    }
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err("the image is not a PNG".into());
    }
    let unreadable = |error: png::DecodingError| format!("the PNG cannot be decoded: {error}");
    let mut decoder = png::Decoder::new_with_limits(
        std::io::Cursor::new(bytes),
        // Room for the largest accepted image at 16-bit RGBA, and no more.
        png::Limits {
            bytes: 2 * 4 * (MAX_PNG_WIDTH as usize) * (MAX_PNG_HEIGHT as usize) + 1024 * 1024,
        },
    );
    decoder.set_transformations(Transformations::EXPAND | Transformations::STRIP_16);
    let (width, height) = {
        let info = decoder.read_header_info().map_err(unreadable)?;
        (info.width, info.height)
    };
    if width == 0 || height == 0 {
        return Err("the PNG has no pixels".into());
    }
    if width > MAX_PNG_WIDTH || height > MAX_PNG_HEIGHT {
        return Err(format!(
            "the PNG is {width} × {height} pixels (at most {MAX_PNG_WIDTH} × {MAX_PNG_HEIGHT})"
        ));
    }
    let mut reader = decoder.read_info().map_err(unreadable)?;
    let size = reader
        .output_buffer_size()
        .ok_or("the PNG is too large to decode")?;
    let mut buffer = vec![0u8; size];
    let frame = reader.next_frame(&mut buffer).map_err(unreadable)?;
    buffer.truncate(frame.buffer_size());
    let (colour_type, depth) = reader.output_color_type();
    if depth != BitDepth::Eight {
        return Err("the PNG's bit depth is not supported".into());
    }
    let (channels, has_alpha): (usize, bool) = match colour_type {
        ColorType::Grayscale => (1, false),
        ColorType::GrayscaleAlpha => (1, true),
        ColorType::Rgb => (3, false),
        ColorType::Rgba => (3, true),
        ColorType::Indexed => return Err("the PNG's palette could not be expanded".into()),
    };
    let stride = channels + usize::from(has_alpha);
    let pixels = (width as usize) * (height as usize);
    if buffer.len() != pixels * stride {
        return Err("the PNG's pixel data is incomplete".into());
    }
    let (colour, alpha) = if has_alpha {
        let mut colour = Vec::with_capacity(pixels * channels);
        let mut alpha = Vec::with_capacity(pixels);
        for pixel in buffer.chunks_exact(stride) {
            let (samples, a) = pixel.split_at(channels);
            colour.extend_from_slice(samples);
            alpha.extend_from_slice(a);
        }
        // Fully opaque: no soft mask needed.
        let alpha = alpha.iter().any(|&a| a != 255).then_some(alpha);
        (colour, alpha)
    } else {
        (buffer, None)
    };
    Ok(Pixels {
        width,
        height,
        colour,
        channels: if channels == 3 { 3 } else { 1 },
        alpha,
    })
}
