//! The HTTP side: routes, the webhook handler and the connection loop.
//!
//! Checks run in the documented order: route and method, size,
//! authenticity, content type, payload. A delivery is stored and committed
//! before the 202 response.

pub mod error;
pub mod listener;

use crate::config::Config;
use crate::event::{parse_slash_command, Event, Kind};
use crate::filter::Filters;
use crate::provider::{Outcome, Provider, ProviderId, Providers, RawDelivery};
use crate::replies::Replies;
use crate::store::{Inserted, NewDelivery, Status, Store};
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Extension, Json, Router};
use error::ApiError;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Listed in `not_found` and `unknown_provider` messages.
pub const ROUTES: &str = "POST /api/v1/github_webhooks (GitHub), POST /webhook (GitLab or Bitbucket Server), \
POST / (Azure DevOps), POST /webhooks/{github,gitlab,azure-devops,bitbucket-server}, GET /healthz, GET /readyz, GET /metrics";

/// Past `max_body_bytes`, at most this many more bytes are read and
/// dropped so that the client can read the 413 instead of a reset.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// Seconds suggested in `Retry-After` when the queue is full.
const OVERLOADED_RETRY_AFTER: u64 = 30;

/// Headers that carry secrets or digests; stored as `<redacted>`.
const REDACTED_HEADERS: [&str; 5] =
    ["authorization", "x-gitlab-token", "x-hub-signature", "x-hub-signature-256", "webhook-signature"];

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub providers: Providers,
    pub store: Store,
    /// Woken when a delivery is queued, so the dispatcher starts at once.
    pub dispatch_wake: Arc<Notify>,
    /// Set when shutdown begins.
    pub draining: Arc<AtomicBool>,
    /// Provider API access for acks and for spotting prhook's own comments.
    pub replies: Option<Replies>,
}

/// Builds the router with every route of the API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/github_webhooks", any(github_route))
        .route("/webhook", any(shared_route))
        .route("/", any(azure_route))
        .route("/webhooks/{provider}", any(named_route))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found(ROUTES)
}

