//! Upload throughput: one file sent as the web app sends a large file (a multipart upload
//! through the portal's handlers, part URLs asked ten at a time, `in_flight` parts going up at
//! once) against one presigned PUT of the same bytes, alternating, in the same run, with real
//! HTTP from this process to the local moto.
//!
//! Both go over loopback to moto on this machine, which is CPU-bound (moto is Python, and the
//! local stack checks each body's SHA-256 as S3 does), so the ratio shows what the client side
//! costs or gains by cutting the file, not what it gains on the internet, where parallel
//! connections are mostly about latency and per-connection throughput.

use crate::scenario::{text, Rig, Session};
use crate::stats::median;
use hyper::body::Bytes;
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

const MIB: usize = 1024 * 1024;
/// Throughput in decimal megabytes per second.
const MB: f64 = 1_000_000.0;
/// Part URLs per request, as the web app asks (`parts::MAX_PARTS_PER_REQUEST`).
const URLS_PER_REQUEST: usize = 10;

/// `len` bytes that differ with `seed` and compress to nothing useful (xorshift64).
pub fn pattern(len: usize, seed: u64) -> Bytes {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut bytes = Vec::with_capacity(len + 8);
    while bytes.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(len);
    Bytes::from(bytes)
}

/// Base64 of the SHA-256, as uploads declare it.
pub fn sha256_base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes))
}

/// PUTs `body` to a presigned URL (`{url, headers}` as the portal answers them).
pub async fn put_presigned(
    client: &reqwest::Client,
    signed: &Value,
    body: Bytes,
) -> Result<(), String> {
    let url = signed["url"].as_str().ok_or("no upload url")?;
    let mut put = client.put(url);
    if let Some(headers) = signed["headers"].as_object() {
        for (name, value) in headers {
            put = put.header(name.as_str(), value.as_str().unwrap_or_default());
        }
    }
    let stored = put
        .body(body)
        .send()
        .await
        .map_err(|error| format!("put: {error}"))?;
    if !stored.status().is_success() {
        let status = stored.status();
        let answer = stored.text().await.unwrap_or_default();
        return Err(format!(
            "put: {status} {}",
            answer.chars().take(200).collect::<String>()
        ));
    }
    Ok(())
}

/// One file shared by the firm in parts.
pub struct PartsUpload {
    pub document: String,
    pub part_size: usize,
    /// First part-URL request to the last part stored.
    pub transfer: Duration,
    /// The confirm: S3 completes the upload, the portal checks and records the version.
    pub confirm: Duration,
    pub parts: usize,
    pub url_requests: usize,
}

/// Shares `bytes` with the client through the portal's handlers, as the web app does: the
/// upload started, part URLs asked ten at a time with each part's SHA-256, `in_flight` parts
/// going up at once, then the confirm. The part checksums are computed before the clock
/// starts: hashing is the browser's work, the same for both ways of sending.
pub async fn share_in_parts(
    rig: &mut Rig,
    session: &Session,
    file_name: &str,
    bytes: &Bytes,
    in_flight: usize,
) -> Result<PartsUpload, String> {
    let base = session.base();
    let body = crate::files::declared(file_name, "application/zip", bytes);
    let started = rig
        .post(&format!("{base}/documents"), &session.staff, body)
        .await?;
    let document = text(&started["document_id"])?;
    let part_size = started["upload"]["part_size"]
        .as_u64()
        .and_then(|size| usize::try_from(size).ok())
        .filter(|size| *size > 0)
        .ok_or_else(|| format!("not a multipart upload: {started}"))?;
    let version = format!(
        "{base}/documents/{document}/versions/{}",
        started["version"]
    );
    let parts: Vec<Bytes> = (0..bytes.len())
        .step_by(part_size)
        .map(|start| bytes.slice(start..(start + part_size).min(bytes.len())))
        .collect();
    let hashes: Vec<String> = parts.iter().map(|part| sha256_base64(part)).collect();
    let clock = Instant::now();
    let mut sender = PartSender {
        rig,
        staff: &session.staff,
        parts_path: format!("{version}/parts"),
        hashes: &hashes,
        next: 1,
        signed: VecDeque::new(),
        url_requests: 0,
    };
    let client = reqwest::Client::new();
    let mut running = JoinSet::new();
    let mut stored = 0;
    while stored < parts.len() {
        while running.len() < in_flight.max(1) {
            let Some((number, signed)) = sender.next_url().await? else {
                break;
            };
            let body = parts[number - 1].clone();
            let client = client.clone();
            running.spawn(async move { put_presigned(&client, &signed, body).await });
        }
        match running.join_next().await {
            Some(Ok(Ok(()))) => stored += 1,
            Some(Ok(Err(error))) => return Err(error),
            Some(Err(error)) => return Err(format!("part upload task: {error}")),
            None => return Err("no part in flight and none left to send".into()),
        }
    }
    let transfer = clock.elapsed();
    let url_requests = sender.url_requests;
    let clock = Instant::now();
    rig.post(&format!("{version}/confirm"), &session.staff, json!({}))
        .await?;
    Ok(PartsUpload {
        document,
        part_size,
        transfer,
        confirm: clock.elapsed(),
        parts: parts.len(),
        url_requests,
    })
}

/// Hands out part URLs in order, asking the portal for the next ten when it has none left.
struct PartSender<'a> {
    rig: &'a mut Rig,
    staff: &'a str,
    parts_path: String,
    hashes: &'a [String],
    /// The first part number not asked for yet.
    next: usize,
    signed: VecDeque<(usize, Value)>,
    url_requests: usize,
}

