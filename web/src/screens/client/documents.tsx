// The client's documents: what the firm shared with them and what they uploaded, each with its
// versions and their malware check; downloads open the short-lived link the API answers, and
// previews show PDFs, images and text in the page. Contacts who can act upload documents of
// their own here, and download everything as one zip. The firm's documents tab reuses the
// loader, the tables and the facts.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, call, type Schemas } from "../../api/client";
import { DownloadAll } from "../../components/DownloadAll";
import { PreviewButton } from "../../components/Preview";
import { Upload } from "../../components/Upload";
import { announce } from "../../lib/announce";
import { filesApi, isPreviewable, scanOf, type PreviewLink } from "../../lib/files";
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

/**
 * What may be done with a version, in words, until it passed the malware check: nothing while
 * it is checked, never once quarantined. Undefined when it is clean (download and preview).
 */
export function versionHold(version: Version, me: Me): string | undefined {
  if (version.status === "aborted") return "Upload cancelled";
  if (version.status === "pending") return "Upload not finished";
  switch (scanOf(version)) {
    case "being_checked":
      return "Being checked…";
    case "quarantined": {
      const ours = version.uploaded_by.startsWith(me.kind === "staff" ? "staff:" : "client:");
      return ours ? "Quarantined — please send another file" : "Quarantined — a threat was found; it is never shown or sent";
    }
    case "unscannable":
      return "Could not be checked";
    default:
      return undefined;
  }
}

/** While a version is being checked, `refresh` every 2 seconds until its state changes (for at most 10 minutes). */
export function useScanRefresh(versions: Version[], refresh?: () => void) {
  const checking = versions.some((version) => scanOf(version) === "being_checked" && version.status !== "aborted");
  const rounds = useRef(0);
  useEffect(() => {
    if (!checking) rounds.current = 0;
    if (!checking || !refresh || rounds.current >= 300) return;
    const timer = setTimeout(() => {
      rounds.current += 1;
      refresh();
    }, 2000);
    return () => clearTimeout(timer);
  }, [checking, refresh, versions]);
}

/**
 * The versions of a document, newest first, each with its download and (for PDFs, images and
 * text) its preview once the malware check found it clean. `refresh` reloads the document
 * while a version is being checked.
 */
export function VersionsTable(props: {
  document: DocumentDetail;
  download: (version: number) => Promise<Download>;
  names: Record<string, string>;
  preview?: (version: number) => Promise<PreviewLink>;
  refresh?: () => void;
}) {
  const me = useMe();
  const versions = [...props.document.versions].sort((a, b) => b.number - a.number);
  useScanRefresh(props.document.versions, props.refresh);
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
              <span class="visually-hidden">Download and preview</span>
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
                <VersionActions version={version} me={me} download={props.download} preview={props.preview} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function VersionActions(props: { version: Version; me: Me; download: (version: number) => Promise<Download>; preview?: (version: number) => Promise<PreviewLink> }) {
  const { version } = props;
  const hold = versionHold(version, props.me);
  if (hold) {
    const scan = scanOf(version);
    return (
      <Badge tone={scan === "quarantined" ? "bad" : scan === "unscannable" ? "warn" : "info"}>
        <span class="scan-state">{hold}</span>
      </Badge>
    );
  }
  return (
    <div class="row">
      <DownloadButton label={`Download version ${version.number}, ${version.file_name}`} fetchLink={() => props.download(version.number)} />
      {props.preview && isPreviewable(version.content_type) && (
        <PreviewButton label={`Preview version ${version.number}, ${version.file_name}`} fileName={version.file_name} load={() => (props.preview as (version: number) => Promise<PreviewLink>)(version.number)} />
      )}
    </div>
  );
}

/** The preview link of a version, for the contact (no `clientId`) or the firm. */
export function previewOf(clientId: string | undefined, documentId: string) {
  const files = filesApi(clientId);
  return (version: number) => files.preview(documentId, version);
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
            {documents.length > 0 && (
              <Card title="Everything at once">
                <p class="muted">All these documents as one zip file. Files still being checked are left out.</p>
                <DownloadAll clientId={scope.clientId} label="Download all documents as one zip file" />
              </Card>
            )}
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
            <VersionsTable document={document} download={download} names={names} preview={previewOf(scope.clientId, document.id)} refresh={state.reload} />
          </Card>
        </Page>
      )}
    </Async>
  );
}
