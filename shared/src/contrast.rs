//! Colour contrast per WCAG 2.x: relative luminance of an sRGB colour and the contrast ratio
//! of two colours. Branding refuses a colour that white text on it cannot be read on (AA for
//! normal text: 4.5:1), since the portal's buttons and the mail's button put white text on it.

/// WCAG 2.x AA for normal-size text.
pub const AA_NORMAL_TEXT: f64 = 4.5;

/// `#rrggbb` (either case) → its three channels; anything else is `None`.
pub fn parse_hex(colour: &str) -> Option<[u8; 3]> {
    let digits = colour.strip_prefix('#')?;
    if digits.len() != 6 || !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |index: usize| u8::from_str_radix(&digits[index..index + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

/// Relative luminance (0 for black, 1 for white), WCAG 2.x definition.
pub fn relative_luminance(rgb: [u8; 3]) -> f64 {
    let linear = |channel: u8| {
        let srgb = f64::from(channel) / 255.0;
        // WCAG 2.x writes 0.03928; the sRGB standard's 0.04045 gives the same result for
        // every 8-bit value.
        if srgb <= 0.03928 {
            srgb / 12.92
        } else {
            ((srgb + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2])
}

/// The contrast ratio of two colours, from 1 (none) to 21 (black on white).
pub fn contrast_ratio(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    let (lighter, darker) = if la >= lb { (la, lb) } else { (lb, la) };
    (lighter + 0.05) / (darker + 0.05)
}

pub const WHITE: [u8; 3] = [255, 255, 255];

/// The contrast of white text on `background`.
pub fn white_text_on(background: [u8; 3]) -> f64 {
    contrast_ratio(WHITE, background)
}

/// A ratio as people read it, rounded down to two decimals so a colour just short of the
/// threshold never shows as "4.50".
pub fn format_ratio(ratio: f64) -> String {
    format!("{:.2}", (ratio * 100.0).floor() / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_six_digit_hex() {
        assert_eq!(parse_hex("#1d4ed8"), Some([0x1d, 0x4e, 0xd8]));
        assert_eq!(parse_hex("#1D4ED8"), Some([0x1d, 0x4e, 0xd8]));
        for bad in [
            "1d4ed8",
            "#1d4ed",
            "#1d4ed8ff",
            "#gggggg",
            "",
            "#",
            "red",
            "#+1+2+3",
        ] {
            assert_eq!(parse_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn luminance_of_the_extremes() {
        assert_eq!(relative_luminance([0, 0, 0]), 0.0);
        assert!((relative_luminance(WHITE) - 1.0).abs() < 1e-12);
        assert!((contrast_ratio([0, 0, 0], WHITE) - 21.0).abs() < 1e-9);
        assert!((contrast_ratio(WHITE, WHITE) - 1.0).abs() < 1e-12);
        // The order of the two colours does not matter.
        let blue = [0x1d, 0x4e, 0xd8];
        assert_eq!(contrast_ratio(blue, WHITE), contrast_ratio(WHITE, blue));
    }

    #[test]
    fn known_pairs() {
        // Published values (WebAIM's contrast checker).
        let on_blue = white_text_on(parse_hex("#1d4ed8").unwrap());
        assert!((on_blue - 6.70).abs() < 0.01, "{on_blue}");
        assert!(on_blue >= AA_NORMAL_TEXT);
        let on_yellow = white_text_on(parse_hex("#facc15").unwrap());
        assert!((on_yellow - 1.53).abs() < 0.01, "{on_yellow}");
        assert!(on_yellow < AA_NORMAL_TEXT);
        let on_grey = white_text_on(parse_hex("#767676").unwrap());
        assert!((on_grey - 4.54).abs() < 0.01, "{on_grey}");
        let on_lighter_grey = white_text_on(parse_hex("#777777").unwrap());
        assert!(on_lighter_grey < AA_NORMAL_TEXT, "{on_lighter_grey}");
        let on_teal = white_text_on(parse_hex("#0f766e").unwrap());
        assert!(on_teal >= AA_NORMAL_TEXT, "{on_teal}");
    }

    #[test]
    fn ratios_are_rounded_down() {
        assert_eq!(format_ratio(4.4999), "4.49");
        assert_eq!(format_ratio(6.7), "6.70");
    }
}
