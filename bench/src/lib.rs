//! The benchmark behind `make bench` (see `bench/src/main.rs`): its pieces, unit-tested.

// The measurements drive handlers, the SDK and hyper from one async fn; the layout of those
// nested futures goes deeper than the default limit of 128.
#![recursion_limit = "256"]

pub mod archive;
pub mod files;
pub mod process;
pub mod record;
pub mod replay;
pub mod scenario;
pub mod stats;
pub mod stub;
pub mod transfer;

/// CPU time this thread has used (user + system), with nanosecond resolution.
pub fn thread_cpu() -> std::time::Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec; CLOCK_THREAD_CPUTIME_ID exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    std::time::Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}
