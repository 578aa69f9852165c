//! Branded mail through SES v2. Every message has an HTML and a plain-text part; anything a
//! user typed is escaped before it goes into HTML.

use crate::error::{ApiError, ApiResult};
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

#[derive(Clone, Debug)]
pub struct Mailer {
    ses: crate::lazy::OnFirstUse<aws_sdk_sesv2::Client>,
    from: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// How the firm's mail looks: the firm admin's branding settings (`App::branding`), or
/// [`Branding::plain`] until they set any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branding {
    pub firm_name: String,
    /// `#rrggbb`, checked for contrast with white text when it was set.
    pub primary_colour: String,
    /// `#rrggbb`; the portal's secondary colour (mail uses the primary one).
    pub accent_colour: String,
    /// An absolute `https://…/api/branding/logo?v=…` address mail clients can fetch.
    pub logo_url: Option<String>,
    /// Shown in every mail's footer.
    pub support_email: Option<String>,
}

pub const DEFAULT_PRIMARY_COLOUR: &str = "#1d4ed8";
pub const DEFAULT_ACCENT_COLOUR: &str = "#0f766e";

impl Branding {
    pub fn plain(firm_name: &str) -> Self {
        Self {
            firm_name: firm_name.to_string(),
            primary_colour: DEFAULT_PRIMARY_COLOUR.to_string(),
            accent_colour: DEFAULT_ACCENT_COLOUR.to_string(),
            logo_url: None,
            support_email: None,
        }
    }

    /// The plain-text footer line (empty without a support address).
    fn text_footer(&self) -> String {
        match &self.support_email {
            Some(email) => format!("\nQuestions? Write to {email}.\n"),
            None => String::new(),
        }
    }
}

pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(character),
        }
    }
    escaped
}

fn layout(
    branding: &Branding,
    heading: &str,
    paragraphs: &[String],
    action: (&str, &str),
) -> String {
    let firm = escape_html(&branding.firm_name);
    let colour = escape_html(&branding.primary_colour);
    let masthead = match &branding.logo_url {
        Some(logo) => format!(
            "<img src=\"{}\" alt=\"{firm}\" height=\"40\" style=\"display:block;height:40px;max-width:240px;border:0\">",
            escape_html(logo)
        ),
        None => firm.clone(),
    };
    let footer = match &branding.support_email {
        Some(email) => {
            let email = escape_html(email);
            format!(
                "<tr><td style=\"padding:16px 32px;border-top:1px solid #e4e7eb;font-size:13px;color:#52606d\">Questions? Write to <a href=\"mailto:{email}\" style=\"color:#1f2933\">{email}</a>.</td></tr>"
            )
        }
        None => String::new(),
    };
    let body: String = paragraphs
        .iter()
        .map(|paragraph| format!("<p style=\"margin:0 0 16px\">{paragraph}</p>"))
        .collect();
    let (label, href) = action;
    let href = escape_html(href);
    format!(
        "<!doctype html><html><body style=\"margin:0;background:#f4f5f7;font-family:system-ui,sans-serif;color:#1f2933\">\
<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr><td align=\"center\" style=\"padding:32px 16px\">\
<table role=\"presentation\" width=\"100%\" style=\"max-width:560px;background:#ffffff;border-radius:8px\" cellpadding=\"0\" cellspacing=\"0\">\
<tr><td style=\"padding:24px 32px;border-bottom:4px solid {colour};font-size:18px;font-weight:600\">{masthead}</td></tr>\
<tr><td style=\"padding:32px\"><h1 style=\"font-size:22px;margin:0 0 16px\">{heading}</h1>{body}\
<p style=\"margin:24px 0\"><a href=\"{href}\" style=\"background:{colour};color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block\">{label}</a></p>\
<p style=\"font-size:13px;color:#52606d;word-break:break-all\">If the button does not work, paste this address into your browser:<br>{href}</p>\
</td></tr>{footer}</table></td></tr></table></body></html>",
        heading = escape_html(heading),
    )
}

/// The one email a new contact gets: who invites them, to what, and a single-use link.
pub fn invitation(
    branding: &Branding,
    client_name: &str,
    contact_name: &str,
    link: &str,
    valid_hours: i64,
) -> Mail {
    let firm = &branding.firm_name;
    let subject = format!("{firm} invited you to your client portal");
    let paragraphs = vec![
        format!("Hello {},", escape_html(contact_name)),
        format!(
            "{} has set up a secure portal for {}. Choose a password to get started.",
            escape_html(firm),
            escape_html(client_name)
        ),
        format!("This link works once and expires in {valid_hours} hours."),
    ];
    let html = layout(
        branding,
        "Your client portal is ready",
        &paragraphs,
        ("Set your password", link),
    );
    let text = format!(
        "Hello {contact_name},\n\n{firm} has set up a secure portal for {client_name}. Choose a password to get started:\n\n{link}\n\nThis link works once and expires in {valid_hours} hours.\n{}",
        branding.text_footer()
    );
    Mail {
        subject,
        html,
        text,
    }
}

