#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    atrium_shared::runtime::run_http(atrium_shared::handler!(atrium_branding::get::handle)).await
}
