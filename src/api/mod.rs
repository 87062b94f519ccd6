//! Clients for the providers' REST APIs: post a comment on a pull request
//! and acknowledge a slash-command comment.
//!
//! Every call goes through [`HttpClient`], which keeps one circuit breaker
//! and one rate-limit pause per API host. A call to a host that is rate
//! limited waits until the reset and is then sent again. A call to a host
//! whose breaker is open fails at once with [`ApiError::BreakerOpen`].

pub mod azure_devops;
pub mod bitbucket_server;
pub mod github;
pub mod gitlab;

use crate::breaker::{Breaker, BreakerState};
use crate::config::{CircuitBreakerConfig, Config};
use crate::provider::ProviderId;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::time::Instant;

/// How long one API call may take, connection included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The maximum pause a rate limit can impose, because GitHub's and
/// GitLab's windows are at most an hour.
const MAX_PAUSE: Duration = Duration::from_secs(3600);

/// The pause after a 429 that names no reset time.
const DEFAULT_PAUSE: Duration = Duration::from_secs(60);

/// Rate-limit responses in a row after which a call fails with
/// [`ApiError::RateLimited`], so that its caller retries it later.
const MAX_RATE_LIMITED: u32 = 5;

/// Why an API call failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The host's circuit breaker is open; nothing was sent.
    #[error("circuit breaker for {host} is open")]
    BreakerOpen { host: String, retry_at: Instant },
    /// A timeout or connection error.
    #[error("request to {host} failed")]
    Unavailable {
        host: String,
        #[source]
        source: reqwest::Error,
    },
    /// A 5xx response.
    #[error("{host} responded with {status}: {message}")]
    ServerError { host: String, status: u16, message: String },
    /// A 4xx response: the request itself is wrong (token, permissions, a
    /// deleted pull request) and sending it again will not help.
    #[error("{host} rejected the request with {status}: {message}")]
    Rejected { host: String, status: u16, message: String },
    /// The host kept answering with rate limits.
    #[error("{host} is still rate limiting after {MAX_RATE_LIMITED} pauses")]
    RateLimited { host: String },
    #[error("invalid API URL {url:?}")]
    InvalidUrl { url: String },
    #[error("no API token is configured for {provider}")]
    NoCredentials { provider: &'static str },
    #[error("invalid GitHub App private key")]
    PrivateKey(#[source] jsonwebtoken::errors::Error),
    #[error("the delivery has no installation id, which a GitHub App needs for its token")]
    NoInstallation,
    #[error("unexpected response from {host}: {message}")]
    InvalidResponse { host: String, message: String },
}

impl ApiError {
    /// Tells whether the same call may succeed later.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ApiError::BreakerOpen { .. }
                | ApiError::Unavailable { .. }
                | ApiError::ServerError { .. }
                | ApiError::RateLimited { .. }
                | ApiError::InvalidResponse { .. }
        )
    }
}

/// How a request authenticates. Values are secrets and never logged.
#[derive(Clone)]
pub enum Auth {
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// GitLab's `PRIVATE-TOKEN: <token>`.
    PrivateToken(String),
    /// `Authorization: Basic` with an empty user name, as Azure DevOps
    /// takes personal access tokens.
    BasicPassword(String),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Auth(<redacted>)")
    }
}

/// One API request.
#[derive(Debug)]
pub struct ApiRequest {
    pub method: Method,
    pub url: String,
    pub auth: Auth,
    pub headers: Vec<(&'static str, &'static str)>,
    pub body: Option<Value>,
}

impl ApiRequest {
    pub fn new(method: Method, url: String, auth: Auth) -> ApiRequest {
        ApiRequest { method, url, auth, headers: Vec::new(), body: None }
    }

    pub fn json(mut self, body: Value) -> ApiRequest {
        self.body = Some(body);
        self
    }

    pub fn header(mut self, name: &'static str, value: &'static str) -> ApiRequest {
        self.headers.push((name, value));
        self
    }
}

