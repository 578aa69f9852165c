//! The template's function blocks, written from the declarations.
//!
//! template.yaml holds them between two marker lines; `make operations` rewrites that part and
//! `tests/it/routes.rs` fails, naming the operation, when the file and the declarations differ.
//! Everything else in the template (table, pools, API, distribution, alarms) is written by hand.

use atrium_shared::operation::{Access, Grant, Operation, Resource, Trigger, OPERATION_VARIABLE};
use std::fmt::Write;

pub const BEGIN: &str =
    "  # ------------------------------------------------ operations: written by `make operations`";
pub const END: &str = "  # ------------------------------------------------ end of operations";

/// One function block, indented for `Resources:`.
pub fn function_block(operation: &Operation) -> String {
    let mut out = String::new();
    let line = |out: &mut String, indent: usize, text: &str| {
        let _ = writeln!(out, "{:indent$}{text}", "");
    };
    line(&mut out, 2, &format!("{}:", operation.logical_id()));
    line(&mut out, 4, "Type: AWS::Serverless::Function");
    line(&mut out, 4, "Metadata:");
    line(&mut out, 6, "BuildMethod: rust-cargolambda");
    line(&mut out, 6, "BuildProperties:");
    let binary = crate::binary_of(operation.name).unwrap_or("atrium-unassigned");
    line(&mut out, 8, &format!("Binary: {binary}"));
    line(&mut out, 4, "Properties:");
    line(&mut out, 6, "CodeUri: .");
    if let Some(seconds) = operation.timeout {
        line(&mut out, 6, &format!("Timeout: {seconds}"));
    }
    if let Some(megabytes) = operation.memory {
        line(&mut out, 6, &format!("MemorySize: {megabytes}"));
    }
    line(
        &mut out,
        6,
        &format!("Description: {}", operation.description),
    );
    line(&mut out, 6, "Environment:");
    line(&mut out, 8, "Variables:");
    line(
        &mut out,
        10,
        &format!("{OPERATION_VARIABLE}: {}", operation.name),
    );
    for (name, value) in operation.environment {
        line(&mut out, 10, &format!("{name}: {value}"));
    }
    line(&mut out, 6, "Policies:");
    line(&mut out, 8, "- Statement:");
    for grant in operation.grants {
        statement(&mut out, grant);
    }
    match operation.trigger {
        Trigger::Authorizer => {}
        Trigger::Routes(routes) => {
            line(&mut out, 6, "Events:");
            for (index, route) in routes.iter().enumerate() {
                let name = match index {
                    0 => "Api".to_string(),
                    _ => format!("Api{}", index + 1),
                };
                line(&mut out, 8, &format!("{name}:"));
                line(&mut out, 10, "Type: HttpApi");
                line(&mut out, 10, "Properties:");
                line(&mut out, 12, "ApiId: !Ref HttpApi");
                line(&mut out, 12, &format!("Method: {}", route.method.as_str()));
                line(&mut out, 12, &format!("Path: {}", route.path));
                if route.access == Access::Public {
                    line(&mut out, 12, "Auth:");
                    line(&mut out, 14, "Authorizer: NONE");
                }
            }
        }
        Trigger::Schedule {
            expression,
            description,
        } => {
            line(&mut out, 6, "Events:");
            line(&mut out, 8, "Schedule:");
            line(&mut out, 10, "Type: ScheduleV2");
            line(&mut out, 10, "Properties:");
            line(&mut out, 12, &format!("ScheduleExpression: {expression}"));
            line(&mut out, 12, &format!("Description: {description}"));
        }
        Trigger::ObjectCreated { suffix } => {
            line(&mut out, 6, "Events:");
            line(&mut out, 8, "ObjectCreated:");
            line(&mut out, 10, "Type: EventBridgeRule");
            line(&mut out, 10, "Properties:");
            line(&mut out, 12, "Pattern:");
            line(&mut out, 14, "source: [aws.s3]");
            line(&mut out, 14, "detail-type: [Object Created]");
            line(&mut out, 14, "detail:");
            line(&mut out, 16, "bucket:");
            line(&mut out, 18, "name: [!Ref DocumentsBucket]");
            line(&mut out, 16, "object:");
            line(&mut out, 18, &format!("key: [{{suffix: \"{suffix}\"}}]"));
        }
        Trigger::MalwareScanResult => {
            line(&mut out, 6, "Events:");
            line(&mut out, 8, "ScanResult:");
            line(&mut out, 10, "Type: EventBridgeRule");
            line(&mut out, 10, "Properties:");
            line(&mut out, 12, "Pattern:");
            line(&mut out, 14, "source: [aws.guardduty]");
            line(
                &mut out,
                14,
                "detail-type: [GuardDuty Malware Protection Object Scan Result]",
            );
            line(&mut out, 14, "detail:");
            line(&mut out, 16, "s3ObjectDetails:");
            line(&mut out, 18, "bucketName: [!Ref DocumentsBucket]");
        }
    }
    out
}

