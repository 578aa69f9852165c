//! `make bench`: speed, size and cost inputs of every function in template.yaml, in one run.
//!
//! 1. **Recording.** moto is started and provisioned like the tests; one successful request of
//!    every function runs for real through the gateway's pieces (`bench/src/scenario.rs`), and
//!    every AWS call's raw HTTP answer is kept.
//! 2. **Warm CPU per request.** In this process, each handler runs `--iterations` times on a
//!    current-thread runtime with its SDK clients answered by aws-smithy-mocks from those
//!    recordings (`bench/src/replay.rs`); thread CPU time per request (event parsing, handler,
//!    SDK signing and (de)serialisation, JSON logs formatted into a sink), and the AWS round
//!    trips per request.
//! 3. **Init.** Every function (its capability's binary, `atrium-<capability>`, with the function's
//!    `ATRIUM_OPERATION`) and `hello-lambda` (the hello-world of lambda_runtime,
//!    same profile) is started `--runs` times, interleaved, against a local Runtime API stub
//!    (`bench/src/stub.rs`): process spawn to its first `GET …/invocation/next`.
//! 4. **Peak RSS.** Each binary then serves `--invocations` events (its recorded event) through
//!    the stub against moto; VmHWM from /proc. `hello-lambda` also gets a panicking event and
//!    must answer it as an invocation error and serve the next one.
//! 5. **Size** of each function's release binary (one per capability).
//! 6. **Files.** Upload throughput of a multipart upload with parts in flight against one PUT
//!    of the same file (`bench/src/transfer.rs`), and the peak RSS of `archives-build` zipping
//!    a 1 GiB set against its Lambda memory size (`bench/src/archive.rs`), when those
//!    functions are measured.
//!
//! Writes `target/bench/report.md` and `report.json` and prints the table.

use atrium_bench::archive::ArchiveBuild;
use atrium_bench::process::{function_env, spawn, status_kb, stop};
use atrium_bench::replay::{mocked_app, Tape};
use atrium_bench::scenario::{Kind, Recording, Rig, ORIGIN};
use atrium_bench::stats::{max, median, p90};
use atrium_bench::stub::{Outcome, Stub};
use atrium_bench::thread_cpu;
use atrium_bench::transfer::UploadThroughput;
use atrium_local::moto::Moto;
use atrium_local::stack::{provision, StackOptions};
use atrium_shared::config::Config;
use atrium_shared::operation::Serve;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

const HELLO: &str = "hello-lambda";

/// The binary a function runs: its capability's (`atrium_portal::BINARIES`), with the function's
/// own `ATRIUM_OPERATION`.
fn binary_path(bin_dir: &Path, operation: &str) -> PathBuf {
    bin_dir.join(atrium_portal::binary_of(operation).unwrap_or("atrium-unassigned"))
}
/// Sizes in decimal megabytes, the unit of the goal (< 8 MB); memory is reported in MiB.
const MB: f64 = 1_000_000.0;

struct Args {
    runs: usize,
    invocations: usize,
    iterations: usize,
    only: Option<Vec<String>>,
    /// Recording and warm CPU only (no processes): for working on the scenario.
    in_process_only: bool,
    /// User pools in the account for the second onboarding of the scale check (1,000: the
    /// account's default quota).
    scale_pools: usize,
    /// The file of the upload throughput figure, MiB (0: not measured).
    upload_mib: usize,
    /// Files of 128 MiB in the archive whose build's memory is measured (0: not measured).
    archive_files: usize,
}

/// Parts in flight in the upload throughput figure, and rounds of it (alternating with the
/// single PUT, so a busy moment of the machine falls on both).
const UPLOAD_IN_FLIGHT: usize = 4;
const UPLOAD_ROUNDS: usize = 3;
const ARCHIVE_FILE_MIB: usize = 128;

