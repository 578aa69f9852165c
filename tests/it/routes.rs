//! template.yaml is the one list of routes: every function has a handler and a route, every
//! handler a function, and every function a sample event in events/ that parses as what the
//! runtime would hand it.
//!
//! `ATRIUM_WRITE_EVENTS=1 cargo test -p atrium-tests --test routes` writes the missing events;
//! `ATRIUM_WRITE_EVENTS=all` rewrites every one (ids and times change, so only when the format
//! does).

use atrium_authorizer::AuthorizerEvent;
use atrium_local::events::{authorizer_event, http_event, IncomingRequest};
use atrium_local::gateway::match_routes;
use atrium_local::registry::AUTHORIZER_BINARY;
use atrium_local::template;
use std::path::PathBuf;

fn template_text() -> String {
    std::fs::read_to_string(atrium_local::project_root().join("template.yaml")).unwrap()
}

fn events_dir() -> PathBuf {
    atrium_local::project_root().join("events")
}

#[test]
fn routes_and_handlers_match_one_to_one() {
    let matched = match_routes(&template_text()).expect("template.yaml and the registry agree");
    assert!(!matched.is_empty());
    // And the check itself catches a route without a handler.
    let extra = template_text().replace("Binary: workspace-get", "Binary: workspace-nothing");
    assert!(match_routes(&extra).is_err());
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

#[test]
fn every_function_has_a_sample_event_that_parses() {
    let text = template_text();
    let routes = template::routes(&text).unwrap();
    let functions = template::functions(&text).unwrap();
    let write = std::env::var("ATRIUM_WRITE_EVENTS").ok();
    let protected = routes.iter().find(|route| !route.public).unwrap();
    let scheduled = template::scheduled(&text).unwrap();
    for (function, binary) in functions {
        let file = events_dir().join(format!("{binary}.json"));
        let rewrite = match write.as_deref() {
            Some("all") => true,
            Some(_) => !file.exists(),
            None => false,
        };
        if rewrite {
            let event = if scheduled.contains(&binary) {
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
            } else if binary == AUTHORIZER_BINARY {
                let mut request = sample_request(protected);
                request
                    .headers
                    .insert("authorization", "Bearer <access token>".parse().unwrap());
                authorizer_event(&request, protected, &[])
            } else {
                let route = routes.iter().find(|route| route.binary == binary).unwrap();
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
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|_| panic!("{function} has no sample event at events/{binary}.json"));
        if scheduled.contains(&binary) {
            let event: serde_json::Value = serde_json::from_str(&text).expect("scheduled event");
            assert_eq!(event["detail-type"], "Scheduled Event");
        } else if binary == AUTHORIZER_BINARY {
            let _: AuthorizerEvent = serde_json::from_str(&text).expect("authorizer event");
        } else {
            let route = routes.iter().find(|route| route.binary == binary).unwrap();
            let request = lambda_http::request::from_str(&text).expect("a payload-2.0 event");
            assert_eq!(request.method().as_str(), route.method, "{binary}");
            assert!(
                route
                    .matches(request.method().as_str(), request.uri().path())
                    .is_some(),
                "{binary}"
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
