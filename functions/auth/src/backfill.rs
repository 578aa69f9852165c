//! The person index for people who existed before it: a stack upgraded to email-only sign-in
//! has contacts and staff with no `PERSON#` item, and the index is what sign-in reads. This
//! scheduled run writes one membership for every contact of every client and every staff
//! member (the same item their invitation writes today; writing it again changes nothing),
//! a page of clients at a time with the cursor kept in `PEOPLEINDEX` / `BACKFILL`, and marks
//! the run done there. Once done, each scheduled run is one `GetItem`.

use atrium_shared::store::people::Membership;
use atrium_shared::store::records::ClientRecord;
use atrium_shared::store::registry::registered_scope;
use atrium_shared::{ApiResult, App};

const CLIENTS_PER_PAGE: i32 = 50;

pub async fn handle(app: &App, _event: serde_json::Value) -> ApiResult<()> {
    run(app).await.map(|_| ())
}

/// Runs (or resumes) the backfill; answers how many memberships this run wrote.
pub async fn run(app: &App) -> ApiResult<u64> {
    let mut progress = app.store.backfill_progress().await?;
    if progress.done {
        return Ok(0);
    }
    let mut written = 0;
    if progress.cursor.is_none() {
        for staff in app.store.staff_users().await? {
            app.store
                .put_membership(&Membership::staff(&staff.sub, &staff.email))
                .await?;
            written += 1;
        }
    }
    loop {
        let page = app
            .store
            .list_clients(CLIENTS_PER_PAGE, progress.cursor.as_deref())
            .await?;
        for client in &page.items {
            written += client_memberships(app, client).await?;
        }
        progress.memberships += written;
        progress.cursor = page.next_cursor;
        progress.done = progress.cursor.is_none();
        app.store.save_backfill_progress(&progress).await?;
        if progress.done {
            tracing::info!(
                memberships = progress.memberships,
                "person index backfilled"
            );
            return Ok(written);
        }
    }
}

async fn client_memberships(app: &App, client: &ClientRecord) -> ApiResult<u64> {
    if client.pool_id.is_none() {
        return Ok(0);
    }
    let scope = registered_scope(client);
    let mut written = 0;
    for contact in app.store.contacts(&scope).await? {
        app.store
            .put_membership(&Membership::contact(
                &client.tenant_id,
                &contact.sub,
                &contact.email,
            ))
            .await?;
        written += 1;
    }
    Ok(written)
}
