//! Memory of the "download all" builder on a large archive. A set of files (by default 8 of
//! 128 MiB, 1 GiB) is shared through the portal's handlers as the web app sends them (multipart,
//! `transfer::share_in_parts`) and marked clean as GuardDuty would; `archives-create` is asked for
//! a zip of them (it writes the `ArchiveRecord` and the request object, as in AWS). Then the real
//! release binary `atrium-archives` with `ATRIUM_OPERATION=archives-build` is started under the
//! bench's Runtime API stub and handed S3's "Object Created" event for the request object. Its
//! peak resident set (VmHWM) is compared with the function's Lambda memory size from
//! template.yaml; the build's wall time, throughput and CPU are reported, and the archive must
//! be `ready` with a zip at least as large as its files.

use crate::files::archive_request_key;
use crate::process::{cpu_seconds, function_env, spawn, status_kb, stop};
use crate::scenario::{text, Rig, Session};
use crate::stub::{Outcome, Stub};
use crate::transfer::{pattern, share_in_parts};
use atrium_local::watcher::object_created;
use atrium_shared::config::Config;
use serde::Serialize;
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

const OPERATION: &str = "archives-build";
const MIB: usize = 1024 * 1024;
/// The function's timeout in the template (`Operation::timeout(900)`): the longest a build may run.
const BUILD_TIMEOUT: Duration = Duration::from_secs(900);

#[derive(Debug, Clone, Default, Serialize)]
pub struct ArchiveBuild {
    pub files: usize,
    pub file_mib: usize,
    pub bytes_total: u64,
    /// Sharing the set through the portal (multipart, 4 parts in flight), for context.
    pub set_upload_seconds: f64,
    pub build_seconds: f64,
    /// Files' bytes over the build's wall time, MB/s (10^6 bytes).
    pub build_mb_s: f64,
    /// CPU (user + system) of the function's process during the build.
    pub function_cpu_seconds: f64,
    pub rss_after_init_kb: u64,
    pub peak_rss_kb: u64,
    /// The function's `MemorySize` (its own, else the template's Globals), MB as Lambda counts
    /// them (MiB).
    pub memory_size_mb: u64,
    pub status: String,
    pub files_done: u64,
    pub zip_bytes: u64,
}

/// The whole measurement: the set, the build in the real binary, the checks.
pub async fn measure(
    rig: &mut Rig,
    session: &Session,
    files_binary: &Path,
    template: &str,
    files: usize,
    file_mib: usize,
) -> Result<ArchiveBuild, String> {
    let logical_id = atrium_portal::find(OPERATION)
        .map(|operation| operation.logical_id())
        .ok_or("archives-build is not a declared operation")?;
    let mut figures = ArchiveBuild {
        files,
        file_mib,
        memory_size_mb: memory_size_mb(template, &logical_id),
        ..ArchiveBuild::default()
    };
    let clock = Instant::now();
    let archive = ask_for_archive(rig, session, files, file_mib).await?;
    figures.set_upload_seconds = clock.elapsed().as_secs_f64();
    figures.bytes_total = archive.bytes_total;
    let key = archive_request_key(&session.tenant, &archive.id);
    let event = object_created(&rig.config.documents_bucket, &key).to_string();
    let built = build_in_process(files_binary, &rig.config, &event).await?;
    figures.build_seconds = built.seconds;
    figures.build_mb_s = archive.bytes_total as f64 / 1e6 / built.seconds;
    figures.function_cpu_seconds = built.cpu_seconds;
    figures.rss_after_init_kb = built.rss_after_init_kb;
    figures.peak_rss_kb = built.peak_rss_kb;
    let state = rig
        .get(
            &format!("{}/archives/{}", session.base(), archive.id),
            &session.staff,
        )
        .await?;
    figures.status = state["status"].as_str().unwrap_or_default().to_string();
    figures.files_done = state["files_done"].as_u64().unwrap_or_default();
    figures.zip_bytes = zip_size(rig, &session.tenant, &archive.id).await?;
    if figures.status != "ready" || figures.zip_bytes < figures.bytes_total {
        return Err(format!(
            "the archive was not built: {state}, zip {} bytes",
            figures.zip_bytes
        ));
    }
    Ok(figures)
}

struct AskedArchive {
    id: String,
    bytes_total: u64,
}

