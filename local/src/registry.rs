//! Which handler each function binary runs. The test `routes_and_handlers_match` keeps this
//! and template.yaml one to one.

use atrium_shared::handler;
use atrium_shared::runtime::Handler;

/// The authorizer is not an HTTP handler; its binary is named here so the check knows it.
pub const AUTHORIZER_BINARY: &str = "authorizer";

pub fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("auth-login", handler!(atrium_auth::login::handle)),
        ("auth-logout", handler!(atrium_auth::logout::handle)),
        (
            "auth-accept-invite",
            handler!(atrium_auth::accept_invite::handle),
        ),
        ("auth-me", handler!(atrium_auth::me::handle)),
        (
            "auth-mfa-associate",
            handler!(atrium_auth::mfa_associate::handle),
        ),
        ("auth-mfa-verify", handler!(atrium_auth::mfa_verify::handle)),
        (
            "auth-mfa-disable",
            handler!(atrium_auth::mfa_disable::handle),
        ),
        ("clients-onboard", handler!(atrium_clients::onboard::handle)),
        ("clients-list", handler!(atrium_clients::list::handle)),
        ("clients-set-mfa", handler!(atrium_clients::set_mfa::handle)),
        ("workspace-get", handler!(atrium_workspace::get::handle)),
        (
            "requests-create",
            handler!(atrium_documents::requests_create::handle),
        ),
        (
            "requests-update",
            handler!(atrium_documents::requests_update::handle),
        ),
        (
            "requests-cancel",
            handler!(atrium_documents::requests_cancel::handle),
        ),
        (
            "requests-review",
            handler!(atrium_documents::requests_review::handle),
        ),
        (
            "requests-list",
            handler!(atrium_documents::requests_list::handle),
        ),
        (
            "documents-upload",
            handler!(atrium_documents::upload::handle),
        ),
        ("documents-share", handler!(atrium_documents::share::handle)),
        (
            "documents-confirm",
            handler!(atrium_documents::confirm::handle),
        ),
        (
            "documents-list",
            handler!(atrium_documents::documents_list::handle),
        ),
        (
            "documents-get",
            handler!(atrium_documents::documents_get::handle),
        ),
        (
            "documents-download",
            handler!(atrium_documents::download::handle),
        ),
        ("audit-list", handler!(atrium_audit::list::handle)),
        ("audit-export", handler!(atrium_audit::export::handle)),
        ("projects-create", handler!(atrium_projects::create::handle)),
        ("projects-update", handler!(atrium_projects::update::handle)),
        ("projects-list", handler!(atrium_projects::list::handle)),
        ("projects-get", handler!(atrium_projects::get::handle)),
        ("projects-task", handler!(atrium_projects::task::handle)),
        (
            "approvals-create",
            handler!(atrium_approvals::create::handle),
        ),
        ("approvals-list", handler!(atrium_approvals::list::handle)),
        ("approvals-get", handler!(atrium_approvals::get::handle)),
        (
            "approvals-decide",
            handler!(atrium_approvals::decide::handle),
        ),
        (
            "approvals-certificate",
            handler!(atrium_approvals::certificate::handle),
        ),
        ("messages-list", handler!(atrium_messages::list::handle)),
        ("messages-post", handler!(atrium_messages::post::handle)),
        ("messages-notes", handler!(atrium_messages::notes::handle)),
        ("contacts-list", handler!(atrium_contacts::list::handle)),
        ("contacts-invite", handler!(atrium_contacts::invite::handle)),
        ("contacts-update", handler!(atrium_contacts::update::handle)),
        ("contacts-remove", handler!(atrium_contacts::remove::handle)),
        ("contacts-resend", handler!(atrium_contacts::resend::handle)),
        ("invoices-create", handler!(atrium_invoices::create::handle)),
        ("invoices-update", handler!(atrium_invoices::update::handle)),
        ("invoices-list", handler!(atrium_invoices::list::handle)),
        ("invoices-get", handler!(atrium_invoices::get::handle)),
        ("invoices-pdf", handler!(atrium_invoices::pdf::handle)),
        ("tickets-open", handler!(atrium_tickets::open::handle)),
        ("tickets-list", handler!(atrium_tickets::list::handle)),
        ("tickets-get", handler!(atrium_tickets::get::handle)),
        ("tickets-update", handler!(atrium_tickets::update::handle)),
        ("forms-create", handler!(atrium_forms::forms_create::handle)),
        ("forms-list", handler!(atrium_forms::forms_list::handle)),
        ("forms-get", handler!(atrium_forms::forms_get::handle)),
        (
            "forms-publish",
            handler!(atrium_forms::forms_publish::handle),
        ),
        (
            "forms-assignments",
            handler!(atrium_forms::forms_assignments::handle),
        ),
        (
            "intake-assign",
            handler!(atrium_forms::intake_assign::handle),
        ),
        ("intake-list", handler!(atrium_forms::intake_list::handle)),
        ("intake-get", handler!(atrium_forms::intake_get::handle)),
        ("intake-draft", handler!(atrium_forms::intake_draft::handle)),
        (
            "intake-submit",
            handler!(atrium_forms::intake_submit::handle),
        ),
        (
            "intake-reopen",
            handler!(atrium_forms::intake_reopen::handle),
        ),
        (
            "intake-submissions",
            handler!(atrium_forms::intake_submissions::handle),
        ),
        (
            "intake-export",
            handler!(atrium_forms::intake_export::handle),
        ),
        ("auth-refresh", handler!(atrium_auth::refresh::handle)),
        ("branding-get", handler!(atrium_branding::get::handle)),
        ("branding-update", handler!(atrium_branding::update::handle)),
        (
            "branding-logo-upload",
            handler!(atrium_branding::logo_upload::handle),
        ),
        (
            "branding-logo-confirm",
            handler!(atrium_branding::logo_confirm::handle),
        ),
        ("branding-logo", handler!(atrium_branding::logo_get::handle)),
        ("staff-list", handler!(atrium_staff::list::handle)),
        ("staff-invite", handler!(atrium_staff::invite::handle)),
        ("staff-update", handler!(atrium_staff::update::handle)),
        ("staff-resend", handler!(atrium_staff::resend::handle)),
        ("clients-preview", handler!(atrium_clients::preview::handle)),
    ]
}
