//! The dev mailbox: what SES "sent", as moto recorded it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentMail {
    pub id: String,
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    /// The HTML part (moto keeps that one).
    pub body: String,
}

#[derive(Deserialize)]
struct MotoMessage {
    id: String,
    source: String,
    #[serde(default)]
    destinations: Destinations,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
}

#[derive(Deserialize, Default)]
struct Destinations {
    #[serde(rename = "ToAddresses", default)]
    to: Vec<String>,
}

/// The token of the invitation link in a mail body (`…/invite#token=<token>`).
pub fn invitation_token_in(body: &str) -> Option<String> {
    let start = body.find("/invite#token=")? + "/invite#token=".len();
    Some(
        body[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect(),
    )
}

/// Every message sent so far, oldest first.
pub async fn sent_mail(endpoint: &str) -> Result<Vec<SentMail>, String> {
    // From moto's SES backends (scripts/moto_server.py, `/atrium/sent-mail.json`); a failed
    // look (moto busy starting, a connection refused) is tried again a moment later.
    let mut last_error = String::new();
    for attempt in 0..5 {
        if attempt > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(100 * attempt)).await;
        }
        match moto_data(endpoint).await {
            Ok(data) => return messages(data),
            Err(error) => last_error = error,
        }
    }
    Err(last_error)
}

async fn moto_data(endpoint: &str) -> Result<serde_json::Value, String> {
    reqwest::get(format!("{endpoint}/atrium/sent-mail.json"))
        .await
        .map_err(|error| format!("moto: {error}"))?
        .error_for_status()
        .map_err(|error| format!("moto: {error}"))?
        .json()
        .await
        .map_err(|error| format!("moto: {error}"))
}

fn messages(messages: serde_json::Value) -> Result<Vec<SentMail>, String> {
    let messages: Vec<MotoMessage> =
        serde_json::from_value(messages).map_err(|error| format!("moto mail: {error}"))?;
    Ok(messages
        .into_iter()
        .map(|message| SentMail {
            id: message.id,
            from: message.source,
            to: message.destinations.to,
            subject: message.subject,
            body: message.body,
        })
        .collect())
}

/// The mailbox as a page a person can click through during a demo.
pub fn page(mail: &[SentMail]) -> String {
    use atrium_shared::mail::escape_html;
    let mut rows = String::new();
    for message in mail.iter().rev() {
        rows.push_str(&format!(
            "<article><header><strong>{}</strong><br>To: {} &middot; From: {}</header>\
             <iframe sandbox=\"allow-popups allow-top-navigation-by-user-activation\" title=\"{}\" srcdoc=\"{}\"></iframe></article>",
            escape_html(&message.subject),
            escape_html(&message.to.join(", ")),
            escape_html(&message.from),
            escape_html(&message.subject),
            escape_html(&message.body),
        ));
    }
    if rows.is_empty() {
        rows.push_str("<p>No mail has been sent yet.</p>");
    }
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>Dev mailbox</title><style>body{{font-family:system-ui,sans-serif;margin:0 auto;max-width:760px;padding:16px}}\
         article{{border:1px solid #cbd2d9;border-radius:8px;margin:16px 0;overflow:hidden}}header{{padding:12px;background:#f4f5f7}}\
         iframe{{width:100%;height:520px;border:0}}</style></head><body><h1>Dev mailbox</h1>\
         <p>Mail the local portal sent through SES (moto). Newest first.</p>{rows}</body></html>"
    )
}