/// A successful response.
#[derive(Debug)]
pub struct ApiResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl ApiResponse {
    pub fn json(&self, host: &str) -> Result<Value, ApiError> {
        serde_json::from_str(&self.body)
            .map_err(|error| ApiError::InvalidResponse { host: host.to_owned(), message: format!("invalid JSON: {error}") })
    }
}

/// State kept per API host.
#[derive(Debug)]
struct Host {
    breaker: Breaker,
    /// Calls wait until this time, set from rate-limit headers.
    paused_until: Mutex<Option<Instant>>,
}

/// The shared HTTP client with a breaker and a rate-limit pause per host.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    breaker_config: CircuitBreakerConfig,
    hosts: Arc<Mutex<HashMap<String, Arc<Host>>>>,
}

impl HttpClient {
    pub fn new(breaker_config: CircuitBreakerConfig) -> HttpClient {
        let client = reqwest::Client::builder()
            .user_agent(concat!("prhook/", env!("CARGO_PKG_VERSION")))
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("the HTTP client builds with a static configuration");
        HttpClient { client, breaker_config, hosts: Arc::default() }
    }

    /// Returns the breaker of every host called so far, for metrics.
    pub fn breakers(&self) -> Vec<Breaker> {
        let hosts = self.hosts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut breakers: Vec<Breaker> = hosts.values().map(|host| host.breaker.clone()).collect();
        breakers.sort_by(|left, right| left.host().cmp(right.host()));
        breakers
    }

    /// When calls to the host of `url` are next allowed, if not now:
    /// its breaker is open or a rate limit pauses it.
    pub fn blocked_until(&self, url: &str) -> Option<Instant> {
        let host = self.host(&host_of(url).ok()?);
        let paused = (*host.paused_until.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
            .filter(|until| *until > Instant::now());
        match (host.breaker.blocked_until(), paused) {
            (Some(left), Some(right)) => Some(left.max(right)),
            (left, right) => left.or(right),
        }
    }

    fn host(&self, name: &str) -> Arc<Host> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(hosts.entry(name.to_owned()).or_insert_with(|| {
            Arc::new(Host { breaker: Breaker::new(name, &self.breaker_config), paused_until: Mutex::new(None) })
        }))
    }

    /// Sends `request`, waiting out rate limits, and returns a 2xx response.
    pub async fn send(&self, request: &ApiRequest) -> Result<ApiResponse, ApiError> {
        let name = host_of(&request.url)?;
        let host = self.host(&name);
        let mut rate_limited = 0;
        loop {
            let paused = *host.paused_until.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some(until) = paused {
                if until > Instant::now() {
                    tracing::debug!(host = %name, wait_ms = (until - Instant::now()).as_millis() as u64, "rate limited, waiting for the reset");
                    tokio::time::sleep_until(until).await;
                }
            }
            let permit = host
                .breaker
                .try_acquire()
                .map_err(|rejected| ApiError::BreakerOpen { host: name.clone(), retry_at: rejected.retry_at })?;

            let response = match self.build(request).send().await {
                Ok(response) => response,
                Err(source) => {
                    permit.failure();
                    return Err(ApiError::Unavailable { host: name, source });
                }
            };
            let status = response.status();
            let headers = response.headers().clone();
            let body = match response.text().await {
                Ok(body) => body,
                Err(source) => {
                    permit.failure();
                    return Err(ApiError::Unavailable { host: name, source });
                }
            };
            if status.is_server_error() {
                permit.failure();
                return Err(ApiError::ServerError { host: name, status: status.as_u16(), message: error_message(&body) });
            }
            permit.success();

            let pause = rate_limit_pause(status, &headers, SystemTime::now());
            if let Some(pause) = pause {
                let until = Instant::now() + pause.wait;
                *host.paused_until.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(until);
                if pause.retry {
                    rate_limited += 1;
                    tracing::warn!(host = %name, status = status.as_u16(), wait_secs = pause.wait.as_secs(), "rate limited, pausing calls to this host");
                    if rate_limited >= MAX_RATE_LIMITED {
                        return Err(ApiError::RateLimited { host: name });
                    }
                    continue;
                }
                tracing::info!(host = %name, wait_secs = pause.wait.as_secs(), "rate limit used up, pausing calls to this host until the reset");
            }
            if status.is_client_error() {
                return Err(ApiError::Rejected { host: name, status: status.as_u16(), message: error_message(&body) });
            }
            return Ok(ApiResponse { status, headers, body });
        }
    }

