//! The kernel's modules depend on each other in one direction only: no module reaches,
//! through `crate::…` paths, a module that reaches it back. Test code (`#[cfg(test)]` and
//! after) does not count. A circle fails with its path, e.g. `error -> http -> edge -> error`.

// A test file: its helpers unwrap like its tests (clippy allows it only inside #[test]).
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module name → the top-level modules its non-test code names.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph = BTreeMap::new();
    let mut files = Vec::new();
    let mut directories = vec![src.to_path_buf()];
    while let Some(directory) = directories.pop() {
        for entry in std::fs::read_dir(&directory).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                directories.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    for file in files {
        let relative = file.strip_prefix(src).unwrap();
        let module = relative
            .components()
            .next()
            .and_then(|first| first.as_os_str().to_str())
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        if module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let named = graph.entry(module.clone()).or_insert_with(BTreeSet::new);
        for line in code.lines() {
            let line = line.trim_start();
            if line.starts_with("//") {
                continue;
            }
            for (at, _) in line.match_indices("crate::") {
                let rest = &line[at + "crate::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    named.insert(name);
                }
            }
        }
    }
    graph
}

fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        open: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        found: &mut Vec<Vec<String>>,
    ) {
        open.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(start) = open.iter().position(|seen| seen == next) {
                let mut circle = open[start..].to_vec();
                circle.push(next.clone());
                found.push(circle);
            } else if !done.contains(next) {
                visit(next, graph, open, done, found);
            }
        }
        open.pop();
        done.insert(node.to_string());
    }
    let mut found = Vec::new();
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if !done.contains(node) {
            visit(node, graph, &mut Vec::new(), &mut done, &mut found);
        }
    }
    found
}

#[test]
fn the_kernel_has_no_import_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found: Vec<String> = circles(&graph(&src))
        .iter()
        .map(|circle| circle.join(" -> "))
        .collect();
    assert!(found.is_empty(), "import circles: {found:#?}");
}

#[test]
fn the_check_finds_a_circle() {
    let graph = BTreeMap::from([
        ("edge".to_string(), BTreeSet::from(["error".to_string()])),
        ("error".to_string(), BTreeSet::from(["http".to_string()])),
        ("http".to_string(), BTreeSet::from(["edge".to_string()])),
        ("ids".to_string(), BTreeSet::new()),
    ]);
    assert_eq!(
        circles(&graph),
        vec![vec!["edge", "error", "http", "edge"]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()]
    );
}
