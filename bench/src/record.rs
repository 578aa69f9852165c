//! Records every AWS call a handler makes against moto: operation, the request as the SDK
//! saw it (its `Debug` form, to tell calls of one operation apart on replay), and the raw HTTP
//! answer. Presigning runs the same interceptors but never transmits; those are not calls.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    AfterDeserializationInterceptorContextRef, BeforeSerializationInterceptorContextRef,
    BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use serde::Serialize;
use std::sync::{Arc, Mutex};

/// One AWS round trip as moto answered it.
#[derive(Debug, Clone, Serialize)]
pub struct AwsCall {
    pub service: String,
    pub operation: String,
    #[serde(skip)]
    pub fingerprint: String,
    pub status: u16,
    #[serde(skip)]
    pub headers: Vec<(String, String)>,
    #[serde(skip)]
    pub body: Vec<u8>,
    pub request_bytes: usize,
    pub response_bytes: usize,
    pub attempts: u32,
    /// DynamoDB request units this call would consume on demand, estimated from the JSON on
    /// the wire (an overestimate: DynamoDB counts names and values, not the wire format).
    pub read_units: f64,
    pub write_units: f64,
    #[serde(skip)]
    pub request_body: Vec<u8>,
    /// The object a `GetObject` read. Its body streams past the interceptors unread, so the
    /// scenario fetches it again afterwards (`Rig::stop_recording`) for the replay to answer.
    #[serde(skip)]
    pub object: Option<ObjectRead>,
}

/// Which object (and byte range) a `GetObject` asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRead {
    pub bucket: String,
    pub key: String,
    pub range: Option<String>,
}

fn object_read(
    input: &aws_smithy_runtime_api::client::interceptors::context::Input,
) -> Option<ObjectRead> {
    let input = input.downcast_ref::<aws_sdk_s3::operation::get_object::GetObjectInput>()?;
    Some(ObjectRead {
        bucket: input.bucket()?.to_string(),
        key: input.key()?.to_string(),
        range: input.range().map(str::to_string),
    })
}

#[derive(Default)]
struct Pending {
    on: bool,
    calls: Vec<Option<AwsCall>>,
}

/// One recorder for all four clients of an `App`; `start`/`stop` bracket what is kept.
#[derive(Clone, Default)]
pub struct Recorder {
    pending: Arc<Mutex<Pending>>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Recorder")
    }
}

#[derive(Debug, Clone)]
struct Slot(usize);

impl Storable for Slot {
    type Storer = StoreReplace<Self>;
}

/// The `Debug` form of an operation's input, without the type-erasure wrapper
/// (`Input(TypeErasedBox[!Clone]:GetItemInput { … })` → `GetItemInput { … }`).
pub fn fingerprint(debug: &str) -> String {
    let (inner, wrapped) = match debug.strip_prefix("Input(") {
        Some(rest) => (rest, true),
        None => (debug, false),
    };
    let Some(rest) = inner.strip_prefix("TypeErasedBox[") else {
        return canonical(debug);
    };
    let Some((_, value)) = rest.split_once("]:") else {
        return canonical(debug);
    };
    let value = if wrapped {
        value.strip_suffix(')').unwrap_or(value)
    } else {
        value
    };
    canonical(value)
}

/// The same request `Debug`-formatted twice can list a map's entries (a DynamoDB key) in
/// another order; its pieces, sorted, cannot.
pub fn canonical(debug: &str) -> String {
    let mut pieces: Vec<&str> = debug
        .split([',', '{', '}', '[', ']'])
        .map(str::trim)
        .filter(|piece| !piece.is_empty())
        .collect();
    pieces.sort_unstable();
    pieces.join("|")
}

impl Recorder {
    pub fn start(&self) {
        if let Ok(mut pending) = self.pending.lock() {
            pending.on = true;
            pending.calls.clear();
        }
    }

    /// The calls that went out since `start`, in the order they were made.
    pub fn stop(&self) -> Vec<AwsCall> {
        match self.pending.lock() {
            Ok(mut pending) => {
                pending.on = false;
                transmitted(pending.calls.drain(..).flatten().collect())
            }
            Err(_) => Vec::new(),
        }
    }
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "BenchRecorder"
    }

    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Ok(mut pending) = self.pending.lock() else {
            return Ok(());
        };
        if !pending.on {
            return Ok(());
        }
        let (service, operation) = cfg
            .load::<Metadata>()
            .map(|metadata| (metadata.service().to_string(), metadata.name().to_string()))
            .unwrap_or_default();
        let slot = pending.calls.len();
        pending.calls.push(Some(AwsCall {
            service,
            operation,
            fingerprint: fingerprint(&format!("{:?}", context.input())),
            status: 0,
            headers: Vec::new(),
            body: Vec::new(),
            request_bytes: 0,
            response_bytes: 0,
            attempts: 0,
            read_units: 0.0,
            write_units: 0.0,
            request_body: Vec::new(),
            object: object_read(context.input()),
        }));
        cfg.interceptor_state().store_put(Slot(slot));
        Ok(())
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(Slot(slot)) = cfg.load::<Slot>().cloned() else {
            return Ok(());
        };
        if let Ok(mut pending) = self.pending.lock() {
            if let Some(Some(call)) = pending.calls.get_mut(slot) {
                call.attempts += 1;
                call.request_body = context
                    .request()
                    .body()
                    .bytes()
                    .unwrap_or_default()
                    .to_vec();
                call.request_bytes = call.request_body.len();
            }
        }
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(Slot(slot)) = cfg.load::<Slot>().cloned() else {
            return Ok(());
        };
        let response = context.response();
        if let Ok(mut pending) = self.pending.lock() {
            if let Some(Some(call)) = pending.calls.get_mut(slot) {
                call.status = response.status().as_u16();
                call.headers = response
                    .headers()
                    .iter()
                    .map(|(name, value)| (name.to_string(), value.to_string()))
                    .collect();
                call.body = response.body().bytes().unwrap_or_default().to_vec();
                call.response_bytes = call.body.len();
                if call.service == "DynamoDB" && call.status == 200 {
                    (call.read_units, call.write_units) =
                        request_units(&call.operation, &call.request_body, &call.body);
                }
            }
        }
        Ok(())
    }
}