    fn build(&self, request: &ApiRequest) -> reqwest::RequestBuilder {
        let mut builder = self.client.request(request.method.clone(), &request.url);
        builder = match &request.auth {
            Auth::Bearer(token) => builder.bearer_auth(token),
            Auth::PrivateToken(token) => builder.header("PRIVATE-TOKEN", token),
            Auth::BasicPassword(password) => builder.basic_auth("", Some(password)),
        };
        for (name, value) in &request.headers {
            builder = builder.header(*name, *value);
        }
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        builder
    }
}

/// `host:port` of a URL, the unit that breakers and pauses apply to.
pub fn host_of(url: &str) -> Result<String, ApiError> {
    let parsed = url::Url::parse(url).map_err(|_| ApiError::InvalidUrl { url: url.to_owned() })?;
    let host = parsed.host_str().ok_or_else(|| ApiError::InvalidUrl { url: url.to_owned() })?;
    match parsed.port_or_known_default() {
        Some(port) => Ok(format!("{host}:{port}")),
        None => Ok(host.to_owned()),
    }
}

/// A pause read from an answer's rate-limit headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pause {
    wait: Duration,
    /// The call itself was refused and must be sent again after the pause.
    retry: bool,
}

/// Reads the pause that a response requests.
///
/// A 429, or a 403 with `X-RateLimit-Remaining: 0` (GitHub's primary
/// limit) or with `Retry-After` (GitHub's secondary limit), rejects the
/// call: the pause comes from `Retry-After`, else the reset header, else
/// [`DEFAULT_PAUSE`]. A successful response that used up the budget
/// (`X-RateLimit-Remaining` or GitLab's `RateLimit-Remaining` at 0)
/// pauses later calls until the reset.
fn rate_limit_pause(status: StatusCode, headers: &HeaderMap, now: SystemTime) -> Option<Pause> {
    let remaining = header_u64(headers, "x-ratelimit-remaining").or_else(|| header_u64(headers, "ratelimit-remaining"));
    let reset = header_u64(headers, "x-ratelimit-reset").or_else(|| header_u64(headers, "ratelimit-reset"));
    let retry_after = headers.get("retry-after").and_then(|value| value.to_str().ok()).and_then(|text| parse_retry_after(text, now));
    let until_reset = reset.map(|reset| {
        let now_secs = now.duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs());
        // The reset is a whole second; one more second covers the rounding.
        Duration::from_secs(reset.saturating_sub(now_secs) + 1)
    });
    let exhausted = remaining == Some(0);

    let rejected = status == StatusCode::TOO_MANY_REQUESTS
        || (status == StatusCode::FORBIDDEN && (exhausted || retry_after.is_some()));
    if rejected {
        let wait = retry_after.or(until_reset).unwrap_or(DEFAULT_PAUSE);
        return Some(Pause { wait: wait.min(MAX_PAUSE), retry: true });
    }
    if status.is_success() && exhausted {
        if let Some(wait) = retry_after.or(until_reset) {
            return Some(Pause { wait: wait.min(MAX_PAUSE), retry: false });
        }
    }
    None
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name).and_then(|value: &HeaderValue| value.to_str().ok()).and_then(|text| text.trim().parse().ok())
}

