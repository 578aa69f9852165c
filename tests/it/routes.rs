//! The operations' declarations (`OPERATIONS` in each capability, gathered by
//! `atrium_portal`) are the one list of what the portal runs: template.yaml's function blocks
//! are written from them, every function of the template runs a declared operation, every HTTP
//! operation has a route and a handler, and every operation has a sample event in events/ that
//! parses as what the runtime would hand it.
//!
//! `make operations` (`ATRIUM_WRITE_OPERATIONS=1 cargo test -p atrium-tests --test routes`)
//! rewrites the template's function blocks and writes the missing events;
//! `ATRIUM_WRITE_OPERATIONS=all` also rewrites every event (ids and times change, so only when
//! the format does).

use atrium_authorizer::AuthorizerEvent;
use atrium_local::events::{authorizer_event, http_event, IncomingRequest};
use atrium_local::gateway::match_routes;
use atrium_local::template;
use atrium_portal::template::{current_section, function_block, functions_section, splice};
use atrium_shared::operation::Trigger;
use std::path::PathBuf;

/// template.yaml, after writing its function blocks first when `make operations` asks (once
/// for the whole binary, before any test reads it).
fn template_text() -> String {
    static WRITTEN: std::sync::Once = std::sync::Once::new();
    let path = atrium_local::project_root().join("template.yaml");
    WRITTEN.call_once(|| {
        if writing().is_some() {
            let text = std::fs::read_to_string(&path).unwrap();
            let written = splice(&text, &functions_section(atrium_portal::operations())).unwrap();
            if written != text {
                std::fs::write(&path, written).unwrap();
            }
        }
    });
    std::fs::read_to_string(path).unwrap()
}

fn events_dir() -> PathBuf {
    atrium_local::project_root().join("events")
}

fn writing() -> Option<String> {
    std::env::var("ATRIUM_WRITE_OPERATIONS").ok()
}

/// What differs between the template's function blocks and the declarations, by operation.
fn differences(template: &str) -> Vec<String> {
    let mut found = Vec::new();
    let section = current_section(template).unwrap_or("");
    for operation in atrium_portal::operations() {
        let block = function_block(operation);
        if !section.contains(&block) {
            let id = operation.logical_id();
            found.push(if section.contains(&format!("\n  {id}:\n")) {
                format!("{} ({id}) differs from its declaration", operation.name)
            } else {
                format!("{} has no function block ({id})", operation.name)
            });
        }
    }
    if found.is_empty() && section != functions_section(atrium_portal::operations()) {
        found.push(
            "the section holds blocks that no operation declares, or in another order".into(),
        );
    }
    found
}

#[test]
fn the_template_runs_the_declared_operations() {
    let text = template_text();
    let problems = differences(&text);
    assert!(
        problems.is_empty(),
        "template.yaml is not what the declarations say; run `make operations`:\n{}",
        problems.join("\n")
    );
    // And the check notices a changed block, naming its operation.
    let changed = text.replace("Path: /api/workspace\n", "Path: /api/workspaces\n");
    assert_eq!(
        differences(&changed),
        vec!["workspace-get (WorkspaceGetFunction) differs from its declaration".to_string()]
    );
}

#[test]
fn routes_and_handlers_match_one_to_one() {
    let matched = match_routes(&template_text()).expect("template.yaml and the declarations agree");
    assert!(!matched.is_empty());
    // And the check itself catches a function whose operation nobody declares.
    let extra = template_text().replace(
        "ATRIUM_OPERATION: workspace-get\n",
        "ATRIUM_OPERATION: workspace-nothing\n",
    );
    let refused = match_routes(&extra).unwrap_err();
    assert!(
        refused.contains("WorkspaceGetFunction runs workspace-nothing"),
        "{refused}"
    );
}

