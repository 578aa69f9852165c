//! Every request body a handler parses refuses fields it does not name: each `Deserialize`
//! type in a capability's handler files (not its `data.rs` records, which must read items
//! written by older code) carries `#[serde(deny_unknown_fields)]`. A misspelled field is then
//! a 400 naming it (`http::parse_json`) instead of being silently ignored.

// A test file: its helpers unwrap like its tests (clippy allows it only inside #[test]).
#![allow(clippy::unwrap_used)]

use std::path::Path;

/// `file: line` of each `Deserialize` type whose attributes do not deny unknown fields.
fn open_bodies(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if !(trimmed.starts_with("#[derive(") && trimmed.contains("Deserialize")) {
            continue;
        }
        // The attributes up to the item they belong to.
        let attributes: Vec<&str> = lines[index..]
            .iter()
            .take_while(|line| !line.contains("struct ") && !line.contains("enum "))
            .copied()
            .collect();
        let item = lines
            .get(index + attributes.len())
            .copied()
            .unwrap_or_default();
        // Enums of plain values hold no fields (a tagged enum does); a response is not read
        // from a request.
        let holds_no_fields =
            item.contains("enum ") && !attributes.iter().any(|line| line.contains("tag ="));
        if holds_no_fields || item.contains("Response ") {
            continue;
        }
        if !attributes
            .iter()
            .any(|line| line.contains("deny_unknown_fields"))
        {
            found.push(format!("{}:{}", file.display(), index + 1));
        }
    }
    found
}

#[test]
fn every_request_body_denies_unknown_fields() {
    let functions = Path::new(env!("CARGO_MANIFEST_DIR")).join("../functions");
    let mut found = Vec::new();
    for capability in std::fs::read_dir(&functions).unwrap() {
        let src = capability.unwrap().path().join("src");
        for entry in std::fs::read_dir(&src).into_iter().flatten() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            // Records, the authorizer's token claims (Cognito adds claims of its own), and what
            // payments reads from Stripe (its answers and events, which gain fields with every
            // API version) and from Secrets Manager (the stored keys).
            let from_stripe = src.ends_with("payments/src")
                && ["stripe.rs", "webhook.rs", "secrets.rs"].contains(&name.as_str());
            let not_a_body = name == "data.rs" || src.ends_with("authorizer/src") || from_stripe;
            if path.extension().is_some_and(|ext| ext == "rs") && !not_a_body {
                found.extend(open_bodies(&path));
            }
        }
    }
    assert!(
        found.is_empty(),
        "Deserialize types without #[serde(deny_unknown_fields)]:\n{}",
        found.join("\n")
    );
}
