// Signature requests' logic: fields placed on a page as fractions of it (pixels ↔ fractions,
// kept inside the page), the request's checks and body, the signature's checks and body, and
// the signature pad's PNG export at a bounded size.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SIZE,
  base64Bytes,
  buildCreateBody,
  buildSignBody,
  clampBox,
  dragBy,
  draftProblems,
  dropAt,
  initialsOf,
  moveBy,
  nextGroup,
  signerState,
  signingProblems,
  signingSteps,
  toFraction,
  toPixels,
  type RequestDraft,
  type Signer,
  type SigningInput,
} from "../src/lib/signatures";
import { exportPng, fitWithin, fittingFontSize, inkBounds, padBounds } from "../src/lib/signaturePad";

describe("placing fields", () => {
  const page = { left: 100, top: 50, width: 600, height: 800 };

  it("turns a point on screen into fractions of the page from its top-left corner", () => {
    expect(toFraction(100, 50, page)).toEqual({ x: 0, y: 0 });
    expect(toFraction(400, 450, page)).toEqual({ x: 0.5, y: 0.5 });
    expect(toFraction(700, 850, page)).toEqual({ x: 1, y: 1 });
    // Off the page (a drag past its edge) stays on it.
    expect(toFraction(20, 900, page)).toEqual({ x: 0, y: 1 });
    expect(toFraction(10, 10, { left: 0, top: 0, width: 0, height: 0 })).toEqual({ x: 0, y: 0 });
  });

  it("turns a field back into pixels over the page as drawn", () => {
    expect(toPixels({ x: 0.25, y: 0.5, width: 0.5, height: 0.1 }, { width: 600, height: 800 })).toEqual({ x: 150, y: 400, width: 300, height: 80 });
    // The same field on a page drawn at another width keeps its place on the page.
    const small = toPixels({ x: 0.25, y: 0.5, width: 0.5, height: 0.1 }, { width: 300, height: 400 });
    expect(toFraction(small.x, small.y, { left: 0, top: 0, width: 300, height: 400 })).toEqual({ x: 0.25, y: 0.5 });
  });

  it("drops a field centred on the point, of its kind's size", () => {
    const box = dropAt("signature", { x: 0.5, y: 0.5 });
    expect(box.width).toBe(DEFAULT_SIZE.signature.width);
    expect(box.height).toBe(DEFAULT_SIZE.signature.height);
    expect(box.x + box.width / 2).toBeCloseTo(0.5, 4);
    expect(box.y + box.height / 2).toBeCloseTo(0.5, 4);
  });

  it("keeps a field dropped near an edge or a corner inside the page", () => {
    for (const point of [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
      { x: 0.99, y: 0.02 },
      { x: 0.01, y: 0.98 },
    ]) {
      const box = dropAt("signature", point);
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(1);
      expect(box.y + box.height).toBeLessThanOrEqual(1);
    }
    expect(dropAt("initials", { x: 1, y: 1 })).toEqual({ x: 0.9, y: 0.95, width: 0.1, height: 0.05 });
  });

  it("clamps sizes to what the API accepts and positions to the page", () => {
    expect(clampBox({ x: -0.2, y: 0.99, width: 0.3, height: 0.1 })).toEqual({ x: 0, y: 0.9, width: 0.3, height: 0.1 });
    expect(clampBox({ x: 0.5, y: 0.5, width: 2, height: 0 })).toEqual({ x: 0, y: 0.5, width: 1, height: 0.01 });
    expect(clampBox({ x: Number.NaN, y: 0.5, width: 0.2, height: 0.1 }).x).toBe(0);
  });

  it("moves a field by a drag in pixels or a key step, never off the page", () => {
    const box = { x: 0.1, y: 0.1, width: 0.3, height: 0.05 };
    expect(dragBy(box, 60, 80, { width: 600, height: 800 })).toEqual({ x: 0.2, y: 0.2, width: 0.3, height: 0.05 });
    expect(dragBy(box, 6000, -8000, { width: 600, height: 800 })).toEqual({ x: 0.7, y: 0, width: 0.3, height: 0.05 });
    expect(moveBy(box, 0.01, -0.01)).toEqual({ x: 0.11, y: 0.09, width: 0.3, height: 0.05 });
  });
});

