//! `audit-verify` on files: exit 0 and a count for an intact export, exit 1 naming the first
//! broken line for a tampered one, exit 2 for usage and unreadable files.

// A test file: its helpers unwrap like its tests (clippy allows it only inside #[test]).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use atrium_shared::audit::{AuditEntry, GENESIS};
use std::process::Command;

fn export(entries: usize) -> String {
    let mut previous = GENESIS.to_string();
    let mut lines = Vec::new();
    for seq in 1..=entries as u64 {
        let mut entry: AuditEntry = serde_json::from_value(serde_json::json!({
            "id": format!("01JD3K7ZQ8M2V5X9T4R6N1B0{seq:02}"), "tenant_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV",
            "actor": "client:abc", "role": "admin", "action": "document.downloaded",
            "target": format!("document/{seq}"), "version": seq, "at": "2026-11-22T10:00:00Z",
            "ip": "203.0.113.7", "user_agent": "test"
        }))
        .unwrap();
        entry.chain(seq, &previous);
        previous = entry.hash.clone();
        lines.push(serde_json::to_string(&entry).unwrap());
    }
    lines.join("\n") + "\n"
}

fn run(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_audit-verify"))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn verifies_and_names_the_first_broken_line() {
    let dir = std::env::temp_dir().join(format!("audit-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.jsonl");
    std::fs::write(&good, export(4)).unwrap();
    let (code, out) = run(&[good.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("4 entries"), "{out}");

    let bad = dir.join("bad.jsonl");
    std::fs::write(&bad, export(4).replace("document/3", "document/7")).unwrap();
    let (code, out) = run(&[bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("line 3"), "{out}");

    assert_eq!(run(&[]).0, 2);
    assert_eq!(run(&["/no/such/file"]).0, 2);
    std::fs::remove_dir_all(&dir).unwrap();
}
