//! `audit-verify <export.jsonl>…`: checks exported audit trails offline (no AWS access) and
//! names the first broken entry. Several files are read as one trail, in the order given.

use std::process::ExitCode;

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: audit-verify <export.jsonl>...");
        return ExitCode::from(2);
    }
    let mut export = String::new();
    for file in &files {
        match std::fs::read_to_string(file) {
            Ok(text) => {
                export.push_str(&text);
                if !text.ends_with('\n') {
                    export.push('\n');
                }
            }
            Err(error) => {
                eprintln!("{file}: {error}");
                return ExitCode::from(2);
            }
        }
    }
    match atrium_shared::audit::verify(&export) {
        Ok(count) => {
            println!("ok: {count} entries, the chain is intact");
            ExitCode::SUCCESS
        }
        Err(broken) => {
            println!("broken: {broken}");
            ExitCode::FAILURE
        }
    }
}
