// The client's documents: what the firm shared with them and what they uploaded, each with its
// versions; downloads open the short-lived link the API answers. Contacts who can act upload
// documents of their own here. The firm's documents tab reuses the loader, the tables and the facts.
import { useState } from "preact/hooks";
import { api, call, type Schemas } from "../../api/client";
import { Upload } from "../../components/Upload";
import { announce } from "../../lib/announce";
import { formatDate, formatDateTime, formatSize } from "../../lib/format";
import { canAct, link, useMe, useScope, type Me } from "../../state";
import { Async, Badge, Button, Card, Empty, ErrorMessage, Page, TextField, useAsync } from "../../components/ui";

export type Document = Schemas["Document"];
export type DocumentDetail = Schemas["DocumentDetail"];
export type Version = Schemas["Version"];
type Download = Schemas["Download"];

/** Every page of a cursor-paged list (the lists are small; at most a few pages). */
export async function allPages<T>(load: (cursor?: string) => Promise<{ items: T[]; next_cursor?: string | null }>, maxPages = 10): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page += 1) {
    const answer = await load(cursor);
    items.push(...answer.items);
    if (!answer.next_cursor) break;
    cursor = answer.next_cursor;
  }
  return items;
}

/** Every document of a client: the contact's own organisation's, or (with `clientId`, for the firm) that client's. */
export function loadDocuments(clientId?: string): Promise<Document[]> {
  return allPages(async (cursor) => {
    const query = { limit: 100, ...(cursor ? { cursor } : {}) };
    const answer = clientId
      ? await call(api.GET("/api/clients/{id}/documents", { params: { path: { id: clientId }, query } }))
      : await call(api.GET("/api/documents", { params: { query } }));
    return { items: answer.documents, next_cursor: answer.next_cursor };
  });
}

/** Who uploaded a version, in words: `uploaded_by` is `staff:<sub>` or `client:<sub>`. */
export function uploaderName(uploadedBy: string, me: Me, names: Record<string, string>): string {
  const [kind, sub = ""] = uploadedBy.split(":", 2);
  if (sub === me.sub) return "You";
  if (kind === "staff") return names[sub] ?? me.firm.name;
  return names[sub] ?? "A contact";
}

/** Names of the client's contacts by sub (for "uploaded by"); empty when the list is not ours to see. */
export function useContactNames(clientId?: string): Record<string, string> {
  const state = useAsync(async () => {
    try {
      const answer = clientId ? await call(api.GET("/api/clients/{id}/contacts", { params: { path: { id: clientId } } })) : await call(api.GET("/api/contacts"));
      return Object.fromEntries(answer.contacts.map((contact) => [contact.sub, contact.name]));
    } catch {
      return {};
    }
  }, [clientId]);
  return state.data ?? {};
}

/** Opens a version's presigned download link (a navigation: the file downloads as an attachment). */
export function DownloadButton(props: { label: string; fetchLink: () => Promise<Download> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const open = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await props.fetchLink();
      window.location.assign(answer.url);
      announce(`Downloading ${answer.file_name}.`);
    } catch (problem) {
      setError(problem);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button kind="secondary" busy={busy} onClick={() => void open()} aria-label={props.label}>
        Download
      </Button>
      <ErrorMessage error={error} />
    </>
  );
}