describe("a new request", () => {
  const draft = (): RequestDraft => ({
    title: "  Engagement letter 2027 ",
    documentId: "DOC1",
    version: "1",
    message: "",
    reminderDays: "",
    signers: [
      { key: "a", person: "contact:dana-sub", group: "1" },
      { key: "b", person: "staff:admin-sub", group: "2" },
    ],
    fields: [
      { key: "f1", signer: "a", kind: "signature", page: 1, x: 0.1, y: 0.8, width: 0.3, height: 0.07 },
      { key: "f2", signer: "b", kind: "signature", page: 2, x: 0.95, y: 0.8, width: 0.3, height: 0.07 },
      { key: "f3", signer: "b", kind: "text", page: 2, x: 0.1, y: 0.1, width: 0.3, height: 0.035, label: " Position " },
    ],
  });

  it("numbers new signers in sequence", () => {
    expect(nextGroup([])).toBe("1");
    expect(nextGroup(draft().signers)).toBe("3");
    expect(nextGroup([{ key: "x", person: "", group: "10" }])).toBe("10");
  });

  it("accepts a complete draft", () => {
    expect(draftProblems(draft())).toEqual({});
  });

  it("names each problem by the API's field names", () => {
    const problems = draftProblems(
      { ...draft(), title: " ", documentId: "", version: "", reminderDays: "31", signers: [{ key: "a", person: "", group: "0" }, { key: "b", person: "staff:x", group: "2" }, { key: "c", person: "staff:x", group: "2" }] },
      () => "Dana",
    );
    expect(Object.keys(problems).sort()).toEqual(["document_id", "fields", "reminder_days", "signers[0]", "signers[0].group", "signers[2]", "title", "version"]);
  });

  it("asks for a signature field for every signer, by name", () => {
    const { fields, ...rest } = draft();
    expect(draftProblems({ ...rest, fields: fields.filter((field) => field.key !== "f2") }, (signer) => (signer.key === "b" ? "Harbour Admin" : "Dana")).fields).toBe("Place a signature field for Harbour Admin.");
  });

  it("builds the body: signers by kind with their group, fields by signer index, kept on the page", () => {
    expect(buildCreateBody({ ...draft(), message: " Please sign by Friday. ", reminderDays: "0" })).toEqual({
      title: "Engagement letter 2027",
      document_id: "DOC1",
      version: 1,
      message: "Please sign by Friday.",
      reminder_days: 0,
      signers: [
        { contact: "dana-sub", group: 1 },
        { staff: "admin-sub", group: 2 },
      ],
      fields: [
        { signer: 0, kind: "signature", page: 1, x: 0.1, y: 0.8, width: 0.3, height: 0.07 },
        { signer: 1, kind: "signature", page: 2, x: 0.7, y: 0.8, width: 0.3, height: 0.07 },
        { signer: 1, kind: "text", page: 2, x: 0.1, y: 0.1, width: 0.3, height: 0.035, label: "Position" },
      ],
    });
  });

  it("leaves out an empty message and reminder interval (the API's defaults)", () => {
    const body = buildCreateBody(draft());
    expect("message" in body).toBe(false);
    expect("reminder_days" in body).toBe(false);
  });
});

describe("signing", () => {
  const input = (): SigningInput => ({
    typedName: " Dana Whitfield ",
    consent: true,
    signature: "iVBORw0KGgo=",
    needsInitials: false,
    code: " 123 456 ",
    texts: [{ id: "T1", label: "Position", required: true, value: " Director " }],
  });

  it("accepts a complete signature and sends what the API wants", () => {
    expect(signingProblems(input())).toEqual({});
    expect(buildSignBody(input())).toEqual({ code: "123456", typed_name: "Dana Whitfield", consent: true, signature_image: "iVBORw0KGgo=", texts: { T1: "Director" } });
  });

  it("needs a signature, the code, the consent, the name and required text fields", () => {
    const problems = signingProblems({ ...input(), typedName: "", signature: undefined, consent: false, code: "", texts: [{ id: "T1", label: "Position", required: true, value: "" }] });
    expect(Object.keys(problems).sort()).toEqual(["code", "consent", "signature_image", "texts.T1", "typed_name"]);
    expect(signingProblems({ ...input(), code: "12345" }).code).toMatch(/6 digits/);
  });

  it("needs initials only when there are initials fields", () => {
    expect(signingProblems({ ...input(), needsInitials: true }).initials_image).toMatch(/initials/);
    expect(buildSignBody({ ...input(), needsInitials: true, initials: "AAAA" }).initials_image).toBe("AAAA");
    expect("initials_image" in buildSignBody(input())).toBe(false);
  });

  it("refuses an image over 96 KB", () => {
    const big = "A".repeat(Math.ceil((96 * 1024 + 3) / 3) * 4);
    expect(base64Bytes(big)).toBeGreaterThan(96 * 1024);
    expect(signingProblems({ ...input(), signature: big }).signature_image).toMatch(/too large/);
    expect(base64Bytes("data:image/png;base64,AAAA")).toBe(3);
    expect(base64Bytes("AA==")).toBe(1);
  });

  it("makes initials from a name", () => {
    expect(initialsOf("Dana Whitfield")).toBe("DW");
    expect(initialsOf(" jean-luc  picard ")).toBe("JLP");
    expect(initialsOf("")).toBe("");
  });

  it("says where each signer stands, in the order they sign", () => {
    const signer = (id: string, group: number, state: Signer["state"]): Signer => ({ id, kind: "contact", name: id, email: `${id}@x.example`, group, state });
    const signers = [signer("b", 2, "waiting"), signer("a", 1, "signing"), signer("c", 1, "signed")];
    expect(signingSteps(signers).map((step) => [step.group, step.signers.map((each) => each.id)])).toEqual([
      [1, ["a", "c"]],
      [2, ["b"]],
    ]);
    expect(signerState(signers[1]!, "in_progress", true).text).toBe("Your turn");
    expect(signerState(signers[0]!, "in_progress").text).toBe("Waiting for earlier signers");
    expect(signerState(signers[1]!, "cancelled").text).toBe("Did not sign");
  });
});

