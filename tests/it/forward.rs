//! Forward actions against real receivers on loopback.

use crate::delivery_utils::*;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use prhook::config::secret::{Secret, SecretList};
use prhook::verify::{verify_standard_webhooks, StandardHeaders};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    at: Instant,
    verified: bool,
    id: String,
    body: serde_json::Value,
}

/// Scripted responses: a status and an optional `Retry-After` value.
type Script = Vec<(u16, Option<&'static str>)>;

/// A webhook receiver that verifies Standard Webhooks signatures and
/// responds from a script, one entry per request, then 200.
#[derive(Clone)]
struct Receiver {
    secret: SecretList,
    script: Arc<Mutex<Script>>,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| headers.get(name).map(|value| value.as_bytes());
    let standard = StandardHeaders { id: header("webhook-id"), timestamp: header("webhook-timestamp"), signature: header("webhook-signature") };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let verified = verify_standard_webhooks(standard, &receiver.secret, &body, now).is_ok();
    receiver.received.lock().unwrap().push(Received {
        at: Instant::now(),
        verified,
        id: String::from_utf8_lossy(header("webhook-id").unwrap_or_default()).into_owned(),
        body: serde_json::from_slice(&body).unwrap_or_default(),
    });
    if !verified {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let next = {
        let mut script = receiver.script.lock().unwrap();
        (!script.is_empty()).then(|| script.remove(0))
    };
    match next {
        Some((status, retry_after)) => {
            let mut response = StatusCode::from_u16(status).unwrap().into_response();
            if let Some(seconds) = retry_after {
                response.headers_mut().insert("retry-after", seconds.parse().unwrap());
            }
            response
        }
        None => StatusCode::OK.into_response(),
    }
}

/// Starts a receiver on loopback and returns it with its URL.
async fn start_receiver(secret: &str, script: Script) -> (Receiver, String) {
    let receiver = Receiver {
        secret: SecretList::single(Secret::new(secret.as_bytes().to_vec())),
        script: Arc::new(Mutex::new(script)),
        received: Arc::default(),
    };
    let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (receiver, url)
}

fn whsec() -> String {
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(b"prhook forward test key 32 bytes"))
}

fn forward_config(url: &str, extra: &str) -> String {
    format!("[[actions]]\nname = \"notify\"\non = [\"pull_request\"]\nforward = \"{url}\"\nsecret = \"{}\"\ntimeout = 5\n{extra}", whsec())
}

#[tokio::test(flavor = "multi_thread")]
async fn forward_is_signed_and_verified() {
    let (receiver, url) = start_receiver(&whsec(), Vec::new()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &forward_config(&url, ""));
    let server = Server::start(&config);
    let client = reqwest::Client::new();

    let (status, answer) = send_github(&client, &server.base, "pull_request", "d-fwd", pull_request_body("opened", 3)).await.unwrap();
    assert_eq!(status, 202);
    let id = answer["id"].as_str().unwrap().to_owned();
    wait_until("the delivery is done", || deliveries_json(&config, &["show", &id])["status"] == "done").await;

    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].verified);
    assert_eq!(received[0].id, id);
    assert_eq!(received[0].body["id"], id.as_str());
    assert_eq!(received[0].body["pull_request"]["number"], 3);
    let shown = deliveries_json(&config, &["show", &id]);
    assert_eq!(shown["jobs"][0]["history"][0]["http_status"], 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn forward_honours_retry_after() {
    // Retry-After: 2 is longer than the first backoff step (at most 1.25 s),
    // so a retry that early would show the header was ignored.
    let (receiver, url) = start_receiver(&whsec(), vec![(503, Some("2"))]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &forward_config(&url, ""));
    let server = Server::start(&config);
    let client = reqwest::Client::new();

    let (_, answer) = send_github(&client, &server.base, "pull_request", "d-503", pull_request_body("opened", 4)).await.unwrap();
    let id = answer["id"].as_str().unwrap().to_owned();
    wait_until("the delivery is done", || deliveries_json(&config, &["show", &id])["status"] == "done").await;

    let received = receiver.received();
    assert_eq!(received.len(), 2);
    assert!(received.iter().all(|request| request.verified));
    assert!(received[1].at - received[0].at >= std::time::Duration::from_secs(2));
    let shown = deliveries_json(&config, &["show", &id]);
    assert_eq!(shown["jobs"][0]["history"][0]["http_status"], 503);
    assert_eq!(shown["jobs"][0]["history"][1]["http_status"], 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn gone_disables_forward() {
    let (receiver, url) = start_receiver(&whsec(), vec![(410, None)]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &forward_config(&url, ""));
    let server = Server::start(&config);
    let client = reqwest::Client::new();

    let (_, first) = send_github(&client, &server.base, "pull_request", "d-gone-1", pull_request_body("opened", 5)).await.unwrap();
    let first = first["id"].as_str().unwrap().to_owned();
    wait_until("the first delivery failed", || deliveries_json(&config, &["show", &first])["status"] == "failed").await;
    let (_, second) = send_github(&client, &server.base, "pull_request", "d-gone-2", pull_request_body("opened", 6)).await.unwrap();
    let second = second["id"].as_str().unwrap().to_owned();
    wait_until("the second delivery failed", || deliveries_json(&config, &["show", &second])["status"] == "failed").await;

    assert_eq!(receiver.received().len(), 1, "a disabled action sends nothing");
    let shown = deliveries_json(&config, &["show", &first]);
    assert_eq!(shown["attempts"], 1, "410 is not retried");
    assert!(server.log().contains("forward target is gone"));
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_secret_fails_verification() {
    let (receiver, url) = start_receiver("whsec_c29tZSBvdGhlciBrZXk=", Vec::new()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &forward_config(&url, "retries = 0\n"));
    let server = Server::start(&config);
    let client = reqwest::Client::new();

    let (_, answer) = send_github(&client, &server.base, "pull_request", "d-bad", pull_request_body("opened", 8)).await.unwrap();
    let id = answer["id"].as_str().unwrap().to_owned();
    wait_until("the delivery failed", || deliveries_json(&config, &["show", &id])["status"] == "failed").await;
    assert!(!receiver.received()[0].verified);
    let shown = deliveries_json(&config, &["show", &id]);
    assert_eq!(shown["jobs"][0]["history"][0]["http_status"], 401);
}
