//! What AWS does on its own when an object lands in the documents bucket, which moto cannot:
//!
//! - **GuardDuty Malware Protection for S3** scans each new object, tags it
//!   `GuardDutyMalwareScanStatus` and publishes the result to EventBridge. Here: a file that
//!   starts with the standard EICAR test string is `THREATS_FOUND`, any other
//!   `NO_THREATS_FOUND`; the object is tagged the same way and the result, in GuardDuty's
//!   event shape, goes to the operations declared for [`Trigger::MalwareScanResult`].
//! - **S3 → EventBridge "Object Created"** events, for the operations declared for
//!   [`Trigger::ObjectCreated`] (the archive builder).
//!
//! So the gating and building code under test is the deployed code; only the scanner and the
//! event delivery are stand-ins. The bucket is swept (listed) a few times a second for some
//! seconds after each request that can create an object, not all the time, so idle test stacks
//! cost moto nothing.

use atrium_shared::operation::{Serve, Trigger};
use atrium_shared::App;
use serde_json::json;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// The EICAR anti-malware test file's content (any scanner flags it; it is harmless).
pub const EICAR: &[u8] = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

const SWEEP_EVERY: Duration = Duration::from_millis(150);
const SWEEP_FOR: Duration = Duration::from_secs(8);

pub struct Watcher {
    app: Arc<App>,
    /// Objects already handled, by key and ETag.
    seen: Mutex<HashSet<(String, String)>>,
    sweep_until: Mutex<Option<Instant>>,
    running: Mutex<bool>,
}

impl Watcher {
    pub fn new(app: Arc<App>) -> Arc<Self> {
        Arc::new(Self {
            app,
            seen: Mutex::new(HashSet::new()),
            sweep_until: Mutex::new(None),
            running: Mutex::new(false),
        })
    }

    /// Something may have created an object: sweep the bucket for a while.
    pub fn kick(self: &Arc<Self>) {
        if let Ok(mut until) = self.sweep_until.lock() {
            *until = Some(Instant::now() + SWEEP_FOR);
        }
        let start = self
            .running
            .lock()
            .map(|mut running| !std::mem::replace(&mut *running, true))
            .unwrap_or(false);
        if start {
            tokio::spawn(run(Arc::downgrade(self)));
        }
    }

    /// Handles every object not seen yet; answers how many.
    pub async fn sweep(&self) -> usize {
        let s3 = &*self.app.s3;
        let bucket = &self.app.config.documents_bucket;
        let mut fresh = Vec::new();
        let mut token = None;
        loop {
            let Ok(page) = s3
                .list_objects_v2()
                .bucket(bucket)
                .set_continuation_token(token.clone())
                .send()
                .await
            else {
                return 0;
            };
            for object in page.contents() {
                let (Some(key), Some(tag)) = (object.key(), object.e_tag()) else {
                    continue;
                };
                let id = (key.to_string(), tag.to_string());
                let new = self
                    .seen
                    .lock()
                    .map(|mut seen| seen.insert(id))
                    .unwrap_or(false);
                if new {
                    fresh.push(key.to_string());
                }
            }
            match page.next_continuation_token() {
                Some(next) => token = Some(next.to_string()),
                None => break,
            }
        }
        for key in &fresh {
            self.object_created(key).await;
        }
        fresh.len()
    }

    async fn object_created(&self, key: &str) {
        let bucket = self.app.config.documents_bucket.clone();
        for operation in atrium_portal::operations() {
            let Serve::Event(handler) = operation.serve else {
                continue;
            };
            let event = match operation.trigger {
                Trigger::ObjectCreated { suffix } if key.ends_with(suffix) => {
                    object_created(&bucket, key)
                }
                Trigger::MalwareScanResult => scan_result(&bucket, key, self.scan(key).await),
                _ => continue,
            };
            // Each delivery on its own task, as Lambda would run it; a long build does not
            // hold up the scans.
            let app = self.app.clone();
            let name = operation.name;
            tokio::spawn(async move {
                if let Err(error) = handler(app, event).await {
                    tracing::warn!(%error, operation = name, "event handler failed");
                }
            });
        }
    }

    /// The stand-in scan: EICAR at the start of the file is a threat. Tags the object as
    /// GuardDuty does and answers the result status.
    async fn scan(&self, key: &str) -> &'static str {
        let s3 = &*self.app.s3;
        let bucket = &self.app.config.documents_bucket;
        let head = match s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .range("bytes=0-127")
            .send()
            .await
        {
            Ok(object) => object.body.collect().await.map(|bytes| bytes.to_vec()),
            Err(_) => return "FAILED",
        };
        let status = match head {
            Ok(bytes) if bytes.starts_with(EICAR) => "THREATS_FOUND",
            Ok(_) => "NO_THREATS_FOUND",
            Err(_) => "FAILED",
        };
        let tag = aws_sdk_s3::types::Tag::builder()
            .key("GuardDutyMalwareScanStatus")
            .value(status)
            .build();
        if let (Ok(tag), true) = (tag, status != "FAILED") {
            if let Ok(tagging) = aws_sdk_s3::types::Tagging::builder().tag_set(tag).build() {
                let _ = s3
                    .put_object_tagging()
                    .bucket(bucket)
                    .key(key)
                    .tagging(tagging)
                    .send()
                    .await;
            }
        }
        status
    }
}

/// The EventBridge envelope around an AWS service's `detail`.
fn envelope(
    source: &str,
    detail_type: &str,
    bucket: &str,
    detail: serde_json::Value,
) -> serde_json::Value {
    json!({
        "version": "0",
        "id": ulid::Ulid::new().to_string(),
        "detail-type": detail_type,
        "source": source,
        "account": "123456789012",
        "time": atrium_shared::ids::now_rfc3339(),
        "region": "us-east-1",
        "resources": [format!("arn:aws:s3:::{bucket}")],
        "detail": detail,
    })
}

/// What GuardDuty Malware Protection for S3 publishes for one scanned object.
pub fn scan_result(bucket: &str, key: &str, status: &str) -> serde_json::Value {
    envelope(
        "aws.guardduty",
        "GuardDuty Malware Protection Object Scan Result",
        bucket,
        json!({
            "schemaVersion": "1.0",
            "scanStatus": "COMPLETED",
            "resourceType": "S3_OBJECT",
            "s3ObjectDetails": { "bucketName": bucket, "objectKey": key, "s3Throttled": false },
            "scanResultDetails": { "scanResultStatus": status, "threats": null },
        }),
    )
}

/// What S3 sends EventBridge when an object is created.
pub fn object_created(bucket: &str, key: &str) -> serde_json::Value {
    envelope(
        "aws.s3",
        "Object Created",
        bucket,
        json!({
            "version": "0",
            "bucket": { "name": bucket },
            "object": { "key": key, "size": 0 },
            "reason": "PutObject",
        }),
    )
}

async fn run(watcher: Weak<Watcher>) {
    loop {
        let Some(watcher) = watcher.upgrade() else {
            return;
        };
        let due = watcher
            .sweep_until
            .lock()
            .map(|until| until.is_some_and(|until| Instant::now() < until))
            .unwrap_or(false);
        if due {
            watcher.sweep().await;
        }
        drop(watcher);
        tokio::time::sleep(SWEEP_EVERY).await;
    }
}
