// The firm's branding (firm admins): name, colours, support address and logo, with a live
// preview and the contrast of white text on each colour computed in the browser. The server's
// 400 stays the authority (it names the field and the ratio found). A save applies at once to
// the running app: applyBranding sets the CSS variables and tells the shell's top bar.
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { api, ApiError, call, type Schemas } from "../../api/client";
import { announce } from "../../lib/announce";
import { applyBranding } from "../../lib/branding";
import { sha256Base64 } from "../../lib/checksum";
import { putWithProgress, type Progress } from "../../lib/upload";
import { AA_NORMAL_TEXT, formatRatio, parseHex, passesAA, whiteTextOn } from "../../lib/contrast";
import { messageOf, problemFor } from "../../lib/problems";
import { FirmAdminsOnly } from "../../components/NotAllowed";
import { Async, Badge, Button, Card, Form, Page, TextField, useAsync, useSubmit } from "../../components/ui";

type BrandingData = Schemas["Branding"];

const LOGO_TYPES = ["image/png", "image/jpeg", "image/webp"];
const MAX_LOGO_BYTES = 512 * 1024;

export function Branding() {
  return (
    <FirmAdminsOnly title="Branding" refusal="Only the firm's admins can change the branding. Ask an admin if the portal's name, colours or logo need to change.">
      <BrandingPage />
    </FirmAdminsOnly>
  );
}

function BrandingPage() {
  const state = useAsync(() => call(api.GET("/api/branding")), []);
  return (
    <Page title="Branding" subtitle="How the portal looks to your clients and your staff: the firm's name, colours, logo and support address. Emails the portal sends use the same branding.">
      <Async state={state} label="Loading the branding…">
        {(data) => <BrandingEditor key={`${data.version}`} initial={data} reload={state.reload} />}
      </Async>
    </Page>
  );
}

function BrandingEditor(props: { initial: BrandingData; reload: () => void }) {
  // What is stored (its version moves on with every save and logo change)…
  const [stored, setStored] = useState<BrandingData>(props.initial);
  // …and what the form holds.
  const [firmName, setFirmName] = useState(props.initial.firm_name);
  const [primary, setPrimary] = useState(props.initial.primary_colour);
  const [accent, setAccent] = useState(props.initial.accent_colour);
  const [supportEmail, setSupportEmail] = useState(props.initial.support_email ?? "");
  const [saved, setSaved] = useState(false);

  const onStored = (view: BrandingData) => {
    setStored(view);
    applyBranding(view);
  };

  const { submit, busy, error } = useSubmit(async () => {
    setSaved(false);
    const view = await call(
      api.PUT("/api/branding", {
        body: {
          firm_name: firmName.trim(),
          primary_colour: primary.trim().toLowerCase(),
          accent_colour: accent.trim().toLowerCase(),
          support_email: supportEmail.trim() || null,
          version: stored.version,
        },
      }),
    );
    onStored(view);
    setFirmName(view.firm_name);
    setPrimary(view.primary_colour);
    setAccent(view.accent_colour);
    setSupportEmail(view.support_email ?? "");
    setSaved(true);
    announce("Branding saved.");
  });

  const labels: Record<string, string> = { firm_name: "Firm name", primary_colour: "Primary colour", accent_colour: "Accent colour", support_email: "Support email" };
  const aboutFields = error instanceof ApiError && Object.entries(labels).some(([field, label]) => problemFor(error, field, label));
  const conflict = error instanceof ApiError && error.status === 409;

  return (
    <div class="branding-layout">
      <Card title="Name, colours and support address">
        <Form onSubmit={() => void submit()} label="Branding">
          {error && !aboutFields && (
            <div class="error-box" role="alert">
              <p>{messageOf(error)}</p>
              {conflict && (
                <Button kind="secondary" onClick={props.reload}>
                  Reload the branding
                </Button>
              )}
            </div>
          )}
          <TextField label="Firm name" name="firm_name" value={firmName} onValue={setFirmName} required maxLength={120} autoComplete="organization" error={problemFor(error, "firm_name", labels.firm_name as string)} hint="Shown in the top bar, the sign-in page, page titles and email subjects." />
          <ColourField label="Primary colour" name="primary_colour" value={primary} onValue={setPrimary} error={problemFor(error, "primary_colour", labels.primary_colour as string)} hint="Buttons, links and the top rule; white text sits on it." />
          <ColourField label="Accent colour" name="accent_colour" value={accent} onValue={setAccent} error={problemFor(error, "accent_colour", labels.accent_colour as string)} hint="Secondary highlights; white text sits on it too." />
          <TextField label="Support email" name="support_email" type="email" value={supportEmail} onValue={setSupportEmail} autoComplete="email" error={problemFor(error, "support_email", labels.support_email as string)} hint="Shown at the foot of the portal and of every email. Leave empty to show none." />
          <div class="actions">
            <Button type="submit" busy={busy}>
              Save the branding
            </Button>
          </div>
          {saved && !error && (
            <p class="notice good" role="status">
              Branding saved. The portal uses it now; emails use it from the next one sent.
            </p>
          )}
        </Form>
      </Card>
      <div class="branding-side">
        <Preview firmName={firmName} primary={primary} accent={accent} supportEmail={supportEmail} />
        <Logo stored={stored} onStored={onStored} reload={props.reload} />
      </div>
    </div>
  );
}

