//! The malware gate's verdicts. GuardDuty Malware Protection for S3 scans every new object of
//! the documents bucket, tags it (`GuardDutyMalwareScanStatus`) and publishes the result to
//! EventBridge, whose rule delivers it here. The verdict is recorded on the version:
//!
//! - `NO_THREATS_FOUND`: clean, and from then on the version is served;
//! - `THREATS_FOUND`: quarantined (kept as evidence, never served); the firm is told, the
//!   uploader is asked for another file, and a request it was submitted for waits for the
//!   client again;
//! - anything else (unsupported, access denied, failed): unscannable, not served, the firm told.
//!
//! The tenant comes from the object's key (`tenants/<tenant>/documents/<document>/v<n>`), which
//! only the portal writes, and must be a registered client. Objects that are not document
//! versions (logos, archives) are ignored. A replayed event changes nothing.

use atrium_documents::data::{Documents, RequestStatus, Requests, ScanState, VersionRecord};
use atrium_shared::audit::AuditEntry;
use atrium_shared::http::RequestMeta;
use atrium_shared::ids::now_rfc3339;
use atrium_shared::mail::{escape_html, notice};
use atrium_shared::principal::TenantScope;
use atrium_shared::store::registry::registered_scope;
use atrium_shared::{ApiResult, App};
use serde_json::Value;

/// A document version's object key, taken apart: tenant, document, version number.
pub fn version_of_key(key: &str) -> Option<(&str, &str, u32)> {
    let rest = key.strip_prefix("tenants/")?;
    let mut parts = rest.split('/');
    let tenant = parts.next()?;
    let kind = parts.next()?;
    let document = parts.next()?;
    let number = parts.next()?.strip_prefix('v')?.parse().ok()?;
    if kind != "documents" || parts.next().is_some() || tenant.is_empty() || document.is_empty() {
        return None;
    }
    Some((tenant, document, number))
}

/// The verdict a scan result status means.
pub fn verdict(status: &str) -> ScanState {
    match status {
        "NO_THREATS_FOUND" => ScanState::Clean,
        "THREATS_FOUND" => ScanState::Quarantined,
        _ => ScanState::Unscannable,
    }
}

pub async fn handle(app: &App, event: Value) -> ApiResult<()> {
    // A confirm may land between this read and this write (the write is conditional on the
    // upload's status as read): read again once, so the confirm's submitted request is seen and
    // reopened, never left submitted with a quarantined file.
    let event = &event;
    atrium_shared::error::again_once_on_conflict(|| record(app, event)).await
}

async fn record(app: &App, event: &Value) -> ApiResult<()> {
    let detail = &event["detail"];
    let object = &detail["s3ObjectDetails"];
    if object["bucketName"].as_str() != Some(app.config.documents_bucket.as_str()) {
        tracing::warn!("scan result for another bucket, ignored");
        return Ok(());
    }
    let Some((tenant, document_id, number)) = object["objectKey"].as_str().and_then(version_of_key)
    else {
        return Ok(());
    };
    let status = detail["scanResultDetails"]["scanResultStatus"]
        .as_str()
        .unwrap_or("FAILED");
    let verdict = verdict(status);
    let Some(client) = app.store.client_record(tenant).await? else {
        tracing::warn!("scan result for an unknown tenant, ignored");
        return Ok(());
    };
    let scope = registered_scope(&client);
    let documents = Documents::of(app.store.tenant(&scope));
    let Some(version) = documents.version(document_id, number).await? else {
        tracing::warn!("scan result for an unknown version, ignored");
        return Ok(());
    };
    if version.scan == verdict {
        return Ok(());
    }
    let action = match verdict {
        ScanState::Clean => "document.scan_clean",
        ScanState::Quarantined => "document.quarantined",
        _ => "document.scan_failed",
    };
    let entry = AuditEntry::new(
        &scope,
        "system",
        "malware-scan",
        action,
        &format!("document/{document_id}/v{number}"),
        u64::from(number),
        &RequestMeta::default(),
    );
    let mut writes = vec![documents.record_scan(&version, verdict, &now_rfc3339())?];
    let mut entries = vec![entry];
    if verdict == ScanState::Quarantined {
        if let Some((write, reopened)) = reopen_request(app, &scope, &version).await? {
            writes.push(write);
            entries.push(reopened);
        }
    }
    app.store
        .transact_audited(writes, &scope, entries, "the version changed meanwhile")
        .await?;
    if verdict != ScanState::Clean {
        tell_people(app, &scope, &version, verdict).await;
    }
    Ok(())
}

/// What the client reads on a request whose file was quarantined.
pub fn quarantine_reason(file_name: &str) -> String {
    format!(
        "The malware check found a threat in \"{file_name}\", so it was not accepted. Please check your device and send another copy."
    )
}