fn args() -> Result<Args, String> {
    let mut parsed = Args {
        runs: 15,
        invocations: 50,
        iterations: 300,
        only: None,
        in_process_only: false,
        scale_pools: 1_000,
        upload_mib: 256,
        archive_files: 8,
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let mut value = || given.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--runs" => parsed.runs = value()?.parse().map_err(|_| "--runs: a number")?,
            "--invocations" => {
                parsed.invocations = value()?.parse().map_err(|_| "--invocations: a number")?
            }
            "--iterations" => {
                parsed.iterations = value()?.parse().map_err(|_| "--iterations: a number")?
            }
            "--in-process-only" => parsed.in_process_only = true,
            "--scale-pools" => {
                parsed.scale_pools = value()?.parse().map_err(|_| "--scale-pools: a number")?
            }
            "--only" => {
                parsed.only = Some(value()?.split(',').map(str::to_string).collect());
            }
            "--upload-mib" => {
                parsed.upload_mib = value()?.parse().map_err(|_| "--upload-mib: a number")?
            }
            "--archive-files" => {
                parsed.archive_files = value()?.parse().map_err(|_| "--archive-files: a number")?
            }
            other => {
                return Err(format!(
                "unknown argument {other} (use --runs N --invocations N --iterations N --only a,b --upload-mib N --archive-files N)"
            ))
            }
        }
    }
    Ok(parsed)
}

#[derive(Debug, Default, Serialize)]
struct Row {
    binary: String,
    function: String,
    route: String,
    size_bytes: u64,
    init_ms: Vec<f64>,
    init_median_ms: f64,
    init_p90_ms: f64,
    init_ratio: f64,
    rss_after_init_kb: u64,
    peak_rss_kb: u64,
    invocations: usize,
    invocation_errors: usize,
    warm_cpu_median_us: f64,
    warm_cpu_p90_us: f64,
    warm_wall_median_us: f64,
    aws_calls_per_request: f64,
    /// DynamoDB on-demand request units of the recorded request (estimated from the wire).
    read_units: f64,
    write_units: f64,
    recorded_calls: Vec<atrium_bench::record::AwsCall>,
    replay_status_mismatches: usize,
    note: String,
}

#[derive(Debug, Serialize)]
struct Machine {
    nproc: usize,
    cpu: String,
    kernel: String,
    rustc: String,
    date: String,
}

fn machine() -> Machine {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_default();
    let output = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .ok()
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
            .unwrap_or_default()
    };
    Machine {
        nproc: std::thread::available_parallelism().map_or(1, |n| n.get()),
        cpu,
        kernel: output("uname", &["-sr"]),
        rustc: output("rustc", &["-V"]),
        date: output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
    }
}

/// Process start to the first poll of the Runtime API, in milliseconds.
async fn init_once(path: &Path, config: &Config, binary: &str) -> Result<f64, String> {
    let stub = Stub::start().await.map_err(|error| error.to_string())?;
    let env = function_env(config, binary, stub.port);
    let started = Instant::now();
    let child = spawn(path, &env).map_err(|error| format!("{}: {error}", path.display()))?;
    let polled = stub.first_poll(Duration::from_secs(10)).await;
    stop(child);
    let polled = polled.ok_or_else(|| format!("{binary} never polled the Runtime API"))?;
    Ok(polled.duration_since(started).as_secs_f64() * 1000.0)
}

struct Serving {
    rss_after_init_kb: u64,
    peak_rss_kb: u64,
    errors: usize,
    panic_check: Option<String>,
}

/// Serves `count` events and reads the peak resident set.
async fn serve(
    path: &Path,
    config: &Config,
    binary: &str,
    event: &str,
    count: usize,
) -> Result<Serving, String> {
    let mut stub = Stub::start().await.map_err(|error| error.to_string())?;
    let env = function_env(config, binary, stub.port);
    let child = spawn(path, &env).map_err(|error| format!("{}: {error}", path.display()))?;
    let pid = child.id();
    if stub.first_poll(Duration::from_secs(10)).await.is_none() {
        stop(child);
        return Err(format!("{binary} never polled the Runtime API"));
    }
    let rss_after_init_kb = status_kb(pid, "VmHWM");
    let mut errors = 0;
    for _ in 0..count {
        match stub.invoke(event, Duration::from_secs(15)).await {
            Ok(Outcome::Response(_)) => {}
            Ok(Outcome::Error(_)) => errors += 1,
            Err(error) => {
                stop(child);
                return Err(format!("{binary}: {error}"));
            }
        }
    }
    let mut panic_check = None;
    if binary == HELLO {
        let panicked = stub
            .invoke("{\"panic\": true}", Duration::from_secs(15))
            .await;
        let next = stub.invoke("{}", Duration::from_secs(15)).await;
        panic_check = Some(match (&panicked, &next) {
            (Ok(Outcome::Error(body)), Ok(Outcome::Response(_))) => format!(
                "a handler panic was answered as an invocation error ({}) and the same process served the next event",
                body.chars().take(120).collect::<String>()
            ),
            _ => format!("UNEXPECTED: panic gave {panicked:?}, next event gave {next:?}"),
        });
    }
    let peak_rss_kb = status_kb(pid, "VmHWM");
    stop(child);
    Ok(Serving {
        rss_after_init_kb,
        peak_rss_kb,
        errors,
        panic_check,
    })
}