/// Keeps only calls that were answered: presigning runs the interceptors up to the point of
/// sending, then stops (a URL is made, nothing is sent).
pub fn transmitted(calls: Vec<AwsCall>) -> Vec<AwsCall> {
    calls.into_iter().filter(|call| call.status != 0).collect()
}

fn size(value: &serde_json::Value) -> f64 {
    value.to_string().len() as f64
}

/// On-demand request units of one DynamoDB call: reads 1 per 4 KB (strongly consistent, the
/// dearer case; a Query rounds its total), writes 1 per 1 KB per item, doubled in transactions.
pub fn request_units(operation: &str, request: &[u8], response: &[u8]) -> (f64, f64) {
    let request: serde_json::Value = serde_json::from_slice(request).unwrap_or_default();
    let response: serde_json::Value = serde_json::from_slice(response).unwrap_or_default();
    let reads = |bytes: f64| (bytes / 4096.0).ceil().max(1.0);
    let writes = |bytes: f64| (bytes / 1024.0).ceil().max(1.0);
    match operation {
        "GetItem" => (reads(size(&response["Item"])), 0.0),
        "Query" | "Scan" => (reads(size(&response["Items"])), 0.0),
        "BatchGetItem" => {
            let units = response["Responses"]
                .as_object()
                .map(|tables| {
                    tables
                        .values()
                        .filter_map(|items| items.as_array())
                        .flatten()
                        .map(|item| reads(size(item)))
                        .sum()
                })
                .unwrap_or(0.0);
            (units, 0.0)
        }
        "TransactGetItems" => {
            let units = response["Responses"]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .map(|item| 2.0 * reads(size(&item["Item"])))
                        .sum()
                })
                .unwrap_or(0.0);
            (units, 0.0)
        }
        "PutItem" => (0.0, writes(size(&request["Item"]))),
        "UpdateItem" | "DeleteItem" => (0.0, writes(size(&request))),
        "TransactWriteItems" => {
            let units = request["TransactItems"]
                .as_array()
                .map(|items| items.iter().map(|item| 2.0 * writes(size(item))).sum())
                .unwrap_or(0.0);
            (0.0, units)
        }
        "BatchWriteItem" => {
            let units = request["RequestItems"]
                .as_object()
                .map(|tables| {
                    tables
                        .values()
                        .filter_map(|items| items.as_array())
                        .flatten()
                        .map(|item| writes(size(item)))
                        .sum()
                })
                .unwrap_or(0.0);
            (0.0, units)
        }
        _ => (0.0, 0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_units_from_the_wire() {
        let item = format!("{{\"PK\":{{\"S\":\"{}\"}}}}", "x".repeat(1500));
        let transaction = format!(
            "{{\"TransactItems\":[{{\"Put\":{{\"Item\":{item}}}}},{{\"ConditionCheck\":{{}}}}]}}"
        );
        assert_eq!(
            request_units("TransactWriteItems", transaction.as_bytes(), b"{}"),
            (0.0, 2.0 * 2.0 + 2.0)
        );
        assert_eq!(request_units("GetItem", b"{}", b"{}"), (1.0, 0.0));
        let batch = format!("{{\"Responses\":{{\"t\":[{item},{item}]}}}}");
        assert_eq!(
            request_units("BatchGetItem", b"{}", batch.as_bytes()),
            (2.0, 0.0)
        );
    }

    #[test]
    fn fingerprints_drop_the_erasure_wrapper_and_map_order() {
        let typed = fingerprint("GetItemInput { key: Some({\"PK\": S(\"A\"), \"SK\": S(\"B\")}) }");
        assert_eq!(
            fingerprint("Input(TypeErasedBox[!Clone]:GetItemInput { key: Some({\"SK\": S(\"B\"), \"PK\": S(\"A\")}) })"),
            typed
        );
        assert_eq!(
            fingerprint("TypeErasedBox[Clone]:GetItemInput { key: Some({\"PK\": S(\"A\"), \"SK\": S(\"B\")}) }"),
            typed
        );
        assert_ne!(
            fingerprint("GetItemInput { key: Some({\"PK\": S(\"A\"), \"SK\": S(\"C\")}) }"),
            typed
        );
    }
}
