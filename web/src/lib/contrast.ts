// Colour contrast per WCAG 2.x, as shared/src/contrast.rs computes it on the server: the
// relative luminance of an sRGB colour and the contrast ratio of two colours. The branding
// screen shows it while a colour is chosen; the server's 400 remains the authority.

/** WCAG 2.x AA for normal-size text. */
export const AA_NORMAL_TEXT = 4.5;

export type Rgb = [number, number, number];

export const WHITE: Rgb = [255, 255, 255];

const HEX = /^#([0-9a-fA-F]{2})([0-9a-fA-F]{2})([0-9a-fA-F]{2})$/;

/** `#rrggbb` (either case) → its three channels; anything else is undefined. */
export function parseHex(colour: string): Rgb | undefined {
  const match = HEX.exec(colour.trim());
  if (!match) return undefined;
  return [parseInt(match[1] as string, 16), parseInt(match[2] as string, 16), parseInt(match[3] as string, 16)];
}

/** Relative luminance: 0 for black, 1 for white. */
export function relativeLuminance(rgb: Rgb): number {
  const linear = (channel: number) => {
    const srgb = channel / 255;
    return srgb <= 0.03928 ? srgb / 12.92 : ((srgb + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2]);
}

/** The contrast ratio of two colours, from 1 (none) to 21 (black on white). */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  const lighter = Math.max(la, lb);
  const darker = Math.min(la, lb);
  return (lighter + 0.05) / (darker + 0.05);
}

/** The contrast of white text on `background` (`#rrggbb`), or undefined for a malformed colour. */
export function whiteTextOn(background: string): number | undefined {
  const rgb = parseHex(background);
  return rgb ? contrastRatio(WHITE, rgb) : undefined;
}

/** A ratio as people read it: rounded down to two decimals (4.499 never shows as "4.50"), like the server. */
export function formatRatio(ratio: number): string {
  return (Math.floor(ratio * 100 + 1e-9) / 100).toFixed(2);
}

/** Whether white text on this ratio reaches AA for normal text. */
export function passesAA(ratio: number): boolean {
  return ratio >= AA_NORMAL_TEXT;
}
