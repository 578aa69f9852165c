//! The Lambda binary of the signatures capability's operations that touch the PDF (placing
//! fields, showing it, the signature that seals it, the daily run): every function of it runs
//! this with its own `ATRIUM_OPERATION`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    atrium_portal::serve(atrium_signatures::PDF_OPERATIONS).await
}
