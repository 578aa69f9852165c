//! What a form may ask: the checks run when a version is published. Every problem is named by
//! its path (`fields[2].options`), and all of them are reported at once.

use crate::data::{FieldType, FormField};
use regex::{Regex, RegexBuilder};
use std::collections::HashSet;

/// `(field path, problem)` pairs, in the order of the fields.
pub type Problems = Vec<(String, String)>;

pub const MAX_FIELDS: usize = 100;
pub const MAX_OPTIONS: usize = 50;
pub const MAX_OPTION_CHARS: usize = 200;
pub const MAX_LABEL_CHARS: usize = 200;
pub const MAX_HELP_CHARS: usize = 1000;
pub const MAX_KEY_CHARS: usize = 40;
pub const SHORT_TEXT_DEFAULT_MAX: u32 = 200;
pub const SHORT_TEXT_LIMIT: u32 = 1000;
pub const LONG_TEXT_DEFAULT_MAX: u32 = 10_000;
pub const LONG_TEXT_LIMIT: u32 = 10_000;
pub const MAX_PATTERN_CHARS: usize = 500;
/// Numbers (answers and bounds) stay within ±10^15: exact in a double and in DynamoDB.
pub const NUMBER_LIMIT: f64 = 1e15;
/// The compiled size a pattern may reach (the `regex` crate's own limit is 10 MB).
const PATTERN_SIZE_LIMIT: usize = 256 * 1024;

