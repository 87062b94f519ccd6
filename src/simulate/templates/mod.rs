//! Payload templates: the full body each provider sends for each event,
//! with invented names, and `--set` overrides by dotted path.

mod azure_devops;
mod bitbucket_server;
mod github;
mod gitlab;

use crate::provider::ProviderId;
use serde_json::{Map, Value};

pub use gitlab::header_event as gitlab_header_event;

/// Values that vary between deliveries or recur across one payload.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// The delivery id, which Azure DevOps carries in the body.
    pub delivery_id: String,
    pub head_sha: String,
    pub base_sha: String,
    pub before_sha: String,
    pub merge_sha: String,
    pub tree_sha: String,
}

impl Fixture {
    pub fn new(delivery_id: &str) -> Fixture {
        Fixture {
            delivery_id: delivery_id.to_owned(),
            head_sha: "3f9c2d4e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d".into(),
            base_sha: "a41b7e0c92d35f68e1a4c7b0d3e6f9a2c5b8e1d4".into(),
            before_sha: "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d".into(),
            merge_sha: "c7e1a9f35b2d4086e8f1a3c5b7d9e0f2a4c6e8b1".into(),
            tree_sha: "5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c".into(),
        }
    }
}

/// Why no payload could be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unknown event")]
    UnknownEvent,
}

/// The events of `provider` and the `--action` values each takes; the
/// first action of each event is its default.
pub fn events(provider: ProviderId) -> &'static [(&'static str, &'static [&'static str])] {
    match provider {
        ProviderId::Github => github::EVENTS,
        ProviderId::Gitlab => gitlab::EVENTS,
        ProviderId::AzureDevops => azure_devops::EVENTS,
        ProviderId::BitbucketServer => bitbucket_server::EVENTS,
    }
}

/// The `--action` values of one event, or `None` for an unknown event.
pub fn actions(provider: ProviderId, event: &str) -> Option<&'static [&'static str]> {
    events(provider).iter().find(|(name, _)| *name == event).map(|(_, actions)| *actions)
}

/// Builds the payload of `event` with `action` (already checked against [`actions`]).
pub fn build(provider: ProviderId, event: &str, action: &str, fixture: &Fixture) -> Result<Value, TemplateError> {
    match provider {
        ProviderId::Github => github::build(event, action, fixture),
        ProviderId::Gitlab => gitlab::build(event, action, fixture),
        ProviderId::AzureDevops => azure_devops::build(event, action, fixture),
        ProviderId::BitbucketServer => bitbucket_server::build(event, action, fixture),
    }
}

/// One `--set path=value` override.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub path: Vec<String>,
    pub value: Value,
}

/// Why a `--set` argument or its path is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    #[error("--set {0:?} has no '=': write --set path=value")]
    MissingEquals(String),
    #[error("--set {0:?} has an empty path segment")]
    EmptySegment(String),
    #[error("cannot set {path}: {parent} is {found}, not an object or array")]
    NotAContainer { path: String, parent: String, found: &'static str },
    #[error("cannot set {path}: index {index} is past the end of {parent}, which has {len} elements")]
    IndexOutOfRange { path: String, parent: String, index: usize, len: usize },
}

impl Override {
    /// Parses `path=value`; the value is JSON when it parses as JSON, else a string.
    pub fn parse(argument: &str) -> Result<Override, OverrideError> {
        let (path, raw_value) =
            argument.split_once('=').ok_or_else(|| OverrideError::MissingEquals(argument.to_owned()))?;
        let path: Vec<String> = path.split('.').map(str::to_owned).collect();
        if path.iter().any(String::is_empty) {
            return Err(OverrideError::EmptySegment(argument.to_owned()));
        }
        let value = serde_json::from_str(raw_value).unwrap_or_else(|_| Value::String(raw_value.to_owned()));
        Ok(Override { path, value })
    }

    /// Writes the value into `document`, creating objects for missing
    /// segments. A numeric segment indexes an existing array, where an
    /// index equal to the length appends.
    pub fn apply(&self, document: &mut Value) -> Result<(), OverrideError> {
        let full_path = self.path.join(".");
        let mut current = document;
        for (position, segment) in self.path.iter().enumerate() {
            let parent = if position == 0 { "the payload".to_owned() } else { self.path[..position].join(".") };
            if current.is_null() {
                *current = Value::Object(Map::new());
            }
            let last = position + 1 == self.path.len();
            current = match current {
                Value::Object(map) => {
                    let slot = map.entry(segment.clone()).or_insert(Value::Null);
                    if last {
                        *slot = self.value.clone();
                        return Ok(());
                    }
                    slot
                }
                Value::Array(items) => {
                    let index: usize = segment.parse().map_err(|_| OverrideError::NotAContainer {
                        path: full_path.clone(),
                        parent: parent.clone(),
                        found: "an array (use a numeric index)",
                    })?;
                    if index > items.len() {
                        return Err(OverrideError::IndexOutOfRange {
                            path: full_path,
                            parent,
                            index,
                            len: items.len(),
                        });
                    }
                    if index == items.len() {
                        items.push(Value::Null);
                    }
                    if last {
                        items[index] = self.value.clone();
                        return Ok(());
                    }
                    &mut items[index]
                }
                other => {
                    return Err(OverrideError::NotAContainer { path: full_path, parent, found: json_type(other) });
                }
            };
        }
        // An empty path cannot be parsed, so the loop always returns.
        Ok(())
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_event_builds_an_object() {
        let fixture = Fixture::new("5b0c6a0e-3f59-4c1e-9d43-0b8f3c2a7e11");
        for provider in ProviderId::ALL {
            for (event, actions) in events(provider) {
                for action in *actions {
                    let payload = build(provider, event, action, &fixture).unwrap();
                    assert!(payload.is_object(), "{provider} {event} {action}");
                }
            }
        }
    }

    #[test]
    fn override_value_parsed_as_json() {
        let set = Override::parse("pull_request.draft=true").unwrap();
        assert_eq!(set.value, json!(true));
    }

    #[test]
    fn override_value_kept_as_text() {
        let set = Override::parse("pull_request.title=WIP: fix it").unwrap();
        assert_eq!(set.value, json!("WIP: fix it"));
    }

    #[test]
    fn override_value_may_contain_equals() {
        let set = Override::parse("comment.body=/review --x=y").unwrap();
        assert_eq!(set.value, json!("/review --x=y"));
    }

    #[test]
    fn override_creates_objects() {
        let mut document = json!({"a": 1});
        Override::parse("b.c.d=[1,2]").unwrap().apply(&mut document).unwrap();
        assert_eq!(document, json!({"a": 1, "b": {"c": {"d": [1, 2]}}}));
    }

    #[test]
    fn override_indexes_arrays() {
        let mut document = json!({"changes": [{"refId": "refs/heads/main"}]});
        Override::parse("changes.0.refId=refs/heads/next").unwrap().apply(&mut document).unwrap();
        assert_eq!(document["changes"][0]["refId"], json!("refs/heads/next"));
    }

    #[test]
    fn override_through_string_rejected() {
        let mut document = json!({"title": "x"});
        let error = Override::parse("title.text=y").unwrap().apply(&mut document).unwrap_err();
        assert!(matches!(error, OverrideError::NotAContainer { .. }), "{error}");
    }

    #[test]
    fn override_without_equals_rejected() {
        assert_eq!(Override::parse("draft"), Err(OverrideError::MissingEquals("draft".into())));
    }

    #[test]
    fn override_empty_segment_rejected() {
        assert!(matches!(Override::parse("a..b=1"), Err(OverrideError::EmptySegment(_))));
    }
}
