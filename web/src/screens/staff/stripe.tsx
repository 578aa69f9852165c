// The firm's Stripe account (firm admins): whether it is connected and to which account, the
// keys by their last four characters only, the webhook endpoint to add in Stripe, a form to
// connect or replace the keys (secrets are password inputs, never prefilled: the API never
// returns them), bank debit on or off, and disconnecting. The keys are checked here for their
// shape; the API checks them with Stripe (502 when Stripe refuses).
import { useId, useState } from "preact/hooks";
import { api, ApiError, call, type Schemas } from "../../api/client";
import { announce } from "../../lib/announce";
import { formatDateTime, person } from "../../lib/format";
import { messageOf, problemFor } from "../../lib/problems";
import { FirmAdminsOnly } from "../../components/NotAllowed";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Async, Badge, Button, Card, Checkbox, ErrorMessage, Form, Page, TextField, useAsync, useSubmit } from "../../components/ui";

type StripeSettings = Schemas["StripeSettings"];

export interface StripeKeys {
  secret_key: string;
  webhook_secret: string;
  publishable_key: string;
}

const LABELS: Record<keyof StripeKeys, string> = {
  secret_key: "Secret key",
  webhook_secret: "Webhook signing secret",
  publishable_key: "Publishable key",
};

/** "test" or "live" from a key's prefix (sk_test_…, rk_live_…, pk_test_…), if it has one. */
export function keyMode(key: string): "test" | "live" | undefined {
  const match = /^(?:sk|rk|pk)_(test|live)_/.exec(key.trim());
  return match?.[1] as "test" | "live" | undefined;
}

/** The problems with the keys as typed, by the API's field names (none: they may be sent). */
export function stripeKeyProblems(keys: StripeKeys): Partial<Record<keyof StripeKeys, string>> {
  const problems: Partial<Record<keyof StripeKeys, string>> = {};
  const secret = keys.secret_key.trim();
  const webhook = keys.webhook_secret.trim();
  const publishable = keys.publishable_key.trim();
  if (!secret) problems.secret_key = "Paste the secret key.";
  else if (!/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/.test(secret)) problems.secret_key = "The secret key starts with sk_test_, sk_live_, rk_test_ or rk_live_, then letters, digits and underscores.";
  else if (secret.length > 255) problems.secret_key = "The secret key is at most 255 characters.";
  if (!webhook) problems.webhook_secret = "Paste the webhook signing secret.";
  else if (!/^whsec_[A-Za-z0-9_]+$/.test(webhook)) problems.webhook_secret = "The webhook signing secret starts with whsec_, then letters, digits and underscores.";
  else if (webhook.length > 255) problems.webhook_secret = "The webhook signing secret is at most 255 characters.";
  if (!publishable) problems.publishable_key = "Paste the publishable key.";
  else if (!/^pk_(test|live)_[A-Za-z0-9_]+$/.test(publishable)) problems.publishable_key = "The publishable key starts with pk_test_ or pk_live_, then letters, digits and underscores.";
  else if (publishable.length > 255) problems.publishable_key = "The publishable key is at most 255 characters.";
  if (!problems.secret_key && !problems.publishable_key && keyMode(secret) !== keyMode(publishable)) {
    problems.publishable_key = `The publishable key is a ${keyMode(publishable)} key but the secret key is a ${keyMode(secret)} key; use both keys of the same mode.`;
  }
  return problems;
}

export function StripeSettingsScreen() {
  return (
    <FirmAdminsOnly title="Stripe payments" refusal="Only the firm's admins can connect Stripe. Ask an admin if clients should be able to pay invoices in the portal.">
      <StripePage />
    </FirmAdminsOnly>
  );
}

function StripePage() {
  const state = useAsync(() => call(api.GET("/api/firm/stripe")), []);
  return (
    <Page title="Stripe payments" subtitle="Clients pay their invoices in the portal by card (and by bank debit if you turn it on), into the firm's own Stripe account. Stripe's fees are the firm's; the portal adds none.">
      <Async state={state} label="Loading the Stripe connection…">
        {(settings) => <StripeEditor initial={settings} />}
      </Async>
    </Page>
  );
}

