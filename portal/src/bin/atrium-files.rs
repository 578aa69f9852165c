//! The Lambda binary of the files group of capabilities (atrium_portal::FILES); every function
//! of the group runs it with its own `ATRIUM_OPERATION`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    atrium_portal::serve(atrium_portal::FILES).await
}