struct Warm {
    cpu_us: Vec<f64>,
    wall_us: Vec<f64>,
    calls_per_request: f64,
    mismatches: usize,
    first_mismatch: String,
}

/// The handler `iterations` times, AWS answered from the recording, on this thread only.
async fn warm(recording: &Recording, config: &Config, iterations: usize) -> Result<Warm, String> {
    use atrium_shared::runtime::respond;
    let tape = Tape::new(&recording.calls);
    let app = Arc::new(mocked_app(config, &tape).await?);
    let authorizer = atrium_authorizer::Authorizer::new(app.clone());
    let warmup = 20;
    let mut result = Warm {
        cpu_us: Vec::new(),
        wall_us: Vec::new(),
        calls_per_request: 0.0,
        mismatches: 0,
        first_mismatch: String::new(),
    };
    let mut calls = 0usize;
    for iteration in 0..warmup + iterations {
        let served = tape.served.load(std::sync::atomic::Ordering::Relaxed);
        let cpu = thread_cpu();
        let wall = Instant::now();
        let outcome: Result<(), String> = match recording.kind {
            Kind::Http => {
                let handler = match atrium_portal::find(&recording.binary).map(|op| op.serve) {
                    Some(Serve::Http(handler)) => handler,
                    _ => return Err(format!("no handler for {}", recording.binary)),
                };
                let request = lambda_http::request::from_str(&recording.event)
                    .map_err(|error| error.to_string())?;
                let response = respond(handler, app.clone(), request).await;
                let status = response.status().as_u16();
                if status == recording.status {
                    Ok(())
                } else {
                    Err(format!("{status} {:?}", response.body()))
                }
            }
            Kind::Authorizer => {
                let event: atrium_authorizer::AuthorizerEvent =
                    serde_json::from_str(&recording.event).map_err(|error| error.to_string())?;
                let answer = authorizer.authorize(&event).await;
                let _ = serde_json::to_string(&answer);
                if answer.is_authorized {
                    Ok(())
                } else {
                    Err(format!(
                        "denied: {:?}",
                        authorizer.principal(&event).await.err()
                    ))
                }
            }
            Kind::Scheduled => {
                match atrium_reminders::run(&app, &atrium_shared::dates::today()).await {
                    Ok(summary) if summary.mails > 0 => Ok(()),
                    Ok(summary) => Err(format!("{summary:?}")),
                    Err(error) => Err(error.message),
                }
            }
            Kind::Event => {
                let handler = match atrium_portal::find(&recording.binary).map(|op| op.serve) {
                    Some(Serve::Event(handler)) => handler,
                    _ => return Err(format!("no event handler for {}", recording.binary)),
                };
                let event =
                    serde_json::from_str(&recording.event).map_err(|error| error.to_string())?;
                // An event handler answers nothing to compare: a build that went wrong on the
                // way (and recorded its failure) still returns Ok. The calls must be the same.
                match handler(app.clone(), event).await {
                    Ok(()) => same_calls(
                        tape.served.load(std::sync::atomic::Ordering::Relaxed) - served,
                        recording.calls.len(),
                    ),
                    Err(error) => Err(error.to_string()),
                }
            }
        };
        let cpu = thread_cpu() - cpu;
        let wall = wall.elapsed();
        if let Err(problem) = outcome {
            result.mismatches += 1;
            if result.first_mismatch.is_empty() {
                result.first_mismatch = problem.chars().take(200).collect();
            }
        }
        if iteration >= warmup {
            result.cpu_us.push(cpu.as_secs_f64() * 1e6);
            result.wall_us.push(wall.as_secs_f64() * 1e6);
            calls += tape.served.load(std::sync::atomic::Ordering::Relaxed) - served;
        }
    }
    result.calls_per_request = calls as f64 / iterations.max(1) as f64;
    Ok(result)
}

