// lambda_runtime's service stack nests deeply enough to need a higher limit.
#![recursion_limit = "256"]

use atrium_authorizer::{Authorizer, AuthorizerEvent, AuthorizerResponse};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    atrium_shared::runtime::init_tracing();
    let authorizer = Arc::new(Authorizer::new(Arc::new(
        atrium_shared::App::from_env().await?,
    )));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<AuthorizerEvent>| {
        let authorizer = authorizer.clone();
        async move { Ok::<AuthorizerResponse, Error>(authorizer.authorize(&event.payload).await) }
    }))
    .await
}
