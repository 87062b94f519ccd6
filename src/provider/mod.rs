//! Providers: one module per forge, behind one [`Provider`] trait.
//!
//! The server finds the provider from the route and headers, has it verify
//! the raw bytes, then has it name the event and delivery id and turn the
//! payload into a [`Normalized`] event. Adding a forge means adding one
//! file here that implements [`Provider`] and one line in [`Providers::from_config`].

pub mod azure_devops;
pub mod bitbucket_server;
pub mod github;
pub mod gitlab;
pub mod payload;

use crate::config::Config;
use crate::event::{Action, Comment, Kind, PullRequest, Push, Repository, Sender};
use crate::verify::AuthError;
use axum::http::HeaderMap;
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

/// The provider names used on the command line, in routes and in events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProviderId {
    Github,
    Gitlab,
    AzureDevops,
    BitbucketServer,
}

impl ProviderId {
    pub const ALL: [ProviderId; 4] =
        [ProviderId::Github, ProviderId::Gitlab, ProviderId::AzureDevops, ProviderId::BitbucketServer];

    /// Returns the name used on the command line and in the normalized event.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderId::Github => "github",
            ProviderId::Gitlab => "gitlab",
            ProviderId::AzureDevops => "azure-devops",
            ProviderId::BitbucketServer => "bitbucket-server",
        }
    }

    /// Returns the section name in `prhook.toml` and in `secrets.toml`.
    pub fn config_section(self) -> &'static str {
        match self {
            ProviderId::Github => "github",
            ProviderId::Gitlab => "gitlab",
            ProviderId::AzureDevops => "azure_devops",
            ProviderId::BitbucketServer => "bitbucket_server",
        }
    }

    /// The route a provider's webhook settings should point at.
    pub fn primary_route(self) -> &'static str {
        match self {
            ProviderId::Github => "/api/v1/github_webhooks",
            ProviderId::Gitlab => "/webhook",
            ProviderId::AzureDevops => "/",
            ProviderId::BitbucketServer => "/webhook",
        }
    }

    /// Returns the route that names the provider, for setups that prefer explicit paths.
    pub fn named_route(self) -> String {
        format!("/webhooks/{}", self.as_str())
    }

    pub fn parse(text: &str) -> Option<ProviderId> {
        ProviderId::ALL.into_iter().find(|id| id.as_str() == text)
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A delivery as received: the exact bytes and headers.
#[derive(Debug, Clone, Copy)]
pub struct RawDelivery<'a> {
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// Current Unix time in seconds, for timestamped signature schemes.
    pub now_unix: i64,
}

/// The payload does not have the shape the provider's event promises.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PayloadError(pub String);

impl PayloadError {
    pub fn missing(field: &str) -> PayloadError {
        PayloadError(format!("the payload has no {field}"))
    }
}

/// The result of normalizing an authentic delivery.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // one per delivery, moved once
pub enum Outcome {
    /// An event for the store and the actions.
    Event(Normalized),
    /// A connection test: the response is `pong`, and nothing is stored.
    Pong,
    /// Authentic, but not about a pull request (a comment on a plain issue).
    /// The response is 200 `ignored` with this reason, and the delivery is
    /// stored for deduplication.
    Ignored(String),
}

/// The provider-specific part of a normalized event; the server adds the
/// ids, the provider, the event name, the time and the slash command.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    pub kind: Kind,
    pub action: Action,
    pub repository: Option<Repository>,
    pub sender: Option<Sender>,
    pub pull_request: Option<PullRequest>,
    pub comment: Option<Comment>,
    pub push: Option<Push>,
    /// Set when `action` is `updated` only because the payload cannot tell
    /// whether the source branch moved: the server compares
    /// `pull_request.head_sha` with the last head stored for this pull
    /// request and makes the action `synchronized` when it differs.
    pub compare_head: bool,
}

impl Normalized {
    /// Creates an event of `kind` and `action` with every optional part empty.
    pub fn new(kind: Kind, action: Action) -> Normalized {
        Normalized {
            kind,
            action,
            repository: None,
            sender: None,
            pull_request: None,
            comment: None,
            push: None,
            compare_head: false,
        }
    }
}

/// One forge's webhook dialect.
pub trait Provider: Send + Sync {
    fn id(&self) -> ProviderId;

    /// Tells whether the headers carry this provider's event header, for the
    /// routes that several providers share.
    fn detect(&self, headers: &HeaderMap) -> bool;

    /// Returns the outcome of deliveries that the provider sends without authentication,
    /// such as Bitbucket's `diagnostics:ping`, before verification runs.
    fn unauthenticated_outcome(&self, _headers: &HeaderMap, _body: &[u8]) -> Option<Outcome> {
        None
    }

