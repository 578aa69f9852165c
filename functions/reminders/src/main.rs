// lambda_runtime's service stack nests deeply enough to need a higher limit.
#![recursion_limit = "256"]

use lambda_runtime::{service_fn, Error, LambdaEvent};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    atrium_shared::runtime::init_tracing();
    let app = Arc::new(atrium_shared::App::from_env().await?);
    lambda_runtime::run(service_fn(move |_event: LambdaEvent<serde_json::Value>| {
        let app = app.clone();
        async move {
            // A failed run is a function error, which the failed-run alarm watches.
            let summary = atrium_reminders::run(&app, &atrium_documents::rules::today())
                .await
                .map_err(|error| Error::from(error.to_string()))?;
            Ok::<_, Error>(summary)
        }
    }))
    .await
}