function StripeEditor(props: { initial: StripeSettings }) {
  const [settings, setSettings] = useState(props.initial);
  const [replacing, setReplacing] = useState(!props.initial.connected);
  const [confirmDisconnect, setConfirmDisconnect] = useState(false);
  const disconnect = useSubmit(async () => {
    await call(api.DELETE("/api/firm/stripe"));
    const after = await call(api.GET("/api/firm/stripe"));
    setSettings(after);
    setConfirmDisconnect(false);
    setReplacing(true);
    announce("Stripe is disconnected. Clients can no longer pay invoices in the portal.");
  });
  return (
    <>
      <Card title="Connection">
        {settings.connected ? <Connected settings={settings} /> : <p>Not connected: invoices can be paid only outside the portal (or through a payment link on the invoice).</p>}
        {settings.connected && (
          <div class="actions">
            {!replacing && (
              <Button kind="secondary" onClick={() => setReplacing(true)}>
                Replace the keys
              </Button>
            )}
            <Button kind="danger" onClick={() => setConfirmDisconnect(true)}>
              Disconnect Stripe
            </Button>
          </div>
        )}
      </Card>
      <Card title="Webhook endpoint">
        <WebhookUrl url={settings.webhook_url} />
      </Card>
      {replacing && (
        <Card title={settings.connected ? "Replace the keys" : "Connect Stripe"}>
          <KeysForm
            settings={settings}
            onSaved={(saved) => {
              setSettings(saved);
              setReplacing(false);
            }}
            onCancel={settings.connected ? () => setReplacing(false) : undefined}
          />
        </Card>
      )}
      <ConfirmDialog
        open={confirmDisconnect}
        title="Disconnect Stripe?"
        confirm="Disconnect Stripe"
        cancel="Keep it connected"
        busy={disconnect.busy}
        onConfirm={() => void disconnect.submit()}
        onClose={() => setConfirmDisconnect(false)}
      >
        <p>Clients will no longer be able to pay invoices in the portal, and the stored keys are deleted. Payments already recorded stay. You can connect again at any time.</p>
        <ErrorMessage error={disconnect.error} />
      </ConfirmDialog>
    </>
  );
}

function Connected(props: { settings: StripeSettings }) {
  const { settings } = props;
  const mode = keyMode(settings.publishable_key ?? "");
  return (
    <dl class="kv">
      <dt>Status</dt>
      <dd>
        <Badge tone="good">Connected</Badge> {mode === "test" && <Badge tone="warn">Test mode</Badge>}
        {mode === "live" && <Badge tone="info">Live</Badge>}
      </dd>
      <dt>Account</dt>
      <dd>
        {settings.account_name ?? "(no name in Stripe)"}
        {settings.account_id && <span class="muted"> · {settings.account_id}</span>}
      </dd>
      <dt>Secret key</dt>
      <dd>{lastFour(settings.secret_key_last4)}</dd>
      <dt>Webhook signing secret</dt>
      <dd>{lastFour(settings.webhook_secret_last4)}</dd>
      <dt>Publishable key</dt>
      <dd>{settings.publishable_key ? lastFour(settings.publishable_key.slice(-4)) : "–"}</dd>
      <dt>Bank debit (SEPA)</dt>
      <dd>{settings.bank_debit ? "Offered next to card payments" : "Off: card payments only"}</dd>
      {settings.updated_at && (
        <>
          <dt>Last changed</dt>
          <dd>
            {formatDateTime(settings.updated_at)}
            {person(settings.updated_by) ? ` by ${person(settings.updated_by)}` : ""}
          </dd>
        </>
      )}
    </dl>
  );
}

function lastFour(last4: string | null) {
  if (!last4) return "–";
  return (
    <>
      <span aria-hidden="true">••••</span>
      <span class="visually-hidden">ending in </span>
      <code>{last4}</code>
    </>
  );
}

function WebhookUrl(props: { url: string }) {
  const id = useId();
  const [copied, setCopied] = useState<string>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.url);
      setCopied("Copied.");
      announce("Webhook URL copied.");
    } catch {
      setCopied("Could not copy: select the address and copy it yourself.");
    }
  };
  return (
    <>
      <p>In Stripe's dashboard (Developers → Webhooks), add an endpoint with this address, for these events:</p>
      <ul class="events">
        <li>
          <code>payment_intent.succeeded</code>
        </li>
        <li>
          <code>payment_intent.payment_failed</code>
        </li>
        <li>
          <code>payment_intent.canceled</code>
        </li>
        <li>
          <code>charge.refunded</code>
        </li>
      </ul>
      <p>
        Stripe then shows the endpoint's signing secret (<code>whsec_…</code>): paste it with the keys.
      </p>
      <div class="row copy-row">
        <div class="field">
          <label for={id}>Webhook endpoint URL</label>
          <input id={id} name="webhook_url" type="text" value={props.url} readOnly spellcheck={false} onFocus={(event) => (event.currentTarget as HTMLInputElement).select()} />
        </div>
        <Button kind="secondary" onClick={() => void copy()}>
          Copy the URL
        </Button>
      </div>
      {copied && (
        <p class="hint" role="status">
          {copied}
        </p>
      )}
    </>
  );
}

