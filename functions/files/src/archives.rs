//! "Download all" (`{base}` is `/api` for a contact, `/api/clients/{id}` for staff):
//!
//! - `POST {base}/archives` `{request_id?, document_ids?}`: a zip of a request's files (with
//!   the rest of its checklist), of chosen documents, or (neither) of every document the
//!   caller may see; answers 202 while a function builds it in S3 (`archive_build`);
//! - `GET {base}/archives/{archive}`: its progress, and once ready a five-minute link. Each file
//!   in it is recorded in the trail as downloaded when the link is handed out.
//!
//! Only clean versions go in (the latest of each document); the others are listed as skipped.
//! Every id in the body resolves inside the caller's tenant and audience, or the answer is 404.

use crate::data::{
    request_key, zip_key, ArchiveEntry, ArchiveRecord, ArchiveStatus, Archives, Skipped, EXPIRY_TAG,
};
use atrium_documents::data::{DocumentRecord, Documents, Requests};
use atrium_shared::access::scope_for;
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::{json_response, ok, parse_json, path_id, RequestMeta};
use atrium_shared::ids::{new_id, now_rfc3339};
use atrium_shared::objects::{attachment_disposition, presign_download, DOWNLOAD_URL_LIFETIME};
use atrium_shared::principal::{Principal, TenantScope};
use atrium_shared::{ApiError, ApiResult, App};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde_json::{json, Value};

/// Files per archive, and bytes: what one build (15 minutes at most) copies comfortably.
pub const MAX_FILES: usize = 500;
pub const MAX_BYTES: i64 = 20 * 1024 * 1024 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArchiveBody {
    #[serde(default)]
    request_id: Option<String>,
    #[serde(default)]
    document_ids: Option<Vec<String>>,
}

pub fn view(record: &ArchiveRecord) -> Value {
    let skipped: Vec<Value> = record
        .skipped
        .iter()
        .map(|skip| json!({ "document_id": skip.document_id, "name": skip.name, "reason": skip.reason }))
        .collect();
    json!({
        "id": record.id,
        "status": record.status,
        "files_total": record.entries.len(),
        "files_done": record.files_done,
        "bytes_total": record.bytes_total,
        "bytes_done": record.bytes_done,
        "skipped": skipped,
        "created_at": record.created_at,
    })
}

pub async fn create(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    let body: ArchiveBody = parse_json(&req)?;
    let documents = chosen_documents(app, &principal, &scope, &body).await?;
    let mut entries: Vec<ArchiveEntry> = Vec::new();
    let mut skipped = Vec::new();
    for document in documents {
        if document.latest_version == 0 {
            skipped.push(skip(&document, "nothing has been uploaded yet"));
            continue;
        }
        let Some(version) = Documents::of(app.store.tenant(&scope))
            .version(&document.id, document.latest_version)
            .await?
        else {
            skipped.push(skip(&document, "nothing has been uploaded yet"));
            continue;
        };
        if let Err(reason) = version.servable() {
            skipped.push(skip(&document, reason));
            continue;
        }
        let path = unique_path(&entries, &version.file_name);
        entries.push(ArchiveEntry {
            document_id: document.id.clone(),
            number: version.number,
            path,
            object_key: version.object_key,
            size: version.size,
            sha256: version.sha256.as_str().to_string(),
        });
    }
    if entries.is_empty() {
        return Err(ApiError::conflict(
            "there is no file to download yet (none is uploaded and checked)",
        ));
    }
    if entries.len() > MAX_FILES {
        return Err(ApiError::too_large(format!(
            "document_ids: at most {MAX_FILES} files per download; choose fewer"
        )));
    }
    let bytes_total = entries
        .iter()
        .map(|entry| entry.size)
        .fold(0i64, i64::saturating_add);
    if bytes_total > MAX_BYTES {
        return Err(ApiError::too_large(format!(
            "document_ids: at most {} GB per download; choose fewer files",
            MAX_BYTES / 1024 / 1024 / 1024
        )));
    }
    let id = new_id();
    let now = now_rfc3339();
    let record = ArchiveRecord {
        id: id.clone(),
        tenant_id: scope.tenant_id().to_string(),
        requested_by: principal.actor_label(),
        status: ArchiveStatus::Building,
        entries,
        skipped,
        bytes_total,
        files_done: 0,
        bytes_done: 0,
        object_key: zip_key(&scope, &id),
        file_name: format!("documents-{}.zip", &now[..10]),
        failure: None,
        created_at: now,
        version: 1,
    };
    let entry = AuditEntry::by(
        &scope,
        &principal,
        "archive.requested",
        &format!("archive/{id}"),
        1,
        &RequestMeta::of(&req),
    );
    app.store
        .transact_audited(
            vec![Archives::of(app.store.tenant(&scope)).create(&record)?],
            &scope,
            vec![entry],
            "try again",
        )
        .await?;
    // The request object's creation is what starts the build (S3 → EventBridge → the
    // builder), so the build never runs before the record it reads exists.
    let key = request_key(&scope, &id);
    app.s3_for(&key)
        .await?
        .put_object()
        .bucket(&app.config.documents_bucket)
        .key(&key)
        .tagging(EXPIRY_TAG)
        .body(Vec::<u8>::new().into())
        .send()
        .await
        .map_err(|error| ApiError::dependency("s3 put archive request", error))?;
    Ok(json_response(StatusCode::ACCEPTED, &view(&record)))
}

fn skip(document: &DocumentRecord, reason: &str) -> Skipped {
    Skipped {
        document_id: document.id.clone(),
        name: document.name.clone(),
        reason: reason.to_string(),
    }
}

