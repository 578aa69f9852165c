//! openapi/openapi.yaml describes exactly template.yaml's routes: the same paths and methods,
//! every `$ref` resolves, every operation is described (an operationId, a success response
//! with a description), and every `{param}` in a path is declared as a path parameter. The
//! web app's TypeScript types are generated from this document, so what this test keeps
//! true is what the browser relies on.

use atrium_local::template;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use yaml_rust2::{Yaml, YamlLoader};

const METHODS: [&str; 5] = ["get", "put", "post", "patch", "delete"];

fn openapi_dir() -> PathBuf {
    atrium_local::project_root().join("openapi")
}

fn load(path: &Path) -> Yaml {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    YamlLoader::load_from_str(&text)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
        .into_iter()
        .next()
        .unwrap_or(Yaml::Null)
}

/// The documents of the OpenAPI description, by path relative to openapi/.
struct Documents {
    dir: PathBuf,
    loaded: HashMap<PathBuf, Yaml>,
}

impl Documents {
    fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            loaded: HashMap::new(),
        }
    }

    fn get(&mut self, relative: &Path) -> &Yaml {
        let full = self.dir.join(relative);
        self.loaded
            .entry(relative.to_path_buf())
            .or_insert_with(|| load(&full))
    }

    /// Resolves `file.yaml#/json/pointer` (or `#/…` within `from`) to the node it names.
    fn resolve(&mut self, from: &Path, reference: &str) -> Result<(PathBuf, Yaml), String> {
        let (file, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        let target = if file.is_empty() {
            from.to_path_buf()
        } else {
            normalise(&from.parent().unwrap_or(Path::new("")).join(file))
        };
        if !self.dir.join(&target).is_file() {
            return Err(format!(
                "{reference} (from {}): no file {}",
                from.display(),
                target.display()
            ));
        }
        let mut node = self.get(&target).clone();
        for token in pointer.split('/').skip(1) {
            let key = token.replace("~1", "/").replace("~0", "~");
            node = node[key.as_str()].clone();
            if node.is_badvalue() {
                return Err(format!(
                    "{reference} (from {}): nothing at {key}",
                    from.display()
                ));
            }
        }
        Ok((target, node))
    }
}

fn normalise(path: &Path) -> PathBuf {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::CurDir => {}
            other => parts.push(other.as_os_str()),
        }
    }
    parts.iter().collect()
}

/// Every `$ref` anywhere below `node` (in file `from`), so a broken one anywhere is found.
fn collect_refs(node: &Yaml, from: &Path, found: &mut Vec<(PathBuf, String)>) {
    match node {
        Yaml::Hash(map) => {
            for (key, value) in map {
                if key.as_str() == Some("$ref") {
                    if let Some(reference) = value.as_str() {
                        found.push((from.to_path_buf(), reference.to_string()));
                    }
                } else {
                    collect_refs(value, from, found);
                }
            }
        }
        Yaml::Array(items) => items
            .iter()
            .for_each(|item| collect_refs(item, from, found)),
        _ => {}
    }
}

/// The described operations as `METHOD /path`, and every problem found on the way.
fn described_operations() -> (BTreeSet<String>, Vec<String>) {
    let mut documents = Documents::new(openapi_dir());
    let root_path = PathBuf::from("openapi.yaml");
    let root = documents.get(&root_path).clone();
    let mut operations = BTreeSet::new();
    let mut problems = Vec::new();
    let Some(paths) = root["paths"].as_hash() else {
        return (operations, vec!["openapi.yaml has no paths".into()]);
    };
    for (path, item) in paths {
        let path = path.as_str().unwrap_or_default().to_string();
        let (file, item) = match item["$ref"].as_str() {
            Some(reference) => match documents.resolve(&root_path, reference) {
                Ok(found) => found,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            },
            None => (root_path.clone(), item.clone()),
        };
        let declared_in_item = path_parameters(&mut documents, &file, &item["parameters"]);
        for method in METHODS {
            let operation = &item[method];
            if operation.is_badvalue() {
                continue;
            }
            let key = format!("{} {path}", method.to_uppercase());
            let mut declared = declared_in_item.clone();
            declared.extend(path_parameters(
                &mut documents,
                &file,
                &operation["parameters"],
            ));
            check_operation(&key, operation, &declared, &path, &mut problems);
            operations.insert(key);
        }
    }
    // Every reference in every file resolves.
    let files: Vec<PathBuf> = documents.loaded.keys().cloned().collect();
    let mut references = Vec::new();
    for file in &files {
        let document = documents.get(file).clone();
        collect_refs(&document, file, &mut references);
    }
    for (from, reference) in references {
        if let Err(problem) = documents.resolve(&from, &reference) {
            problems.push(problem);
        }
    }
    (operations, problems)
}