fn sample_request(route: &template::Route) -> IncomingRequest {
    let path = route
        .path
        .split('/')
        .map(|segment| match segment {
            "{number}" => "1",
            "{id}" => "01ARZ3NDEKTSV4RRFFQ69G5FAV",
            other if other.starts_with('{') => "01JD3K7ZQ8M2V5X9T4R6N1B0CW",
            other => other,
        })
        .collect::<Vec<_>>()
        .join("/");
    let mut request = IncomingRequest::new(&route.method, &path);
    request
        .headers
        .insert("content-type", "application/json".parse().unwrap());
    request
        .headers
        .insert("origin", "https://portal.firm.example".parse().unwrap());
    request
        .headers
        .insert("user-agent", "Mozilla/5.0 (sample)".parse().unwrap());
    request.source_ip = "203.0.113.10".to_string();
    if route.method != "GET" {
        request.body = b"{}".to_vec();
    }
    request
}

/// What EventBridge delivers for an event-driven operation's trigger.
fn sample_bucket_event(trigger: Trigger) -> serde_json::Value {
    let envelope = |source: &str, detail_type: &str, detail: serde_json::Value| {
        serde_json::json!({
            "version": "0",
            "id": "4b1f6e0c-9c1e-4f59-8f0e-2d3c4b5a6978",
            "detail-type": detail_type,
            "source": source,
            "account": "123456789012",
            "time": "2026-12-03T10:00:00Z",
            "region": "eu-west-1",
            "resources": ["arn:aws:s3:::atrium-prod-documents"],
            "detail": detail,
        })
    };
    match trigger {
        Trigger::ObjectCreated { suffix } => envelope(
            "aws.s3",
            "Object Created",
            serde_json::json!({
                "version": "0",
                "bucket": { "name": "atrium-prod-documents" },
                "object": { "key": format!("tenants/01ARZ3NDEKTSV4RRFFQ69G5FAV/archives/01JD3K7ZQ8M2V5X9T4R6N1B0CW{suffix}"), "size": 0 },
                "reason": "PutObject",
            }),
        ),
        _ => envelope(
            "aws.guardduty",
            "GuardDuty Malware Protection Object Scan Result",
            serde_json::json!({
                "schemaVersion": "1.0",
                "scanStatus": "COMPLETED",
                "resourceType": "S3_OBJECT",
                "s3ObjectDetails": {
                    "bucketName": "atrium-prod-documents",
                    "objectKey": "tenants/01ARZ3NDEKTSV4RRFFQ69G5FAV/documents/01JD3K7ZQ8M2V5X9T4R6N1B0CW/v1",
                    "eTag": "0d9a1f3e5c7b9d1f3a5c7e9b1d3f5a7c",
                    "versionId": null,
                    "s3Throttled": false
                },
                "scanResultDetails": { "scanResultStatus": "NO_THREATS_FOUND", "threats": null }
            }),
        ),
    }
}