fn same_calls(made: usize, recorded: usize) -> Result<(), String> {
    if made == recorded {
        Ok(())
    } else {
        Err(format!("{made} AWS calls where {recorded} were recorded"))
    }
}

fn calls_summary(calls: &[atrium_bench::record::AwsCall]) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for call in calls {
        let service = match call.service.as_str() {
            "Cognito Identity Provider" => "Cognito",
            "DynamoDB" => "DDB",
            "SESv2" => "SES",
            other => other,
        };
        *counts
            .entry(format!("{service}.{}", call.operation))
            .or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(name, count)| {
            if count > 1 {
                format!("{name}×{count}")
            } else {
                name
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn main() {
    if let Err(error) = run() {
        eprintln!("bench: {error}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args = args()?;
    let root = atrium_local::project_root();
    let template = std::fs::read_to_string(root.join("template.yaml"))
        .map_err(|error| format!("template.yaml: {error}"))?;
    let bin_dir: PathBuf = std::env::current_exe()
        .map_err(|error| error.to_string())?
        .parent()
        .ok_or("no directory of the bench binary")?
        .to_path_buf();
    let mut functions = atrium_local::template::functions(&template)?;
    functions.sort_by(|a, b| a.1.cmp(&b.1));
    if let Some(only) = &args.only {
        functions.retain(|(_, binary)| only.contains(binary));
    }
    for (_, binary) in &functions {
        if atrium_portal::find(binary).is_none() {
            return Err(format!("{binary} is not a declared operation"));
        }
        if !args.in_process_only && !binary_path(&bin_dir, binary).exists() {
            return Err(format!(
                "{} is missing: build with `cargo build --release --bins` (scripts/bench does)",
                binary_path(&bin_dir, binary).display()
            ));
        }
    }
    if !args.in_process_only && !bin_dir.join(HELLO).exists() {
        return Err(format!("{} is missing", bin_dir.join(HELLO).display()));
    }
    // JSON log lines are formatted as in Lambda (shared::runtime::init_tracing), into a sink.
    let _ = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        .without_time()
        .with_current_span(false)
        .with_writer(std::io::sink)
        .try_init();
    let _ = std::fs::create_dir_all(std::env::temp_dir().join("atrium-bench-home"));
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| error.to_string())?;

    eprintln!("bench: starting moto and recording one successful request of every function");
    let moto = Moto::start(&root)?;
    let tag = format!("b{}", ulid::Ulid::new().to_string().to_lowercase());
    let (config, mut rig) = runtime.block_on(async {
        let mut options = StackOptions::new(&tag, ORIGIN);
        // The authorizer reads the user's record on every request: the cold-cache cost.
        options.user_cache_seconds = 0;
        let config = provision(&moto.endpoint, &options).await?;
        let mut rig = Rig::new(&moto.endpoint, config.clone(), &template).await?;
        rig.run(&tag).await?;
        rig.onboarding_at_scale(&tag, args.scale_pools).await?;
        Ok::<_, String>((config, rig))
    })?;
    let recordings = std::mem::take(&mut rig.recordings);
    let problems = std::mem::take(&mut rig.problems);
    let onboarding_scale = rig.onboarding_scale.take();
    for problem in &problems {
        eprintln!("bench: recording problem: {problem}");
    }
    if let Some(scale) = &onboarding_scale {
        eprintln!(
            "bench: onboarding made {} AWS calls with {} user pools in the account, {} with {}",
            scale.calls_before.len(),
            scale.pools_before,
            scale.calls_after.len(),
            scale.pools_after
        );
    }

    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    for (function, binary) in &functions {
        let size = std::fs::metadata(binary_path(&bin_dir, binary)).map_or(0, |meta| meta.len());
        let recording = recordings.get(binary);
        rows.insert(
            binary.clone(),
            Row {
                binary: binary.clone(),
                function: function.clone(),
                route: recording.map(|r| r.route.clone()).unwrap_or_default(),
                size_bytes: size,
                recorded_calls: recording.map(|r| r.calls.clone()).unwrap_or_default(),
                read_units: recording.map_or(0.0, |r| r.calls.iter().map(|c| c.read_units).sum()),
                write_units: recording.map_or(0.0, |r| r.calls.iter().map(|c| c.write_units).sum()),
                note: if recording.is_none() {
                    "no successful request recorded".into()
                } else {
                    event_note(binary).to_string()
                },
                ..Row::default()
            },
        );
    }

    eprintln!(
        "bench: warm CPU, {} requests per function, AWS answered by aws-smithy-mocks",
        args.iterations
    );
    for (binary, row) in rows.iter_mut() {
        let Some(recording) = recordings.get(binary).cloned() else {
            continue;
        };
        let config = config.clone();
        let iterations = args.iterations;
        let measured = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|error| error.to_string())?;
            runtime.block_on(warm(&recording, &config, iterations))
        })
        .join()
        .map_err(|_| format!("{binary}: the warm run panicked"))?;
        match measured {
            Ok(warm) => {
                row.warm_cpu_median_us = median(&warm.cpu_us);
                row.warm_cpu_p90_us = p90(&warm.cpu_us);
                row.warm_wall_median_us = median(&warm.wall_us);
                row.aws_calls_per_request = warm.calls_per_request;
                row.replay_status_mismatches = warm.mismatches;
                if warm.mismatches > 0 {
                    row.note = format!(
                        "replay differed {} times: {}",
                        warm.mismatches, warm.first_mismatch
                    );
                }
            }
            Err(error) => row.note = error,
        }
    }

    if args.in_process_only {
        for row in rows.values() {
            println!(
                "{:<22} cpu {:>7.0} µs p90 {:>7.0} calls {:>4.1} RRU {:>3.0} WRU {:>3.0} [{}] {}",
                row.binary,
                row.warm_cpu_median_us,
                row.warm_cpu_p90_us,
                row.aws_calls_per_request,
                row.read_units,
                row.write_units,
                calls_summary(&row.recorded_calls),
                row.note
            );
        }
        return Ok(());
    }
    eprintln!(
        "bench: init time, {} runs of each of {} binaries and {HELLO}, interleaved",
        args.runs,
        functions.len()
    );
    let mut hello_init = Vec::new();
    runtime.block_on(async {
        for _ in 0..args.runs {
            hello_init.push(init_once(&bin_dir.join(HELLO), &config, HELLO).await?);
            for (_, binary) in &functions {
                let ms = init_once(&binary_path(&bin_dir, binary), &config, binary).await?;
                if let Some(row) = rows.get_mut(binary) {
                    row.init_ms.push(ms);
                }
            }
        }
        Ok::<_, String>(())
    })?;
    let hello_median = median(&hello_init);
    for row in rows.values_mut() {
        row.init_median_ms = median(&row.init_ms);
        row.init_p90_ms = p90(&row.init_ms);
        row.init_ratio = row.init_median_ms / hello_median;
    }

    eprintln!(
        "bench: peak RSS while serving {} events each",
        args.invocations
    );
    let hello_event = json!({ "hello": "world" }).to_string();
    let hello = runtime.block_on(serve(
        &bin_dir.join(HELLO),
        &config,
        HELLO,
        &hello_event,
        args.invocations,
    ))?;
    for (binary, row) in rows.iter_mut() {
        let event = match recordings.get(binary) {
            Some(recording) => recording.event.clone(),
            None => std::fs::read_to_string(root.join("events").join(format!("{binary}.json")))
                .map_err(|error| format!("events/{binary}.json: {error}"))?,
        };
        match runtime.block_on(serve(
            &binary_path(&bin_dir, binary),
            &config,
            binary,
            &event,
            args.invocations,
        )) {
            Ok(serving) => {
                row.rss_after_init_kb = serving.rss_after_init_kb;
                row.peak_rss_kb = serving.peak_rss_kb;
                row.invocations = args.invocations;
                row.invocation_errors = serving.errors;
            }
            Err(error) => row.note = format!("{} {error}", row.note),
        }
    }
    let files = files_figures(&runtime, &mut rig, &args, &functions, &bin_dir, &template);
    drop(moto);

    let hello_size = std::fs::metadata(bin_dir.join(HELLO)).map_or(0, |meta| meta.len());
    let report = Report {
        machine: machine(),
        wall_seconds: started.elapsed().as_secs_f64(),
        build_seconds: std::env::var("ATRIUM_BENCH_BUILD_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok()),
        runs: args.runs,
        invocations: args.invocations,
        iterations: args.iterations,
        hello: HelloRow {
            init_ms: hello_init.clone(),
            init_median_ms: hello_median,
            init_p90_ms: p90(&hello_init),
            size_bytes: hello_size,
            rss_after_init_kb: hello.rss_after_init_kb,
            peak_rss_kb: hello.peak_rss_kb,
            panic_check: hello.panic_check.unwrap_or_default(),
        },
        recording_problems: problems,
        onboarding_scale,
        functions: rows.into_values().collect(),
        files,
    };
    let markdown = report.markdown();
    println!("{markdown}");
    let out = root.join("target/bench");
    std::fs::create_dir_all(&out).map_err(|error| error.to_string())?;
    std::fs::write(out.join("report.md"), &markdown).map_err(|error| error.to_string())?;
    std::fs::write(
        out.join("report.json"),
        serde_json::to_string_pretty(&report).map_err(|error| error.to_string())?,
    )
    .map_err(|error| error.to_string())?;
    eprintln!(
        "bench: wrote {} and report.json ({:.0} s)",
        out.join("report.md").display(),
        report.wall_seconds
    );
    Ok(())
}

#[derive(Debug, Serialize)]
struct HelloRow {
    init_ms: Vec<f64>,
    init_median_ms: f64,
    init_p90_ms: f64,
    size_bytes: u64,
    rss_after_init_kb: u64,
    peak_rss_kb: u64,
    panic_check: String,
}

#[derive(Debug, Serialize)]
struct Report {
    machine: Machine,
    wall_seconds: f64,
    build_seconds: Option<f64>,
    runs: usize,
    invocations: usize,
    iterations: usize,
    hello: HelloRow,
    recording_problems: Vec<String>,
    onboarding_scale: Option<atrium_bench::scenario::OnboardingScale>,
    functions: Vec<Row>,
    files: FilesFigures,
}

/// The files capability's figures beyond the table (`bench/src/transfer.rs`,
/// `bench/src/archive.rs`).
#[derive(Debug, Default, Serialize)]
struct FilesFigures {
    upload_throughput: Option<UploadThroughput>,
    archive_build: Option<ArchiveBuild>,
    problems: Vec<String>,
}

/// What the peak-RSS column means for an event-driven function: its recorded event replayed,
/// which changes nothing after the first delivery (the scenario delivered it already).
fn event_note(operation: &str) -> &'static str {
    match operation {
        "archives-build" => "peak RSS: replays of an archive already built (a no-op); a large build is measured below the table",
        "documents-scan-result" => "peak RSS: replays of a verdict already recorded (a no-op)",
        _ => "",
    }
}

/// Upload throughput and the archive build's memory, when the functions they concern are
/// measured (`--upload-mib 0` and `--archive-files 0` leave them out). A failure is reported,
/// not fatal: the table is still written.
fn files_figures(
    runtime: &tokio::runtime::Runtime,
    rig: &mut Rig,
    args: &Args,
    functions: &[(String, String)],
    bin_dir: &Path,
    template: &str,
) -> FilesFigures {
    let mut figures = FilesFigures::default();
    let measured = |operation: &str| functions.iter().any(|(_, binary)| binary == operation);
    let Some(session) = rig.session.clone() else {
        figures
            .problems
            .push("the scenario signed nobody in".into());
        return figures;
    };
    if args.upload_mib > 0 && measured("uploads-parts") {
        eprintln!(
            "bench: upload throughput, {} MiB: one PUT against {UPLOAD_IN_FLIGHT} parts in flight, {UPLOAD_ROUNDS} rounds",
            args.upload_mib
        );
        let measuring = atrium_bench::transfer::upload_throughput(
            rig,
            &session,
            args.upload_mib,
            UPLOAD_IN_FLIGHT,
            UPLOAD_ROUNDS,
        );
        match runtime.block_on(measuring) {
            Ok(throughput) => figures.upload_throughput = Some(throughput),
            Err(error) => figures.problems.push(format!("upload throughput: {error}")),
        }
    }
    if args.archive_files > 0 && measured("archives-build") {
        eprintln!(
            "bench: archives-build on {} files of {ARCHIVE_FILE_MIB} MiB",
            args.archive_files
        );
        let binary = binary_path(bin_dir, "archives-build");
        let measuring = atrium_bench::archive::measure(
            rig,
            &session,
            &binary,
            template,
            args.archive_files,
            ARCHIVE_FILE_MIB,
        );
        match runtime.block_on(measuring) {
            Ok(build) => figures.archive_build = Some(build),
            Err(error) => figures.problems.push(format!("archive build: {error}")),
        }
    }
    figures
}

impl Report {
    fn markdown(&self) -> String {
        let rows = &self.functions;
        let ratios: Vec<f64> = rows.iter().map(|row| row.init_ratio).collect();
        let cpu: Vec<f64> = rows.iter().map(|row| row.warm_cpu_median_us).collect();
        let max_size = max(rows.iter().map(|row| row.size_bytes as f64)) / MB;
        let max_rss = max(rows.iter().map(|row| row.peak_rss_kb as f64)) / 1024.0;
        let max_cpu = max(cpu.iter().copied());
        let measured = rows
            .iter()
            .filter(|row| row.warm_cpu_median_us > 0.0)
            .count();
        let mut out = String::new();
        let m = &self.machine;
        out.push_str("# Atrium bench\n\n");
        out.push_str(&format!(
            "{} · {} × {} · {} · {} · release profile (Cargo.toml) · x86_64 (Lambda runs arm64: sizes and times differ somewhat)\n\n",
            m.date, m.nproc, m.cpu, m.kernel, m.rustc
        ));
        out.push_str(&format!(
            "**Summary** ({} functions): init vs hello-world median ratio {:.2}×, max {:.2}× (goal ≤ 1.5×; hello-world {:.2} ms median) · largest binary {:.2} MB (goal < 8 MB) · peak RSS max {:.1} MiB (goal < 40 MB) · warm CPU per request median of medians {:.0} µs, max {:.0} µs (goal well under 500), {} of {} functions replayed\n\n",
            rows.len(),
            median(&ratios),
            max(ratios.iter().copied()),
            self.hello.init_median_ms,
            max_size,
            max_rss,
            median(&cpu.iter().copied().filter(|v| *v > 0.0).collect::<Vec<_>>()),
            max_cpu,
            measured,
            rows.len()
        ));
        out.push_str(&format!(
            "Init: {} runs each, interleaved with hello-world; peak RSS: VmHWM after {} events; warm CPU: {} requests each (after 20 warm-up) on one thread, AWS answered by aws-smithy-mocks from recorded moto responses. Wall time {:.0} s{}.\n\n",
            self.runs,
            self.invocations,
            self.iterations,
            self.wall_seconds,
            self.build_seconds
                .map(|s| format!(", cargo build before it {s:.0} s (0 when nothing had changed)"))
                .unwrap_or_default()
        ));
        out.push_str(&format!(
            "Panic strategy check: {}\n\n",
            self.hello.panic_check
        ));
        if let Some(scale) = &self.onboarding_scale {
            out.push_str(&format!(
                "**Onboarding as the firm grows:** {} AWS calls with {} user pools in the account, {} with {} ({}): {}\n\n",
                scale.calls_before.len(),
                scale.pools_before,
                scale.calls_after.len(),
                scale.pools_after,
                if scale.calls_before == scale.calls_after { "the same calls, flat" } else { "DIFFERENT: the cost grows" },
                scale.calls_after.join(", ")
            ));
        }
        out.push_str("| function | init median ms | p90 ms | × hello | size MB | RSS after init MiB | peak RSS MiB | warm CPU median µs | p90 µs | AWS calls / request | DDB RRU / WRU | calls | note |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        out.push_str(&format!(
            "| *{HELLO}* | {:.2} | {:.2} | 1.00 | {:.2} | {:.1} | {:.1} | | | | | | baseline |\n",
            self.hello.init_median_ms,
            self.hello.init_p90_ms,
            self.hello.size_bytes as f64 / MB,
            self.hello.rss_after_init_kb as f64 / 1024.0,
            self.hello.peak_rss_kb as f64 / 1024.0
        ));
        for row in rows {
            let errors = if row.invocation_errors > 0 {
                format!(
                    "{} of {} events answered as errors. ",
                    row.invocation_errors, row.invocations
                )
            } else {
                String::new()
            };
            out.push_str(&format!(
                "| {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.1} | {:.1} | {:.0} | {:.0} | {:.1} | {:.0} / {:.0} | {} | {}{} |\n",
                row.binary,
                row.init_median_ms,
                row.init_p90_ms,
                row.init_ratio,
                row.size_bytes as f64 / MB,
                row.rss_after_init_kb as f64 / 1024.0,
                row.peak_rss_kb as f64 / 1024.0,
                row.warm_cpu_median_us,
                row.warm_cpu_p90_us,
                row.aws_calls_per_request,
                row.read_units,
                row.write_units,
                calls_summary(&row.recorded_calls),
                errors,
                row.note.replace('|', "/")
            ));
        }
        out.push_str(&self.files.markdown());
        if !self.recording_problems.is_empty() {
            out.push_str("\nRecording problems:\n\n");
            for problem in &self.recording_problems {
                out.push_str(&format!("- {}\n", problem.replace('\n', " ")));
            }
        }
        out
    }
}