/** A colour as a hex text field and a colour picker, kept in sync, with white text's contrast on it. */
function ColourField(props: { label: string; name: string; value: string; onValue: (value: string) => void; error?: string; hint: string }) {
  const id = useId();
  const parsed = parseHex(props.value);
  // The picker needs a valid colour: the last valid one while the text is being typed.
  const lastValid = useRef(parsed ? props.value.trim().toLowerCase() : "#000000");
  if (parsed) lastValid.current = props.value.trim().toLowerCase();
  const ratio = whiteTextOn(props.value);
  const describedBy = [`${id}-hint`, `${id}-contrast`, props.error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <fieldset class={`field colour-field ${props.error ? "invalid" : ""}`}>
      <legend>{props.label}</legend>
      <p class="hint" id={`${id}-hint`}>
        {props.hint}
      </p>
      <div class="colour-inputs">
        <div>
          <label for={`${id}-hex`}>{props.label} (hex, #rrggbb)</label>
          <input
            id={`${id}-hex`}
            name={props.name}
            type="text"
            value={props.value}
            maxLength={7}
            spellcheck={false}
            autoComplete="off"
            pattern="#[0-9a-fA-F]{6}"
            required
            onInput={(event) => props.onValue((event.currentTarget as HTMLInputElement).value)}
            aria-invalid={props.error || !parsed ? true : undefined}
            aria-describedby={describedBy}
          />
        </div>
        <div>
          <label for={`${id}-picker`}>{props.label} picker</label>
          <input id={`${id}-picker`} type="color" value={lastValid.current} onInput={(event) => props.onValue((event.currentTarget as HTMLInputElement).value)} aria-describedby={describedBy} />
        </div>
      </div>
      <p class="contrast-line" id={`${id}-contrast`} aria-live="polite">
        {ratio === undefined ? (
          <span class="muted">Write the colour as # and six hexadecimal digits, for example #1d4ed8.</span>
        ) : (
          <>
            <span>
              White text contrast: <strong>{formatRatio(ratio)}:1</strong>
            </span>{" "}
            {passesAA(ratio) ? <Badge tone="good">Passes AA ({AA_NORMAL_TEXT}:1)</Badge> : <Badge tone="bad">Too low for white text</Badge>}
          </>
        )}
      </p>
      {props.error && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {props.error}
        </p>
      )}
    </fieldset>
  );
}

/** The chosen colours on a header and buttons, as the portal and emails will show them. */
function Preview(props: { firmName: string; primary: string; accent: string; supportEmail: string }) {
  const box = useRef<HTMLDivElement>(null);
  // Custom properties set from script (the CSP forbids style attributes in markup); a colour
  // being typed keeps the last valid one.
  useEffect(() => {
    const style = box.current?.style;
    if (!style) return;
    if (parseHex(props.primary)) style.setProperty("--brand", props.primary.trim());
    if (parseHex(props.accent)) style.setProperty("--accent", props.accent.trim());
  }, [props.primary, props.accent]);
  const name = props.firmName.trim() || "Your firm";
  return (
    <Card title="Live preview">
      <p class="hint">Not saved yet: this shows the colours in the form above.</p>
      <div class="brand-preview" ref={box}>
        <div class="preview-header">{name}</div>
        <div class="preview-body">
          <p>
            A page in the portal, with <a href="#preview" onClick={(event) => event.preventDefault()}>a link</a> in the primary colour.
          </p>
          <div class="row">
            <span class="button preview-button" aria-hidden="true">
              Primary button
            </span>
            <span class="button accent preview-button" aria-hidden="true">
              Accent button
            </span>
          </div>
          <p class="visually-hidden">A primary button and an accent button with white text.</p>
          {props.supportEmail.trim() && <p class="muted preview-foot">Need help? {props.supportEmail.trim()}</p>}
        </div>
      </div>
    </Card>
  );
}