impl PartSender<'_> {
    async fn next_url(&mut self) -> Result<Option<(usize, Value)>, String> {
        if self.signed.is_empty() && self.next <= self.hashes.len() {
            let numbers: Vec<usize> = (self.next..=self.hashes.len())
                .take(URLS_PER_REQUEST)
                .collect();
            self.next += numbers.len();
            let asked: Vec<Value> = numbers
                .iter()
                .map(|number| json!({ "number": number, "sha256": self.hashes[number - 1] }))
                .collect();
            let answer = self
                .rig
                .post(&self.parts_path, self.staff, json!({ "parts": asked }))
                .await?;
            self.url_requests += 1;
            for part in answer["parts"].as_array().into_iter().flatten() {
                let number = part["number"]
                    .as_u64()
                    .and_then(|number| usize::try_from(number).ok())
                    .filter(|number| (1..=self.hashes.len()).contains(number))
                    .ok_or_else(|| format!("a part URL for no part: {part}"))?;
                self.signed.push_back((number, part.clone()));
            }
        }
        Ok(self.signed.pop_front())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct UploadThroughput {
    pub file_mib: usize,
    pub part_mib: usize,
    pub parts: usize,
    pub in_flight: usize,
    /// Part-URL requests per multipart upload.
    pub url_requests: usize,
    /// Each round's MB/s (10^6 bytes), the single PUT then the multipart upload.
    pub single_mb_s: Vec<f64>,
    pub multipart_mb_s: Vec<f64>,
    pub single_median_mb_s: f64,
    pub multipart_median_mb_s: f64,
    /// Multipart over single (medians): above 1, cutting the file was faster.
    pub ratio: f64,
    /// Each multipart upload's confirm (S3 completes the upload, the portal records it).
    pub confirm_seconds: Vec<f64>,
}

/// `rounds` times, alternating: one presigned PUT of a `file_mib` MiB file (signed by the
/// portal's `presign_upload`, the same headers and checksum as its single uploads), then the
/// same bytes as a multipart upload with `in_flight` parts at once. Objects are deleted after
/// each round so moto holds at most two copies.
pub async fn upload_throughput(
    rig: &mut Rig,
    session: &Session,
    file_mib: usize,
    in_flight: usize,
    rounds: usize,
) -> Result<UploadThroughput, String> {
    let bytes = pattern(file_mib * MIB, 42);
    let megabytes = bytes.len() as f64 / MB;
    let mut figures = UploadThroughput {
        file_mib,
        part_mib: 0,
        parts: 0,
        in_flight,
        url_requests: 0,
        single_mb_s: Vec::new(),
        multipart_mb_s: Vec::new(),
        single_median_mb_s: 0.0,
        multipart_median_mb_s: 0.0,
        ratio: 0.0,
        confirm_seconds: Vec::new(),
    };
    for round in 0..rounds {
        let seconds = single_put(rig, session, &bytes, round).await?;
        figures.single_mb_s.push(megabytes / seconds);
        let name = format!("throughput-{round}.zip");
        let upload = share_in_parts(rig, session, &name, &bytes, in_flight).await?;
        let key = crate::files::version_key(&session.tenant, &upload.document, 1);
        delete(rig, &key).await?;
        figures
            .multipart_mb_s
            .push(megabytes / upload.transfer.as_secs_f64());
        figures.confirm_seconds.push(upload.confirm.as_secs_f64());
        figures.parts = upload.parts;
        figures.part_mib = upload.part_size / MIB;
        figures.url_requests = upload.url_requests;
    }
    figures.single_median_mb_s = median(&figures.single_mb_s);
    figures.multipart_median_mb_s = median(&figures.multipart_mb_s);
    figures.ratio = figures.multipart_median_mb_s / figures.single_median_mb_s;
    Ok(figures)
}

/// Seconds of one presigned PUT of `bytes`, signed as the portal signs its single uploads
/// (type, length, SHA-256), though the portal itself offers one PUT only up to 8 MiB.
async fn single_put(
    rig: &Rig,
    session: &Session,
    bytes: &Bytes,
    round: usize,
) -> Result<f64, String> {
    let key = format!("tenants/{}/bench/single-{round}.bin", session.tenant);
    let size = i64::try_from(bytes.len()).map_err(|error| error.to_string())?;
    let sha256 = sha256_base64(bytes);
    let signed =
        atrium_shared::objects::presign_upload(&rig.app, &key, "application/zip", size, &sha256)
            .await
            .map_err(|error| format!("presign: {error}"))?;
    let signed = json!({ "url": signed.url, "headers": signed.headers });
    let clock = Instant::now();
    put_presigned(&reqwest::Client::new(), &signed, bytes.clone()).await?;
    let seconds = clock.elapsed().as_secs_f64();
    delete(rig, &key).await?;
    Ok(seconds)
}

async fn delete(rig: &Rig, key: &str) -> Result<(), String> {
    rig.app
        .s3
        .delete_object()
        .bucket(&rig.config.documents_bucket)
        .key(key)
        .send()
        .await
        .map_err(|error| format!("delete {key}: {error}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_have_the_length_asked_and_differ_by_seed() {
        assert_eq!(pattern(13, 1).len(), 13);
        assert_eq!(pattern(13, 1), pattern(13, 1));
        assert_ne!(pattern(64, 1), pattern(64, 2));
        assert_eq!(pattern(0, 1).len(), 0);
    }
}
