// The audit trail: every change and audited read in the organisation's workspace, in order,
// a page at a time, and its export (JSON Lines, hash-chained, checkable offline with
// `audit-verify`). Contacts see it only if they are their organisation's admins.
import { useState } from "preact/hooks";
import { api, call, type Schemas } from "../../api/client";
import { announce } from "../../lib/announce";
import { formatDateTime, today } from "../../lib/format";
import { hasRole, useMe, useScope } from "../../state";
import { Async, Button, Card, Empty, ErrorMessage, Form, Page, TextField, useAsync, useSubmit } from "../../components/ui";
import { saveFile } from "./approvals";

export type AuditEntry = Schemas["AuditEntry"];

const PAGE_SIZE = 50;

/** `approval.signed` → "Approval signed". */
export function describeAction(action: string): string {
  const text = action.replace(/[._]/g, " ").trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function describeActor(entry: AuditEntry): string {
  if (entry.actor === "system") return "The portal (automatic)";
  const [kind] = entry.actor.split(":");
  const who = kind === "staff" ? "The firm" : kind === "client" ? "Your organisation" : entry.actor;
  return entry.role ? `${who} (${entry.role})` : who;
}

export function Activity() {
  const me = useMe();
  const scope = useScope();
  if (!scope.clientId && !hasRole(me, "admin")) {
    return (
      <Page title="Activity">
        <p class="notice">Only your organisation’s admins can see its activity and download the audit export. Ask one of them if you need it.</p>
      </Page>
    );
  }
  return (
    <Page title="Activity" subtitle="Everything done in your portal, in order: who did what, when and from where.">
      <AuditTrail clientId={scope.clientId} fileLabel={me.client?.slug ?? scope.clientName ?? "client"} />
    </Page>
  );
}

/**
 * The trail, page by page, with filters and the export. Used by the client and staff screens:
 * a client's own trail (no `clientId`), one client's for the firm, or the firm's own (`firm`:
 * branding, staff and settings changes, which takes no filters).
 */
export function AuditTrail(props: { clientId?: string; firm?: boolean; fileLabel: string }) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [filter, setFilter] = useState({ action: "", target: "" });
  const [draft, setDraft] = useState({ action: "", target: "" });
  const cursor = cursors[cursors.length - 1];
  const state = useAsync(() => {
    const query = { limit: PAGE_SIZE, cursor, action: filter.action || undefined, target: filter.target || undefined };
    if (props.firm) return call(api.GET("/api/firm/audit", { params: { query: { limit: PAGE_SIZE, cursor } } }));
    return props.clientId ? call(api.GET("/api/clients/{id}/audit", { params: { path: { id: props.clientId }, query } })) : call(api.GET("/api/audit", { params: { query } }));
  }, [props.clientId, props.firm, cursor, filter.action, filter.target]);
  const page = cursors.length;
  return (
    <div class="stack">
      <AuditExport clientId={props.clientId} firm={props.firm} fileLabel={props.fileLabel} />
      <Card title="Entries">
        {!props.firm && (
        <Form
          class="row filters"
          label="Filter the activity"
          onSubmit={() => {
            setFilter({ action: draft.action.trim(), target: draft.target.trim() });
            setCursors([undefined]);
          }}
        >
          <TextField name="action" label="Action" hint="Exactly, e.g. approval.signed" value={draft.action} onValue={(action) => setDraft({ ...draft, action })} />
          <TextField name="target" label="Record" hint="Starting with, e.g. approval/" value={draft.target} onValue={(target) => setDraft({ ...draft, target })} />
          <div class="actions">
            <Button type="submit" kind="secondary">
              Filter
            </Button>
            {(filter.action || filter.target) && (
              <Button
                kind="link"
                onClick={() => {
                  setDraft({ action: "", target: "" });
                  setFilter({ action: "", target: "" });
                  setCursors([undefined]);
                }}
              >
                Show everything
              </Button>
            )}
          </div>
        </Form>
        )}
        <Async state={state} label="Loading the activity…">
          {(answer) => (
            <>
              {answer.entries.length === 0 ? (
                <Empty>{filter.action || filter.target ? "Nothing matches this filter." : "Nothing has happened yet."}</Empty>
              ) : (
                <div class="table-wrap">
                  <table>
                    <caption>
                      Activity, page {page}
                      {state.loading ? " (loading…)" : ""}
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">#</th>
                        <th scope="col">When</th>
                        <th scope="col">Who</th>
                        <th scope="col">What</th>
                        <th scope="col">Record</th>
                        <th scope="col">From</th>
                      </tr>
                    </thead>
                    <tbody>
                      {answer.entries.map((entry) => (
                        <tr key={entry.id}>
                          <td>{entry.seq}</td>
                          <td>
                            <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
                          </td>
                          <td>{describeActor(entry)}</td>
                          <td>
                            {describeAction(entry.action)}
                            <span class="muted"> ({entry.action})</span>
                          </td>
                          <td class="break">{entry.target}</td>
                          <td class="muted">{entry.ip}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              <nav class="actions pager" aria-label="Activity pages">
                <Button kind="secondary" disabled={page === 1 || state.loading} onClick={() => setCursors(cursors.slice(0, -1))}>
                  Previous page
                </Button>
                <span class="muted">Page {page}</span>
                <Button kind="secondary" disabled={!answer.next_cursor || state.loading} onClick={() => answer.next_cursor && setCursors([...cursors, answer.next_cursor])}>
                  Next page
                </Button>
              </nav>
            </>
          )}
        </Async>
      </Card>
    </div>
  );
}

/** Reads every part of the export (5,000 entries each, `x-next-after` says where the next starts) and saves one file. */
export function AuditExport(props: { clientId?: string; firm?: boolean; fileLabel: string }) {
  const [count, setCount] = useState<number>();
  const { submit, busy, error } = useSubmit(async () => {
    let text = "";
    let after: number | undefined;
    for (let part = 0; part < 1000; part++) {
      let next: string | null = null;
      const query = { after };
      const pending = props.firm
        ? api.GET("/api/firm/audit/export", { params: { query }, parseAs: "text" })
        : props.clientId
          ? api.GET("/api/clients/{id}/audit/export", { params: { path: { id: props.clientId }, query }, parseAs: "text" })
          : api.GET("/api/audit/export", { params: { query }, parseAs: "text" });
      const chunk = await call(
        pending.then((answer) => {
          next = answer.response.headers.get("x-next-after");
          return answer;
        }),
      );
      text += chunk;
      if (!next) break;
      after = Number(next);
    }
    const lines = text.split("\n").filter(Boolean).length;
    saveFile(text, `audit-trail-${props.fileLabel}-${today()}.jsonl`, "application/x-ndjson");
    setCount(lines);
    announce(`The audit export was downloaded: ${lines} entries.`);
  });
  return (
    <Card title="Audit export" class="stack">
      <p>
        The export holds every entry with its position and hashes, one JSON object a line, so anyone can check offline that nothing was changed or left out. Downloading it is itself recorded.
      </p>
      <div class="actions">
        <Button busy={busy} onClick={() => void submit()}>
          Download the audit export
        </Button>
      </div>
      {count !== undefined && !busy && <p class="muted" role="status">Downloaded {count} entries.</p>}
      <ErrorMessage error={error} />
    </Card>
  );
}