/// Keys are identifiers: `[a-z][a-z0-9_]{0,39}`.
pub fn is_key(key: &str) -> bool {
    let mut bytes = key.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && key.len() <= MAX_KEY_CHARS
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A short-text pattern, matched against the whole answer. The pattern is compiled on its own
/// first, so wrapping it in `^(?:…)$` cannot change its meaning (its groups are balanced).
pub fn compile_pattern(pattern: &str) -> Result<Regex, String> {
    if pattern.chars().count() > MAX_PATTERN_CHARS {
        return Err(format!("must be at most {MAX_PATTERN_CHARS} characters"));
    }
    let build = |text: &str| {
        RegexBuilder::new(text)
            .size_limit(PATTERN_SIZE_LIMIT)
            .dfa_size_limit(PATTERN_SIZE_LIMIT)
            .build()
    };
    build(pattern).map_err(|error| match error {
        regex::Error::CompiledTooBig(_) => "is too complex".to_string(),
        _ => "is not a valid regular expression".to_string(),
    })?;
    build(&format!("^(?:{pattern})$")).map_err(|_| "is too complex".to_string())
}

/// `YYYY-MM-DD`, a real date.
pub fn parse_date(text: &str) -> Option<time::Date> {
    let shape = text.len() == 10
        && text.bytes().enumerate().all(|(index, byte)| match index {
            4 | 7 => byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    if !shape {
        return None;
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format).ok()
}

fn plain_text(value: &str, max: usize, multiline: bool) -> Result<String, String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
    {
        return Err("must not contain control characters".to_string());
    }
    Ok(value.to_string())
}

fn is_text(kind: FieldType) -> bool {
    matches!(kind, FieldType::ShortText | FieldType::LongText)
}

fn is_choice(kind: FieldType) -> bool {
    matches!(kind, FieldType::SingleChoice | FieldType::MultipleChoice)
}

/// Checks a schema and answers it cleaned (labels trimmed, text limits made explicit), or every
/// problem found.
pub fn check_fields(fields: Vec<FormField>) -> Result<Vec<FormField>, Problems> {
    let mut problems = Problems::new();
    if fields.is_empty() {
        problems.push(("fields".into(), "give at least one field".into()));
    }
    if fields.len() > MAX_FIELDS {
        problems.push(("fields".into(), format!("at most {MAX_FIELDS} fields")));
        return Err(problems);
    }
    let mut seen_keys: Vec<&str> = Vec::new();
    let mut duplicate_keys = Vec::new();
    for (index, field) in fields.iter().enumerate() {
        if let Some(first) = seen_keys.iter().position(|key| *key == field.key) {
            duplicate_keys.push((index, first));
        }
        seen_keys.push(&field.key);
    }
    let mut cleaned = Vec::with_capacity(fields.len());
    for (index, field) in fields.iter().enumerate() {
        let mut problem = |name: &str, text: String| {
            problems.push((format!("fields[{index}].{name}"), text));
        };
        if !is_key(&field.key) {
            problem(
                "key",
                "must start with a lower-case letter and hold at most 40 lower-case letters, digits or underscores".into(),
            );
        }
        if let Some((_, first)) = duplicate_keys.iter().find(|(at, _)| *at == index) {
            problem("key", format!("is already the key of fields[{first}]"));
        }
        let mut field = field.clone();
        match plain_text(&field.label, MAX_LABEL_CHARS, false) {
            Ok(label) if label.is_empty() => problem("label", "must not be empty".into()),
            Ok(label) => field.label = label,
            Err(text) => problem("label", text),
        }
        field.help = match field
            .help
            .as_deref()
            .map(|help| plain_text(help, MAX_HELP_CHARS, true))
        {
            Some(Ok(help)) if help.is_empty() => None,
            Some(Ok(help)) => Some(help),
            Some(Err(text)) => {
                problem("help", text);
                None
            }
            None => None,
        };
        let kind = field.kind;
        let only = |types: &str| format!("only {types} fields take this");

        // Text lengths.
        if is_text(kind) {
            let (default_max, limit) = if kind == FieldType::ShortText {
                (SHORT_TEXT_DEFAULT_MAX, SHORT_TEXT_LIMIT)
            } else {
                (LONG_TEXT_DEFAULT_MAX, LONG_TEXT_LIMIT)
            };
            let max = field.max_length.unwrap_or(default_max);
            if max == 0 || max > limit {
                problem("max_length", format!("must be from 1 to {limit}"));
            }
            if field.min_length.is_some_and(|min| min > max) {
                problem("min_length", "must not be more than max_length".into());
            }
            field.max_length = Some(max);
            field.min_length = field.min_length.filter(|min| *min > 0);
        } else {
            if field.min_length.is_some() {
                problem("min_length", only("short_text and long_text"));
            }
            if field.max_length.is_some() {
                problem("max_length", only("short_text and long_text"));
            }
        }

        // Pattern.
        match (&field.pattern, kind) {
            (Some(pattern), FieldType::ShortText) if pattern.is_empty() => field.pattern = None,
            (Some(pattern), FieldType::ShortText) => {
                if let Err(text) = compile_pattern(pattern) {
                    problem("pattern", text);
                }
            }
            (Some(_), _) => problem("pattern", only("short_text")),
            (None, _) => {}
        }

        // Number range.
        if kind == FieldType::Number {
            for (name, bound) in [("min", field.min), ("max", field.max)] {
                if bound.is_some_and(|value| !value.is_finite() || value.abs() > NUMBER_LIMIT) {
                    problem(name, "must be a number between -10^15 and 10^15".into());
                } else if field.integer && bound.is_some_and(|value| value.fract() != 0.0) {
                    problem(name, "must be a whole number for an integer field".into());
                }
            }
            if let (Some(min), Some(max)) = (field.min, field.max) {
                if min > max {
                    problem("min", "must not be more than max".into());
                }
            }
        } else {
            for (name, given) in [
                ("min", field.min.is_some()),
                ("max", field.max.is_some()),
                ("integer", field.integer),
            ] {
                if given {
                    problem(name, only("number"));
                }
            }
        }

        // Date range.
        if kind == FieldType::Date {
            let min = field
                .min_date
                .as_deref()
                .map(|text| (text, parse_date(text)));
            let max = field
                .max_date
                .as_deref()
                .map(|text| (text, parse_date(text)));
            for (name, bound) in [("min_date", min), ("max_date", max)] {
                if matches!(bound, Some((_, None))) {
                    problem(name, "must be a date like 2026-12-31".into());
                }
            }
            if let (Some((_, Some(min))), Some((_, Some(max)))) = (min, max) {
                if min > max {
                    problem("min_date", "must not be after max_date".into());
                }
            }
        } else {
            for (name, given) in [
                ("min_date", field.min_date.is_some()),
                ("max_date", field.max_date.is_some()),
            ] {
                if given {
                    problem(name, only("date"));
                }
            }
        }

        // Options.
        if is_choice(kind) {
            let mut options = Vec::with_capacity(field.options.len());
            let mut bad = None;
            for option in &field.options {
                match plain_text(option, MAX_OPTION_CHARS, false) {
                    Ok(option) if option.is_empty() => {
                        bad = Some("must not hold an empty option".to_string())
                    }
                    Ok(option) if options.contains(&option) => {
                        bad = Some(format!("lists \u{201c}{option}\u{201d} twice"))
                    }
                    Ok(option) => options.push(option),
                    Err(text) => bad = Some(format!("each option {text}")),
                }
            }
            if field.options.is_empty() || field.options.len() > MAX_OPTIONS {
                problem("options", format!("give 1 to {MAX_OPTIONS} options"));
            } else if let Some(text) = bad {
                problem("options", text);
            }
            field.options = options;
        } else if !field.options.is_empty() {
            problem("options", only("single_choice and multiple_choice"));
        }

        // How many may be chosen.
        if kind == FieldType::MultipleChoice {
            let count = field.options.len() as u32;
            for (name, bound) in [
                ("min_selected", field.min_selected),
                ("max_selected", field.max_selected),
            ] {
                if bound.is_some_and(|value| value > count) {
                    problem(name, "must not be more than the number of options".into());
                }
            }
            if field.max_selected == Some(0) {
                problem("max_selected", "must be at least 1".into());
            }
            if let (Some(min), Some(max)) = (field.min_selected, field.max_selected) {
                if min > max {
                    problem("min_selected", "must not be more than max_selected".into());
                }
            }
            field.min_selected = field.min_selected.filter(|min| *min > 0);
        } else {
            for (name, given) in [
                ("min_selected", field.min_selected.is_some()),
                ("max_selected", field.max_selected.is_some()),
            ] {
                if given {
                    problem(name, only("multiple_choice"));
                }
            }
        }
        cleaned.push(field);
    }
    if problems.is_empty() {
        Ok(cleaned)
    } else {
        Err(problems)
    }
}

/// Keys of a schema, for checking answers.
pub fn keys(fields: &[FormField]) -> HashSet<&str> {
    fields.iter().map(|field| field.key.as_str()).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    pub fn field(value: serde_json::Value) -> FormField {
        serde_json::from_value(value).unwrap()
    }

    /// One field of every type, with a constraint of each kind.
    pub fn every_type() -> Vec<FormField> {
        [
            json!({ "key": "name", "type": "short_text", "label": "Full name", "required": true, "min_length": 2, "max_length": 80 }),
            json!({ "key": "vat", "type": "short_text", "label": "VAT number", "pattern": "[A-Z]{2}[0-9]{8,12}" }),
            json!({ "key": "about", "type": "long_text", "label": "About you", "help": "A few lines", "max_length": 500 }),
            json!({ "key": "staff", "type": "number", "label": "Employees", "required": true, "min": 1, "max": 5000, "integer": true }),
            json!({ "key": "founded", "type": "date", "label": "Founded", "min_date": "1900-01-01", "max_date": "2030-12-31" }),
            json!({ "key": "email", "type": "email", "label": "Email", "required": true }),
            json!({ "key": "phone", "type": "phone", "label": "Phone" }),
            json!({ "key": "entity", "type": "single_choice", "label": "Entity", "required": true, "options": ["GmbH", "AG", "Sole trader"] }),
            json!({ "key": "services", "type": "multiple_choice", "label": "Services", "options": ["Tax", "Payroll", "Audit"], "min_selected": 1, "max_selected": 2 }),
            json!({ "key": "terms", "type": "checkbox", "label": "I agree", "required": true }),
            json!({ "key": "register", "type": "file", "label": "Register extract" }),
        ]
        .into_iter()
        .map(field)
        .collect()
    }

    fn paths(problems: &Problems) -> Vec<&str> {
        problems.iter().map(|(path, _)| path.as_str()).collect()
    }

    #[test]
    fn a_schema_of_every_type_passes_and_gets_explicit_text_limits() {
        let cleaned = check_fields(every_type()).unwrap();
        assert_eq!(cleaned.len(), 11);
        assert_eq!(cleaned[1].max_length, Some(SHORT_TEXT_DEFAULT_MAX));
        assert_eq!(cleaned[2].max_length, Some(500));
        assert!(cleaned[3].max_length.is_none());
    }

    #[test]
    fn every_problem_is_named_by_its_path() {
        let fields = vec![
            field(json!({ "key": "Name", "type": "short_text", "label": " " })),
            field(
                json!({ "key": "a", "type": "short_text", "label": "A", "pattern": "(unclosed" }),
            ),
            field(json!({ "key": "a", "type": "single_choice", "label": "Dup", "options": [] })),
            field(
                json!({ "key": "n", "type": "number", "label": "N", "min": 5, "max": 1, "pattern": "x" }),
            ),
            field(json!({ "key": "d", "type": "date", "label": "D", "min_date": "2026-02-30" })),
            field(
                json!({ "key": "m", "type": "multiple_choice", "label": "M", "options": ["x", "x"], "max_selected": 3 }),
            ),
            field(
                json!({ "key": "t", "type": "long_text", "label": "T", "max_length": 20000, "options": ["a"] }),
            ),
            field(
                json!({ "key": "i", "type": "number", "label": "I", "integer": true, "min": 1.5 }),
            ),
            field(json!({ "key": "c", "type": "checkbox", "label": "C", "min_length": 1 })),
        ];
        let problems = check_fields(fields).unwrap_err();
        assert_eq!(
            paths(&problems),
            vec![
                "fields[0].key",
                "fields[0].label",
                "fields[1].pattern",
                "fields[2].key",
                "fields[2].options",
                "fields[3].pattern",
                "fields[3].min",
                "fields[4].min_date",
                "fields[5].options",
                "fields[5].max_selected",
                "fields[6].max_length",
                "fields[6].options",
                "fields[7].min",
                "fields[8].min_length",
            ],
            "{problems:?}"
        );
    }

    #[test]
    fn limits_on_size() {
        assert!(check_fields(vec![]).is_err());
        let many: Vec<FormField> = (0..101)
            .map(|n| field(json!({ "key": format!("f{n}"), "type": "checkbox", "label": "x" })))
            .collect();
        assert_eq!(paths(&check_fields(many).unwrap_err()), vec!["fields"]);
        let options: Vec<String> = (0..51).map(|n| format!("o{n}")).collect();
        let too_many =
            field(json!({ "key": "c", "type": "single_choice", "label": "C", "options": options }));
        assert_eq!(
            paths(&check_fields(vec![too_many]).unwrap_err()),
            vec!["fields[0].options"]
        );
    }

    #[test]
    fn keys_are_identifiers() {
        for good in ["a", "company_name", "x1", &"a".repeat(40)] {
            assert!(is_key(good), "{good}");
        }
        for bad in ["", "1a", "_a", "A", "a-b", "a b", "ä", &"a".repeat(41)] {
            assert!(!is_key(bad), "{bad}");
        }
    }

    #[test]
    fn patterns_match_the_whole_answer_and_cannot_escape_their_group() {
        let regex = compile_pattern("[0-9]{4}").unwrap();
        assert!(regex.is_match("2026"));
        assert!(!regex.is_match("x2026"));
        assert!(!regex.is_match("20267"));
        // Alternation stays inside the anchors.
        let regex = compile_pattern("a|ab").unwrap();
        assert!(regex.is_match("ab"));
        assert!(!regex.is_match("abc"));
        // Unbalanced groups are refused rather than wrapped into something else.
        assert!(compile_pattern("a)|(b").is_err());
        assert!(compile_pattern(&"a".repeat(501)).is_err());
        // A pattern that would compile to something huge is refused, not run.
        assert!(compile_pattern("\\w{1000}\\w{1000}\\w{1000}").is_err());
    }

    #[test]
    fn dates_are_real_dates() {
        assert!(parse_date("2024-02-29").is_some());
        for bad in ["2023-02-29", "2024-2-1", "20240201", "2024-02-01T00:00", ""] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }
}