async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.draining.load(Ordering::Relaxed) {
        return ApiError::shutting_down().into_response();
    }
    match state.store.write(|connection| Ok(connection.execute_batch("SELECT 1")?)).await {
        Ok(()) => Json(json!({"status": "ready"})).into_response(),
        Err(error) => {
            tracing::error!(error = %error, "store is not writable");
            let mut answer = ApiError::internal();
            answer.status = StatusCode::SERVICE_UNAVAILABLE;
            answer.code = "not_ready";
            answer.message = "the store is not writable; see the server log".into();
            answer.into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let mut text = crate::telemetry::render(state.store.pending_jobs());
    // The circuit breakers and the reply queue report their own metrics.
    if let Some(replies) = &state.replies {
        text.push_str(&replies.render_metrics().await);
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

async fn github_route(State(state): State<AppState>, request: Request<Body>) -> Response {
    handle(state, Route::Fixed(ProviderId::Github), request).await
}

async fn shared_route(State(state): State<AppState>, request: Request<Body>) -> Response {
    handle(state, Route::GitlabOrBitbucket, request).await
}

async fn azure_route(State(state): State<AppState>, request: Request<Body>) -> Response {
    handle(state, Route::AzureUnlessOther, request).await
}

async fn named_route(State(state): State<AppState>, Path(name): Path<String>, request: Request<Body>) -> Response {
    match ProviderId::parse(&name) {
        Some(provider) => handle(state, Route::Fixed(provider), request).await,
        None => ApiError::not_found(ROUTES).into_response(),
    }
}

/// The way a route finds its provider.
#[derive(Debug, Clone, Copy)]
enum Route {
    Fixed(ProviderId),
    /// `/webhook`: GitLab or Bitbucket Server by their event headers.
    GitlabOrBitbucket,
    /// `/`: Azure DevOps unless another provider's event header is present.
    AzureUnlessOther,
}

/// The outcome of a delivery that was not rejected, read by the metrics.
#[derive(Debug, Clone, Copy)]
struct Answered(&'static str);

async fn handle(state: AppState, route: Route, request: Request<Body>) -> Response {
    let mut provider = None;
    let result = accept(&state, route, request, &mut provider).await;
    let provider = provider.map_or("unknown", ProviderId::as_str);
    match result {
        Ok(response) => {
            let outcome = response.extensions().get::<Answered>().map_or("unknown", |answered| answered.0);
            crate::telemetry::delivery_received(provider, outcome);
            response
        }
        Err(error) => {
            crate::telemetry::delivery_received(provider, error.code);
            if error.status.is_server_error() {
                tracing::warn!(code = error.code, status = error.status.as_u16(), "delivery not accepted");
            } else {
                tracing::info!(code = error.code, status = error.status.as_u16(), reason = %error.message, "delivery rejected");
            }
            error.into_response()
        }
    }
}

/// Checks, stores and responds to one delivery. `provider_seen` is set
/// once the route has decided the provider.
async fn accept(state: &AppState, route: Route, request: Request<Body>, provider_seen: &mut Option<ProviderId>) -> Result<Response, ApiError> {
    if request.method() != Method::POST {
        return Err(ApiError::method_not_allowed(request.method().as_str()));
    }
    if state.draining.load(Ordering::Relaxed) {
        return Err(ApiError::shutting_down());
    }
    let (parts, body) = request.into_parts();
    let server = &state.config.server;
    let body = read_body(body, server.max_body_bytes, server.read_timeout).await?;
    let headers = parts.headers;

    let provider = pick_provider(&state.providers, route, &headers)?;
    *provider_seen = Some(provider.id());
    let span = tracing::Span::current();
    span.record("provider", provider.id().as_str());

    if let Some(outcome) = provider.unauthenticated_outcome(&headers, &body) {
        return respond_without_storing(outcome);
    }
    if !allow_unsigned(&state.config, provider.id()) {
        let delivery = RawDelivery { headers: &headers, body: &body, now_unix: unix_now() };
        provider.verify(&delivery).map_err(|error| match error.code() {
            "missing_signature" => ApiError::missing_signature(error.to_string()),
            _ => ApiError::invalid_signature(error.to_string()),
        })?;
    }

    let payload = parse_payload(provider.as_ref(), &headers, &body)?;
    let event_name = provider.event_name(&headers, &payload).map_err(|error| ApiError::malformed_payload(error.0))?;
    let delivery_id = provider.delivery_id(&headers, &payload);
    let outcome = provider.normalize(&event_name, &payload).map_err(|error| ApiError::malformed_payload(error.0))?;

    let received = time::OffsetDateTime::now_utc();
    let id = uuid::Uuid::now_v7().to_string();
    let delivery_id = delivery_id.unwrap_or_else(|| format!("prhook-{id}"));
    let received_at = received
        .replace_nanosecond(received.millisecond() as u32 * 1_000_000)
        .unwrap_or(received)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();

    let mut stored = NewDelivery {
        id: id.clone(),
        provider: provider.id().as_str().to_owned(),
        event: event_name.clone(),
        delivery_id: delivery_id.clone(),
        received_at: received_at.clone(),
        received_ms: (received.unix_timestamp_nanos() / 1_000_000) as i64,
        headers: stored_headers(&headers),
        body: body.clone(),
        normalized: None,
        repository: None,
        pr_number: None,
        status: Status::Ignored,
        reason: None,
        actions: Vec::new(),
        head: None,
    };

    let normalized = match outcome {
        Outcome::Pong => return respond_without_storing(Outcome::Pong),
        Outcome::Ignored(reason) => {
            stored.reason = Some(reason);
            return store_ignored(state, stored).await;
        }
        Outcome::Event(normalized) => normalized,
    };

    let mut event = Event {
        id: id.clone(),
        provider: provider.id().as_str().to_owned(),
        delivery_id: delivery_id.clone(),
        event: event_name,
        kind: normalized.kind,
        action: normalized.action,
        received_at,
        repository: normalized.repository,
        sender: normalized.sender,
        pull_request: normalized.pull_request,
        command: None,
        comment: normalized.comment,
        push: normalized.push,
    };
    if event.kind == Kind::Comment {
        event.command = event.comment.as_ref().and_then(|comment| parse_slash_command(&comment.body));
    }
    if let (Some(repository), Some(pull_request)) = (&event.repository, &event.pull_request) {
        if let Some(head) = &pull_request.head_sha {
            if normalized.compare_head {
                let previous = state
                    .store
                    .last_head(&event.provider, &repository.full_name, pull_request.number)
                    .await
                    .map_err(|error| internal(&error))?;
                if previous.is_some_and(|previous| previous != *head) {
                    event.action = crate::event::Action::Synchronized;
                }
            }
            stored.head = Some((repository.full_name.clone(), pull_request.number, head.clone()));
        }
    }
    stored.repository = event.repository.as_ref().map(|repository| repository.full_name.clone());
    stored.pr_number = event.pull_request.as_ref().map(|pull_request| pull_request.number);
    // The dispatcher's job spans carry the same fields, so one delivery
    // can be followed from its request to the end of its last action.
    span.record("event", event.event.as_str());
    span.record("delivery_id", delivery_id.as_str());
    span.record("id", id.as_str());
    if let Some(repository) = &stored.repository {
        span.record("repository", repository.as_str());
    }
    if let Some(number) = stored.pr_number {
        span.record("pr", number);
    }
    stored.normalized = Some(serde_json::to_string(&event).map_err(|error| internal(&error))?);

    let own_login = state.replies.as_ref().and_then(|replies| replies.own_login(provider.id()));
    if let Some(reason) = crate::filter::own_reply_reason(&event, own_login.as_deref()) {
        tracing::debug!(reason = %reason, "delivery filtered");
        stored.reason = Some(reason);
        return store_ignored(state, stored).await;
    }
    if let Some(reason) = filter_reason(&state.config.filters, &event) {
        tracing::debug!(reason = %reason, "delivery filtered");
        stored.reason = Some(reason);
        return store_ignored(state, stored).await;
    }
    let actions: Vec<String> = state
        .config
        .actions
        .iter()
        .filter(|action| action.selects(&event))
        .map(|action| action.name.clone())
        .collect();
    if actions.is_empty() {
        stored.reason = Some(format!("no action selects {}.{}", event.kind, event.action));
        return store_ignored(state, stored).await;
    }

    let depth = state.store.pending_jobs();
    if depth >= state.config.server.max_queue_depth as i64 {
        return Err(ApiError::overloaded(depth, OVERLOADED_RETRY_AFTER));
    }
    stored.status = Status::Queued;
    stored.actions = actions;
    match state.store.insert(stored).await.map_err(|error| internal(&error))? {
        Inserted::New => {
            // The request span already carries the ids, event and repository.
            tracing::info!(action = %event.action, "delivery queued");
            state.dispatch_wake.notify_one();
            if let Some(replies) = &state.replies {
                replies.on_accept(&event, &payload, &state.config.actions);
            }
            let body = json!({"status": "queued", "id": id, "delivery_id": delivery_id});
            Ok((StatusCode::ACCEPTED, Extension(Answered("queued")), Json(body)).into_response())
        }
        Inserted::Duplicate { id } => Ok(duplicate(&id)),
    }
}

fn internal(error: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(error = %error, "storing the delivery failed");
    ApiError::internal()
}

fn duplicate(id: &str) -> Response {
    tracing::info!(first_id = %id, "duplicate delivery");
    (StatusCode::OK, Extension(Answered("duplicate")), Json(json!({"status": "duplicate", "id": id}))).into_response()
}

fn respond_without_storing(outcome: Outcome) -> Result<Response, ApiError> {
    match outcome {
        Outcome::Pong => {
            tracing::info!("pong sent");
            Ok((StatusCode::OK, Extension(Answered("pong")), Json(json!({"status": "pong"}))).into_response())
        }
        Outcome::Ignored(reason) => {
            Ok((StatusCode::OK, Extension(Answered("ignored")), Json(json!({"status": "ignored", "reason": reason}))).into_response())
        }
        Outcome::Event(_) => Err(ApiError::internal()),
    }
}

/// Stores an ignored delivery, so that a repeat gets the `duplicate` response.
async fn store_ignored(state: &AppState, stored: NewDelivery) -> Result<Response, ApiError> {
    let reason = stored.reason.clone().unwrap_or_default();
    match state.store.insert(stored).await.map_err(|error| internal(&error))? {
        Inserted::New => {
            tracing::debug!(reason = %reason, "delivery ignored");
            Ok((StatusCode::OK, Extension(Answered("ignored")), Json(json!({"status": "ignored", "reason": reason}))).into_response())
        }
        Inserted::Duplicate { id } => Ok(duplicate(&id)),
    }
}

fn filter_reason(filters: &Filters, event: &Event) -> Option<String> {
    filters.check(event)
}

fn allow_unsigned(config: &Config, provider: ProviderId) -> bool {
    match provider {
        ProviderId::Github => config.github.allow_unsigned,
        ProviderId::Gitlab => config.gitlab.allow_unsigned,
        ProviderId::AzureDevops => config.azure_devops.allow_unsigned,
        ProviderId::BitbucketServer => config.bitbucket_server.allow_unsigned,
    }
}

fn pick_provider(providers: &Providers, route: Route, headers: &HeaderMap) -> Result<Arc<dyn Provider>, ApiError> {
    match route {
        Route::Fixed(id) => Ok(providers.get(id)),
        Route::GitlabOrBitbucket => [ProviderId::Gitlab, ProviderId::BitbucketServer]
            .into_iter()
            .map(|id| providers.get(id))
            .find(|provider| provider.detect(headers))
            .ok_or_else(|| ApiError::unknown_provider(ROUTES)),
        Route::AzureUnlessOther => {
            let other = [ProviderId::Github, ProviderId::Gitlab, ProviderId::BitbucketServer]
                .into_iter()
                .map(|id| providers.get(id))
                .find(|provider| provider.detect(headers));
            Ok(other.unwrap_or_else(|| providers.get(ProviderId::AzureDevops)))
        }
    }
}

/// Reads the body up to `limit` bytes within `timeout`.
///
/// Over the limit, it reads and drops up to [`DRAIN_LIMIT`] more bytes
/// before the 413 response, because a provider writes the whole body before
/// reading the response and would otherwise see a connection reset.
async fn read_body(mut body: Body, limit: usize, timeout: Duration) -> Result<Bytes, ApiError> {
    // A declared length sizes the buffer once instead of growing it frame by frame.
    let expected = http_body::Body::size_hint(&body).exact().map_or(0, |length| length as usize).min(limit);
    let read = async {
        let mut collected = Vec::with_capacity(expected);
        let mut total = 0usize;
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else {
                return Err(ApiError::malformed_payload("the body could not be read"));
            };
            let Ok(data) = frame.into_data() else { continue };
            total += data.len();
            if total > limit {
                if total > limit + DRAIN_LIMIT {
                    break;
                }
                collected = Vec::new();
                continue;
            }
            collected.extend_from_slice(&data);
        }
        if total > limit {
            Err(ApiError::payload_too_large(limit))
        } else {
            Ok(Bytes::from(collected))
        }
    };
    match tokio::time::timeout(timeout, read).await {
        Ok(result) => result,
        Err(_) => Err(ApiError::request_timeout(timeout.as_secs())),
    }
}

/// Checks the content type and parses the body as JSON.
fn parse_payload(provider: &dyn Provider, headers: &HeaderMap, body: &[u8]) -> Result<Value, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|value| value.to_str().unwrap_or("(not text)").to_owned());
    let media_type = content_type
        .as_deref()
        .map(|text| text.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    let json_bytes: Cow<[u8]> = match media_type.as_deref() {
        None | Some("") | Some("application/json") => Cow::Borrowed(body),
        Some(other) if other.starts_with("application/") && other.ends_with("+json") => Cow::Borrowed(body),
        Some("application/x-www-form-urlencoded") if provider.accepts_form() => {
            let field = url::form_urlencoded::parse(body)
                .find(|(name, _)| name == "payload")
                .map(|(_, value)| value.into_owned())
                .ok_or_else(|| ApiError::malformed_payload("the form body has no payload field"))?;
            Cow::Owned(field.into_bytes())
        }
        Some(_) => return Err(ApiError::unsupported_media_type(content_type.as_deref().unwrap_or(""))),
    };
    if json_bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::malformed_payload("the body is empty"));
    }
    match provider.payload_keys() {
        Some(keys) => crate::provider::payload::parse(&json_bytes, keys),
        None => serde_json::from_slice(&json_bytes),
    }
    .map_err(|error| ApiError::malformed_payload(format!("the body is not valid JSON: {error}")))
}

fn stored_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let name = name.as_str().to_owned();
            let value = if REDACTED_HEADERS.contains(&name.as_str()) {
                "<redacted>".to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name, value)
        })
        .collect()
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
