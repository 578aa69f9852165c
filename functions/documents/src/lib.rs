//! Document collection, both sides: the firm asks for documents with deadlines and reviews
//! what comes back; clients upload straight to S3 and download what the firm shares. Every
//! upload, confirmation, list view and download is in the tenant's audit trail.

pub mod change;
pub mod confirm;
pub mod documents_get;
pub mod documents_list;
pub mod download;
pub mod requests_cancel;
pub mod requests_create;
pub mod requests_list;
pub mod requests_review;
pub mod requests_update;
pub mod rules;
pub mod share;
pub mod storage;
pub mod upload;
pub mod view;

use atrium_shared::principal::Principal;
use atrium_shared::store::records::DocumentRecord;

/// Billing documents (invoice PDFs) exist only for those who see billing.
pub fn visible_to(principal: &Principal, document: &DocumentRecord) -> bool {
    !document.billing_only || principal.sees_billing()
}
