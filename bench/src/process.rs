//! The function processes the bench starts: their environment, start, stop and what
//! `/proc` says about them.

use atrium_shared::config::Config;
use atrium_shared::operation::OPERATION_VARIABLE;
use std::path::Path;
use std::process::{Command, Stdio};

/// A `kB` field of `/proc/<pid>/status` (`VmHWM`: the peak resident set so far).
pub fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                let rest = line.strip_prefix(field)?.strip_prefix(':')?;
                rest.trim().trim_end_matches("kB").trim().parse().ok()
            })
        })
        .unwrap_or(0)
}

/// The environment Lambda gives a function (the template's variables for this stack), with
/// the Runtime API at `port`.
pub fn function_env(config: &Config, binary: &str, port: u16) -> Vec<(String, String)> {
    let mut env = vec![
        ("PATH", "/usr/bin:/bin".to_string()),
        // An empty home: no developer AWS profile is read (there is none in Lambda either).
        (
            "HOME",
            std::env::temp_dir()
                .join("atrium-bench-home")
                .display()
                .to_string(),
        ),
        ("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{port}")),
        ("AWS_LAMBDA_FUNCTION_NAME", binary.to_string()),
        // Which operation the capability's binary runs (hello-lambda ignores it).
        (OPERATION_VARIABLE, binary.to_string()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".to_string()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_string()),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            "/atrium/bench/functions".to_string(),
        ),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench".to_string()),
        ("AWS_REGION", config.region.clone()),
        ("ATRIUM_TABLE", config.table.clone()),
        ("ATRIUM_DOCUMENTS_BUCKET", config.documents_bucket.clone()),
        ("ATRIUM_STAFF_POOL_ID", config.staff_pool_id.clone()),
        ("ATRIUM_STAFF_CLIENT_ID", config.staff_client_id.clone()),
        ("ATRIUM_PORTAL_ORIGIN", config.portal_origin.clone()),
        ("ATRIUM_MAIL_FROM", config.mail_from.clone()),
        ("ATRIUM_FIRM_NAME", config.firm_name.clone()),
        ("ATRIUM_RESOURCE_PREFIX", config.resource_prefix.clone()),
        (
            "ATRIUM_INVITE_TTL_HOURS",
            config.invite_ttl_hours.to_string(),
        ),
    ];
    if let Some(endpoint) = &config.aws_endpoint {
        env.push(("ATRIUM_AWS_ENDPOINT", endpoint.clone()));
    }
    env.into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect()
}

/// Starts a function's binary with exactly `env`, its output discarded.
pub fn spawn(path: &Path, env: &[(String, String)]) -> std::io::Result<std::process::Child> {
    Command::new(path)
        .env_clear()
        .envs(env.iter().map(|(name, value)| (name, value)))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
}

pub fn stop(mut child: std::process::Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// CPU time (user + system) the process has used so far, from `/proc/<pid>/stat`.
pub fn cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces, inside parentheses): utime and
    // stime are the 14th and 15th fields of the line, the 12th and 13th after ") ".
    let Some((_, after)) = stat.rsplit_once(") ") else {
        return 0.0;
    };
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|index| fields.get(*index)?.parse::<u64>().ok())
        .sum();
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    ticks as f64 / per_second.max(1) as f64
}
