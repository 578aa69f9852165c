//! Routes and each function's operation, read from template.yaml (whose function blocks are
//! written from the operations' declarations), so the local gateway routes what API Gateway
//! would.

use atrium_shared::operation::OPERATION_VARIABLE;
use yaml_rust2::{Yaml, YamlLoader};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub method: String,
    /// `/api/clients/{id}/mfa`
    pub path: String,
    /// The function's operation (its `ATRIUM_OPERATION`).
    pub operation: String,
    /// The template's logical id of the function.
    pub function: String,
    /// `Auth: Authorizer: NONE`: reached without a session (sign-in, invitations).
    pub public: bool,
}

impl Route {
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The path parameters when `path` matches this route.
    pub fn matches(&self, method: &str, path: &str) -> Option<Vec<(String, String)>> {
        if !self.method.eq_ignore_ascii_case(method) {
            return None;
        }
        let pattern: Vec<&str> = self.path.trim_matches('/').split('/').collect();
        let actual: Vec<&str> = path.trim_matches('/').split('/').collect();
        if pattern.len() != actual.len() {
            return None;
        }
        let mut params = Vec::new();
        for (expected, segment) in pattern.iter().zip(actual.iter()) {
            if let Some(name) = expected
                .strip_prefix('{')
                .and_then(|rest| rest.strip_suffix('}'))
            {
                if segment.is_empty() {
                    return None;
                }
                params.push((name.to_string(), segment.to_string()));
            } else if expected != segment {
                return None;
            }
        }
        Some(params)
    }
}

/// The operation a function of the template runs (its `ATRIUM_OPERATION`).
fn operation_of(resource: &Yaml) -> Option<&str> {
    resource["Properties"]["Environment"]["Variables"][OPERATION_VARIABLE].as_str()
}

/// Every operation function of the template: (logical id, operation). Functions that run
/// code from elsewhere (CloudFront functions) are not in it.
pub fn functions(template: &str) -> Result<Vec<(String, String)>, String> {
    let resources = resources(template)?;
    let mut found = Vec::new();
    for (name, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let operation = operation_of(&resource)
            .ok_or_else(|| format!("{name} has no Environment.Variables.{OPERATION_VARIABLE}"))?;
        found.push((name, operation.to_string()));
    }
    Ok(found)
}

/// Functions that run on a schedule and answer no route (their operations).
pub fn scheduled(template: &str) -> Result<Vec<String>, String> {
    let resources = resources(template)?;
    let mut found = Vec::new();
    for (_, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let Some(events) = resource["Properties"]["Events"].as_hash() else {
            continue;
        };
        let kinds: Vec<&str> = events
            .values()
            .filter_map(|event| event["Type"].as_str())
            .collect();
        let on_schedule = kinds.iter().any(|kind| kind.starts_with("Schedule"));
        if on_schedule && !kinds.contains(&"HttpApi") {
            if let Some(operation) = operation_of(&resource) {
                found.push(operation.to_string());
            }
        }
    }
    Ok(found)
}

/// Every HttpApi route of the template.
pub fn routes(template: &str) -> Result<Vec<Route>, String> {
    let resources = resources(template)?;
    let mut found = Vec::new();
    for (name, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let operation = operation_of(&resource).unwrap_or_default().to_string();
        let Some(events) = resource["Properties"]["Events"].as_hash() else {
            continue;
        };
        for event in events.values() {
            if event["Type"].as_str() != Some("HttpApi") {
                continue;
            }
            let properties = &event["Properties"];
            let method = properties["Method"]
                .as_str()
                .ok_or_else(|| format!("{name}: an HttpApi event has no Method"))?;
            let path = properties["Path"]
                .as_str()
                .ok_or_else(|| format!("{name}: an HttpApi event has no Path"))?;
            found.push(Route {
                method: method.to_uppercase(),
                path: path.to_string(),
                operation: operation.clone(),
                function: name.clone(),
                public: properties["Auth"]["Authorizer"].as_str() == Some("NONE"),
            });
        }
    }
    Ok(found)
}

fn resources(template: &str) -> Result<Vec<(String, Yaml)>, String> {
    let documents = YamlLoader::load_from_str(template).map_err(|error| error.to_string())?;
    let document = documents.first().ok_or("template.yaml is empty")?;
    let resources = document["Resources"]
        .as_hash()
        .ok_or("template.yaml has no Resources")?;
    Ok(resources
        .iter()
        .filter_map(|(key, value)| key.as_str().map(|key| (key.to_string(), value.clone())))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters() {
        let route = Route {
            method: "PUT".into(),
            path: "/api/clients/{id}/mfa".into(),
            operation: "b".into(),
            function: "F".into(),
            public: false,
        };
        assert_eq!(
            route.matches("PUT", "/api/clients/01J/mfa"),
            Some(vec![("id".into(), "01J".into())])
        );
        assert_eq!(route.matches("GET", "/api/clients/01J/mfa"), None);
        assert_eq!(route.matches("PUT", "/api/clients//mfa"), None);
        assert_eq!(route.matches("PUT", "/api/clients/01J/mfa/x"), None);
    }
}