/// Shares `files` files of `file_mib` MiB (one in memory at a time), each marked clean, and
/// asks for a zip of them as the firm would.
async fn ask_for_archive(
    rig: &mut Rig,
    session: &Session,
    files: usize,
    file_mib: usize,
) -> Result<AskedArchive, String> {
    let mut documents = Vec::with_capacity(files);
    for index in 0..files {
        let bytes = pattern(file_mib * MIB, 1_000 + index as u64);
        let name = format!("set-{index:02}.zip");
        let upload = share_in_parts(rig, session, &name, &bytes, 4).await?;
        rig.scanned_clean(&session.tenant, &upload.document, 1)
            .await?;
        documents.push(upload.document);
    }
    let asked = rig
        .post(
            &format!("{}/archives", session.base()),
            &session.staff,
            json!({ "document_ids": documents }),
        )
        .await?;
    if asked["files_total"].as_u64() != Some(files as u64) {
        return Err(format!("not every file went into the archive: {asked}"));
    }
    Ok(AskedArchive {
        id: text(&asked["id"])?,
        bytes_total: asked["bytes_total"].as_u64().unwrap_or_default(),
    })
}

struct Built {
    seconds: f64,
    cpu_seconds: f64,
    rss_after_init_kb: u64,
    peak_rss_kb: u64,
}

/// One invocation of the release binary under the Runtime API stub, against moto.
async fn build_in_process(path: &Path, config: &Config, event: &str) -> Result<Built, String> {
    let mut stub = Stub::start().await.map_err(|error| error.to_string())?;
    let env = function_env(config, OPERATION, stub.port);
    let child = spawn(path, &env).map_err(|error| format!("{}: {error}", path.display()))?;
    let pid = child.id();
    if stub.first_poll(Duration::from_secs(10)).await.is_none() {
        stop(child);
        return Err(format!("{OPERATION} never polled the Runtime API"));
    }
    let rss_after_init_kb = status_kb(pid, "VmHWM");
    let cpu_before = cpu_seconds(pid);
    let clock = Instant::now();
    let outcome = stub.invoke(event, BUILD_TIMEOUT).await;
    let seconds = clock.elapsed().as_secs_f64();
    let built = Built {
        seconds,
        cpu_seconds: cpu_seconds(pid) - cpu_before,
        rss_after_init_kb,
        peak_rss_kb: status_kb(pid, "VmHWM"),
    };
    stop(child);
    match outcome {
        Ok(Outcome::Response(_)) => Ok(built),
        Ok(Outcome::Error(body)) => Err(format!("{OPERATION} failed: {body}")),
        Err(error) => Err(format!("{OPERATION}: {error}")),
    }
}

async fn zip_size(rig: &Rig, tenant: &str, archive: &str) -> Result<u64, String> {
    let key = format!("tenants/{tenant}/archives/{archive}.zip");
    let head = rig
        .app
        .s3
        .head_object()
        .bucket(&rig.config.documents_bucket)
        .key(&key)
        .send()
        .await
        .map_err(|error| format!("head {key}: {error}"))?;
    Ok(head
        .content_length()
        .and_then(|length| u64::try_from(length).ok())
        .unwrap_or_default())
}

/// A function's `MemorySize` in template.yaml: its own, else `Globals: Function:`'s, else
/// Lambda's default of 128. Read as text: the two blocks are plain YAML written by
/// `make operations`.
pub fn memory_size_mb(template: &str, logical_id: &str) -> u64 {
    let own = block(template, &format!("  {logical_id}:")).and_then(memory_size);
    let global = block(template, "Globals:").and_then(memory_size);
    own.or(global).unwrap_or(128)
}

/// The lines of the mapping that starts at the line `header` (its indentation included), up
/// to the next line indented as little or less.
fn block<'a>(template: &'a str, header: &str) -> Option<Vec<&'a str>> {
    let indent = header.len() - header.trim_start().len();
    let mut lines = template
        .lines()
        .skip_while(|line| line.trim_end() != header);
    lines.next()?;
    Some(
        lines
            .take_while(|line| {
                line.trim().is_empty() || line.len() - line.trim_start().len() > indent
            })
            .collect(),
    )
}

fn memory_size(lines: Vec<&str>) -> Option<u64> {
    lines
        .iter()
        .find_map(|line| line.trim().strip_prefix("MemorySize:"))
        .and_then(|value| value.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "Globals:\n  Function:\n    MemorySize: 128\n    Timeout: 10\nResources:\n  BigFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      MemorySize: 512\n  ArchivesBuildFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Timeout: 900\n  OtherFunction:\n    Properties:\n      MemorySize: 256\n";

    #[test]
    fn a_functions_memory_is_its_own_else_the_globals() {
        assert_eq!(memory_size_mb(TEMPLATE, "BigFunction"), 512);
        assert_eq!(memory_size_mb(TEMPLATE, "ArchivesBuildFunction"), 128);
        assert_eq!(memory_size_mb(TEMPLATE, "OtherFunction"), 256);
        assert_eq!(memory_size_mb("Resources:\n", "ArchivesBuildFunction"), 128);
    }
}