function Logo(props: { stored: BrandingData; onStored: (view: BrandingData) => void; reload: () => void }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File>();
  const [problem, setProblem] = useState<string>();
  const [progress, setProgress] = useState<Progress>();
  const [stage, setStage] = useState<string>();

  const upload = useSubmit(async () => {
    if (!file) {
      setProblem("Choose an image first.");
      return;
    }
    setProblem(undefined);
    setStage("Checking the file…");
    const sha256 = await sha256Base64(file);
    setStage("Preparing the upload…");
    const started = await call(api.POST("/api/branding/logo", { body: { content_type: file.type as "image/png" | "image/jpeg" | "image/webp", size: file.size, sha256 } }));
    setStage("Uploading…");
    await putWithProgress(started.upload.url, started.upload.headers, file, setProgress, { method: started.upload.method });
    setStage("Saving…");
    const view = await call(api.POST("/api/branding/logo/confirm", { body: { key: started.key, version: props.stored.version } }));
    props.onStored(view);
    setFile(undefined);
    setProgress(undefined);
    if (input.current) input.current.value = "";
    announce("Logo uploaded.");
  });

  const remove = useSubmit(async () => {
    const { stored } = props;
    const view = await call(
      api.PUT("/api/branding", {
        body: {
          firm_name: stored.firm_name,
          primary_colour: stored.primary_colour,
          accent_colour: stored.accent_colour,
          support_email: stored.support_email,
          remove_logo: true,
          version: stored.version,
        },
      }),
    );
    props.onStored(view);
    announce("Logo removed.");
  });

  const choose = (chosen: File | undefined) => {
    upload.setError(undefined);
    setProgress(undefined);
    if (!chosen) {
      setFile(undefined);
      setProblem(undefined);
      return;
    }
    if (!LOGO_TYPES.includes(chosen.type)) {
      setFile(undefined);
      setProblem(`“${chosen.name}” is not a PNG, JPEG or WebP image. Choose one of those (SVG is not accepted).`);
      return;
    }
    if (chosen.size > MAX_LOGO_BYTES) {
      setFile(undefined);
      setProblem(`“${chosen.name}” is ${Math.ceil(chosen.size / 1024)} KB; a logo may be at most 512 KB.`);
      return;
    }
    if (chosen.size === 0) {
      setFile(undefined);
      setProblem(`“${chosen.name}” is empty.`);
      return;
    }
    setProblem(undefined);
    setFile(chosen);
  };

  const uploadError = upload.error ? messageOf(upload.error) : undefined;
  const fileError = problem ?? uploadError;
  const conflict = upload.error instanceof ApiError && upload.error.status === 409 && /version/.test(upload.error.message);
  const removeConflict = remove.error instanceof ApiError && remove.error.status === 409;
  const describedBy = [`${id}-hint`, fileError ? `${id}-error` : ""].filter(Boolean).join(" ");

  return (
    <Card title="Logo">
      <div class="logo-current">
        {props.stored.logo_url ? (
          <img src={props.stored.logo_url} alt="Current logo" class="logo-image" />
        ) : (
          <p class="muted">No logo: the portal and emails show the firm's name instead.</p>
        )}
      </div>
      <Form onSubmit={() => void upload.submit()} label="Upload a logo">
        <div class={`field ${fileError ? "invalid" : ""}`}>
          <label for={id}>Logo (PNG, JPEG or WebP, up to 512 KB)</label>
          <p class="hint" id={`${id}-hint`}>
            Shown in the top bar, on the sign-in page and at the top of every email. A wide image about 64 px high looks best. SVG is not accepted.
          </p>
          <input
            ref={input}
            id={id}
            type="file"
            name="logo"
            accept=".png,.jpg,.jpeg,.webp,image/png,image/jpeg,image/webp"
            onChange={(event) => choose((event.currentTarget as HTMLInputElement).files?.[0])}
            aria-invalid={fileError ? true : undefined}
            aria-describedby={describedBy}
          />
          {fileError && (
            <div class="field-error" id={`${id}-error`} role="alert">
              <p>{fileError}</p>
              {conflict && (
                <Button kind="secondary" onClick={props.reload}>
                  Reload the branding
                </Button>
              )}
            </div>
          )}
        </div>
        {upload.busy && (
          <div class="progress-line" role="status">
            <label for={`${id}-progress`}>{stage}</label>
            <progress id={`${id}-progress`} max={100} value={progress?.percent ?? 0} />
            <span class="percent">{progress?.percent ?? 0}%</span>
          </div>
        )}
        <div class="actions">
          <Button type="submit" busy={upload.busy}>
            Upload the logo
          </Button>
          {props.stored.logo_url && (
            <Button kind="secondary" busy={remove.busy} onClick={() => void remove.submit()}>
              Remove logo
            </Button>
          )}
        </div>
      </Form>
      {remove.error && (
        <div class="error-box" role="alert">
          <p>{messageOf(remove.error)}</p>
          {removeConflict && (
            <Button kind="secondary" onClick={props.reload}>
              Reload the branding
            </Button>
          )}
        </div>
      )}
    </Card>
  );
}