/** The versions of a document, newest first, each with its download. */
export function VersionsTable(props: { document: DocumentDetail; download: (version: number) => Promise<Download>; names: Record<string, string> }) {
  const me = useMe();
  const versions = [...props.document.versions].sort((a, b) => b.number - a.number);
  if (versions.length === 0) return <Empty>No version has been uploaded yet.</Empty>;
  return (
    <div class="table-wrap">
      <table>
        <caption>Versions of {props.document.name}</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">File</th>
            <th scope="col">Uploaded</th>
            <th scope="col">
              <span class="visually-hidden">Download</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.map((version) => (
            <tr key={version.number}>
              <td>
                v{version.number}
                {version.number === props.document.latest_version && versions.length > 1 ? (
                  <>
                    {" "}
                    <Badge tone="info">Latest</Badge>
                  </>
                ) : null}
              </td>
              <td class="file-name">
                {version.file_name}
                <br />
                <span class="muted">{formatSize(version.size)}</span>
              </td>
              <td>
                {uploaderName(version.uploaded_by, me, props.names)}
                <br />
                <time class="muted" dateTime={version.uploaded_at}>
                  {formatDateTime(version.uploaded_at)}
                </time>
              </td>
              <td>
                <DownloadButton label={`Download version ${version.number}, ${version.file_name}`} fetchLink={() => props.download(version.number)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A document's latest version and last change and, for one uploaded for a request, a link to
 * that request (`requestLabel` names the link's term: the client reads "Requested in").
 */
export function DocumentFacts(props: { document: DocumentDetail; requestLabel: string; requestHref: (request: string) => string }) {
  const { document } = props;
  return (
    <dl class="kv facts">
      <dt>Latest version</dt>
      <dd>v{document.latest_version}</dd>
      <dt>Updated</dt>
      <dd>
        <time dateTime={document.updated_at}>{formatDateTime(document.updated_at)}</time>
      </dd>
      {document.request_id && (
        <>
          <dt>{props.requestLabel}</dt>
          <dd>
            <a href={props.requestHref(document.request_id)}>the request “{document.name}”</a>
          </dd>
        </>
      )}
    </dl>
  );
}

/** Where a document came from, as a badge. */
export function originBadge(document: Document) {
  return document.origin === "firm" ? <Badge tone="info">Shared by the firm</Badge> : <Badge tone="neutral">Uploaded by the client</Badge>;
}

/**
 * Documents as a table: name (with the billing-only badge, worded by `billingBadge`), version and
 * last change. `showOrigin` adds a column saying who shared it, for the firm's mixed list.
 */
export function DocumentTable(props: { documents: Document[]; caption: string; href: (document: Document) => string; billingBadge: string; showOrigin?: boolean }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            {props.showOrigin && <th scope="col">From</th>}
            <th scope="col">Version</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {props.documents.map((document) => (
            <tr key={document.id}>
              <td>
                <a href={props.href(document)}>{document.name}</a>
                {document.billing_only && (
                  <>
                    {" "}
                    <Badge tone="warn">{props.billingBadge}</Badge>
                  </>
                )}
              </td>
              {props.showOrigin && <td>{document.origin === "firm" ? "The firm" : "The client"}</td>}
              <td>v{document.latest_version}</td>
              <td>
                <time dateTime={document.updated_at}>{formatDate(document.updated_at)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DocumentList(props: { documents: Document[]; caption: string; href: (document: Document) => string; empty: string }) {
  if (props.documents.length === 0) return <Empty>{props.empty}</Empty>;
  return <DocumentTable documents={props.documents} caption={props.caption} href={props.href} billingBadge="Billing" />;
}

export function Documents() {
  const scope = useScope();
  const me = useMe();
  const mayUpload = !scope.readOnly && canAct(me);
  const [name, setName] = useState("");
  const state = useAsync(() => loadDocuments(scope.clientId), [scope.clientId]);
  const href = (document: Document) => link(scope, `/documents/${document.id}`);
  return (
    <Page title="Documents" subtitle="Documents the firm shared with you, and the files you uploaded.">
      <Async state={state} label="Loading your documents…">
        {(documents) => (
          <>
            <Card title="Shared with you">
              <DocumentList documents={documents.filter((document) => document.origin === "firm")} caption="Documents shared with you" href={href} empty="The firm has not shared any documents yet." />
            </Card>
            <Card title="Your uploads">
              <DocumentList documents={documents.filter((document) => document.origin === "client")} caption="Documents you uploaded" href={href} empty="You have not uploaded any documents yet." />
            </Card>
          </>
        )}
      </Async>
      {mayUpload && (
        <Card title="Upload a document">
          <p class="muted">Send the firm a document it did not ask for. For a requested document, upload it on the request instead.</p>
          <Upload
            label="Choose a file to upload"
            action="Upload document"
            start={(file) => call(api.POST("/api/documents", { body: { ...file, ...(name.trim() ? { name: name.trim() } : {}) } }))}
            confirm={(document, number) => call(api.POST("/api/documents/{document}/versions/{number}/confirm", { params: { path: { document, number } } }))}
            onDone={() => {
              setName("");
              state.reload();
            }}
          >
            <TextField label="Document name" name="name" value={name} onValue={setName} maxLength={200} hint="Leave empty to use the file's name." />
          </Upload>
        </Card>
      )}
    </Page>
  );
}

export function DocumentDetail(props: { document: string }) {
  const scope = useScope();
  const names = useContactNames(scope.clientId);
  const state = useAsync(
    () =>
      scope.clientId
        ? call(api.GET("/api/clients/{id}/documents/{document}", { params: { path: { id: scope.clientId, document: props.document } } }))
        : call(api.GET("/api/documents/{document}", { params: { path: { document: props.document } } })),
    [scope.clientId, props.document],
  );
  const download = (number: number) =>
    scope.clientId
      ? call(api.GET("/api/clients/{id}/documents/{document}/versions/{number}/download", { params: { path: { id: scope.clientId, document: props.document, number } } }))
      : call(api.GET("/api/documents/{document}/versions/{number}/download", { params: { path: { document: props.document, number } } }));
  return (
    <Async state={state} label="Loading the document…">
      {(document) => (
        <Page title={document.name} subtitle={<>{originBadge(document)} {document.billing_only && <Badge tone="warn">Billing</Badge>}</>}>
          <p class="breadcrumb">
            <a href={link(scope, "/documents")}>Documents</a> / {document.name}
          </p>
          <DocumentFacts document={document} requestLabel="Requested in" requestHref={(request) => link(scope, `/requests/${request}`)} />
          <Card title="Versions">
            <p class="muted">Every upload is kept as its own version. Download links work for five minutes.</p>
            <VersionsTable document={document} download={download} names={names} />
          </Card>
        </Page>
      )}
    </Async>
  );
}
