//! The ceremony's mail, in the firm's branding: a signer's turn, a reminder, the step-up code,
//! a decline (to the firm), a cancellation, and the signed PDF being ready. Notices link to the
//! portal and never carry the document. A mail that cannot be sent is logged: the request's
//! state is already saved, and the firm can remind.

use crate::data::{SignatureRequest, Signer, SignerKind, SignerState};
use atrium_shared::mail::{escape_html, notice, Mail};
use atrium_shared::{ApiResult, App};

/// Where a signer opens the request: the client's portal, or the firm's side for staff.
pub fn link(app: &App, request: &SignatureRequest, kind: SignerKind) -> String {
    let origin = app.config.portal_origin.trim_end_matches('/');
    match kind {
        SignerKind::Contact => format!("{origin}/signatures/{}", request.id),
        SignerKind::Staff => format!(
            "{origin}/staff/clients/{}/signatures/{}",
            request.tenant_id, request.id
        ),
    }
}

async fn send(app: &App, to: &str, mail: &Mail) -> bool {
    match app.mailer.send(to, mail).await {
        Ok(_) => true,
        Err(error) => {
            tracing::warn!(?error, "a signature mail could not be sent");
            false
        }
    }
}

fn please_sign(
    app: &App,
    branding: &atrium_shared::mail::Branding,
    request: &SignatureRequest,
    signer: &Signer,
    reminder: bool,
) -> Mail {
    let title = escape_html(&request.title);
    let mut paragraphs = vec![format!(
        "{} asks you to sign \u{201c}{title}\u{201d} ({}).",
        escape_html(&branding.firm_name),
        escape_html(&request.file_name)
    )];
    if let Some(message) = &request.message {
        paragraphs.push(escape_html(message));
    }
    paragraphs
        .push("You will confirm a code we mail you before your signature counts.".to_string());
    let line = format!("Please sign \u{201c}{}\u{201d}.", request.title);
    notice(
        branding,
        &if reminder {
            format!("Reminder: please sign {}", request.title)
        } else {
            format!("Please sign: {}", request.title)
        },
        if reminder {
            "A signature is still waiting for you"
        } else {
            "Your signature is requested"
        },
        &paragraphs,
        &line,
        ("Review and sign", &link(app, request, signer.kind)),
    )
}

/// Mails the signers `asked` (ids) that it is their turn.
pub async fn ask(app: &App, request: &SignatureRequest, asked: &[String]) {
    if asked.is_empty() {
        return;
    }
    let branding = app.branding().await;
    for signer in request
        .signers
        .iter()
        .filter(|signer| asked.contains(&signer.id))
    {
        send(
            app,
            &signer.email,
            &please_sign(app, &branding, request, signer, false),
        )
        .await;
    }
}

/// Reminds the signers `reminded` (ids); answers how many mails went out.
pub async fn remind(app: &App, request: &SignatureRequest, reminded: &[String]) -> usize {
    let branding = app.branding().await;
    let mut sent = 0;
    for signer in request
        .signers
        .iter()
        .filter(|signer| reminded.contains(&signer.id))
    {
        if send(
            app,
            &signer.email,
            &please_sign(app, &branding, request, signer, true),
        )
        .await
        {
            sent += 1;
        }
    }
    sent
}

/// The step-up code, to the signer only. Its failure is the caller's error: without the mail
/// the code is useless.
pub async fn code(
    app: &App,
    request: &SignatureRequest,
    signer: &Signer,
    code: &str,
) -> ApiResult<()> {
    let branding = app.branding().await;
    let line = format!(
        "Your code to sign \u{201c}{}\u{201d} is {code}. It works for 10 minutes. If you did not ask for it, ignore this mail.",
        request.title
    );
    let mail = notice(
        &branding,
        &format!("Your signing code: {code}"),
        "Confirm your signature",
        &[escape_html(&line)],
        &line,
        ("Back to the document", &link(app, request, signer.kind)),
    );
    app.mailer.send(&signer.email, &mail).await.map(|_| ())
}

/// The firm hears of a decline, with the reason.
pub async fn declined(app: &App, request: &SignatureRequest) {
    let branding = app.branding().await;
    let (by, reason) = request
        .ended
        .as_ref()
        .map(|ended| (ended.by.clone(), ended.reason.clone()))
        .unwrap_or_default();
    let line = format!(
        "{by} declined to sign \u{201c}{}\u{201d}: {reason}",
        request.title
    );
    let mail = notice(
        &branding,
        &format!("Declined: {}", request.title),
        "A signer declined",
        &[
            escape_html(&line),
            "Nobody else will be asked to sign it.".to_string(),
        ],
        &line,
        ("Open the request", &link(app, request, SignerKind::Staff)),
    );
    send(app, &request.requested_by_email, &mail).await;
}

/// The signers who were asked and had not signed hear that nothing more is needed.
pub async fn cancelled(app: &App, request: &SignatureRequest) {
    let branding = app.branding().await;
    let line = format!(
        "{} cancelled the request to sign \u{201c}{}\u{201d}. Nothing more is needed from you.",
        branding.firm_name, request.title
    );
    let mail = notice(
        &branding,
        &format!("Cancelled: {}", request.title),
        "No signature needed",
        &[escape_html(&line)],
        &line,
        (
            "Open the portal",
            &format!("{}/", app.config.portal_origin.trim_end_matches('/')),
        ),
    );
    for signer in request
        .signers
        .iter()
        .filter(|signer| signer.state == SignerState::Signing)
    {
        send(app, &signer.email, &mail).await;
    }
}

/// Every signer and the firm hear that the signed PDF is ready.
pub async fn completed(app: &App, request: &SignatureRequest) {
    let branding = app.branding().await;
    let line = format!(
        "Everyone has signed \u{201c}{}\u{201d}. The signed PDF, with its certificate page, is in the portal.",
        request.title
    );
    let mut to: Vec<(&str, SignerKind)> = request
        .signers
        .iter()
        .map(|signer| (signer.email.as_str(), signer.kind))
        .collect();
    if !to
        .iter()
        .any(|(email, _)| *email == request.requested_by_email)
    {
        to.push((request.requested_by_email.as_str(), SignerKind::Staff));
    }
    for (email, kind) in to {
        let mail = notice(
            &branding,
            &format!("Signed: {}", request.title),
            "Signed by everyone",
            &[escape_html(&line)],
            &line,
            ("Open the signed PDF", &link(app, request, kind)),
        );
        send(app, email, &mail).await;
    }
}
