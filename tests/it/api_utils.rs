//! A mock provider API: a real HTTP server on a loopback port, on its own
//! thread and runtime, that records every request and sends the response
//! the test chooses.

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// One request as the mock received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path and query.
    pub path: String,
    pub headers: HeaderMap,
    /// The JSON body, or `Null` when there was none.
    pub body: Value,
    pub received_at: SystemTime,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// A response of the mock: status, headers and body.
pub struct MockResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl MockResponse {
    pub fn json(status: u16, body: Value) -> MockResponse {
        MockResponse { status, headers: vec![("content-type".into(), "application/json".into())], body: body.to_string() }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> MockResponse {
        self.headers.push((name.into(), value.into()));
        self
    }
}

type Responder = Box<dyn Fn(&Recorded) -> MockResponse + Send + Sync>;

struct Shared {
    requests: Mutex<Vec<Recorded>>,
    responder: Responder,
}

/// The running mock; stops with the test process.
#[derive(Clone)]
pub struct MockApi {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    shared: Arc<Shared>,
}

impl MockApi {
    /// Starts the mock; `responder` picks the response to each request.
    pub fn start(responder: impl Fn(&Recorded) -> MockResponse + Send + Sync + 'static) -> MockApi {
        let shared = Arc::new(Shared { requests: Mutex::new(Vec::new()), responder: Box::new(responder) });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::clone(&shared);
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let app = axum::Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                    let state = Arc::clone(&state);
                    async move { record(&state, method, uri, headers, body) }
                });
                axum::serve(listener, app).await.unwrap();
            });
        });
        MockApi { url, shared }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Requests other than `GET`s (account lookups).
    pub fn posts(&self) -> Vec<Recorded> {
        self.requests().into_iter().filter(|request| request.method == "POST").collect()
    }

    /// Waits, blocking the thread, until `count` POST requests arrived.
    pub fn wait_for_posts(&self, count: usize) -> Vec<Recorded> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let posts = self.posts();
            if posts.len() >= count {
                return posts;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {count} POST requests; got {posts:#?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn record(shared: &Shared, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let recorded = Recorded {
        method: method.to_string(),
        path: uri.path_and_query().map_or_else(|| uri.path().to_owned(), |path| path.as_str().to_owned()),
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        received_at: SystemTime::now(),
    };
    let response_spec = (shared.responder)(&recorded);
    shared.requests.lock().unwrap().push(recorded);
    let mut response = (StatusCode::from_u16(response_spec.status).unwrap(), response_spec.body).into_response();
    for (name, value) in response_spec.headers {
        response.headers_mut().insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            axum::http::HeaderValue::from_str(&value).unwrap(),
        );
    }
    response
}

/// Waits, without blocking the runtime, until `check` holds.
pub async fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