impl FilesFigures {
    fn markdown(&self) -> String {
        let mut out = String::new();
        if let Some(upload) = &self.upload_throughput {
            out.push_str(&upload_markdown(upload));
        }
        if let Some(build) = &self.archive_build {
            out.push_str(&archive_markdown(build));
        }
        for problem in &self.problems {
            out.push_str(&format!("\n**Files figure not measured:** {problem}\n"));
        }
        out
    }
}

fn rates(values: &[f64]) -> String {
    values
        .iter()
        .map(|value| format!("{value:.0}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn upload_markdown(upload: &UploadThroughput) -> String {
    format!(
        "\n**Files: upload throughput** ({} MiB file, {} rounds alternating, real HTTP from the bench process to the local moto): one presigned PUT **{:.0} MB/s** (median; rounds {}) · multipart upload through the portal's handlers, {} parts of {} MiB, {} in flight, part URLs asked 10 at a time ({} part-URL requests): **{:.0} MB/s** (rounds {}) · **ratio {:.2}×** (multipart / single PUT). The confirm (S3 completing the parts, the portal's checks and transaction) took {:.2} s (median) on top. This is loopback to moto on this machine, which is CPU-bound (moto is Python and the local stack checks each body's SHA-256, on the same cores as the client): the ratio shows the client side's overhead or benefit of cutting the file, not what parts in flight gain on the internet. Checksums are computed before the clock starts.\n",
        upload.file_mib,
        upload.single_mb_s.len(),
        upload.single_median_mb_s,
        rates(&upload.single_mb_s),
        upload.parts,
        upload.part_mib,
        upload.in_flight,
        upload.url_requests,
        upload.multipart_median_mb_s,
        rates(&upload.multipart_mb_s),
        upload.ratio,
        median(&upload.confirm_seconds),
    )
}

fn archive_markdown(build: &ArchiveBuild) -> String {
    let peak_mib = build.peak_rss_kb as f64 / 1024.0;
    format!(
        "\n**Files: download-all build** (`atrium-archives` release binary, `ATRIUM_OPERATION=archives-build`, under the Runtime API stub, against moto): {} files of {} MiB ({:.0} MB) → zip of {:.0} MB, status **{}** ({} of {} files) in **{:.1} s ({:.0} MB/s**, function CPU {:.1} s) · peak RSS **{:.1} MiB** against the function's Lambda memory of **{} MB** ({:.0} %; {:.1} MiB after init) · sharing the set through the portal took {:.1} s.\n",
        build.files,
        build.file_mib,
        build.bytes_total as f64 / MB,
        build.zip_bytes as f64 / MB,
        build.status,
        build.files_done,
        build.files,
        build.build_seconds,
        build.build_mb_s,
        build.function_cpu_seconds,
        peak_mib,
        build.memory_size_mb,
        100.0 * peak_mib / build.memory_size_mb as f64,
        build.rss_after_init_kb as f64 / 1024.0,
        build.set_upload_seconds,
    )
}
