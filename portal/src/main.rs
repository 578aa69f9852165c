//! `atrium`: the one binary of every function. Each function of the template sets
//! `ATRIUM_OPERATION`; the binary runs that operation and nothing else, so each Lambda keeps
//! its own role, policy and configuration while `sam build` compiles and links once.

use atrium_shared::operation::{Serve, OPERATION_VARIABLE};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let name = std::env::var(OPERATION_VARIABLE)
        .map_err(|_| format!("{OPERATION_VARIABLE} must name the function's operation"))?;
    let operation = atrium_portal::find(&name)
        .ok_or_else(|| format!("{OPERATION_VARIABLE}={name} is not an operation of the portal"))?;
    match operation.serve {
        Serve::Http(handler) => atrium_shared::runtime::run_http(handler).await,
        Serve::Runtime(serve) => serve().await,
    }
}
