//! The Lambda binary of the access group of capabilities (atrium_portal::ACCESS); every function
//! of the group runs it with its own `ATRIUM_OPERATION`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    atrium_portal::serve(atrium_portal::ACCESS).await
}
