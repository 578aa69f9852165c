//! `atrium-local`: the whole portal on this machine. Starts moto, provisions the local stack,
//! seeds the demo firm, prints the URL and the demo sign-ins, and serves until Ctrl-C.

use atrium_local::gateway::Gateway;
use atrium_local::moto::Moto;
use atrium_local::server::Server;
use atrium_local::stack::{provision, StackOptions};
use atrium_local::stripe::LocalStripe;
use atrium_local::{project_root, seed};
use atrium_shared::App;
use std::sync::Arc;

#[tokio::main]
async fn main() {
    if let Err(message) = run().await {
        eprintln!("atrium-local: {message}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    atrium_shared::runtime::init_tracing();
    let root = project_root();
    let port: u16 = std::env::var("ATRIUM_PORT")
        .ok()
        .and_then(|port| port.parse().ok())
        .unwrap_or(8080);
    let origin = format!("http://localhost:{port}");
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|error| format!("port {port} is busy ({error}); set ATRIUM_PORT"))?;

    let moto = Moto::start(&root)?;
    let stripe = LocalStripe::start(&root)?;
    // Stripe's events come back to this portal, signed with the demo firm's secret.
    stripe
        .register_webhook(
            "atrium-local",
            &format!("http://127.0.0.1:{port}/api/stripe/webhook"),
            seed::DEMO_STRIPE_WEBHOOK_SECRET,
        )
        .await?;
    let mut options = StackOptions::new("atrium-local", &origin);
    options.stripe_endpoint = Some(stripe.endpoint.clone());
    let config = provision(&moto.endpoint, &options).await?;
    let app = Arc::new(App::from_config(config).await?);
    let template = std::fs::read_to_string(root.join("template.yaml"))
        .map_err(|error| format!("template.yaml: {error}"))?;
    let gateway = Arc::new(Gateway::new(app, &template)?);
    let logins = seed::seed_demo(&gateway).await?;

    let web_root = root.join("web/dist");
    if !web_root.join("index.html").is_file() {
        return Err(
            "web/dist has no build of the web app: run `make setup` (or `cd web && npm run build`)"
                .into(),
        );
    }
    let server = Arc::new(Server {
        gateway,
        web_root,
        moto_endpoint: moto.endpoint.clone(),
    });

    println!();
    println!("  Atrium is running at {origin}");
    println!();
    println!(
        "  Firm staff (admin)   {}  /  {}",
        logins.staff_email, logins.staff_password
    );
    println!(
        "  Client contact       {}  /  {}  (Northwind Traders)",
        logins.contact_email, logins.contact_password
    );
    println!(
        "  Billing contact      {}  /  {}  (Northwind Traders, invoices only)",
        logins.billing_email, logins.billing_password
    );
    println!(
        "  Two organisations    {}  /  {}  (Northwind and {})",
        logins.two_org_email, logins.two_org_password, logins.second_client_name
    );
    println!("  Dev mailbox          {origin}/dev/mailbox");
    println!("  Local AWS (moto)     {}", moto.endpoint);
    println!(
        "  Local Stripe         {}  (test card 4242 4242 4242 4242, any future date, any CVC)",
        stripe.endpoint
    );
    println!();
    println!("  Ctrl-C stops everything.");

    tokio::select! {
        _ = server.serve(listener) => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    drop(moto);
    drop(stripe);
    println!("stopped");
    Ok(())
}