/// The path parameters a `parameters` list declares, following `$ref`s to shared ones.
fn path_parameters(documents: &mut Documents, file: &Path, parameters: &Yaml) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for parameter in parameters.as_vec().into_iter().flatten() {
        let parameter = match parameter["$ref"].as_str() {
            Some(reference) => match documents.resolve(file, reference) {
                Ok((_, resolved)) => resolved,
                Err(_) => continue, // reported with every other broken reference
            },
            None => parameter.clone(),
        };
        if parameter["in"].as_str() == Some("path") {
            if let Some(name) = parameter["name"].as_str() {
                found.insert(name.to_string());
            }
        }
    }
    found
}

fn check_operation(
    key: &str,
    operation: &Yaml,
    declared: &BTreeSet<String>,
    path: &str,
    problems: &mut Vec<String>,
) {
    match operation["operationId"].as_str() {
        Some(id) if !id.is_empty() && !id.starts_with("TODO") => {}
        _ => problems.push(format!("{key}: no operationId")),
    }
    let Some(responses) = operation["responses"].as_hash() else {
        problems.push(format!("{key}: no responses"));
        return;
    };
    let success = responses.iter().any(|(status, response)| {
        let status = match status {
            Yaml::String(text) => text.clone(),
            Yaml::Integer(number) => number.to_string(),
            _ => String::new(),
        };
        (status.starts_with('2') || status.starts_with('3'))
            && (response["description"].as_str().is_some() || response["$ref"].as_str().is_some())
    });
    if !success {
        problems.push(format!("{key}: no described success response"));
    }
    let in_path: BTreeSet<String> = path
        .split('/')
        .filter_map(|segment| {
            segment
                .strip_prefix('{')
                .and_then(|rest| rest.strip_suffix('}'))
        })
        .map(str::to_string)
        .collect();
    if *declared != in_path {
        problems.push(format!(
            "{key}: path parameters declared {declared:?}, path has {in_path:?}"
        ));
    }
}

fn template_operations(template_text: &str) -> BTreeSet<String> {
    template::routes(template_text)
        .expect("template.yaml parses")
        .into_iter()
        .map(|route| format!("{} {}", route.method, route.path))
        .collect()
}

/// What differs between the two lists, for a readable failure.
fn differences(
    described: &BTreeSet<String>,
    routes: &BTreeSet<String>,
) -> BTreeMap<&'static str, Vec<String>> {
    let mut found = BTreeMap::new();
    let missing: Vec<String> = routes.difference(described).cloned().collect();
    let extra: Vec<String> = described.difference(routes).cloned().collect();
    if !missing.is_empty() {
        found.insert(
            "routes in template.yaml the OpenAPI document does not describe",
            missing,
        );
    }
    if !extra.is_empty() {
        found.insert(
            "operations in the OpenAPI document that template.yaml does not route",
            extra,
        );
    }
    found
}

#[test]
fn the_openapi_document_describes_exactly_the_template_routes() {
    let template_text =
        std::fs::read_to_string(atrium_local::project_root().join("template.yaml")).unwrap();
    let routes = template_operations(&template_text);
    let (described, problems) = described_operations();
    assert!(
        problems.is_empty(),
        "OpenAPI problems:\n{}",
        problems.join("\n")
    );
    let found = differences(&described, &routes);
    assert!(found.is_empty(), "{found:#?}");
    assert!(
        routes.len() > 90,
        "the template's routes were read: {}",
        routes.len()
    );

    // The comparison itself notices a route added to the template without a description.
    let mut with_new_route = routes.clone();
    with_new_route.insert("GET /api/not-described".to_string());
    assert!(!differences(&described, &with_new_route).is_empty());
}

/// The file types the document says uploads accept are exactly the ones the API accepts
/// (`rules::ALLOWED_CONTENT_TYPES`); the web build checks its own list against the document.
#[test]
fn the_described_upload_types_are_the_accepted_ones() {
    let documents = load(&openapi_dir().join("paths/documents.yaml"));
    let described: BTreeSet<String> = documents["components"]["schemas"]["DeclaredFileFields"]
        ["properties"]["content_type"]["enum"]
        .as_vec()
        .expect("DeclaredFileFields.content_type.enum")
        .iter()
        .filter_map(|value| value.as_str().map(str::to_string))
        .collect();
    let accepted: BTreeSet<String> = atrium_documents::rules::ALLOWED_CONTENT_TYPES
        .iter()
        .map(|value| value.to_string())
        .collect();
    assert_eq!(described, accepted);
}

/// The root's `paths:` entries, one `$ref` per path item of each file in openapi/paths/ (files
/// by name, path items in their file's order), so describing a route touches only its area's
/// file; `make operations` writes them.
fn root_paths() -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir(openapi_dir().join("paths"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    let mut out = String::from("paths:\n");
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let Yaml::Hash(items) = load(&file) else {
            panic!("openapi/paths/{name} is not a map of path items");
        };
        for path in items
            .keys()
            .filter_map(Yaml::as_str)
            .filter(|key| key.starts_with('/'))
        {
            let pointer = path.replace('~', "~0").replace('/', "~1");
            out.push_str(&format!(
                "  {path}:\n    $ref: \"paths/{name}#/{pointer}\"\n"
            ));
        }
    }
    out
}

