// The signing form of a signature request: nothing is sent without a signature and the code
// mailed to the signer (each error under its control), the code is asked for with one click,
// the body sent is what the API expects, and the server's refusal of a code lands under the
// code's input.
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// openapi-fetch takes `fetch` when the client is created, so it is replaced before the import.
const requests = vi.hoisted(() => {
  const sent: { url: string; method: string; body: unknown }[] = [];
  const answers: { status: number; body: unknown }[] = [];
  globalThis.fetch = (async (input: Request | string, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const text = await request.text();
    sent.push({ url: request.url, method: request.method, body: text ? JSON.parse(text) : undefined });
    const answer = answers.shift() ?? { status: 200, body: {} };
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { "content-type": "application/json" } });
  }) as typeof fetch;
  return { sent, answers };
});

// jsdom draws nothing on a canvas: the pad's PNG is a fixed one once something is typed.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
vi.mock("../src/lib/signaturePad", async (original) => ({
  ...(await original<typeof import("../src/lib/signaturePad")>()),
  drawTyped: () => undefined,
  exportPng: () => PNG,
}));

import { SigningForm } from "../src/screens/client/signatures";
import { signaturesApi, type SignatureRequestDetail } from "../src/lib/signatures";

const DETAIL: SignatureRequestDetail = {
  signature_request: {
    id: "REQ1",
    title: "Engagement letter 2027",
    document_id: "DOC1",
    document_version: 1,
    file_name: "Engagement letter 2027.pdf",
    pages: 2,
    status: "in_progress",
    signers: [
      { id: "S1", kind: "contact", name: "Dana Whitfield", email: "dana@northwind.example", group: 1, state: "signing" },
      { id: "S2", kind: "contact", name: "Bea Ledger", email: "bea@northwind.example", group: 2, state: "waiting" },
    ],
    fields: [
      { id: "F1", signer: "S1", kind: "signature", page: 2, x: 0.1, y: 0.8, width: 0.3, height: 0.07, required: true },
      { id: "F2", signer: "S1", kind: "date", page: 2, x: 0.5, y: 0.8, width: 0.18, height: 0.035, required: true },
      { id: "F3", signer: "S1", kind: "text", page: 2, x: 0.1, y: 0.7, width: 0.3, height: 0.035, label: "Position", required: true },
      { id: "F4", signer: "S2", kind: "signature", page: 2, x: 0.6, y: 0.9, width: 0.3, height: 0.07, required: true },
    ],
  },
  me: { signer: "S1", my_turn: true },
  consent: { version: "2026-11", text: "I agree to sign documents electronically." },
};

let root: HTMLDivElement;

beforeEach(() => {
  // jsdom has no 2D canvas; say so quietly instead of logging "not implemented".
  HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;
  root = document.createElement("div");
  document.body.append(root);
  requests.sent.length = 0;
  requests.answers.length = 0;
});

afterEach(() => {
  render(null, root);
  root.remove();
});

function byLabel(text: string): HTMLInputElement {
  const label = [...root.querySelectorAll("label")].find((candidate) => candidate.textContent?.startsWith(text));
  if (!label) throw new Error(`no label "${text}"`);
  const control = document.getElementById(label.htmlFor) as HTMLInputElement | null;
  if (!control) throw new Error(`label "${text}" names no control`);
  return control;
}

function button(text: string): HTMLButtonElement {
  const found = [...root.querySelectorAll("button")].find((candidate) => candidate.textContent?.trim() === text);
  if (!found) throw new Error(`no button "${text}"`);
  return found;
}

function pad(legend: string): HTMLFieldSetElement {
  const found = [...root.querySelectorAll("fieldset")].find((candidate) => candidate.querySelector("legend")?.textContent === legend);
  if (!found) throw new Error(`no "${legend}" pad`);
  return found;
}

