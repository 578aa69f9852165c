// FormRenderer: every field type gets a labelled control, required marks, help linked by
// aria-describedby, values flow out through onChange, and the API's field errors sit next to
// the right control with aria-invalid.
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AnswersView, FormRenderer, answerErrors, cleanAnswers, fieldId, parseNumber, type AnswerMap, type FieldSpec } from "../src/components/FormRenderer";

const FIELDS: FieldSpec[] = [
  { key: "name", type: "short_text", label: "Full name", required: true, min_length: 2, max_length: 80, help: "As on your passport" },
  { key: "vat", type: "short_text", label: "VAT number", required: false, pattern: "[A-Z]{2}[0-9]{8,12}", max_length: 200 },
  { key: "about", type: "long_text", label: "About you", required: false, help: "A few lines", max_length: 500 },
  { key: "staff", type: "number", label: "Employees", required: true, min: 1, max: 5000, integer: true },
  { key: "founded", type: "date", label: "Founded", required: false, min_date: "1900-01-01", max_date: "2030-12-31" },
  { key: "email", type: "email", label: "Email", required: true },
  { key: "phone", type: "phone", label: "Phone", required: false },
  { key: "entity", type: "single_choice", label: "Entity", required: true, options: ["GmbH", "AG", "Sole trader"] },
  { key: "country", type: "single_choice", label: "Country", required: false, options: ["DE", "AT", "CH", "FR", "IT", "NL", "BE"] },
  { key: "services", type: "multiple_choice", label: "Services", required: false, options: ["Tax", "Payroll", "Audit"], min_selected: 1, max_selected: 2 },
  { key: "terms", type: "checkbox", label: "I agree", required: true, help: "You must agree to continue" },
  { key: "register", type: "file", label: "Register extract", required: false },
];

const FILES = [
  { id: "01JD3K7ZQ8M2V5X9T4R6N1B0CW", name: "register.pdf" },
  { id: "01JD3K7ZQ8M2V5X9T4R6N1B0CX", name: "passport.pdf" },
];

let root: HTMLDivElement;

beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
});

afterEach(() => {
  render(null, root);
  root.remove();
});

/** Renders a stateful host so typed values stay in the controls; answers every change. */
function mount(options: { errors?: Record<string, string>; initial?: AnswerMap } = {}) {
  const changes: { values: AnswerMap; key: string }[] = [];
  let values: AnswerMap = options.initial ?? {};
  const draw = () =>
    render(
      <form>
        <FormRenderer
          fields={FIELDS}
          values={values}
          idPrefix="q"
          errors={options.errors}
          files={FILES}
          onChange={(next, key) => {
            values = next;
            changes.push({ values: next, key });
            draw();
          }}
        />
      </form>,
      root,
    );
  act(draw);
  return { changes, current: () => values };
}

/** The accessible name of a control: its <label for>, or the legend of its fieldset. */
function labelOf(element: Element): string {
  const id = element.getAttribute("id");
  const label = id ? root.querySelector(`label[for="${id}"]`) : null;
  return (label?.textContent ?? "").trim();
}

function control(key: string): HTMLElement {
  const element = root.querySelector<HTMLElement>(`#${fieldId("q", key)}`);
  if (!element) throw new Error(`no control for ${key}`);
  return element;
}

