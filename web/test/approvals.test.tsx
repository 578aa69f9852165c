// The signature form: the terms come first in the approval screen; here, the decision form
// must not send a signature without the consent to sign electronically and a typed full name
// (the server's rules), must not send a rejection or a change request without a comment, and
// sends exactly what the API expects once the person has done both.
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// openapi-fetch takes `fetch` when the client is created, so it is replaced before the import.
const requests = vi.hoisted(() => {
  const sent: { url: string; method: string; body: unknown }[] = [];
  let answer: { status: number; body: unknown } = { status: 200, body: {} };
  globalThis.fetch = (async (input: Request | string, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const text = await request.text();
    sent.push({ url: request.url, method: request.method, body: text ? JSON.parse(text) : undefined });
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { "content-type": "application/json" } });
  }) as typeof fetch;
  return {
    sent,
    answer: (status: number, body: unknown) => {
      answer = { status, body };
    },
  };
});

import { DecisionForm, decisionProblems, sha256Hex, sortApprovals, type Approval, type ApprovalDetailData } from "../src/screens/client/approvals";

const APPROVAL: Approval = {
  id: "01JD3K7ZQ8M2V5X9T4R6N1B0CW",
  tenant_id: "01JD3K7ZQ8M2V5X9T4R6N1B0AA",
  title: "Engagement letter 2026",
  subject: { kind: "document_version", document_id: "01JD3K7ZQ8M2V5X9T4R6N1B0DD", number: 2, file_name: "engagement.pdf", sha256: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=" },
  signature_required: true,
  terms: "Our standard terms of business, version 2026-01.",
  status: "pending",
  decision: null,
  signature: null,
  requested_by_email: "admin@harbourpike.example",
  created_at: "2026-11-20T10:00:00Z",
  updated_at: "2026-11-20T10:00:00Z",
  version: 1,
};

const DETAIL: ApprovalDetailData = {
  approval: APPROVAL,
  consent: { version: "2026-11", text: "I agree to sign documents electronically.", given: false },
};

let root: HTMLDivElement;

beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
  requests.sent.length = 0;
});

afterEach(() => {
  render(null, root);
  root.remove();
});

function byLabel(text: string): HTMLInputElement | HTMLTextAreaElement {
  const label = [...root.querySelectorAll("label")].find((candidate) => candidate.textContent?.startsWith(text));
  if (!label) throw new Error(`no label "${text}"`);
  const control = document.getElementById(label.htmlFor) as HTMLInputElement | HTMLTextAreaElement | null;
  if (!control) throw new Error(`label "${text}" names no control`);
  return control;
}

function button(text: string): HTMLButtonElement {
  const found = [...root.querySelectorAll("button")].find((candidate) => candidate.textContent?.trim() === text);
  if (!found) throw new Error(`no button "${text}"`);
  return found;
}

async function type(control: HTMLInputElement | HTMLTextAreaElement, value: string) {
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

describe("decisionProblems", () => {
  const base = { decision: "approve" as const, signatureRequired: true, consent: true, typedName: "Dana Whitfield", comment: "" };

  it("accepts a signature with consent and a typed full name", () => {
    expect(decisionProblems(base)).toEqual({});
  });

  it("needs the consent and a typed name to sign", () => {
    expect(Object.keys(decisionProblems({ ...base, consent: false, typedName: "   " })).sort()).toEqual(["consent", "typed_name"]);
  });

  it("applies the server's rules to the typed name", () => {
    expect(decisionProblems({ ...base, typedName: "Dana\u0007 W" }).typed_name).toMatch(/control characters/);
    expect(decisionProblems({ ...base, typedName: "x".repeat(201) }).typed_name).toMatch(/at most 200/);
    expect(decisionProblems({ ...base, typedName: "x".repeat(200) })).toEqual({});
  });

  it("needs nothing more to approve without a signature", () => {
    expect(decisionProblems({ ...base, signatureRequired: false, consent: false, typedName: "" })).toEqual({});
  });

  it("needs a comment to reject or request changes, but no signature", () => {
    expect(Object.keys(decisionProblems({ ...base, decision: "reject", consent: false, typedName: "" }))).toEqual(["comment"]);
    expect(decisionProblems({ ...base, decision: "request_changes", comment: "Fix clause 4" })).toEqual({});
  });
});

describe("DecisionForm", () => {
  it("does not send a signature without consent and a typed name, then sends exactly what the API wants", async () => {
    const decided = vi.fn();
    render(<DecisionForm detail={DETAIL} onDecided={decided} />, root);
    const consent = byLabel("I agree to sign documents electronically.");
    const name = byLabel("Type your full name to sign");
    expect(consent.type).toBe("checkbox");

    await act(() => button("Sign and approve").click());
    await settle();
    expect(requests.sent).toHaveLength(0);
    expect(consent.getAttribute("aria-invalid")).toBe("true");
    expect(errorOf(consent)).toMatch(/agree to sign electronically/);
    expect(name.getAttribute("aria-invalid")).toBe("true");
    expect(errorOf(name)).toMatch(/full name/);

    // Consent alone is not enough.
    await act(() => (consent as HTMLInputElement).click());
    await act(() => button("Sign and approve").click());
    await settle();
    expect(requests.sent).toHaveLength(0);
    expect(consent.getAttribute("aria-invalid")).toBeNull();
    expect(errorOf(name)).toMatch(/full name/);

    requests.answer(200, { ...APPROVAL, status: "approved", signature: { typed_name: "Dana Whitfield", consent_version: "2026-11", consent_at: "2026-11-21T09:00:00Z" } });
    await type(name, "  Dana Whitfield ");
    await act(() => button("Sign and approve").click());
    await settle();
    expect(requests.sent).toHaveLength(1);
    expect(requests.sent[0]?.method).toBe("POST");
    expect(requests.sent[0]?.url).toMatch(/\/api\/approvals\/01JD3K7ZQ8M2V5X9T4R6N1B0CW\/decide$/);
    expect(requests.sent[0]?.body).toEqual({ decision: "approve", comment: null, typed_name: "Dana Whitfield", consent: true });
    expect(decided).toHaveBeenCalledOnce();
  });

  it("asks for a comment before rejecting, and shows the server's field error next to the field", async () => {
    render(<DecisionForm detail={DETAIL} onDecided={() => undefined} />, root);
    const comment = byLabel("Comment");
    await act(() => button("Reject").click());
    await settle();
    expect(requests.sent).toHaveLength(0);
    expect(errorOf(comment)).toMatch(/why you reject/);

    requests.answer(400, { error: { code: "invalid_input", message: "comment: must be at most 4000 characters" } });
    await type(comment, "Clause 4 is wrong.");
    await act(() => button("Reject").click());
    await settle();
    expect(requests.sent).toHaveLength(1);
    expect(requests.sent[0]?.body).toEqual({ decision: "reject", comment: "Clause 4 is wrong." });
    expect(errorOf(comment)).toBe("must be at most 4000 characters");
  });
});

describe("helpers", () => {
  it("shows the SHA-256 as the hex sha256sum prints", () => {
    expect(sha256Hex("n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=")).toBe("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  });

  it("puts pending approvals first", () => {
    const decided = { ...APPROVAL, id: "B", status: "approved" as const, updated_at: "2026-11-22T00:00:00Z" };
    const pending = { ...APPROVAL, id: "A" };
    expect(sortApprovals([decided, pending]).map((approval) => approval.id)).toEqual(["A", "B"]);
  });
});
