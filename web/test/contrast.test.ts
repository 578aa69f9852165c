import { describe, expect, it } from "vitest";
import { AA_NORMAL_TEXT, contrastRatio, formatRatio, parseHex, passesAA, relativeLuminance, WHITE, whiteTextOn } from "../src/lib/contrast";

describe("parseHex", () => {
  it("reads #rrggbb in either case", () => {
    expect(parseHex("#1d4ed8")).toEqual([0x1d, 0x4e, 0xd8]);
    expect(parseHex("#1D4ED8")).toEqual([0x1d, 0x4e, 0xd8]);
    expect(parseHex(" #000000 ")).toEqual([0, 0, 0]);
  });
  it("refuses anything else", () => {
    for (const bad of ["1d4ed8", "#1d4ed", "#1d4ed8ff", "#gggggg", "", "#", "red", "#fff"]) {
      expect(parseHex(bad), bad).toBeUndefined();
    }
  });
});

describe("relative luminance and contrast (WCAG 2.x)", () => {
  it("has the extremes right", () => {
    expect(relativeLuminance([0, 0, 0])).toBe(0);
    expect(relativeLuminance(WHITE)).toBeCloseTo(1, 12);
    expect(contrastRatio([0, 0, 0], WHITE)).toBeCloseTo(21, 9);
    expect(contrastRatio(WHITE, WHITE)).toBeCloseTo(1, 12);
  });
  it("is symmetric", () => {
    const a = parseHex("#1d4ed8")!;
    expect(contrastRatio(a, WHITE)).toBeCloseTo(contrastRatio(WHITE, a), 12);
  });
  it("matches published pairs", () => {
    expect(whiteTextOn("#1d4ed8")).toBeCloseTo(6.7, 2);
    expect(whiteTextOn("#facc15")).toBeCloseTo(1.53, 2);
    expect(whiteTextOn("#000000")).toBe(21);
    // #767676 is the classic lightest grey that passes on white (4.54:1).
    expect(whiteTextOn("#767676")).toBeCloseTo(4.54, 2);
    expect(whiteTextOn("#777777")).toBeLessThan(AA_NORMAL_TEXT);
    expect(whiteTextOn("#0f766e")).toBeCloseTo(5.47, 2);
  });
  it("answers undefined for a malformed colour", () => {
    expect(whiteTextOn("blue")).toBeUndefined();
  });
});

describe("formatRatio and passesAA", () => {
  it("rounds down to two decimals like the server", () => {
    expect(formatRatio(whiteTextOn("#facc15")!)).toBe("1.53");
    expect(formatRatio(whiteTextOn("#1d4ed8")!)).toBe("6.70");
    expect(formatRatio(21)).toBe("21.00");
    expect(formatRatio(4.499)).toBe("4.49");
  });
  it("draws the line at 4.5:1", () => {
    expect(passesAA(4.5)).toBe(true);
    expect(passesAA(4.4999)).toBe(false);
    expect(passesAA(whiteTextOn("#1d4ed8")!)).toBe(true);
    expect(passesAA(whiteTextOn("#facc15")!)).toBe(false);
  });
});