#[test]
fn every_function_has_a_sample_event_that_parses() {
    let text = template_text();
    let routes = template::routes(&text).unwrap();
    let functions = template::functions(&text).unwrap();
    let write = writing();
    let protected = routes.iter().find(|route| !route.public).unwrap();
    let scheduled = template::scheduled(&text).unwrap();
    for (function, operation) in functions {
        let is_authorizer = atrium_portal::find(&operation)
            .is_some_and(|operation| operation.trigger == Trigger::Authorizer);
        let event_trigger = atrium_portal::find(&operation)
            .filter(|operation| {
                matches!(operation.serve, atrium_shared::operation::Serve::Event(_))
            })
            .map(|operation| operation.trigger);
        let file = events_dir().join(format!("{operation}.json"));
        let rewrite = match write.as_deref() {
            Some("all") => true,
            Some(_) => !file.exists(),
            None => false,
        };
        if rewrite {
            let event = if scheduled.contains(&operation) {
                serde_json::json!({
                    "version": "0",
                    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
                    "detail-type": "Scheduled Event",
                    "source": "aws.scheduler",
                    "account": "123456789012",
                    "time": "2026-11-23T07:00:00Z",
                    "region": "eu-west-1",
                    "resources": ["arn:aws:scheduler:eu-west-1:123456789012:schedule/default/atrium-reminders"],
                    "detail": {}
                })
            } else if let Some(trigger) = event_trigger {
                sample_bucket_event(trigger)
            } else if is_authorizer {
                let mut request = sample_request(protected);
                request
                    .headers
                    .insert("authorization", "Bearer <access token>".parse().unwrap());
                authorizer_event(&request, protected, &[])
            } else {
                let route = routes
                    .iter()
                    .find(|route| route.operation == operation)
                    .unwrap();
                let request = sample_request(route);
                let params = route.matches(&request.method, &request.path).unwrap();
                let context = (!route.public).then(|| {
                    serde_json::json!({ "tenant_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "sub": "0d5c6e2a-1111-4a4a-9b9b-222233334444", "role": "admin", "kind": "client" })
                });
                http_event(&request, route, &params, context.as_ref())
            };
            std::fs::create_dir_all(events_dir()).unwrap();
            std::fs::write(&file, serde_json::to_string_pretty(&event).unwrap() + "\n").unwrap();
        }
        let text = std::fs::read_to_string(&file).unwrap_or_else(|_| {
            panic!("{function} has no sample event at events/{operation}.json")
        });
        if scheduled.contains(&operation) {
            let event: serde_json::Value = serde_json::from_str(&text).expect("scheduled event");
            assert_eq!(event["detail-type"], "Scheduled Event");
        } else if let Some(trigger) = event_trigger {
            let event: serde_json::Value = serde_json::from_str(&text).expect("an event");
            assert_eq!(
                event["detail-type"],
                sample_bucket_event(trigger)["detail-type"],
                "{operation}"
            );
        } else if is_authorizer {
            let _: AuthorizerEvent = serde_json::from_str(&text).expect("authorizer event");
        } else {
            let route = routes
                .iter()
                .find(|route| route.operation == operation)
                .unwrap();
            let request = lambda_http::request::from_str(&text).expect("a payload-2.0 event");
            assert_eq!(request.method().as_str(), route.method, "{operation}");
            assert!(
                route
                    .matches(request.method().as_str(), request.uri().path())
                    .is_some(),
                "{operation}"
            );
        }
    }
}

/// The distribution sends the API what every function checks (shared/src/edge.rs): the origin
/// header under the name the functions read, with the same secret they are given, and the
/// viewer's address under the name they trust, on every /api request.
#[test]
fn the_distribution_sends_what_the_functions_check() {
    use atrium_shared::edge::{ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER};
    use yaml_rust2::YamlLoader;
    let docs = YamlLoader::load_from_str(&template_text()).unwrap();
    let template = &docs[0];
    let resources = &template["Resources"];

    let secret = &resources["OriginVerifySecret"];
    assert_eq!(secret["Type"].as_str(), Some("AWS::SecretsManager::Secret"));
    assert!(!secret["Properties"]["GenerateSecretString"].is_badvalue());
    let reference = "{{resolve:secretsmanager:${OriginVerifySecret}:SecretString}}";
    let functions_get = template["Globals"]["Function"]["Environment"]["Variables"]
        ["ATRIUM_ORIGIN_SECRET"]
        .as_str();
    assert_eq!(functions_get, Some(reference));

    let config = &resources["Distribution"]["Properties"]["DistributionConfig"];
    let api_origin = config["Origins"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|origin| origin["Id"].as_str() == Some("api"))
        .expect("the api origin");
    let headers = api_origin["OriginCustomHeaders"]
        .as_vec()
        .expect("origin headers");
    let verify = headers
        .iter()
        .find(|header| {
            header["HeaderName"]
                .as_str()
                .is_some_and(|name| name.eq_ignore_ascii_case(ORIGIN_VERIFY_HEADER))
        })
        .expect("the origin verify header");
    assert_eq!(verify["HeaderValue"].as_str(), Some(reference));

    let api_behaviour = config["CacheBehaviors"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|behaviour| behaviour["PathPattern"].as_str() == Some("/api/*"))
        .expect("the /api/* behaviour");
    let association = &api_behaviour["FunctionAssociations"][0];
    assert_eq!(association["EventType"].as_str(), Some("viewer-request"));
    let function = association["FunctionARN"]
        .as_str()
        .and_then(|arn| arn.strip_suffix(".FunctionARN"))
        .expect("!GetAtt <function>.FunctionARN");
    let code = resources[function]["Properties"]["FunctionCode"]
        .as_str()
        .expect("function code");
    assert!(
        code.contains(&format!(
            "request.headers['{VIEWER_ADDRESS_HEADER}'] = {{ value: event.viewer.ip }}"
        )),
        "{code}"
    );
}
