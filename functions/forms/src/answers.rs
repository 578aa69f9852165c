//! Checking answers against the exact schema an assignment answers. A draft is checked for
//! shape only (known keys, the right JSON types), so half-done work can be saved; a submission
//! is checked in full. Every failing field is named (`answers.<key>`), all at once.

use crate::data::{Answers, FieldType, FormField};
use crate::schema::{compile_pattern, parse_date, Problems, NUMBER_LIMIT};
use atrium_shared::ids::is_id;
use serde_json::Value;

/// Largest answers object (as JSON) a draft or a submission may hold.
pub const MAX_ANSWERS_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Draft,
    Submit,
}

/// Answers that passed, and the documents `file` answers name (field key, document id), which
/// the caller checks against the tenant's documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub answers: Answers,
    pub files: Vec<(String, String)>,
}

pub fn answer_path(key: &str) -> String {
    let shown: String = key.chars().take(64).collect();
    format!("answers.{shown}")
}

fn expected_shape(kind: FieldType) -> &'static str {
    match kind {
        FieldType::Number => "must be a number",
        FieldType::Checkbox => "must be true or false",
        FieldType::MultipleChoice => "must be a list of options",
        _ => "must be a string",
    }
}

fn has_shape(kind: FieldType, value: &Value) -> bool {
    match kind {
        FieldType::Number => value.is_number(),
        FieldType::Checkbox => value.is_boolean(),
        FieldType::MultipleChoice => value
            .as_array()
            .is_some_and(|items| items.iter().all(Value::is_string)),
        _ => value.is_string(),
    }
}

/// Not answered: absent, blank text, nothing chosen, or an unticked box.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::String(text) => text.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Bool(checked) => !checked,
        Value::Null => true,
        _ => false,
    }
}

/// Checks `answers` against `fields`. Unanswered (`null`) entries are dropped.
pub fn check(fields: &[FormField], answers: &Answers, mode: Mode) -> Result<Checked, Problems> {
    let mut problems = Problems::new();
    for key in answers.keys() {
        if !fields.iter().any(|field| &field.key == key) {
            problems.push((answer_path(key), "is not a field of this form".into()));
        }
    }
    let mut kept = Answers::new();
    let mut files = Vec::new();
    for field in fields {
        let path = answer_path(&field.key);
        let value = answers.get(&field.key).unwrap_or(&Value::Null);
        if !value.is_null() && !has_shape(field.kind, value) {
            problems.push((path, expected_shape(field.kind).into()));
            continue;
        }
        if mode == Mode::Submit {
            if is_empty(value) {
                if field.required {
                    let text = if field.kind == FieldType::Checkbox {
                        "must be checked"
                    } else {
                        "is required"
                    };
                    problems.push((path, text.into()));
                    continue;
                }
            } else if let Err(text) = check_value(field, value) {
                problems.push((path, text));
                continue;
            }
        }
        if field.kind == FieldType::File {
            if let Some(id) = value.as_str().map(str::trim).filter(|id| !id.is_empty()) {
                files.push((field.key.clone(), id.to_string()));
            }
        }
        if !value.is_null() {
            kept.insert(field.key.clone(), value.clone());
        }
    }
    if problems.is_empty() {
        Ok(Checked {
            answers: kept,
            files,
        })
    } else {
        Err(problems)
    }
}

fn length_problem(field: &FormField, text: &str) -> Option<String> {
    let count = text.chars().count() as u32;
    if let Some(min) = field.min_length.filter(|min| count < *min) {
        return Some(format!("must be at least {min} characters"));
    }
    if let Some(max) = field.max_length.filter(|max| count > *max) {
        return Some(format!("must be at most {max} characters"));
    }
    None
}

fn has_control(text: &str, multiline: bool) -> bool {
    text.chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
}

/// A pragmatic telephone number: digits with the usual separators, an optional leading `+`,
/// 7 to 15 digits (E.164's most).
pub fn is_phone(text: &str) -> bool {
    let text = text.trim();
    let body = text.strip_prefix('+').unwrap_or(text);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    (7..=15).contains(&digits)
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.'))
}

