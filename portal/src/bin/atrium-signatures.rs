//! The Lambda binary of the signatures capability: every function of it runs this with its own
//! `ATRIUM_OPERATION`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    atrium_portal::serve(atrium_signatures::OPERATIONS).await
}