/// Parses `Retry-After` as seconds or as an HTTP date.
fn parse_retry_after(text: &str, now: SystemTime) -> Option<Duration> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc2822).ok()?;
    let at = UNIX_EPOCH + Duration::from_secs(u64::try_from(date.unix_timestamp()).ok()?);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Extracts the `message` of a JSON error body, or the body's start.
fn error_message(body: &str) -> String {
    let message = serde_json::from_str::<Value>(body).ok().and_then(|value| match value.get("message") {
        Some(Value::String(text)) => Some(text.clone()),
        Some(other) => Some(other.to_string()),
        None => value.get("error").map(|error| error.to_string()),
    });
    let message = message.unwrap_or_else(|| body.to_owned());
    let mut short: String = message.chars().take(300).collect();
    if short.len() < message.len() {
        short.push('…');
    }
    short
}

/// Where a reply goes: the pull request, and for an acknowledgement the
/// comment to acknowledge. Stored as JSON with queued replies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "kebab-case")]
pub enum Target {
    Github(github::GithubTarget),
    Gitlab(gitlab::GitlabTarget),
    AzureDevops(azure_devops::AzureTarget),
    BitbucketServer(bitbucket_server::BitbucketTarget),
}

impl Target {
    /// Reads the target from a stored delivery's payload.
    pub fn from_payload(provider: ProviderId, payload: &Value) -> Option<Target> {
        match provider {
            ProviderId::Github => github::GithubTarget::from_payload(payload).map(Target::Github),
            ProviderId::Gitlab => gitlab::GitlabTarget::from_payload(payload).map(Target::Gitlab),
            ProviderId::AzureDevops => azure_devops::AzureTarget::from_payload(payload).map(Target::AzureDevops),
            ProviderId::BitbucketServer => bitbucket_server::BitbucketTarget::from_payload(payload).map(Target::BitbucketServer),
        }
    }

    pub fn provider(&self) -> ProviderId {
        match self {
            Target::Github(_) => ProviderId::Github,
            Target::Gitlab(_) => ProviderId::Gitlab,
            Target::AzureDevops(_) => ProviderId::AzureDevops,
            Target::BitbucketServer(_) => ProviderId::BitbucketServer,
        }
    }

    /// Tells whether the target names a comment that an ack can answer.
    pub fn has_comment(&self) -> bool {
        match self {
            Target::Github(target) => target.comment.is_some(),
            Target::Gitlab(target) => target.note_id.is_some(),
            Target::AzureDevops(target) => target.thread_id.is_some() && target.comment_id.is_some(),
            Target::BitbucketServer(target) => target.comment_id.is_some(),
        }
    }
}

/// The API clients of the providers that have credentials, sharing one
/// [`HttpClient`], plus each account's own login once looked up.
#[derive(Debug)]
pub struct Apis {
    pub http: HttpClient,
    pub github: Option<github::GithubApi>,
    pub gitlab: Option<gitlab::GitlabApi>,
    pub azure_devops: Option<azure_devops::AzureApi>,
    pub bitbucket_server: Option<bitbucket_server::BitbucketApi>,
    own_logins: RwLock<HashMap<ProviderId, String>>,
}

impl Apis {
    /// Builds a client for each provider section that has an API token.
    pub fn from_config(config: &Config) -> Result<Apis, ApiError> {
        let apis = Apis {
            http: HttpClient::new(config.circuit_breaker.clone()),
            github: github::GithubApi::from_config(&config.github)?,
            gitlab: gitlab::GitlabApi::from_config(&config.gitlab),
            azure_devops: azure_devops::AzureApi::from_config(&config.azure_devops),
            bitbucket_server: bitbucket_server::BitbucketApi::from_config(&config.bitbucket_server),
            own_logins: RwLock::default(),
        };
        // Registering each host up front checks its URL and lists its
        // breaker in the metrics before the first call.
        for provider in ProviderId::ALL {
            if let Some(base) = apis.base_url(provider) {
                apis.http.host(&host_of(base)?);
            }
        }
        Ok(apis)
    }