fn format_bound(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// The full check of one answered (non-empty) value of the right shape.
fn check_value(field: &FormField, value: &Value) -> Result<(), String> {
    let text = value.as_str().unwrap_or_default();
    match field.kind {
        FieldType::ShortText => {
            if has_control(text, false) {
                return Err("must not contain control characters".into());
            }
            if let Some(problem) = length_problem(field, text) {
                return Err(problem);
            }
            if let Some(pattern) = &field.pattern {
                let regex =
                    compile_pattern(pattern).map_err(|_| "cannot be checked".to_string())?;
                if !regex.is_match(text) {
                    return Err("is not in the expected format".into());
                }
            }
            Ok(())
        }
        FieldType::LongText => {
            if has_control(text, true) {
                return Err("must not contain control characters".into());
            }
            length_problem(field, text).map_or(Ok(()), Err)
        }
        FieldType::Number => {
            let number = value.as_f64().unwrap_or(f64::NAN);
            if !number.is_finite() || number.abs() > NUMBER_LIMIT {
                return Err("must be a number between -10^15 and 10^15".into());
            }
            if field.integer && !(value.is_i64() || value.is_u64()) {
                return Err("must be a whole number".into());
            }
            if let Some(min) = field.min.filter(|min| number < *min) {
                return Err(format!("must be at least {}", format_bound(min)));
            }
            if let Some(max) = field.max.filter(|max| number > *max) {
                return Err(format!("must be at most {}", format_bound(max)));
            }
            Ok(())
        }
        FieldType::Date => {
            let date = parse_date(text).ok_or("must be a date like 2026-12-31")?;
            let bound = |bound: &Option<String>| bound.as_deref().and_then(parse_date);
            if let Some(min) = bound(&field.min_date).filter(|min| date < *min) {
                return Err(format!("must be on or after {min}"));
            }
            if let Some(max) = bound(&field.max_date).filter(|max| date > *max) {
                return Err(format!("must be on or before {max}"));
            }
            Ok(())
        }
        FieldType::Email => atrium_shared::validate::email("answer", text)
            .map(|_| ())
            .map_err(|_| "must be an email address".into()),
        FieldType::Phone => {
            if is_phone(text) {
                Ok(())
            } else {
                Err("must be a telephone number (7 to 15 digits)".into())
            }
        }
        FieldType::SingleChoice => {
            if field.options.iter().any(|option| option == text) {
                Ok(())
            } else {
                Err("must be one of the options".into())
            }
        }
        FieldType::MultipleChoice => {
            let chosen: Vec<&str> = value
                .as_array()
                .map(|items| items.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if chosen
                .iter()
                .any(|choice| !field.options.iter().any(|option| option == choice))
            {
                return Err("must list only the form's options".into());
            }
            if chosen
                .iter()
                .enumerate()
                .any(|(index, choice)| chosen[..index].contains(choice))
            {
                return Err("must not list an option twice".into());
            }
            let count = chosen.len() as u32;
            if let Some(min) = field.min_selected.filter(|min| count < *min) {
                return Err(format!("choose at least {min}"));
            }
            if let Some(max) = field.max_selected.filter(|max| count > *max) {
                return Err(format!("choose at most {max}"));
            }
            Ok(())
        }
        // Any box that reaches here is ticked (an unticked one is empty).
        FieldType::Checkbox => Ok(()),
        FieldType::File => {
            if is_id(text.trim()) {
                Ok(())
            } else {
                Err("must be the id of one of your uploaded documents".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{check_fields, tests::every_type};
    use serde_json::json;

    fn answers(value: Value) -> Answers {
        value.as_object().unwrap().clone()
    }

    fn schema() -> Vec<FormField> {
        check_fields(every_type()).unwrap()
    }

    fn filled() -> Value {
        json!({
            "name": "Ada Lovelace",
            "vat": "DE123456789",
            "about": "Line one\nLine two",
            "staff": 42,
            "founded": "1999-12-31",
            "email": "ada@example.com",
            "phone": "+49 (30) 123-4567",
            "entity": "GmbH",
            "services": ["Tax", "Audit"],
            "terms": true,
            "register": "01JD3K7ZQ8M2V5X9T4R6N1B0CW"
        })
    }

    #[test]
    fn a_complete_submission_passes_and_names_its_file() {
        let checked = check(&schema(), &answers(filled()), Mode::Submit).unwrap();
        assert_eq!(Value::Object(checked.answers), filled());
        assert_eq!(
            checked.files,
            vec![(
                "register".to_string(),
                "01JD3K7ZQ8M2V5X9T4R6N1B0CW".to_string()
            )]
        );
    }

    fn problems_of(change: Value) -> Problems {
        let mut all = filled();
        for (key, value) in change.as_object().unwrap() {
            all[key] = value.clone();
        }
        check(&schema(), &answers(all), Mode::Submit).unwrap_err()
    }

    #[test]
    fn each_constraint_names_its_field() {
        for (change, path) in [
            (json!({ "name": "A" }), "answers.name"),
            (json!({ "name": "x".repeat(81) }), "answers.name"),
            (json!({ "name": "bad\u{7}" }), "answers.name"),
            (json!({ "vat": "de123" }), "answers.vat"),
            (json!({ "about": "x".repeat(501) }), "answers.about"),
            (json!({ "staff": 0 }), "answers.staff"),
            (json!({ "staff": 5001 }), "answers.staff"),
            (json!({ "staff": 2.5 }), "answers.staff"),
            (json!({ "staff": "42" }), "answers.staff"),
            (json!({ "founded": "1899-12-31" }), "answers.founded"),
            (json!({ "founded": "2031-01-01" }), "answers.founded"),
            (json!({ "founded": "31.12.1999" }), "answers.founded"),
            (json!({ "email": "ada@" }), "answers.email"),
            (json!({ "phone": "12" }), "answers.phone"),
            (json!({ "phone": "call me" }), "answers.phone"),
            (json!({ "entity": "Ltd" }), "answers.entity"),
            (
                json!({ "services": ["Tax", "Payroll", "Audit"] }),
                "answers.services",
            ),
            (json!({ "services": ["Tax", "Tax"] }), "answers.services"),
            (json!({ "services": ["Cooking"] }), "answers.services"),
            (json!({ "terms": false }), "answers.terms"),
            (json!({ "terms": "yes" }), "answers.terms"),
            (json!({ "register": "not-an-id" }), "answers.register"),
            (json!({ "name": null }), "answers.name"),
            (json!({ "unknown": 1 }), "answers.unknown"),
        ] {
            let problems = problems_of(change.clone());
            assert_eq!(problems.len(), 1, "{change}: {problems:?}");
            assert_eq!(problems[0].0, path, "{change}");
        }
    }

    #[test]
    fn several_bad_fields_are_all_named() {
        let problems = problems_of(json!({ "name": "", "email": "x", "staff": -1, "extra": true }));
        let paths: Vec<&str> = problems.iter().map(|(path, _)| path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "answers.extra",
                "answers.name",
                "answers.staff",
                "answers.email"
            ]
        );
        assert_eq!(problems[1].1, "is required");
    }

    #[test]
    fn optional_fields_may_be_left_empty() {
        let mut some = filled();
        for key in ["vat", "about", "founded", "phone", "services", "register"] {
            some.as_object_mut().unwrap().remove(key);
        }
        some["vat"] = json!("");
        let checked = check(&schema(), &answers(some), Mode::Submit).unwrap();
        assert!(checked.files.is_empty());
    }

    #[test]
    fn drafts_are_checked_for_shape_only() {
        let half =
            json!({ "name": "A", "staff": 999999, "services": [], "terms": false, "email": null });
        let checked = check(&schema(), &answers(half), Mode::Draft).unwrap();
        assert!(!checked.answers.contains_key("email"));
        assert_eq!(checked.answers["name"], "A");
        let problems = check(
            &schema(),
            &answers(json!({ "staff": "many", "nope": 1, "services": [1] })),
            Mode::Draft,
        )
        .unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|(path, _)| path.as_str()).collect();
        assert_eq!(
            paths,
            vec!["answers.nope", "answers.staff", "answers.services"]
        );
    }

    #[test]
    fn numbers_keep_their_exact_form() {
        let fields = vec![crate::schema::tests::field(
            json!({ "key": "amount", "type": "number", "label": "Amount", "min": -10.5 }),
        )];
        for number in [
            json!(-10.5),
            json!(0.1),
            json!(123456789012345u64),
            json!(1e-7),
        ] {
            let checked = check(&fields, &answers(json!({ "amount": number })), Mode::Submit)
                .unwrap_or_else(|problems| panic!("{number}: {problems:?}"));
            assert_eq!(checked.answers["amount"], number);
        }
        assert!(check(&fields, &answers(json!({ "amount": -11 })), Mode::Submit).is_err());
        assert!(check(&fields, &answers(json!({ "amount": 1e16 })), Mode::Submit).is_err());
    }

    #[test]
    fn phones() {
        for good in ["+44 20 7946 0958", "0301234567", "(555) 123-4567"] {
            assert!(is_phone(good), "{good}");
        }
        for bad in [
            "123",
            "+1 2",
            "12345678901234567",
            "555-CALL-NOW",
            "++4912345678",
        ] {
            assert!(!is_phone(bad), "{bad}");
        }
    }

    #[test]
    fn the_error_names_every_field() {
        let error = atrium_shared::ApiError::invalid_fields(problems_of(
            json!({ "name": "", "email": "x" }),
        ));
        let body = error.body();
        assert_eq!(error.status, 400);
        assert_eq!(body["error"]["code"], "invalid_input");
        assert_eq!(body["error"]["fields"]["answers.name"], "is required");
        assert_eq!(
            body["error"]["fields"]["answers.email"],
            "must be an email address"
        );
        assert!(error
            .message
            .starts_with("answers.name: is required; answers.email:"));
        // The single-field shape is unchanged.
        let single = atrium_shared::ApiError::invalid("title", "must not be empty").body();
        assert!(single["error"].get("fields").is_none());
    }
}