    /// Checks that the delivery comes from the provider, over the raw bytes.
    fn verify(&self, delivery: &RawDelivery<'_>) -> Result<(), AuthError>;

    /// Tells whether `application/x-www-form-urlencoded` bodies with a
    /// `payload` field are accepted (GitHub only).
    fn accepts_form(&self) -> bool {
        false
    }

    /// Returns the provider's event name, from a header or the payload.
    fn event_name(&self, headers: &HeaderMap, payload: &Value) -> Result<String, PayloadError>;

    /// Returns the provider's delivery id, or `None` when it sent none.
    fn delivery_id(&self, headers: &HeaderMap, payload: &Value) -> Option<String>;

    /// Turns the payload of `event` into a normalized event.
    fn normalize(&self, event: &str, payload: &Value) -> Result<Outcome, PayloadError>;

    /// Names the payload members that [`Provider::event_name`],
    /// [`Provider::delivery_id`], [`Provider::normalize`] and the reply
    /// target read, so the server can skip the rest while parsing. `None`
    /// parses the whole payload.
    fn payload_keys(&self) -> Option<&'static payload::PayloadKeys> {
        None
    }
}

/// The providers served by one configuration.
#[derive(Clone)]
pub struct Providers {
    list: Vec<Arc<dyn Provider>>,
}

impl Providers {
    pub fn from_config(config: &Config) -> Providers {
        let list: Vec<Arc<dyn Provider>> = vec![
            Arc::new(github::Github::new(config.github.clone())),
            Arc::new(gitlab::Gitlab::new(config.gitlab.clone())),
            Arc::new(azure_devops::AzureDevops::new(config.azure_devops.clone())),
            Arc::new(bitbucket_server::BitbucketServer::new(config.bitbucket_server.clone())),
        ];
        Providers { list }
    }

    pub fn get(&self, id: ProviderId) -> Arc<dyn Provider> {
        self.list
            .iter()
            .find(|provider| provider.id() == id)
            .cloned()
            .expect("every provider is registered")
    }
}

/// Reads the `ref`, `before` and `after` fields that GitHub and GitLab push
/// payloads share.
pub fn git_push(payload: &Value) -> Result<crate::event::Push, PayloadError> {
    let reference = str_at(payload, "ref").ok_or_else(|| PayloadError::missing("ref"))?;
    Ok(crate::event::Push {
        branch: Some(crate::event::branch_name(reference)),
        before: string_at(payload, "before"),
        after: string_at(payload, "after"),
    })
}

/// Looks up a dotted path (`pull_request.head.ref`) in a JSON document.
pub fn json_at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |current, key| match current {
        Value::Object(map) => map.get(key),
        Value::Array(items) => key.parse::<usize>().ok().and_then(|index| items.get(index)),
        _ => None,
    })
}

/// Returns the string at a dotted path, if it is a string.
pub fn str_at<'a>(value: &'a Value, path: &str) -> Option<&'a str> {
    json_at(value, path).and_then(Value::as_str)
}

/// The string at a dotted path as an owned `String`.
pub fn string_at(value: &Value, path: &str) -> Option<String> {
    str_at(value, path).map(str::to_owned)
}

/// The unsigned integer at a dotted path.
pub fn u64_at(value: &Value, path: &str) -> Option<u64> {
    json_at(value, path).and_then(Value::as_u64)
}

/// The boolean at a dotted path.
pub fn bool_at(value: &Value, path: &str) -> Option<bool> {
    json_at(value, path).and_then(Value::as_bool)
}

/// The first value of a header as UTF-8 text.
pub fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// Normalizes `payload`, and checks that the payload parsed with the
/// provider's [`Provider::payload_keys`] gives the same event, event name,
/// delivery id and reply target as the whole payload.
///
/// Provider tests normalize through this function, so a member read by the
/// code but missing from the key list fails the test that covers it.
#[cfg(test)]
pub fn checked_normalize(provider: &dyn Provider, event: &str, payload: &Value) -> Result<Outcome, PayloadError> {
    let full = provider.normalize(event, payload);
    if let Some(keys) = provider.payload_keys() {
        let pruned = payload::parse(payload.to_string().as_bytes(), keys).expect("the test payload is JSON");
        let headers = HeaderMap::new();
        assert_eq!(provider.normalize(event, &pruned), full, "the pruned payload normalizes differently");
        assert_eq!(provider.event_name(&headers, &pruned), provider.event_name(&headers, payload));
        assert_eq!(provider.delivery_id(&headers, &pruned), provider.delivery_id(&headers, payload));
        assert_eq!(
            crate::api::Target::from_payload(provider.id(), &pruned),
            crate::api::Target::from_payload(provider.id(), payload),
            "the pruned payload names another reply target"
        );
    }
    full
}
