//! Sending deliveries over plain HTTP and summarizing many of them.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::Uri;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

pub type HttpClient = Client<HttpConnector, Full<Bytes>>;

pub fn http_client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// The response to one delivery.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub reason: Option<&'static str>,
    pub body: Vec<u8>,
    pub latency: Duration,
}

/// Why a delivery got no response.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("cannot connect to {url}: {reason}; is `prhook serve` running there?")]
    Connect { url: String, reason: String },
    #[error("no response from {url} within {seconds} s")]
    Timeout { url: String, seconds: u64 },
    #[error("the request to {url} failed: {reason}")]
    Other { url: String, reason: String },
}

/// POSTs `body` with `headers` to `url`.
pub async fn send(
    client: &HttpClient,
    url: &Uri,
    headers: &[(String, String)],
    body: Vec<u8>,
    timeout: Duration,
) -> Result<Response, SendError> {
    let mut request = hyper::Request::post(url.clone());
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .map_err(|error| SendError::Other { url: url.to_string(), reason: error.to_string() })?;

    let started = Instant::now();
    let exchange = async {
        let response = client.request(request).await.map_err(|error| {
            if error.is_connect() {
                SendError::Connect { url: url.to_string(), reason: root_cause(&error) }
            } else {
                SendError::Other { url: url.to_string(), reason: root_cause(&error) }
            }
        })?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|error| SendError::Other { url: url.to_string(), reason: root_cause(&error) })?
            .to_bytes()
            .to_vec();
        Ok::<_, SendError>(Response {
            status: status.as_u16(),
            reason: status.canonical_reason(),
            body,
            latency: started.elapsed(),
        })
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(result) => result,
        Err(_) => Err(SendError::Timeout { url: url.to_string(), seconds: timeout.as_secs() }),
    }
}

/// Returns the innermost error message, which names the actual cause (such as
/// "Connection refused") where hyper's own message is generic.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

/// The outcome of a run of `--count` deliveries.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub succeeded: usize,
    /// Non-2xx responses by status code.
    pub failed_by_status: BTreeMap<u16, usize>,
    /// Deliveries that got no response, by error message.
    pub errors: BTreeMap<String, usize>,
    /// Latency of every delivery that got a response.
    pub latencies: Vec<Duration>,
    pub elapsed: Duration,
}

impl Summary {
    pub fn record(&mut self, result: &Result<Response, SendError>) {
        match result {
            Ok(response) => {
                self.latencies.push(response.latency);
                if (200..300).contains(&response.status) {
                    self.succeeded += 1;
                } else {
                    *self.failed_by_status.entry(response.status).or_default() += 1;
                }
            }
            Err(error) => *self.errors.entry(error.to_string()).or_default() += 1,
        }
    }

    pub fn failed(&self) -> usize {
        self.failed_by_status.values().sum::<usize>() + self.errors.values().sum::<usize>()
    }

    pub fn total(&self) -> usize {
        self.succeeded + self.failed()
    }

    /// The latency at percentile `p` (0 to 100) by the nearest-rank method.
    pub fn percentile(&self, p: f64) -> Option<Duration> {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        if sorted.is_empty() {
            return None;
        }
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        Some(sorted[rank.clamp(1, sorted.len()) - 1])
    }

    /// Builds one line: counts, failures by status, and latency min/p50/p90/p99/max.
    pub fn line(&self) -> String {
        let total = self.total();
        let noun = if total == 1 { "delivery" } else { "deliveries" };
        let mut line = format!(
            "sent {total} {noun} in {:.2} s: {} succeeded, {} failed",
            self.elapsed.as_secs_f64(),
            self.succeeded,
            self.failed()
        );
        let mut causes: Vec<String> =
            self.failed_by_status.iter().map(|(status, count)| format!("{status}: {count}")).collect();
        let without_response: usize = self.errors.values().sum();
        if without_response > 0 {
            causes.push(format!("no response: {without_response}"));
        }
        if !causes.is_empty() {
            line.push_str(&format!(" ({})", causes.join(", ")));
        }
        match (self.percentile(0.0), self.percentile(100.0)) {
            (Some(min), Some(max)) => {
                let p = |value: f64| format_latency(self.percentile(value).unwrap_or_default());
                line.push_str(&format!(
                    "; latency min {}, p50 {}, p90 {}, p99 {}, max {}",
                    format_latency(min),
                    p(50.0),
                    p(90.0),
                    p(99.0),
                    format_latency(max)
                ));
            }
            _ => line.push_str("; no latency measured"),
        }
        line
    }
}

/// Formats a latency in milliseconds with one decimal.
pub fn format_latency(latency: Duration) -> String {
    format!("{:.1} ms", latency.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn responded(status: u16, millis: u64) -> Result<Response, SendError> {
        Ok(Response { status, reason: None, body: Vec::new(), latency: Duration::from_millis(millis) })
    }

    #[test]
    fn percentiles_nearest_rank() {
        let mut summary = Summary::default();
        for millis in 1..=100 {
            summary.record(&responded(202, millis));
        }
        assert_eq!(summary.percentile(50.0), Some(Duration::from_millis(50)));
        assert_eq!(summary.percentile(90.0), Some(Duration::from_millis(90)));
        assert_eq!(summary.percentile(99.0), Some(Duration::from_millis(99)));
        assert_eq!(summary.percentile(0.0), Some(Duration::from_millis(1)));
        assert_eq!(summary.percentile(100.0), Some(Duration::from_millis(100)));
    }

    #[test]
    fn line_counts_failures_by_status() {
        let mut summary = Summary::default();
        summary.record(&responded(202, 3));
        summary.record(&responded(401, 2));
        summary.record(&responded(401, 2));
        summary.record(&Err(SendError::Timeout { url: "http://127.0.0.1:9/".into(), seconds: 1 }));
        let line = summary.line();
        assert!(line.starts_with("sent 4 deliveries in "), "{line}");
        assert!(line.contains("1 succeeded, 3 failed (401: 2, no response: 1)"), "{line}");
        assert!(line.contains("latency min 2.0 ms, p50 2.0 ms, p90 3.0 ms, p99 3.0 ms, max 3.0 ms"), "{line}");
    }
}