/// The one email a new member of the firm's staff gets: a single-use link to choose a password.
pub fn staff_invitation(branding: &Branding, name: &str, link: &str, valid_hours: i64) -> Mail {
    let firm = &branding.firm_name;
    let subject = format!("{firm} added you to its client portal");
    let paragraphs = vec![
        format!("Hello {},", escape_html(name)),
        format!(
            "You have been added to the {} team on the client portal. Choose a password to get started.",
            escape_html(firm)
        ),
        format!("This link works once and expires in {valid_hours} hours."),
    ];
    let html = layout(
        branding,
        "Your staff account is ready",
        &paragraphs,
        ("Set your password", link),
    );
    let text = format!(
        "Hello {name},\n\nYou have been added to the {firm} team on the client portal. Choose a password to get started:\n\n{link}\n\nThis link works once and expires in {valid_hours} hours.\n{}",
        branding.text_footer()
    );
    Mail {
        subject,
        html,
        text,
    }
}

/// To a person whose authenticator an admin reset: what happened, and that they set up a new
/// one at their next sign-in (`sign_in_link`).
pub fn authenticator_reset(branding: &Branding, name: &str, sign_in_link: &str) -> Mail {
    notice(
        branding,
        &format!("{}: your authenticator was reset", branding.firm_name),
        "Your authenticator was reset",
        &[
            format!(
                "Hello {}, an administrator removed the authenticator app from your account, as you asked. You were signed out everywhere.",
                escape_html(name)
            ),
            "Sign in with your email and password; you will be asked to set up your authenticator again. If you did not ask for this, tell the firm at once.".to_string(),
        ],
        &format!(
            "Hello {name}, an administrator removed the authenticator app from your account, as you asked. You were signed out everywhere. Sign in with your email and password; you will be asked to set up your authenticator again. If you did not ask for this, tell the firm at once."
        ),
        ("Sign in", sign_in_link),
    )
}

/// A short branded notice: a heading, paragraphs (already escaped HTML), a plain-text body and
/// one button. Notices say that something happened and link to the portal; they never carry
/// the content itself.
pub fn notice(
    branding: &Branding,
    subject: &str,
    heading: &str,
    paragraphs_html: &[String],
    text: &str,
    action: (&str, &str),
) -> Mail {
    let html = layout(branding, heading, paragraphs_html, action);
    let text = format!(
        "{heading}\n\n{text}\n\n{}: {}\n{}",
        action.0,
        action.1,
        branding.text_footer()
    );
    Mail {
        subject: subject.to_string(),
        html,
        text,
    }
}

impl Mailer {
    pub fn new(ses: crate::lazy::OnFirstUse<aws_sdk_sesv2::Client>, from: String) -> Self {
        Self { ses, from }
    }

    /// Sends one message; returns SES's message id.
    pub async fn send(&self, to: &str, mail: &Mail) -> ApiResult<String> {
        let content = |text: &str| Content::builder().data(text).charset("UTF-8").build();
        let subject = content(&mail.subject).map_err(|e| ApiError::internal("mail subject", e))?;
        let html = content(&mail.html).map_err(|e| ApiError::internal("mail html", e))?;
        let text = content(&mail.text).map_err(|e| ApiError::internal("mail text", e))?;
        let message = Message::builder()
            .subject(subject)
            .body(Body::builder().html(html).text(text).build())
            .build();
        let output = self
            .ses
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(to).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(|error| ApiError::dependency("ses send_email", error))?;
        Ok(output.message_id().unwrap_or_default().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitation_escapes_what_users_typed() {
        let mail = invitation(
            &Branding::plain("Firm & Co"),
            "<script>alert(1)</script>",
            "Ann \"O'Neil\"",
            "https://portal.example/invite#token=abc",
            72,
        );
        assert!(!mail.html.contains("<script>"));
        assert!(mail.html.contains("&lt;script&gt;"));
        assert!(mail.html.contains("Firm &amp; Co"));
        assert!(mail
            .text
            .contains("https://portal.example/invite#token=abc"));
        assert!(mail.subject.contains("Firm & Co"));
    }

    #[test]
    fn branding_puts_the_logo_and_support_address_in_escaped() {
        let branding = Branding {
            logo_url: Some("https://portal.example/api/branding/logo?v=1&x=\"><script>".into()),
            support_email: Some("help@firm.example".into()),
            primary_colour: "#0f766e".into(),
            ..Branding::plain("Firm <b>")
        };
        let mail = staff_invitation(
            &branding,
            "Ann",
            "https://portal.example/invite#token=t",
            72,
        );
        assert!(mail.html.contains("alt=\"Firm &lt;b&gt;\""));
        assert!(mail.html.contains("v=1&amp;x=&quot;&gt;&lt;script&gt;"));
        assert!(!mail.html.contains("<script>"));
        assert!(mail.html.contains("mailto:help@firm.example"));
        assert!(mail.html.contains("background:#0f766e"));
        assert!(mail.text.contains("Questions? Write to help@firm.example."));
        let plain = notice(
            &Branding::plain("F"),
            "s",
            "h",
            &[],
            "t",
            ("Open", "https://x"),
        );
        assert!(!plain.html.contains("<img"));
        assert!(!plain.text.contains("Questions?"));
    }
}
