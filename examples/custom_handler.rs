//! prhook as a library: a custom route and an in-process action.
//!
//! Builds the receiver from a configuration, adds a Rust handler that
//! counts merged pull requests, merges a `/merged` route of its own into
//! prhook's router, then sends itself one signed GitHub delivery on
//! loopback and prints what the handler saw. Run it with
//! `cargo run --example custom_handler`.

use axum::routing::get;
use hmac::{Hmac, Mac};
use prhook::app::AppBuilder;
use prhook::config::{Config, Overrides};
use prhook::event::Event;
use prhook::handler::HandlerError;
use sha2::Sha256;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const SECRET: &str = "example-secret";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let data_dir = tempfile::tempdir()?;
    let text = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\ndata_dir = \"{}\"\n\n[github]\nwebhook_secret = \"{SECRET}\"\n",
        data_dir.path().display()
    );
    let config = Config::from_text(None, &text, &Overrides::default(), &|name| std::env::var(name).ok())?;

    // The in-process action: any `Fn(Event) -> impl Future<Output = Result<(), HandlerError>>`.
    let merged = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&merged);
    let handler = move |event: Event| {
        let counter = Arc::clone(&counter);
        async move {
            let title = event.pull_request.as_ref().map(|pr| pr.title.clone()).unwrap_or_default();
            println!("handler: {} merged {title:?}", event.repository.map(|r| r.full_name).unwrap_or_default());
            counter.fetch_add(1, Ordering::SeqCst);
            Ok::<(), HandlerError>(())
        }
    };
    let app = AppBuilder::new(config).handler("count-merges", &["pull_request.merged"], handler)?.build().await?;

    // prhook's routes plus one of our own.
    let seen = Arc::clone(&merged);
    let router = app.router().route("/merged", get(move || async move { seen.load(Ordering::SeqCst).to_string() }));
    let background = app.start_background();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let shutdown = app.shutdown_token();
    let server = tokio::spawn(async move {
        axum::serve(listener, router).with_graceful_shutdown(async move { shutdown.cancelled().await }).await
    });

    let body = serde_json::json!({
        "action": "closed",
        "number": 21,
        "pull_request": {
            "number": 21, "title": "Cache parsed manifests", "state": "closed", "merged": true,
            "html_url": "https://github.com/acme/rocket/pull/21",
            "user": {"login": "ada", "type": "User"}, "labels": [],
            "head": {"ref": "cache", "sha": "9fceb02d0ae598e95dc970b74767f19372d61af8"},
            "base": {"ref": "main", "sha": "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"}
        },
        "repository": {"full_name": "acme/rocket", "html_url": "https://github.com/acme/rocket"},
        "sender": {"login": "ada", "type": "User"}
    })
    .to_string();
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes())?;
    mac.update(body.as_bytes());
    let signature = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    let answer = post(address, "/api/v1/github_webhooks", &body, &signature).await?;
    println!("delivery answered: {answer}");

    for _ in 0..100 {
        if merged.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("GET /merged: {}", get_text(address, "/merged").await?);
    anyhow::ensure!(merged.load(Ordering::SeqCst) == 1, "the handler did not run");

    app.begin_shutdown();
    server.await??;
    background.finish().await;
    Ok(())
}

/// Sends one request with a plain HTTP/1.1 exchange and returns the body.
async fn exchange(address: std::net::SocketAddr, request: String) -> anyhow::Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    Ok(response.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned())
}

async fn post(address: std::net::SocketAddr, path: &str, body: &str, signature: &str) -> anyhow::Result<String> {
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Type: application/json\r\n\
         X-GitHub-Event: pull_request\r\nX-GitHub-Delivery: example-1\r\nX-Hub-Signature-256: {signature}\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    exchange(address, request).await
}

async fn get_text(address: std::net::SocketAddr, path: &str) -> anyhow::Result<String> {
    exchange(address, format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n")).await
}
