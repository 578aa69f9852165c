// One client's documents, for the firm: what the client uploaded and what the firm shared,
// each with its versions and downloads; share a new document (with everyone, or with the
// client's admins and billing contacts only) and upload new versions of shared ones.
import { useState } from "preact/hooks";
import { api, call } from "../../../api/client";
import { DownloadAll } from "../../../components/DownloadAll";
import { Upload } from "../../../components/Upload";
import { clientLink, useStaffClient, type ClientSummary } from "../../../state";
import { Async, Badge, Card, Empty, Page, SelectField, TextField, useAsync } from "../../../components/ui";
import { DocumentFacts, DocumentTable, loadDocuments, originBadge, previewOf, useContactNames, VersionsTable } from "../../client/documents";

export function DocumentsTab(props: { document?: string }) {
  const client = useStaffClient();
  return props.document ? <DocumentPanel client={client} id={props.document} /> : <DocumentOverview client={client} />;
}

function DocumentOverview(props: { client: ClientSummary }) {
  const state = useAsync(() => loadDocuments(props.client.id), [props.client.id]);
  return (
    <Page title="Documents" subtitle={`Documents shared with ${props.client.name} and uploaded by them.`}>
      <Card title="All documents">
        <Async state={state} label="Loading documents…">
          {(documents) =>
            documents.length === 0 ? (
              <Empty>No documents yet.</Empty>
            ) : (
              <>
                <DocumentTable documents={documents} caption={`Documents of ${props.client.name}`} href={(document) => clientLink(props.client, "documents", document.id)} billingBadge="Billing contacts only" showOrigin />
                <DownloadAll clientId={props.client.id} label={`Download all documents of ${props.client.name} as one zip file`} />
              </>
            )
          }
        </Async>
      </Card>
      <ShareDocument client={props.client} onShared={state.reload} />
    </Page>
  );
}

function ShareDocument(props: { client: ClientSummary; onShared: () => void }) {
  const [name, setName] = useState("");
  const [audience, setAudience] = useState<"everyone" | "billing">("everyone");
  return (
    <Card title="Share a document">
      <Upload
        label="Choose a file to share"
        action="Share document"
        clientId={props.client.id}
        start={(file) =>
          call(
            api.POST("/api/clients/{id}/documents", {
              params: { path: { id: props.client.id } },
              body: { ...file, audience, ...(name.trim() ? { name: name.trim() } : {}) },
            }),
          )
        }
        confirm={(document, number) => call(api.POST("/api/clients/{id}/documents/{document}/versions/{number}/confirm", { params: { path: { id: props.client.id, document, number } } }))}
        onDone={() => {
          setName("");
          props.onShared();
        }}
      >
        <TextField label="Document name" name="name" value={name} onValue={setName} maxLength={200} hint="Leave empty to use the file's name." />
        <SelectField
          label="Who at the client sees it"
          name="audience"
          required
          value={audience}
          onValue={(value) => setAudience(value === "billing" ? "billing" : "everyone")}
          options={[
            { value: "everyone", label: "Every contact" },
            { value: "billing", label: "Admins and billing contacts only (invoices, statements)" },
          ]}
        />
      </Upload>
    </Card>
  );
}

function DocumentPanel(props: { client: ClientSummary; id: string }) {
  const names = useContactNames(props.client.id);
  const path = { id: props.client.id, document: props.id };
  const state = useAsync(() => call(api.GET("/api/clients/{id}/documents/{document}", { params: { path } })), [props.client.id, props.id]);
  const download = (number: number) => call(api.GET("/api/clients/{id}/documents/{document}/versions/{number}/download", { params: { path: { ...path, number } } }));
  return (
    <Async state={state} label="Loading the document…">
      {(document) => (
        <Page title={document.name} subtitle={<>{originBadge(document)} {document.billing_only && <Badge tone="warn">Billing contacts only</Badge>}</>}>
          <p class="breadcrumb">
            <a href={clientLink(props.client, "documents")}>Documents</a> / {document.name}
          </p>
          <DocumentFacts document={document} requestLabel="Uploaded for" requestHref={(request) => clientLink(props.client, "requests", request)} />
          <Card title="Versions">
            <VersionsTable document={document} download={download} names={names} preview={previewOf(props.client.id, document.id)} refresh={state.reload} />
          </Card>
          {document.origin === "firm" && (
            <Card title="Upload a new version">
              <p class="muted">The client sees the new version; earlier versions stay available.</p>
              <Upload
                label="Choose the new version"
                action="Upload new version"
                clientId={props.client.id}
                start={(file) => call(api.POST("/api/clients/{id}/documents/{document}/versions", { params: { path }, body: file }))}
                confirm={(documentId, number) =>
                  call(api.POST("/api/clients/{id}/documents/{document}/versions/{number}/confirm", { params: { path: { id: props.client.id, document: documentId, number } } }))
                }
                onDone={() => state.reload()}
              />
            </Card>
          )}
        </Page>
      )}
    </Async>
  );
}