    /// Tells whether `provider` has API credentials.
    pub fn configured(&self, provider: ProviderId) -> bool {
        match provider {
            ProviderId::Github => self.github.is_some(),
            ProviderId::Gitlab => self.gitlab.is_some(),
            ProviderId::AzureDevops => self.azure_devops.is_some(),
            ProviderId::BitbucketServer => self.bitbucket_server.is_some(),
        }
    }

    /// Returns the API base URL of `provider`, when it has credentials.
    pub fn base_url(&self, provider: ProviderId) -> Option<&str> {
        match provider {
            ProviderId::Github => self.github.as_ref().map(|api| api.base.as_str()),
            ProviderId::Gitlab => self.gitlab.as_ref().map(|api| api.base.as_str()),
            ProviderId::AzureDevops => self.azure_devops.as_ref().map(|api| api.base.as_str()),
            ProviderId::BitbucketServer => self.bitbucket_server.as_ref().map(|api| api.base.as_str()),
        }
    }

    /// When calls to `provider`'s host are next allowed, if not now.
    pub fn blocked_until(&self, provider: ProviderId) -> Option<Instant> {
        self.http.blocked_until(self.base_url(provider)?)
    }

    /// Returns each breaker's host and state, for metrics.
    pub fn breaker_states(&self) -> Vec<(String, BreakerState)> {
        self.http.breakers().into_iter().map(|breaker| (breaker.host().to_owned(), breaker.state())).collect()
    }

    /// Posts `body` as a new comment on the target's pull request.
    pub async fn post_comment(&self, target: &Target, body: &str) -> Result<(), ApiError> {
        match target {
            Target::Github(target) => self.github()?.post_comment(&self.http, target, body).await,
            Target::Gitlab(target) => self.gitlab()?.post_comment(&self.http, target, body).await,
            Target::AzureDevops(target) => self.azure_devops()?.post_comment(&self.http, target, body).await,
            Target::BitbucketServer(target) => self.bitbucket_server()?.post_comment(&self.http, target, body).await,
        }
    }

    /// Acknowledges the target's comment. `text` is used where the
    /// provider answers with a reply instead of a reaction.
    pub async fn ack(&self, target: &Target, text: &str) -> Result<(), ApiError> {
        match target {
            Target::Github(target) => self.github()?.react(&self.http, target).await,
            Target::Gitlab(target) => self.gitlab()?.react(&self.http, target).await,
            Target::AzureDevops(target) => self.azure_devops()?.reply_in_thread(&self.http, target, text).await,
            Target::BitbucketServer(target) => self.bitbucket_server()?.reply_to_comment(&self.http, target, text).await,
        }
    }

    /// Looks up the login of the account that `provider`'s credentials act as.
    pub async fn fetch_own_login(&self, provider: ProviderId) -> Result<String, ApiError> {
        let login = match provider {
            ProviderId::Github => self.github()?.own_login(&self.http).await?,
            ProviderId::Gitlab => self.gitlab()?.own_login(&self.http).await?,
            ProviderId::AzureDevops => self.azure_devops()?.own_login(&self.http).await?,
            ProviderId::BitbucketServer => self.bitbucket_server()?.own_login(&self.http).await?,
        };
        self.own_logins.write().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(provider, login.clone());
        Ok(login)
    }

