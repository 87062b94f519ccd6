//! Runs a forward action: POSTs the normalized event JSON to a URL, signed
//! the Standard Webhooks way so that the receiver can verify it.
//!
//! The headers are `webhook-id`, `webhook-timestamp` (Unix seconds) and,
//! when the action has a secret, `webhook-signature: v1,<base64 HMAC-SHA256
//! of id.timestamp.body>`. The id is the event's id, the same on every
//! retry, so the receiver can deduplicate. There is one signature per
//! configured secret, so a receiver keeps verifying while a secret is rotated.

use crate::config::secret::SecretList;
use crate::verify::standard_webhooks_sign;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};
use tokio_util::sync::CancellationToken;

/// Maximum bytes of a receiver's response body kept in the attempt history.
const RESPONSE_LIMIT: usize = 64 * 1024;

/// The longest `Retry-After` honoured; a longer one waits this long.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// How a forward attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardOutcome {
    /// A 2xx response.
    Delivered,
    /// 410 Gone: the receiver will never take this event; stop forwarding there.
    Gone,
    /// 429 or 503, with the wait its `Retry-After` asked for, if any.
    Throttled { retry_after: Option<Duration> },
    /// Any other status, or no response.
    Failed { error: String },
    TimedOut,
    /// Stopped by shutdown.
    Interrupted,
}

/// The result of one POST.
#[derive(Debug, Clone)]
pub struct ForwardAttempt {
    pub outcome: ForwardOutcome,
    pub http_status: Option<u16>,
    /// The start of the receiver's response body.
    pub response: Vec<u8>,
}

/// The shared HTTP client: one connection pool for every forward action.
fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        crate::tls::install_crypto_provider();
        reqwest::Client::builder()
            .user_agent(concat!("prhook/", env!("CARGO_PKG_VERSION")))
            // A redirect of a POST would turn it into a GET without the
            // event: a 3xx counts as a failure and shows up in the history.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the HTTP client builds")
    })
}

/// POSTs `body` (the event JSON) to `url` once, within `timeout`.
pub async fn forward(
    url: &str,
    secret: Option<&SecretList>,
    event_id: &str,
    body: &[u8],
    timeout: Duration,
    cancel: CancellationToken,
) -> ForwardAttempt {
    let timestamp = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs() as i64);
    let mut request = client()
        .post(url)
        .timeout(timeout)
        .header("content-type", "application/json")
        .header("webhook-id", event_id)
        .header("webhook-timestamp", timestamp.to_string());
    if let Some(secrets) = secret {
        let signatures: Vec<String> = secrets.iter().map(|secret| standard_webhooks_sign(secret, event_id, timestamp, body)).collect();
        request = request.header("webhook-signature", signatures.join(" "));
    }
    let exchange = async {
        let response = request.body(body.to_vec()).send().await?;
        let status = response.status();
        let retry_after = response.headers().get(reqwest::header::RETRY_AFTER).and_then(|value| value.to_str().ok()).and_then(parse_retry_after);
        let response_body = read_bounded(response).await;
        Ok::<_, reqwest::Error>((status, retry_after, response_body))
    };
    let result = tokio::select! {
        result = exchange => result,
        () = cancel.cancelled() => {
            return ForwardAttempt { outcome: ForwardOutcome::Interrupted, http_status: None, response: Vec::new() };
        }
    };
    match result {
        Ok((status, retry_after, response)) => {
            let outcome = match status.as_u16() {
                200..=299 => ForwardOutcome::Delivered,
                410 => ForwardOutcome::Gone,
                429 | 503 => ForwardOutcome::Throttled { retry_after },
                code => ForwardOutcome::Failed { error: format!("{url} answered HTTP {code}") },
            };
            ForwardAttempt { outcome, http_status: Some(status.as_u16()), response }
        }
        Err(error) if error.is_timeout() => ForwardAttempt { outcome: ForwardOutcome::TimedOut, http_status: None, response: Vec::new() },
        Err(error) => {
            // The source chain names the cause (refused, DNS, TLS), which reqwest's top message omits.
            let mut message = format!("POST {url} failed: {error}");
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                message.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            ForwardAttempt { outcome: ForwardOutcome::Failed { error: message }, http_status: None, response: Vec::new() }
        }
    }
}

async fn read_bounded(mut response: reqwest::Response) -> Vec<u8> {
    let mut kept = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = RESPONSE_LIMIT.saturating_sub(kept.len());
        if room == 0 {
            break;
        }
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    kept
}

/// Parses `Retry-After`: delay seconds, or an HTTP date. Capped at [`MAX_RETRY_AFTER`].
pub fn parse_retry_after(text: &str) -> Option<Duration> {
    let text = text.trim();
    let wait = match text.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let at = httpdate::parse_http_date(text).ok()?;
            at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
    }

    #[test]
    fn retry_after_http_date_in_past_is_zero() {
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_is_capped() {
        assert_eq!(parse_retry_after("999999"), Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn retry_after_garbage_is_none() {
        assert_eq!(parse_retry_after("soon"), None);
    }
}
