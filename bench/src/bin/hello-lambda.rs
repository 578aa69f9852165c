//! The baseline for init time: the hello-world of the Rust runtime (`lambda_runtime::run` with a
//! `service_fn`), built with the same `[profile.release]` as every function.
//!
//! An event `{"panic": true}` makes the handler panic, so the bench can check that a panic is
//! answered as an invocation error and the process goes on serving (`panic = "unwind"`).

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

// The panic is the point: the bench proves the runtime survives one.
#[allow(clippy::panic)]
async fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {
    if event.payload.get("panic").and_then(Value::as_bool) == Some(true) {
        panic!("asked to panic");
    }
    Ok(json!({ "message": "hello" }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handler)).await
}
