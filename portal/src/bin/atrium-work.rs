//! The Lambda binary of the work group of capabilities (atrium_portal::WORK); every function
//! of the group runs it with its own `ATRIUM_OPERATION`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    atrium_portal::serve(atrium_portal::WORK).await
}