#[test]
fn the_root_lists_every_described_path() {
    let root = openapi_dir().join("openapi.yaml");
    let text = std::fs::read_to_string(&root).unwrap();
    let start = text.find("\npaths:\n").expect("a paths: section") + 1;
    let end = text.find("\ncomponents:").expect("a components: section") + 1;
    let wanted = root_paths();
    if std::env::var_os("ATRIUM_WRITE_OPERATIONS").is_some() && text[start..end] != wanted {
        std::fs::write(&root, format!("{}{wanted}{}", &text[..start], &text[end..])).unwrap();
        return;
    }
    assert_eq!(
        text[start..end],
        wanted,
        "openapi/openapi.yaml's paths are not the path items of openapi/paths/; run `make operations`"
    );
}

/// Objects with `properties` anywhere below `node` that do not say `additionalProperties:
/// false`, following `$ref`s (each once).
fn open_objects(
    documents: &mut Documents,
    file: &Path,
    node: &Yaml,
    at: &str,
    seen: &mut BTreeSet<String>,
    found: &mut Vec<String>,
) {
    match node {
        Yaml::Hash(map) => {
            if let Some(reference) = node["$ref"].as_str() {
                let (target, resolved) = documents
                    .resolve(file, reference)
                    .unwrap_or_else(|problem| panic!("{problem}"));
                if seen.insert(format!("{}{reference}", target.display())) {
                    open_objects(documents, &target, &resolved, reference, seen, found);
                }
                return;
            }
            let is_object = node["type"].as_str() == Some("object");
            let closed = node["additionalProperties"].as_bool() == Some(false);
            if is_object && !node["properties"].is_badvalue() && !closed {
                found.push(format!("{} {at}", file.display()));
            }
            for (key, value) in map {
                match key.as_str() {
                    Some("description") => {}
                    // Parts of an `allOf` closed as a whole (`unevaluatedProperties: false`)
                    // are each open, or the parts would refuse each other's fields; what they
                    // nest is checked as usual.
                    Some("allOf") if node["unevaluatedProperties"].as_bool() == Some(false) => {
                        for part in value.as_vec().into_iter().flatten() {
                            let mut part = part.clone();
                            if let Yaml::Hash(fields) = &mut part {
                                fields.insert(
                                    Yaml::String("additionalProperties".into()),
                                    Yaml::Boolean(false),
                                );
                            }
                            let reference = part["$ref"].as_str().map(str::to_string);
                            match reference {
                                Some(reference) => {
                                    let (target, resolved) = documents
                                        .resolve(file, &reference)
                                        .unwrap_or_else(|problem| panic!("{problem}"));
                                    for (_, property) in
                                        resolved["properties"].as_hash().into_iter().flatten()
                                    {
                                        open_objects(
                                            documents, &target, property, &reference, seen, found,
                                        );
                                    }
                                }
                                None => open_objects(documents, file, &part, at, seen, found),
                            }
                        }
                    }
                    _ => open_objects(documents, file, value, at, seen, found),
                }
            }
        }
        Yaml::Array(items) => {
            for item in items {
                open_objects(documents, file, item, at, seen, found);
            }
        }
        _ => {}
    }
}

/// Every request body refuses fields it does not name (the functions do: `deny_unknown_fields`
/// on every body), so the document says so and the fuzzer's checks hold the API to it.
#[test]
fn every_request_body_refuses_unknown_fields() {
    let mut documents = Documents::new(openapi_dir());
    let mut found = Vec::new();
    let area_files: Vec<PathBuf> = std::fs::read_dir(openapi_dir().join("paths"))
        .unwrap()
        .map(|entry| PathBuf::from("paths").join(entry.unwrap().file_name()))
        .collect();
    for file in area_files {
        let document = documents.get(&file).clone();
        for (path, item) in document.as_hash().into_iter().flatten() {
            if !path.as_str().is_some_and(|path| path.starts_with('/')) {
                continue;
            }
            for (method, operation) in item.as_hash().into_iter().flatten() {
                let body = &operation["requestBody"];
                if !body.is_badvalue() {
                    let at = format!(
                        "{} {}",
                        method.as_str().unwrap_or("?"),
                        path.as_str().unwrap_or("?")
                    );
                    open_objects(
                        &mut documents,
                        &file,
                        body,
                        &at,
                        &mut BTreeSet::new(),
                        &mut found,
                    );
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "request body objects without `additionalProperties: false`:\n{}",
        found.join("\n")
    );
}
