//! A local stand-in for the Lambda Runtime API (2018-06-01), enough for `lambda_runtime`:
//! `GET /runtime/invocation/next` (hands out events), `POST /runtime/invocation/{id}/response`
//! and `/error`, `POST /runtime/init/error`. It notes when the process first polls, which is
//! where init ends. One stub per process run, so nothing of one run leaks into the next.

use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinSet;

const PREFIX: &str = "/2018-06-01/runtime/";

/// What a request to the Runtime API asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    Next,
    Response(String),
    Error(String),
    InitError,
    Unknown,
}

pub fn parse(method: &Method, path: &str) -> Call {
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return Call::Unknown;
    };
    let parts: Vec<&str> = rest.split('/').collect();
    match (method, parts.as_slice()) {
        (&Method::GET, ["invocation", "next"]) => Call::Next,
        (&Method::POST, ["invocation", id, "response"]) if !id.is_empty() => {
            Call::Response((*id).to_string())
        }
        (&Method::POST, ["invocation", id, "error"]) if !id.is_empty() => {
            Call::Error((*id).to_string())
        }
        (&Method::POST, ["init", "error"]) => Call::InitError,
        _ => Call::Unknown,
    }
}

/// How an invocation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Response(String),
    Error(String),
}

#[derive(Debug)]
enum Report {
    Done(String, Outcome),
    InitError(String),
}

struct State {
    first_poll: Mutex<Option<Instant>>,
    polled: Notify,
    events: tokio::sync::Mutex<mpsc::UnboundedReceiver<(String, String)>>,
    reports: mpsc::UnboundedSender<Report>,
}

pub struct Stub {
    pub port: u16,
    state: Arc<State>,
    send: mpsc::UnboundedSender<(String, String)>,
    reports: mpsc::UnboundedReceiver<Report>,
    next_id: u64,
    // Dropping the stub aborts the listener and every connection.
    _tasks: JoinSet<()>,
}

impl Stub {
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let (send, events) = mpsc::unbounded_channel();
        let (report, reports) = mpsc::unbounded_channel();
        let state = Arc::new(State {
            first_poll: Mutex::new(None),
            polled: Notify::new(),
            events: tokio::sync::Mutex::new(events),
            reports: report,
        });
        let mut tasks = JoinSet::new();
        let accept_state = state.clone();
        tasks.spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let state = accept_state.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| serve(state.clone(), request));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self {
            port,
            state,
            send,
            reports,
            next_id: 0,
            _tasks: tasks,
        })
    }

    /// When the process first asked for an event, waiting at most `timeout`.
    pub async fn first_poll(&self, timeout: Duration) -> Option<Instant> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.state.polled.notified();
            if let Some(at) = *self.state.first_poll.lock().ok()? {
                return Some(at);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return *self.state.first_poll.lock().ok()?;
            }
        }
    }

    /// Hands the process one event and waits for its answer.
    pub async fn invoke(&mut self, event: &str, timeout: Duration) -> Result<Outcome, String> {
        self.next_id += 1;
        let id = format!("bench-{:08}", self.next_id);
        self.send
            .send((id.clone(), event.to_string()))
            .map_err(|_| "stub closed".to_string())?;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, self.reports.recv()).await {
                Err(_) => return Err(format!("no answer to {id} within {timeout:?}")),
                Ok(None) => return Err("stub closed".to_string()),
                Ok(Some(Report::InitError(body))) => return Err(format!("init error: {body}")),
                Ok(Some(Report::Done(done, outcome))) if done == id => return Ok(outcome),
                Ok(Some(Report::Done(..))) => continue,
            }
        }
    }
}

fn reply(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
}

async fn serve(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let call = parse(request.method(), request.uri().path());
    if call == Call::Next {
        if let Ok(mut first) = state.first_poll.lock() {
            if first.is_none() {
                *first = Some(Instant::now());
            }
        }
        state.polled.notify_waiters();
        let next = state.events.lock().await.recv().await;
        let Some((id, event)) = next else {
            return Ok(reply(StatusCode::INTERNAL_SERVER_ERROR, String::new()));
        };
        let deadline = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis()
            + 10_000;
        let mut response = reply(StatusCode::OK, event);
        let headers = response.headers_mut();
        let mut set = |name: &'static str, value: String| {
            if let Ok(value) = http::HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        };
        set("lambda-runtime-aws-request-id", id);
        set("lambda-runtime-deadline-ms", deadline.to_string());
        set(
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:us-east-1:000000000000:function:bench".to_string(),
        );
        set(
            "lambda-runtime-trace-id",
            "Root=1-00000000-000000000000000000000000;Sampled=0".to_string(),
        );
        set("content-type", "application/json".to_string());
        return Ok(response);
    }
    let body = request
        .into_body()
        .collect()
        .await
        .map(|collected| String::from_utf8_lossy(&collected.to_bytes()).into_owned())
        .unwrap_or_default();
    let report = match call {
        Call::Response(id) => Report::Done(id, Outcome::Response(body)),
        Call::Error(id) => Report::Done(id, Outcome::Error(body)),
        Call::InitError => Report::InitError(body),
        Call::Next | Call::Unknown => {
            return Ok(reply(StatusCode::NOT_FOUND, String::new()));
        }
    };
    let _ = state.reports.send(report);
    Ok(reply(
        StatusCode::ACCEPTED,
        "{\"status\":\"OK\"}".to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_api_paths() {
        let next = "/2018-06-01/runtime/invocation/next";
        assert_eq!(parse(&Method::GET, next), Call::Next);
        assert_eq!(parse(&Method::POST, next), Call::Unknown);
        assert_eq!(
            parse(&Method::POST, "/2018-06-01/runtime/invocation/abc/response"),
            Call::Response("abc".into())
        );
        assert_eq!(
            parse(&Method::POST, "/2018-06-01/runtime/invocation/abc/error"),
            Call::Error("abc".into())
        );
        assert_eq!(
            parse(&Method::POST, "/2018-06-01/runtime/init/error"),
            Call::InitError
        );
        assert_eq!(
            parse(&Method::POST, "/2018-06-01/runtime/invocation//error"),
            Call::Unknown
        );
        assert_eq!(parse(&Method::GET, "/other"), Call::Unknown);
    }

    #[tokio::test]
    async fn hands_out_an_event_and_takes_the_answer() {
        let mut stub = Stub::start().await.unwrap();
        let base = format!("http://127.0.0.1:{}/2018-06-01/runtime", stub.port);
        let client = reqwest::Client::new();
        let poller = {
            let client = client.clone();
            let base = base.clone();
            tokio::spawn(async move {
                let next = client
                    .get(format!("{base}/invocation/next"))
                    .send()
                    .await
                    .unwrap();
                let id = next.headers()["lambda-runtime-aws-request-id"]
                    .to_str()
                    .unwrap()
                    .to_string();
                assert!(next.headers().contains_key("lambda-runtime-deadline-ms"));
                let event = next.text().await.unwrap();
                client
                    .post(format!("{base}/invocation/{id}/response"))
                    .body(format!("echo {event}"))
                    .send()
                    .await
                    .unwrap();
            })
        };
        assert!(stub.first_poll(Duration::from_secs(5)).await.is_some());
        let outcome = stub.invoke("{}", Duration::from_secs(5)).await.unwrap();
        assert_eq!(outcome, Outcome::Response("echo {}".into()));
        poller.await.unwrap();
    }
}