describe("the signature pad's export", () => {
  /** An RGBA buffer of w × h with ink (alpha 255) in the given rectangle. */
  function pixels(width: number, height: number, ink?: { x: number; y: number; width: number; height: number }) {
    const data = new Uint8ClampedArray(width * height * 4);
    if (ink) for (let y = ink.y; y < ink.y + ink.height; y++) for (let x = ink.x; x < ink.x + ink.width; x++) data[(y * width + x) * 4 + 3] = 255;
    return data;
  }

  it("finds the ink", () => {
    expect(inkBounds(pixels(50, 20), 50, 20)).toBeNull();
    expect(inkBounds(pixels(50, 20, { x: 10, y: 5, width: 7, height: 3 }), 50, 20)).toEqual({ x: 10, y: 5, width: 7, height: 3 });
    expect(padBounds({ x: 2, y: 5, width: 7, height: 3 }, 4, 50, 10)).toEqual({ x: 0, y: 1, width: 13, height: 9 });
  });

  it("fits within the bounded size, keeping proportions, never enlarging", () => {
    expect(fitWithin(900, 300, 600, 200)).toEqual({ width: 600, height: 200 });
    expect(fitWithin(900, 100, 600, 200)).toEqual({ width: 600, height: 67 });
    expect(fitWithin(120, 300, 600, 200)).toEqual({ width: 80, height: 200 });
    expect(fitWithin(50, 20, 600, 200)).toEqual({ width: 50, height: 20 });
    expect(fitWithin(0, 20, 600, 200)).toEqual({ width: 1, height: 1 });
  });

  it("sizes typed text to the pad", () => {
    expect(fittingFontSize(900, 300, (size) => size * 10)).toBeLessThanOrEqual(82);
    expect(fittingFontSize(900, 300, (size) => size)).toBe(180);
  });

  /** A canvas stand-in: the source holds `data`; made canvases record what is drawn and answer PNGs of `bytes(width, height)`. */
  function fakes(data: Uint8ClampedArray, width: number, height: number, bytes: (width: number, height: number) => number) {
    const drawn: { width: number; height: number; from: number[] }[] = [];
    const source = { width, height, getContext: () => ({ getImageData: () => ({ data }) }) } as unknown as HTMLCanvasElement;
    const createCanvas = () => {
      const canvas = {
        width: 0,
        height: 0,
        getContext: () => ({
          clearRect: () => undefined,
          drawImage: (_image: unknown, ...numbers: number[]) => drawn.push({ width: canvas.width, height: canvas.height, from: numbers.slice(0, 4) }),
        }),
        toDataURL: () => `data:image/png;base64,${"A".repeat(Math.ceil(bytes(canvas.width, canvas.height) / 3) * 4)}`,
      };
      return canvas as unknown as HTMLCanvasElement;
    };
    return { source, createCanvas, drawn };
  }

  it("exports the ink with a margin, within 600 × 200, as base64 without the data: prefix", () => {
    const { source, createCanvas, drawn } = fakes(pixels(900, 300, { x: 100, y: 100, width: 700, height: 100 }), 900, 300, () => 3000);
    const png = exportPng(source, { createCanvas, padding: 10 });
    expect(png).toMatch(/^A+$/);
    expect(drawn).toHaveLength(1);
    expect(drawn[0]!.from).toEqual([90, 90, 720, 120]);
    expect(drawn[0]).toMatchObject({ width: 600, height: 100 });
  });

  it("makes the image smaller until it is within the API's 96 KB", () => {
    const { source, createCanvas, drawn } = fakes(pixels(900, 300, { x: 0, y: 0, width: 900, height: 300 }), 900, 300, (width, height) => width * height);
    const png = exportPng(source, { createCanvas, padding: 0 });
    expect(png).not.toBeNull();
    expect(base64Bytes(png!)).toBeLessThanOrEqual(96 * 1024);
    expect(drawn.length).toBeGreaterThan(1);
    expect(drawn.at(-1)!.width * drawn.at(-1)!.height).toBeLessThanOrEqual(96 * 1024);
  });

  it("exports nothing when nothing is drawn", () => {
    const { source, createCanvas } = fakes(pixels(900, 300), 900, 300, () => 100);
    expect(exportPng(source, { createCanvas })).toBeNull();
  });
});