fn statement(out: &mut String, grant: &Grant) {
    let _ = writeln!(out, "{:12}- Effect: Allow", "");
    let _ = writeln!(out, "{:14}Action: [{}]", "", grant.actions.join(", "));
    match grant.resources {
        [one] => {
            let _ = writeln!(out, "{:14}Resource: {}", "", resource(*one));
        }
        many => {
            let _ = writeln!(out, "{:14}Resource:", "");
            for each in many {
                let _ = writeln!(out, "{:16}- {}", "", resource(*each));
            }
        }
    }
    if grant.firm_keys_only {
        let _ = writeln!(out, "{:14}Condition:", "");
        let _ = writeln!(out, "{:16}ForAllValues:StringNotLike:", "");
        let _ = writeln!(out, "{:18}dynamodb:LeadingKeys: [\"T#*\"]", "");
    }
}

fn resource(resource: Resource) -> String {
    match resource {
        Resource::TenantDataRole => "!GetAtt TenantDataRole.Arn".into(),
        Resource::Table => "!GetAtt Table.Arn".into(),
        Resource::TableIndex(index) => format!("!Sub \"${{Table.Arn}}/index/{index}\""),
        Resource::MailIdentities => {
            "!Sub \"arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*\"".into()
        }
        Resource::UserPools => {
            "!Sub \"arn:${AWS::Partition}:cognito-idp:${AWS::Region}:${AWS::AccountId}:userpool/*\""
                .into()
        }
        Resource::StaffPool => "!GetAtt StaffUserPool.Arn".into(),
        Resource::Any => "\"*\"".into(),
        Resource::DocumentObjects => "!Sub \"${DocumentsBucket.Arn}/*\"".into(),
        Resource::BrandingObjects => "!Sub \"${DocumentsBucket.Arn}/firm/branding/*\"".into(),
        Resource::SealKey => "!GetAtt DocumentSealKey.Arn".into(),
        // Secrets Manager adds six random characters to a secret's ARN.
        Resource::StripeSecret => "!Sub \"arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:atrium-${EnvironmentName}/stripe-*\"".into(),
    }
}

/// Every function block, blank-line separated, between the markers.
pub fn functions_section<'a>(operations: impl Iterator<Item = &'a Operation>) -> String {
    let blocks: Vec<String> = operations.map(function_block).collect();
    format!("{BEGIN}\n{}{END}\n", blocks.join("\n"))
}

/// `template` with its generated section replaced by `section`.
pub fn splice(template: &str, section: &str) -> Result<String, String> {
    let start = template
        .find(BEGIN)
        .ok_or_else(|| format!("template.yaml has no line `{BEGIN}`"))?;
    let end = template[start..]
        .find(END)
        .map(|offset| start + offset + END.len() + 1)
        .ok_or_else(|| format!("template.yaml has no line `{END}` after the first marker"))?;
    Ok(format!(
        "{}{section}{}",
        &template[..start],
        template.get(end..).unwrap_or("")
    ))
}

/// The generated section of `template`, as it stands in the file.
pub fn current_section(template: &str) -> Option<&str> {
    let start = template.find(BEGIN)?;
    let end = start + template[start..].find(END)? + END.len() + 1;
    template.get(start..end)
}