/// A path inside the zip no earlier entry has: `name.pdf`, then `name (2).pdf`, …
fn unique_path(entries: &[ArchiveEntry], file_name: &str) -> String {
    let taken = |path: &str| entries.iter().any(|entry| entry.path == path);
    if !taken(file_name) {
        return file_name.to_string();
    }
    let (stem, extension) = match file_name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => (stem, format!(".{extension}")),
        _ => (file_name, String::new()),
    };
    (2..)
        .map(|n| format!("{stem} ({n}){extension}"))
        .find(|path| !taken(path))
        .unwrap_or_else(|| file_name.to_string())
}

/// The documents the body names, each found inside the caller's tenant and audience.
async fn chosen_documents(
    app: &App,
    principal: &Principal,
    scope: &TenantScope,
    body: &ArchiveBody,
) -> ApiResult<Vec<DocumentRecord>> {
    let documents = Documents::of(app.store.tenant(scope));
    let visible = |document: &DocumentRecord| atrium_documents::visible_to(principal, document);
    match (&body.request_id, &body.document_ids) {
        (Some(_), Some(_)) => Err(ApiError::invalid(
            "document_ids",
            "give either request_id or document_ids, not both",
        )),
        (Some(request_id), None) => {
            if !atrium_shared::ids::is_id(request_id) {
                return Err(ApiError::invalid("request_id", "not a request id"));
            }
            let requests = Requests::of(app.store.tenant(scope));
            let request = requests
                .get(request_id)
                .await?
                .ok_or_else(ApiError::not_found)?;
            // A checklist's requests go together.
            let mut ids = vec![];
            match &request.group_id {
                None => ids.extend(request.document_id.clone()),
                Some(group) => {
                    let mut cursor = None;
                    loop {
                        let page = requests.page(100, cursor.as_deref()).await?;
                        ids.extend(
                            page.items
                                .into_iter()
                                .filter(|item| item.group_id.as_ref() == Some(group))
                                .filter_map(|item| item.document_id),
                        );
                        match page.next_cursor {
                            Some(next) => cursor = Some(next),
                            None => break,
                        }
                    }
                }
            }
            let mut found = Vec::new();
            for id in ids {
                if let Some(document) = documents.get(&id).await?.filter(visible) {
                    found.push(document);
                }
            }
            Ok(found)
        }
        (None, Some(ids)) => {
            if ids.is_empty() || ids.len() > MAX_FILES {
                return Err(ApiError::invalid(
                    "document_ids",
                    format!("choose 1 to {MAX_FILES} documents"),
                ));
            }
            let mut found: Vec<DocumentRecord> = Vec::new();
            for (index, id) in ids.iter().enumerate() {
                if !atrium_shared::ids::is_id(id) {
                    return Err(ApiError::invalid(
                        &format!("document_ids[{index}]"),
                        "not a document id",
                    ));
                }
                let document = documents
                    .get(id)
                    .await?
                    .filter(visible)
                    .ok_or_else(ApiError::not_found)?;
                if !found.iter().any(|known| known.id == document.id) {
                    found.push(document);
                }
            }
            Ok(found)
        }
        (None, None) => {
            let mut found = Vec::new();
            let mut cursor = None;
            loop {
                let page = documents.page(100, cursor.as_deref()).await?;
                found.extend(page.items.into_iter().filter(visible));
                match page.next_cursor {
                    Some(next) if found.len() <= MAX_FILES => cursor = Some(next),
                    _ => break,
                }
            }
            Ok(found)
        }
    }
}

pub async fn get(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let principal = Principal::from_request(&req)?;
    let scope = scope_for(app, &principal, &req).await?;
    let id = path_id(&req, "archive")?;
    let record = Archives::of(app.store.tenant(&scope))
        .get(&id)
        .await?
        .filter(|record| record.requested_by == principal.actor_label())
        .ok_or_else(ApiError::not_found)?;
    let mut answer = view(&record);
    if record.status == ArchiveStatus::Failed {
        answer["failure"] = json!(record.failure);
    }
    if record.status != ArchiveStatus::Ready {
        return ok(&answer);
    }
    let url = presign_download(
        app,
        &record.object_key,
        &attachment_disposition(&record.file_name),
    )
    .await?;
    // Each file handed out is a download in the trail, as if fetched one by one.
    let meta = RequestMeta::of(&req);
    let entries: Vec<AuditEntry> = record
        .entries
        .iter()
        .map(|entry| {
            AuditEntry::by(
                &scope,
                &principal,
                "document.downloaded",
                &format!("document/{}/v{}", entry.document_id, entry.number),
                u64::from(entry.number),
                &meta,
            )
        })
        .collect();
    for chunk in entries.chunks(40) {
        app.store
            .transact_audited(vec![], &scope, chunk.to_vec(), "try again")
            .await?;
    }
    answer["url"] = json!(url);
    answer["file_name"] = json!(record.file_name);
    answer["expires_in"] = json!(DOWNLOAD_URL_LIFETIME.as_secs());
    ok(&answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_in_the_zip_never_collide() {
        let entry = |path: &str| ArchiveEntry {
            document_id: "d".into(),
            number: 1,
            path: path.into(),
            object_key: "k".into(),
            size: 1,
            sha256: "s".into(),
        };
        let entries = vec![entry("a.pdf"), entry("a (2).pdf"), entry("README")];
        assert_eq!(unique_path(&entries, "b.pdf"), "b.pdf");
        assert_eq!(unique_path(&entries, "a.pdf"), "a (3).pdf");
        assert_eq!(unique_path(&entries, "README"), "README (2)");
    }
}