/// A request whose submitted file was quarantined waits for the client again, with the reason
/// the client sees on it (as if the firm had rejected the upload).
async fn reopen_request(
    app: &App,
    scope: &TenantScope,
    version: &VersionRecord,
) -> ApiResult<Option<(atrium_shared::store::Write, AuditEntry)>> {
    let requests = Requests::of(app.store.tenant(scope));
    let Some(mut request) = requests.get(&version.document_id).await? else {
        return Ok(None);
    };
    if request.status != RequestStatus::Submitted
        || request.document_id.as_deref() != Some(version.document_id.as_str())
    {
        return Ok(None);
    }
    let read = request.version;
    request.status = RequestStatus::Rejected;
    request.rejection_reason = Some(quarantine_reason(&version.file_name));
    request.reminders_sent.clear();
    request.version += 1;
    request.updated_at = now_rfc3339();
    let entry = AuditEntry::new(
        scope,
        "system",
        "malware-scan",
        "request.rejected",
        &format!("request/{}", request.id),
        request.version,
        &RequestMeta::default(),
    );
    Ok(Some((requests.replace(&request, read)?, entry)))
}

/// The firm (the request's owner, else the firm's admins) and, for a threat, the uploader.
/// Mail failures are logged: the verdict is already recorded and is what protects people.
async fn tell_people(app: &App, scope: &TenantScope, version: &VersionRecord, verdict: ScanState) {
    let branding = app.branding().await;
    let client_name = match app.store.profile(scope).await {
        Ok(Some(profile)) => profile.name,
        _ => "a client".to_string(),
    };
    let what = if verdict == ScanState::Quarantined {
        "was quarantined: the malware scan found a threat. It is kept but never served"
    } else {
        "could not be checked for malware, so it is not served"
    };
    let mut firm = Vec::new();
    let document = Documents::of(app.store.tenant(scope))
        .get(&version.document_id)
        .await
        .ok()
        .flatten();
    if let Some(request_id) = document.as_ref().and_then(|d| d.request_id.as_ref()) {
        if let Ok(Some(request)) = Requests::of(app.store.tenant(scope)).get(request_id).await {
            firm.push(request.owner_email);
        }
    }
    if firm.is_empty() {
        if let Ok(staff) = app.store.staff_users().await {
            firm.extend(
                staff
                    .into_iter()
                    .filter(|user| user.roles.contains(&atrium_shared::principal::Role::Admin))
                    .map(|user| user.email),
            );
        }
    }
    let link = format!(
        "{}/staff/clients/{}/documents",
        app.config.portal_origin.trim_end_matches('/'),
        scope.tenant_id()
    );
    let line = format!(
        "The file \"{}\" from {client_name} {what}.",
        version.file_name
    );
    let mail = notice(
        &branding,
        "A file was held back by the malware check",
        "A file was held back",
        &[format!(
            "The file \u{201c}{}\u{201d} from {} {what}.",
            escape_html(&version.file_name),
            escape_html(&client_name)
        )],
        &line,
        ("See the documents", &link),
    );
    for address in firm {
        if let Err(error) = app.mailer.send(&address, &mail).await {
            tracing::warn!(?error, "quarantine notice to the firm not sent");
        }
    }
    if verdict != ScanState::Quarantined {
        return;
    }
    let Some(sub) = version.uploaded_by.strip_prefix("client:") else {
        return;
    };
    let Ok(contacts) = app.store.contacts(scope).await else {
        return;
    };
    let Some(uploader) = contacts.into_iter().find(|contact| contact.sub == sub) else {
        return;
    };
    let link = format!(
        "{}/documents",
        app.config.portal_origin.trim_end_matches('/')
    );
    let line = format!(
        "The file \"{}\" you sent could not be accepted: the malware check found a threat. Please send another copy.",
        version.file_name
    );
    let mail = notice(
        &branding,
        "Please send that file again",
        "Your file could not be accepted",
        &[format!(
            "The file \u{201c}{}\u{201d} you sent could not be accepted: the malware check found a threat in it. Please check your device and send another copy.",
            escape_html(&version.file_name)
        )],
        &line,
        ("Open your documents", &link),
    );
    if let Err(error) = app.mailer.send(&uploader.email, &mail).await {
        tracing::warn!(?error, "quarantine notice to the uploader not sent");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_document_versions_are_gated() {
        assert_eq!(
            version_of_key("tenants/T1/documents/D1/v3"),
            Some(("T1", "D1", 3))
        );
        assert_eq!(version_of_key("tenants/T1/archives/A1.zip"), None);
        assert_eq!(version_of_key("firm/branding/logo-1"), None);
        assert_eq!(version_of_key("tenants/T1/documents/D1/v3/x"), None);
        assert_eq!(version_of_key("tenants//documents/D1/v3"), None);
        assert_eq!(version_of_key("tenants/T1/documents/D1/vx"), None);
    }

    #[test]
    fn only_no_threats_is_clean() {
        assert_eq!(verdict("NO_THREATS_FOUND"), ScanState::Clean);
        assert_eq!(verdict("THREATS_FOUND"), ScanState::Quarantined);
        assert_eq!(verdict("UNSUPPORTED"), ScanState::Unscannable);
        assert_eq!(verdict("ACCESS_DENIED"), ScanState::Unscannable);
        assert_eq!(verdict("FAILED"), ScanState::Unscannable);
    }
}