async function type(control: HTMLInputElement, value: string) {
  await act(() => {
    control.value = value;
    control.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

async function settle() {
  for (let round = 0; round < 5; round++) await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
}

function errorOf(control: Element): string | undefined {
  const ids = control.getAttribute("aria-describedby")?.split(" ") ?? [];
  return ids.map((id) => document.getElementById(id)).find((element) => element?.classList.contains("field-error"))?.textContent ?? undefined;
}

describe("SigningForm", () => {
  it("sends nothing without a signature or the code, showing each error under its control", async () => {
    render(<SigningForm detail={DETAIL} calls={signaturesApi()} onSigned={() => undefined} />, root);
    // Only the signer's own fields are asked for; the date is filled when they sign.
    expect(root.textContent).toContain("Your fields: Signature field 1 on page 2, Date field 2 on page 2, Position.");
    expect(root.textContent).toContain("The date field is filled when you sign");

    await type(byLabel("Your full name"), "Dana Whitfield");
    await type(byLabel("Position (page 2)"), "Director");
    await act(() => byLabel("I agree to sign documents electronically.").click());
    await act(() => button("Sign").click());
    await settle();

    expect(requests.sent).toHaveLength(0);
    const signature = pad("Your signature");
    expect(signature.classList.contains("invalid")).toBe(true);
    expect(errorOf(signature)).toMatch(/Draw your signature/);
    expect(errorOf(signature.querySelector("canvas")!)).toMatch(/Draw your signature/);
    const code = byLabel("Code from the email");
    expect(code.getAttribute("aria-invalid")).toBe("true");
    expect(errorOf(code)).toMatch(/6-digit code/);
    expect(errorOf(byLabel("Your full name"))).toBeUndefined();

    // A typed signature clears its error; the code is still missing.
    await act(() => (signature.querySelector('input[value="type"]') as HTMLInputElement).click());
    await settle();
    expect(errorOf(signature)).toBeUndefined();
    await act(() => button("Sign").click());
    await settle();
    expect(requests.sent).toHaveLength(0);
    expect(errorOf(code)).toMatch(/6-digit code/);
    expect(errorOf(pad("Your signature"))).toBeUndefined();
  });

  it("asks for the code, then signs with exactly what the API expects", async () => {
    const signed = vi.fn();
    render(<SigningForm detail={DETAIL} calls={signaturesApi()} onSigned={signed} />, root);
    await type(byLabel("Your full name"), " Dana Whitfield ");
    await act(() => (pad("Your signature").querySelector('input[value="type"]') as HTMLInputElement).click());
    await type(byLabel("Position (page 2)"), "Director");

    requests.answers.push({ status: 202, body: { sent_to: "dana@northwind.example", expires_in: 600, attempts: 5 } });
    await act(() => button("Email me a code").click());
    await settle();
    expect(requests.sent[0]).toMatchObject({ method: "POST" });
    expect(requests.sent[0]!.url).toMatch(/\/api\/signature-requests\/REQ1\/code$/);
    expect(root.textContent).toContain("We emailed a code to dana@northwind.example.");

    // Without the consent, nothing more is sent.
    await type(byLabel("Code from the email"), "123456");
    await act(() => button("Sign").click());
    await settle();
    expect(requests.sent).toHaveLength(1);
    expect(errorOf(byLabel("I agree to sign documents electronically."))).toMatch(/agree to sign electronically/);

    // The server refuses the code: its words under the code's input.
    await act(() => byLabel("I agree to sign documents electronically.").click());
    requests.answers.push({ status: 400, body: { error: { code: "invalid_input", message: "code: is not the code we sent (4 attempts left)" } } });
    await act(() => button("Sign").click());
    await settle();
    expect(requests.sent).toHaveLength(2);
    expect(errorOf(byLabel("Code from the email"))).toBe("That code is not the code we sent (4 attempts left)");
    expect(signed).not.toHaveBeenCalled();

    requests.answers.push({ status: 200, body: { status: "in_progress", signed_version: null } });
    await type(byLabel("Code from the email"), "654321");
    await act(() => button("Sign").click());
    await settle();
    expect(requests.sent).toHaveLength(3);
    expect(requests.sent[2]!.url).toMatch(/\/api\/signature-requests\/REQ1\/sign$/);
    expect(requests.sent[2]!.body).toEqual({ code: "654321", typed_name: "Dana Whitfield", consent: true, signature_image: PNG, texts: { F3: "Director" } });
    expect(signed).toHaveBeenCalledWith({ status: "in_progress", signed_version: null });
  });

  it("countersigns on the firm's route", async () => {
    render(<SigningForm detail={DETAIL} calls={signaturesApi("CLIENT1")} onSigned={() => undefined} />, root);
    requests.answers.push({ status: 429, body: { error: { code: "code_recently_sent", message: "a code was sent moments ago; ask for another in 20 seconds" } } });
    await act(() => button("Email me a code").click());
    await settle();
    expect(requests.sent[0]!.url).toMatch(/\/api\/clients\/CLIENT1\/signature-requests\/REQ1\/code$/);
    expect(root.querySelector(".error-box")?.textContent).toContain("A code was sent moments ago; ask for another in 20 seconds");
  });
});
