//! Domain values, parsed once where they enter (a request's path or body, a token's context)
//! and carried typed from there: a handler that holds an [`Email`] never checks it again.
//!
//! Each is a string underneath, stored and sent as that string (serde sees a plain string), so
//! records and the API keep their shape. Parsing names what is wrong; in a JSON body the
//! field's path comes first (`contact.email: must be an email address`, through
//! [`crate::http::parse_json`]).
//!
//! ```
//! use atrium_shared::types::{Email, Sha256};
//! let email = Email::parse("  Ann@Example.COM ").unwrap();
//! assert_eq!(email.as_str(), "ann@example.com");
//! assert!(Sha256::parse("not base64").is_err());
//! ```

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::Deref;

/// A string newtype: parsed by `$parse`, read as `&str`, (de)serialised as a string.
macro_rules! string_type {
    ($(#[$doc:meta])* $name:ident, $parse:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// The value, or what is wrong with it (to follow a field's name).
            pub fn parse(text: &str) -> Result<Self, &'static str> {
                let parse: fn(&str) -> Result<String, &'static str> = $parse;
                parse(text).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.0
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

fn ulid(text: &str) -> Result<String, &'static str> {
    if crate::ids::is_id(text) {
        Ok(text.to_string())
    } else {
        Err("must be an id the portal gave out")
    }
}

string_type!(
    /// A tenant (one client organisation): the ULID its onboarding made.
    TenantId,
    ulid
);

string_type!(
    /// A record of the portal (a document, a request, a project, …): a ULID.
    RecordId,
    ulid
);

string_type!(
    /// The base64 SHA-256 of a file, as the uploader computed it and S3 checks it
    /// (`x-amz-checksum-sha256`).
    Sha256,
    |text| {
        let text = text.trim();
        match STANDARD.decode(text) {
            Ok(bytes) if bytes.len() == 32 => Ok(text.to_string()),
            _ => Err("must be the base64 SHA-256 of the file"),
        }
    }
);

string_type!(
    /// A media type, `type/subtype` in lower case, without parameters. Which types a route
    /// accepts is that route's rule (documents: `atrium_documents::rules::content_type`).
    ContentType,
    |text| {
        let text = text.trim().to_ascii_lowercase();
        let token = |part: &str| {
            !part.is_empty()
                && part.len() <= 127
                && part.chars().all(|c| {
                    c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c)
                })
        };
        match text.split_once('/') {
            Some((kind, subtype)) if token(kind) && token(subtype) => Ok(text),
            _ => Err("must be a media type like application/pdf"),
        }
    }
);

string_type!(
    /// An email address, trimmed and lower-cased, in the plain form Cognito (as a username)
    /// and SES both take: before the `@`, ASCII letters, digits and `. _ % + - '` (no dot at
    /// either end, none doubled); after it, dot-separated labels of letters, digits and `-`
    /// ending in a top-level domain of two letters or more (an international domain in its
    /// `xn--` form); at most 254 characters. Checked before anything is written, so onboarding
    /// and invitations are not refused by Cognito half-way for a typing mistake or markup
    /// (`<script>@example.com`). Cognito keeps the last word; see `clients::onboard`.
    Email,
    |text| {
        let text = text.trim().to_ascii_lowercase();
        let local_ok = |local: &str| {
            (1..=64).contains(&local.len())
                && local
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._%+-'".contains(c))
                && !local.starts_with('.')
                && !local.ends_with('.')
                && !local.contains("..")
        };
        let label_ok = |label: &str| {
            (1..=63).contains(&label.len())
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        let domain_ok = |domain: &str| {
            let labels: Vec<&str> = domain.split('.').collect();
            labels.len() >= 2
                && labels.iter().all(|label| label_ok(label))
                && labels
                    .last()
                    .is_some_and(|top| top.len() >= 2 && top.chars().all(|c| c.is_ascii_alphabetic()))
        };
        let valid = text.len() <= 254
            && match text.split_once('@') {
                Some((local, domain)) => local_ok(local) && domain_ok(domain),
                None => false,
            };
        if valid {
            Ok(text)
        } else {
            Err("must be an email address")
        }
    }
);

string_type!(
    /// A moment as the portal writes it: RFC 3339 in UTC (`2026-12-03T10:00:00Z`).
    Timestamp,
    |text| {
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .map(|_| text.to_string())
            .map_err(|_| "must be a time like 2026-12-03T10:00:00Z")
    }
);

impl Timestamp {
    pub fn now() -> Self {
        Self(crate::ids::now_rfc3339())
    }
}

string_type!(
    /// Who did something, as the audit trail names them: `staff:<sub>`, `client:<sub>` or
    /// `system:<name>` (the reminders).
    Actor,
    |text| match text.split_once(':') {
        Some(("staff" | "client" | "system", who)) if !who.is_empty() && !who.contains(':') => {
            Ok(text.to_string())
        }
        _ => Err("must be staff:<id>, client:<id> or system:<name>"),
    }
);

impl Sha256 {
    /// The same digest in lower-case hex, as `sha256sum` prints it.
    pub fn to_hex(&self) -> String {
        STANDARD
            .decode(&self.0)
            .map(|bytes| bytes.iter().map(|byte| format!("{byte:02x}")).collect())
            .unwrap_or_default()
    }
}

impl TenantId {
    /// A tenant id the kernel read from its own registry or keys (already checked when it was
    /// made), not from anything a caller sent.
    pub(crate) fn trusted(text: &str) -> Self {
        Self(text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_ulids() {
        assert!(RecordId::parse("01JD3K7ZQ8M2V5X9T4R6N1B0CW").is_ok());
        for bad in [
            "",
            "x",
            "01JD3K7ZQ8M2V5X9T4R6N1B0C",
            "../01JD3K7ZQ8M2V5X9T4R6N1B0C",
        ] {
            assert_eq!(
                TenantId::parse(bad).unwrap_err(),
                "must be an id the portal gave out"
            );
        }
    }

    #[test]
    fn checksums_are_32_bytes_of_base64() {
        assert!(Sha256::parse("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=").is_ok());
        assert!(Sha256::parse("abc").is_err());
        assert!(Sha256::parse("AAAA").is_err());
        let empty = Sha256::parse("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=").unwrap();
        assert_eq!(
            empty.to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn content_types_are_lower_case_type_and_subtype() {
        assert_eq!(
            ContentType::parse(" Application/PDF ").unwrap().as_str(),
            "application/pdf"
        );
        for bad in [
            "pdf",
            "application/",
            "/pdf",
            "text/html; charset=utf-8",
            "a b/c",
        ] {
            assert!(ContentType::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_are_trimmed_lower_cased_and_checked() {
        assert_eq!(Email::parse(" Ann@Example.COM").unwrap(), "ann@example.com");
        for good in [
            "o'brien@example.co.uk",
            "a.b+tag@mail.example.com",
            "x_y%z-1@xn--bcher-kva.example",
        ] {
            assert_eq!(Email::parse(good).unwrap(), good);
        }
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a b@example.com",
            "ann@.com",
            "ann@example..com",
            "<script>@example.com",
            "ann@exa_mple.com",
            "ann@example.c0m",
            "ann@example.c",
            ".ann@example.com",
            "an..n@example.com",
            "ann\"@example.com",
            "ann@-example.com",
            "änn@example.com",
            "ann@exämple.com",
            "a@b@example.com",
        ] {
            assert_eq!(
                Email::parse(bad).unwrap_err(),
                "must be an email address",
                "{bad}"
            );
        }
    }

    #[test]
    fn timestamps_and_actors() {
        assert!(Timestamp::parse(Timestamp::now().as_str()).is_ok());
        assert!(Timestamp::parse("yesterday").is_err());
        assert!(Actor::parse("staff:0d5c6e2a").is_ok());
        assert!(Actor::parse("system:reminders").is_ok());
        for bad in ["staff:", "robot:x", "client", "client:a:b"] {
            assert!(Actor::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_json_field_that_does_not_parse_is_refused_with_the_reason() {
        #[derive(Debug, Deserialize)]
        struct Body {
            #[allow(dead_code)]
            email: Email,
        }
        let error = serde_json::from_str::<Body>(r#"{"email": "nope"}"#).unwrap_err();
        assert!(error.to_string().starts_with("must be an email address"));
        let body: Body = serde_json::from_str(r#"{"email": "Ann@Example.com"}"#).unwrap();
        assert_eq!(body.email, "ann@example.com");
        assert_eq!(
            serde_json::to_string(&body.email).unwrap(),
            r#""ann@example.com""#
        );
    }
}