function type(element: HTMLElement, value: string) {
  act(() => {
    (element as HTMLInputElement).value = value;
    element.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

function choose(element: HTMLElement, value: string) {
  act(() => {
    (element as HTMLSelectElement).value = value;
    element.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

function click(element: HTMLElement) {
  act(() => {
    element.click();
  });
}

describe("FormRenderer", () => {
  it("gives every control of every field type a visible label", () => {
    mount();
    const controls = root.querySelectorAll("input, select, textarea");
    expect(controls.length).toBeGreaterThan(FIELDS.length);
    for (const element of controls) {
      expect(labelOf(element), `label of ${element.outerHTML}`).not.toBe("");
    }
    // Groups of options are fieldsets named by their legend.
    for (const key of ["entity", "services"]) {
      const group = root.querySelector(`[data-field="${key}"]`);
      expect(group?.tagName).toBe("FIELDSET");
      expect(group?.querySelector("legend")?.textContent).toContain(FIELDS.find((field) => field.key === key)?.label);
    }
    // Every type is there, with the right kind of control.
    expect(control("name").getAttribute("type")).toBe("text");
    expect(control("about").tagName).toBe("TEXTAREA");
    expect(control("staff").getAttribute("inputmode")).toBe("numeric");
    expect(control("founded").getAttribute("type")).toBe("date");
    expect(control("founded").getAttribute("min")).toBe("1900-01-01");
    expect(control("email").getAttribute("type")).toBe("email");
    expect(control("phone").getAttribute("type")).toBe("tel");
    expect(control("entity").getAttribute("type")).toBe("radio");
    expect(control("country").tagName).toBe("SELECT");
    expect(control("services").getAttribute("type")).toBe("checkbox");
    expect(control("terms").getAttribute("type")).toBe("checkbox");
    expect(control("register").tagName).toBe("SELECT");
    expect([...(control("register") as HTMLSelectElement).options].map((option) => option.textContent)).toContain("register.pdf");
  });

  it("marks required fields and says which are optional", () => {
    mount();
    for (const field of FIELDS) {
      const wrapper = root.querySelector(`[data-field="${field.key}"]`);
      const text = wrapper?.querySelector("label, legend")?.textContent ?? "";
      if (field.required) {
        expect(text, field.key).toContain("(required)");
        expect(wrapper?.querySelector(".required-mark")?.getAttribute("aria-hidden")).toBe("true");
      } else {
        expect(text, field.key).toContain("(optional)");
      }
    }
    expect(control("name").getAttribute("aria-required")).toBe("true");
    expect(control("email").getAttribute("aria-required")).toBe("true");
    expect(control("terms").getAttribute("aria-required")).toBe("true");
    expect(root.querySelector('[data-field="entity"]')?.getAttribute("aria-required")).toBe("true");
    expect(control("vat").hasAttribute("aria-required")).toBe(false);
  });

  it("links help text and constraints to the control with aria-describedby", () => {
    mount();
    const hintOf = (element: Element) =>
      (element.getAttribute("aria-describedby") ?? "")
        .split(" ")
        .map((id) => document.getElementById(id)?.textContent ?? "")
        .join(" ");
    expect(hintOf(control("name"))).toContain("As on your passport");
    expect(hintOf(control("name"))).toContain("2 to 80 characters");
    expect(hintOf(control("about"))).toContain("A few lines");
    expect(hintOf(control("staff"))).toContain("A whole number from 1 to 5");
    expect(hintOf(control("terms"))).toContain("You must agree to continue");
    expect(hintOf(root.querySelector('[data-field="services"]')!)).toContain("Choose 1 to 2");
    // A field without help or constraints points at nothing.
    expect(control("email").hasAttribute("aria-describedby")).toBe(false);
  });

  it("hands every change out through onChange with the right JSON types", () => {
    const host = mount();
    type(control("name"), "Ada Lovelace");
    type(control("staff"), "42");
    type(control("founded"), "1999-12-31");
    type(control("email"), "ada@example.com");
    click(root.querySelector<HTMLElement>('[data-field="entity"] input[value="AG"]')!);
    choose(control("country"), "CH");
    click(root.querySelector<HTMLElement>('[data-field="services"] input[value="Audit"]')!);
    click(root.querySelector<HTMLElement>('[data-field="services"] input[value="Tax"]')!);
    click(control("terms"));
    choose(control("register"), FILES[0]!.id);
    expect(host.changes.map((change) => change.key)).toEqual(["name", "staff", "founded", "email", "entity", "country", "services", "services", "terms", "register"]);
    expect(host.current()).toEqual({
      name: "Ada Lovelace",
      staff: 42,
      founded: "1999-12-31",
      email: "ada@example.com",
      entity: "AG",
      country: "CH",
      services: ["Tax", "Audit"],
      terms: true,
      register: FILES[0]!.id,
    });
    // Clearing answers leaves them out of what is sent.
    type(control("name"), "");
    click(control("terms"));
    click(root.querySelector<HTMLElement>('[data-field="services"] input[value="Tax"]')!);
    const sent = cleanAnswers(host.current());
    expect(sent.name).toBeUndefined();
    expect(sent.terms).toBeUndefined();
    expect(sent.services).toEqual(["Audit"]);
  });

  it("shows saved values in the controls", () => {
    mount({ initial: { name: "Grace", staff: 7, services: ["Payroll"], terms: true, entity: "GmbH" } });
    expect((control("name") as HTMLInputElement).value).toBe("Grace");
    expect((control("staff") as HTMLInputElement).value).toBe("7");
    expect((root.querySelector('[data-field="services"] input[value="Payroll"]') as HTMLInputElement).checked).toBe(true);
    expect((control("terms") as HTMLInputElement).checked).toBe(true);
    expect((control("entity") as HTMLInputElement).checked).toBe(true);
  });

  it("puts the server's field errors next to the right controls with aria-invalid", () => {
    mount({
      errors: {
        "answers.name": "is required",
        "answers.staff": "must be at most 5000",
        "answers.services": "choose at most 2",
        "answers.terms": "must be checked",
      },
    });
    const errorOf = (element: Element) =>
      (element.getAttribute("aria-describedby") ?? "")
        .split(" ")
        .map((id) => document.getElementById(id))
        .find((node) => node?.classList.contains("field-error"))?.textContent;
    expect(control("name").getAttribute("aria-invalid")).toBe("true");
    expect(errorOf(control("name"))).toBe("is required");
    expect(root.querySelector('[data-field="name"] .field-error')?.textContent).toBe("is required");
    expect(errorOf(control("staff"))).toBe("must be at most 5000");
    expect(control("terms").getAttribute("aria-invalid")).toBe("true");
    expect(errorOf(control("terms"))).toBe("must be checked");
    const services = root.querySelector('[data-field="services"]')!;
    expect(errorOf(services)).toBe("choose at most 2");
    for (const box of services.querySelectorAll("input")) expect(box.getAttribute("aria-invalid")).toBe("true");
    // Fields without a problem stay valid and carry no error.
    expect(control("email").hasAttribute("aria-invalid")).toBe(false);
    expect(root.querySelector('[data-field="email"] .field-error')).toBeNull();
    expect(root.querySelectorAll(".field-error")).toHaveLength(4);
  });
});

describe("helpers", () => {
  it("maps the API's answer paths to field keys", () => {
    expect(answerErrors({ "answers.name": "is required", version: "changed" })).toEqual({ name: "is required", version: "changed" });
  });

  it("parses numbers but keeps what is not one for the server to name", () => {
    expect(parseNumber("")).toBeUndefined();
    expect(parseNumber("42")).toBe(42);
    expect(parseNumber("-10.5")).toBe(-10.5);
    expect(parseNumber("1,000")).toBe(1000);
    expect(parseNumber("many")).toBe("many");
  });

  it("shows submitted answers read-only", () => {
    act(() =>
      render(
        <AnswersView fields={FIELDS} answers={{ name: "Ada", terms: true, services: ["Tax", "Audit"], register: FILES[0]!.id, founded: "1999-12-31" }} files={FILES} />,
        root,
      ),
    );
    const text = root.textContent ?? "";
    expect(text).toContain("Ada");
    expect(text).toContain("Tax, Audit");
    expect(text).toContain("register.pdf");
    expect(text).toContain("Not answered");
    expect(root.querySelector("time")?.getAttribute("datetime")).toBe("1999-12-31");
    expect(root.querySelectorAll("input")).toHaveLength(0);
  });
});
