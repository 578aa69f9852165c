//! The files capability's part of the scenario (`bench/src/scenario.rs`): a preview, a
//! multipart upload resumed after asking which parts arrived, a cancelled upload, a
//! "download all" zip, and the two functions EventBridge starts (GuardDuty's scan verdict,
//! S3's "Object Created" for an archive's request object). No watcher runs in the bench, so
//! the scenario delivers those events itself, in the shape of `events/*.json`, to the same
//! handlers the Lambda binaries run; the first delivery of each is recorded like a request.

use crate::scenario::{put_upload, text, Kind, Recording, Rig};
use crate::transfer::{pattern, sha256_base64};
use atrium_local::watcher::{object_created, scan_result};
use atrium_shared::operation::Serve;
use serde_json::{json, Value};

/// The key of a document version's object (`atrium_documents::data::object_key`).
pub fn version_key(tenant: &str, document: &str, number: u32) -> String {
    format!("tenants/{tenant}/documents/{document}/v{number}")
}

/// The object whose creation starts an archive's build (`data::request_key`).
pub fn archive_request_key(tenant: &str, archive: &str) -> String {
    format!("tenants/{tenant}/archives/{archive}.archive-request")
}

/// The body that starts an upload of `bytes`.
pub fn declared(file_name: &str, content_type: &str, bytes: &[u8]) -> Value {
    json!({
        "file_name": file_name,
        "content_type": content_type,
        "size": bytes.len(),
        "sha256": sha256_base64(bytes),
    })
}

impl Rig {
    /// Runs an event-driven operation's handler on `event` in this process; its first success
    /// is kept as that function's recording.
    pub async fn deliver(
        &mut self,
        operation: &str,
        event: Value,
        what: &str,
    ) -> Result<(), String> {
        let Some(Serve::Event(handler)) = atrium_portal::find(operation).map(|op| op.serve) else {
            return Err(format!("{operation} is not an event-driven operation"));
        };
        self.recorder.start();
        let outcome = handler(self.app.clone(), event.clone()).await;
        let calls = self.stop_recording().await;
        outcome.map_err(|error| format!("{operation}: {error}"))?;
        self.recordings
            .entry(operation.to_string())
            .or_insert_with(|| Recording {
                binary: operation.to_string(),
                kind: Kind::Event,
                route: format!("(EventBridge: {what})"),
                event: event.to_string(),
                status: 200,
                calls,
            });
        Ok(())
    }

    /// GuardDuty's "no threats found" for a version: only then is it served.
    pub async fn scanned_clean(
        &mut self,
        tenant: &str,
        document: &str,
        number: u32,
    ) -> Result<(), String> {
        let bucket = self.config.documents_bucket.clone();
        let key = version_key(tenant, document, number);
        let event = scan_result(&bucket, &key, "NO_THREATS_FOUND");
        self.deliver(
            "documents-scan-result",
            event,
            "GuardDuty scan result, no threats",
        )
        .await
    }

    /// `clean`: documents the contact can see whose version 1 is clean (the first one is
    /// previewed; all go in the zip).
    pub(crate) async fn files(
        &mut self,
        staff: &str,
        contact: &str,
        base: &str,
        tenant: &str,
        clean: &[String],
    ) -> Result<(), String> {
        let first = clean.first().ok_or("no clean document to preview")?;
        self.get(
            &format!("/api/documents/{first}/versions/1/preview"),
            contact,
        )
        .await?;
        self.resumed_upload(staff, base, tenant).await?;
        self.cancelled_upload(staff, base).await?;
        self.download_all(contact, tenant, clean).await
    }

    /// A two-part upload by the firm: both part URLs, the first part, the question "which
    /// parts arrived?" (as after a reload), the second part, the confirm and the verdict.
    async fn resumed_upload(
        &mut self,
        staff: &str,
        base: &str,
        tenant: &str,
    ) -> Result<(), String> {
        let bytes = pattern(8 * 1024 * 1024 + 4096, 7);
        let started = self
            .post(
                &format!("{base}/documents"),
                staff,
                declared("ledger.zip", "application/zip", &bytes),
            )
            .await?;
        let document = text(&started["document_id"])?;
        let part_size = started["upload"]["part_size"]
            .as_u64()
            .and_then(|size| usize::try_from(size).ok())
            .ok_or_else(|| format!("not a multipart upload: {started}"))?;
        let (first, second) = bytes.split_at(part_size.min(bytes.len()));
        let version = format!("{base}/documents/{document}/versions/1");
        let signed = self
            .post(
                &format!("{version}/parts"),
                staff,
                json!({ "parts": [
                    { "number": 1, "sha256": sha256_base64(first) },
                    { "number": 2, "sha256": sha256_base64(second) },
                ] }),
            )
            .await?;
        put_upload(&signed["parts"][0], first).await?;
        let arrived = self.get(&format!("{version}/parts"), staff).await?;
        if arrived["parts"].as_array().map(Vec::len) != Some(1) {
            return Err(format!("after one part, ListParts said {arrived}"));
        }
        put_upload(&signed["parts"][1], second).await?;
        self.post(&format!("{version}/confirm"), staff, json!({}))
            .await?;
        self.scanned_clean(tenant, &document, 1).await
    }

    /// A multipart upload started and cancelled before any part was sent.
    async fn cancelled_upload(&mut self, staff: &str, base: &str) -> Result<(), String> {
        let mut body = declared("draft.zip", "application/zip", b"");
        body["size"] = json!(3 * 8 * 1024 * 1024);
        let started = self.post(&format!("{base}/documents"), staff, body).await?;
        let document = text(&started["document_id"])?;
        self.ok(
            "POST",
            &format!("{base}/documents/{document}/versions/1/abort"),
            Some(staff),
            None,
        )
        .await?;
        Ok(())
    }

    /// The contact asks for a zip of small documents (the warm replay copies their bytes on
    /// every iteration), S3's event starts the build, and the link is fetched once ready.
    async fn download_all(
        &mut self,
        contact: &str,
        tenant: &str,
        documents: &[String],
    ) -> Result<(), String> {
        let asked = self
            .post(
                "/api/archives",
                contact,
                json!({ "document_ids": documents }),
            )
            .await?;
        let archive = text(&asked["id"])?;
        let bucket = self.config.documents_bucket.clone();
        let event = object_created(&bucket, &archive_request_key(tenant, &archive));
        let what = format!("S3 Object Created, a zip of {} files", documents.len());
        self.deliver("archives-build", event, &what).await?;
        let ready = self
            .get(&format!("/api/archives/{archive}"), contact)
            .await?;
        if ready["status"] != "ready" {
            return Err(format!("the archive is not ready after its build: {ready}"));
        }
        Ok(())
    }
}
