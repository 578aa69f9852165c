//! localstripe: a stateful local Stripe (PyPI, pinned in requirements-dev.txt) that stands in
//! for Stripe's API the way moto stands in for AWS. The payments functions reach it through
//! the same client and base-URL setting (`ATRIUM_STRIPE_API`) they use for api.stripe.com; it
//! also serves a stand-in Stripe.js and sends signed webhooks.

use crate::moto::spawn_reporting_port;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStdin};
use std::time::{Duration, Instant};

/// A running localstripe; it exits when this value is dropped or this process ends.
pub struct LocalStripe {
    child: Child,
    _stdin: ChildStdin,
    /// `http://127.0.0.1:<port>`: the API base, and `<endpoint>/js.stripe.com/v3/`.
    pub endpoint: String,
}

impl LocalStripe {
    /// Starts localstripe on a free port and waits until it listens.
    pub fn start(root: &Path) -> Result<Self, String> {
        let (child, stdin, port) =
            spawn_reporting_port(root, "localstripe", "scripts/localstripe_server.py", &[])?;
        let stripe = Self {
            child,
            _stdin: stdin,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                return Err("localstripe did not listen within 20 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(stripe)
    }

    /// Its stand-in for `https://js.stripe.com/v3/`.
    pub fn js_url(&self) -> String {
        format!("{}/js.stripe.com/v3/", self.endpoint)
    }

    /// Sends every event to `url`, signed with `secret`, as a Stripe webhook endpoint would
    /// (localstripe's own configuration route; in Stripe, the dashboard's webhook settings).
    pub async fn register_webhook(&self, id: &str, url: &str, secret: &str) -> Result<(), String> {
        let answer = reqwest::Client::new()
            .post(format!("{}/_config/webhooks/{id}", self.endpoint))
            .form(&[("url", url), ("secret", secret)])
            .send()
            .await
            .map_err(|error| format!("localstripe webhook: {error}"))?;
        if answer.status().is_success() {
            Ok(())
        } else {
            Err(format!("localstripe webhook: {}", answer.status()))
        }
    }
}

impl Drop for LocalStripe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