function KeysForm(props: { settings: StripeSettings; onSaved: (settings: StripeSettings) => void; onCancel?: () => void }) {
  const [keys, setKeys] = useState<StripeKeys>({ secret_key: "", webhook_secret: "", publishable_key: "" });
  const [bankDebit, setBankDebit] = useState(props.settings.bank_debit);
  const [local, setLocal] = useState<Partial<Record<keyof StripeKeys, string>>>({});
  const set = (field: keyof StripeKeys) => (value: string) => setKeys((previous) => ({ ...previous, [field]: value }));
  const { submit, busy, error } = useSubmit(async () => {
    const problems = stripeKeyProblems(keys);
    setLocal(problems);
    if (Object.keys(problems).length) return;
    const saved = await call(
      api.PUT("/api/firm/stripe", {
        body: { secret_key: keys.secret_key.trim(), webhook_secret: keys.webhook_secret.trim(), publishable_key: keys.publishable_key.trim(), bank_debit: bankDebit },
      }),
    );
    setKeys({ secret_key: "", webhook_secret: "", publishable_key: "" });
    announce(`Stripe is connected to ${saved.account_name ?? "the account"}.`);
    props.onSaved(saved);
  });
  const problem = (field: keyof StripeKeys) => local[field] ?? problemFor(error, field, LABELS[field]);
  const aboutField = (Object.keys(LABELS) as (keyof StripeKeys)[]).some((field) => problemFor(error, field, LABELS[field]));
  const stripeRefused = error instanceof ApiError && error.status === 502;
  return (
    <Form onSubmit={() => void submit()} label={props.settings.connected ? "Replace the Stripe keys" : "Connect Stripe"}>
      <p class="hint">
        From Stripe's dashboard, Developers → API keys. A restricted key (<code>rk_…</code>) needs write access to PaymentIntents, SetupIntents and Customers. The secrets are stored encrypted and never shown again{props.settings.connected ? "; enter all three to replace them or to turn bank debit on or off. The previous webhook signing secret keeps working until the next change, so events Stripe signed before the rotation still land" : ""}.
      </p>
      {error && !aboutField && (
        <div class="error-box" role="alert">
          <p>{stripeRefused ? `Stripe did not accept the keys: ${messageOf(error)}` : messageOf(error)}</p>
        </div>
      )}
      <TextField label={LABELS.secret_key} name="secret_key" type="password" autoComplete="off" value={keys.secret_key} onValue={set("secret_key")} required maxLength={255} hint="sk_live_…, sk_test_… or a restricted key rk_…" error={problem("secret_key")} />
      <TextField label={LABELS.webhook_secret} name="webhook_secret" type="password" autoComplete="off" value={keys.webhook_secret} onValue={set("webhook_secret")} required maxLength={255} hint="whsec_…, shown by Stripe for the endpoint above." error={problem("webhook_secret")} />
      <TextField label={LABELS.publishable_key} name="publishable_key" autoComplete="off" value={keys.publishable_key} onValue={set("publishable_key")} required maxLength={255} hint="pk_live_… or pk_test_…; the browser uses it to show the card form." error={problem("publishable_key")} />
      <Checkbox label="Offer bank debit (SEPA) next to card payments" name="bank_debit" checked={bankDebit} onChecked={setBankDebit} hint="Bank debits take a few working days to clear; the invoice shows paid once the money arrives." />
      <div class="actions">
        <Button type="submit" busy={busy}>
          {props.settings.connected ? "Save the new keys" : "Connect Stripe"}
        </Button>
        {props.onCancel && (
          <Button kind="link" onClick={props.onCancel}>
            Cancel
          </Button>
        )}
      </div>
    </Form>
  );
}