    /// Returns the login stored by [`Apis::fetch_own_login`], if it finished.
    pub fn own_login(&self, provider: ProviderId) -> Option<String> {
        self.own_logins.read().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&provider).cloned()
    }

    fn github(&self) -> Result<&github::GithubApi, ApiError> {
        self.github.as_ref().ok_or(ApiError::NoCredentials { provider: "github" })
    }

    fn gitlab(&self) -> Result<&gitlab::GitlabApi, ApiError> {
        self.gitlab.as_ref().ok_or(ApiError::NoCredentials { provider: "gitlab" })
    }

    fn azure_devops(&self) -> Result<&azure_devops::AzureApi, ApiError> {
        self.azure_devops.as_ref().ok_or(ApiError::NoCredentials { provider: "azure-devops" })
    }

    fn bitbucket_server(&self) -> Result<&bitbucket_server::BitbucketApi, ApiError> {
        self.bitbucket_server.as_ref().ok_or(ApiError::NoCredentials { provider: "bitbucket-server" })
    }
}

/// Joins a base URL and a path with exactly one slash.
fn join(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), path.trim_start_matches('/'))
}

/// Percent-encodes one URL path segment.
fn segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20")
}

fn str_at<'a>(value: &'a Value, path: &str) -> Option<&'a str> {
    value_at(value, path)?.as_str()
}

fn u64_at(value: &Value, path: &str) -> Option<u64> {
    let found = value_at(value, path)?;
    found.as_u64().or_else(|| found.as_str()?.parse().ok())
}

fn value_at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |current, key| current.get(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn github_403_exhausted_pauses_until_reset() {
        let answer = headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1010")]);
        let pause = rate_limit_pause(StatusCode::FORBIDDEN, &answer, at(1000)).unwrap();
        assert_eq!(pause, Pause { wait: Duration::from_secs(11), retry: true });
    }

    #[test]
    fn plain_403_is_no_pause() {
        let answer = headers(&[("x-ratelimit-remaining", "42")]);
        assert_eq!(rate_limit_pause(StatusCode::FORBIDDEN, &answer, at(1000)), None);
    }

    #[test]
    fn retry_after_wins() {
        let answer = headers(&[("retry-after", "7"), ("ratelimit-remaining", "0"), ("ratelimit-reset", "2000")]);
        let pause = rate_limit_pause(StatusCode::TOO_MANY_REQUESTS, &answer, at(1000)).unwrap();
        assert_eq!(pause.wait, Duration::from_secs(7));
    }

    #[test]
    fn retry_after_http_date() {
        let wait = parse_retry_after("Thu, 01 Jan 1970 00:16:50 GMT", at(1000));
        assert_eq!(wait, Some(Duration::from_secs(10)));
    }

    #[test]
    fn gitlab_429_uses_reset() {
        let answer = headers(&[("ratelimit-remaining", "0"), ("ratelimit-reset", "1004")]);
        let pause = rate_limit_pause(StatusCode::TOO_MANY_REQUESTS, &answer, at(1000)).unwrap();
        assert_eq!(pause.wait, Duration::from_secs(5));
    }

    #[test]
    fn bare_429_waits_default() {
        let pause = rate_limit_pause(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new(), at(1000)).unwrap();
        assert_eq!(pause.wait, DEFAULT_PAUSE);
    }

    #[test]
    fn success_at_zero_pauses_later_calls() {
        let answer = headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1002")]);
        let pause = rate_limit_pause(StatusCode::CREATED, &answer, at(1000)).unwrap();
        assert_eq!(pause, Pause { wait: Duration::from_secs(3), retry: false });
    }

    #[test]
    fn pause_is_capped() {
        let answer = headers(&[("retry-after", "999999")]);
        let pause = rate_limit_pause(StatusCode::TOO_MANY_REQUESTS, &answer, at(1000)).unwrap();
        assert_eq!(pause.wait, MAX_PAUSE);
    }

    #[test]
    fn host_includes_port() {
        assert_eq!(host_of("https://api.github.com/repos").unwrap(), "api.github.com:443");
        assert_eq!(host_of("http://127.0.0.1:8080/api/v4").unwrap(), "127.0.0.1:8080");
    }

    #[test]
    fn segment_encodes_slash_and_space() {
        assert_eq!(segment("group/sub project"), "group%2Fsub%20project");
    }
}
