//! Action settings: selectors, argument templates and limits.

use crate::config::secret::{Secret, SecretList};
use crate::event::{Action, Event, Kind};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

/// One `[[actions]]` entry, validated.
#[derive(Debug, Clone)]
pub struct ActionConfig {
    pub name: String,
    pub on: Vec<Selector>,
    pub target: ActionTarget,
    /// Extra environment variables for the child, resolved from secret forms.
    pub env: Vec<(String, Secret)>,
    /// The child's working directory.
    pub cwd: PathBuf,
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
    pub max_concurrency: Option<usize>,
    pub rate: Option<Rate>,
    pub reply: bool,
    pub reply_on_failure: bool,
    pub ack: bool,
}

impl ActionConfig {
    /// Tells whether any selector of this action matches `event`.
    pub fn selects(&self, event: &Event) -> bool {
        self.on.iter().any(|selector| selector.matches(event))
    }
}

#[derive(Debug, Clone)]
pub enum ActionTarget {
    /// Run a program without a shell.
    Run { program: ArgTemplate, args: Vec<ArgTemplate> },
    /// POST the event to a URL, signed the Standard Webhooks way.
    Forward { url: String, secret: Option<SecretList> },
    /// Call Rust code registered through the library's `AppBuilder`.
    Handler(crate::handler::HandlerRef),
}

/// A rate limit such as `30/minute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub per: Duration,
}

impl Rate {
    pub fn parse(text: &str) -> Result<Rate, String> {
        let (count, unit) = text
            .split_once('/')
            .ok_or_else(|| format!("invalid rate {text:?}: expected COUNT/UNIT such as \"30/minute\""))?;
        let count: u32 = count
            .trim()
            .parse()
            .ok()
            .filter(|count| *count > 0)
            .ok_or_else(|| format!("invalid rate {text:?}: the count must be a positive integer"))?;
        let per = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            "d" | "day" => Duration::from_secs(86_400),
            other => {
                return Err(format!(
                    "invalid rate {text:?}: unknown unit {other:?}; use second, minute, hour or day"
                ))
            }
        };
        Ok(Rate { count, per })
    }
}

/// An `on` selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// `*`: every event but pings.
    Any,
    /// `kind`: any action of that kind.
    Kind(Kind),
    /// `kind.action`.
    KindAction(Kind, Action),
    /// `comment:/name`: a slash command.
    Command(String),
}

impl Selector {
    pub fn parse(text: &str) -> Result<Selector, String> {
        let text = text.trim();
        if text == "*" {
            return Ok(Selector::Any);
        }
        if let Some(name) = text.strip_prefix("comment:/") {
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(format!("invalid selector {text:?}: expected comment:/NAME, such as comment:/review"));
            }
            return Ok(Selector::Command(name.to_owned()));
        }
        let (kind_text, action_text) = match text.split_once('.') {
            Some((kind, action)) => (kind, Some(action)),
            None => (text, None),
        };
        let kind = Kind::parse(kind_text).ok_or_else(|| {
            let kinds: Vec<&str> = Kind::ALL.iter().map(|kind| kind.as_str()).collect();
            format!("unknown selector {text:?}: the kind must be one of {}, or use \"*\" or \"comment:/NAME\"", kinds.join(", "))
        })?;
        match action_text {
            None => Ok(Selector::Kind(kind)),
            Some(action_text) => {
                let action = Action::parse(action_text).ok_or_else(|| {
                    let actions: Vec<&str> = Action::ALL.iter().map(|action| action.as_str()).collect();
                    format!("unknown action {action_text:?} in selector {text:?}: expected one of {}", actions.join(", "))
                })?;
                Ok(Selector::KindAction(kind, action))
            }
        }
    }

    pub fn matches(&self, event: &Event) -> bool {
        match self {
            Selector::Any => event.kind != Kind::Ping,
            Selector::Kind(kind) => event.kind == *kind,
            Selector::KindAction(kind, action) => event.kind == *kind && event.action == *action,
            Selector::Command(name) => {
                event.kind == Kind::Comment
                    && event.command.as_ref().is_some_and(|command| command.name == *name)
            }
        }
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Selector::Any => f.write_str("*"),
            Selector::Kind(kind) => write!(f, "{kind}"),
            Selector::KindAction(kind, action) => write!(f, "{kind}.{action}"),
            Selector::Command(name) => write!(f, "comment:/{name}"),
        }
    }
}

/// Paths whose value is an array: alone in an argument, they expand to one
/// argument per element, and to none when the event has no such value.
const ARRAY_PATHS: [&str; 2] = ["command.args", "pull_request.labels"];

/// Every dotted path a placeholder may name.
pub const EVENT_PATHS: &[&str] = &[
    "id",
    "provider",
    "delivery_id",
    "event",
    "kind",
    "action",
    "received_at",
    "repository",
    "repository.full_name",
    "repository.url",
    "sender",
    "sender.login",
    "sender.is_bot",
    "pull_request",
    "pull_request.number",
    "pull_request.title",
    "pull_request.url",
    "pull_request.author",
    "pull_request.author_is_bot",
    "pull_request.source_branch",
    "pull_request.target_branch",
    "pull_request.head_sha",
    "pull_request.labels",
    "pull_request.draft",
    "pull_request.state",
    "comment",
    "comment.body",
    "comment.author",
    "comment.url",
    "command",
    "command.name",
    "command.args",
    "push",
    "push.branch",
    "push.before",
    "push.after",
];

/// One `run` element: literal text and `{dotted.path}` placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgTemplate {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Placeholder(String),
}

impl ArgTemplate {
    /// Parses `{dotted.path}` placeholders.
    ///
    /// A placeholder is `{` followed by a lowercase dotted path and `}`; it
    /// must name a field of the normalized event. `{{` and `}}` stand for
    /// literal braces. Any other brace, such as in `${HOME}`, is literal.
    pub fn parse(text: &str) -> Result<ArgTemplate, String> {
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(position) = rest.find(['{', '}']) {
            literal.push_str(&rest[..position]);
            let tail = &rest[position..];
            if tail.starts_with("{{") || tail.starts_with("}}") {
                literal.push_str(&tail[..1]);
                rest = &tail[2..];
                continue;
            }
            if tail.starts_with('{') {
                if let Some(end) = tail.find('}') {
                    let path = &tail[1..end];
                    let looks_like_path = !path.is_empty()
                        && path.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
                    if looks_like_path {
                        if !EVENT_PATHS.contains(&path) {
                            return Err(format!(
                                "unknown placeholder {{{path}}}: it must name a field of the normalized event, such as {{pull_request.url}}; write {{{{ and }}}} for literal braces"
                            ));
                        }
                        if !literal.is_empty() {
                            segments.push(Segment::Literal(std::mem::take(&mut literal)));
                        }
                        segments.push(Segment::Placeholder(path.to_owned()));
                        rest = &tail[end + 1..];
                        continue;
                    }
                }
            }
            literal.push_str(&tail[..1]);
            rest = &tail[1..];
        }
        literal.push_str(rest);
        if !literal.is_empty() || segments.is_empty() {
            segments.push(Segment::Literal(literal));
        }
        Ok(ArgTemplate { segments })
    }

    /// Returns the text when the template has no placeholder.
    pub fn literal(&self) -> Option<&str> {
        match self.segments.as_slice() {
            [Segment::Literal(text)] => Some(text),
            _ => None,
        }
    }

    /// Expands the template against an event's JSON into one or more arguments.
    ///
    /// A template that is exactly one placeholder of an array expands to one
    /// argument per element (none for an empty array, or when an array field
    /// such as `{command.args}` is absent because the event has no command);
    /// inside other text an array is joined with commas. Any other `null`
    /// expands to an empty string.
    pub fn expand(&self, event: &Value) -> Vec<String> {
        if let [Segment::Placeholder(path)] = self.segments.as_slice() {
            match crate::provider::json_at(event, path) {
                Some(Value::Array(items)) => return items.iter().map(scalar_text).collect(),
                None | Some(Value::Null) if ARRAY_PATHS.contains(&path.as_str()) => return Vec::new(),
                _ => {}
            }
        }
        let mut text = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Literal(literal) => text.push_str(literal),
                Segment::Placeholder(path) => match crate::provider::json_at(event, path) {
                    Some(Value::Array(items)) => {
                        let parts: Vec<String> = items.iter().map(scalar_text).collect();
                        text.push_str(&parts.join(","));
                    }
                    Some(value) => text.push_str(&scalar_text(value)),
                    None => {}
                },
            }
        }
        vec![text]
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::Array(_) | Value::Object(_) => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event() -> Value {
        json!({
            "pull_request": {"url": "https://example.test/pr/1", "number": 1, "labels": ["a", "b"], "author": null},
            "command": {"name": "review", "args": ["--fast", "x y"]}
        })
    }

    #[test]
    fn scalar_placeholder() {
        let template = ArgTemplate::parse("{pull_request.url}").unwrap();
        assert_eq!(template.expand(&event()), vec!["https://example.test/pr/1"]);
    }

    #[test]
    fn array_placeholder_is_one_argument_each() {
        let template = ArgTemplate::parse("{command.args}").unwrap();
        assert_eq!(template.expand(&event()), vec!["--fast", "x y"]);
    }

    #[test]
    fn array_inside_text_is_joined() {
        let template = ArgTemplate::parse("--labels={pull_request.labels}").unwrap();
        assert_eq!(template.expand(&event()), vec!["--labels=a,b"]);
    }

    #[test]
    fn absent_array_is_no_argument() {
        let template = ArgTemplate::parse("{command.args}").unwrap();
        let event = json!({"command": null});
        assert!(template.expand(&event).is_empty());
    }

    #[test]
    fn null_placeholder_is_empty_argument() {
        let template = ArgTemplate::parse("{pull_request.author}").unwrap();
        assert_eq!(template.expand(&event()), vec![""]);
    }

    #[test]
    fn missing_object_is_empty_argument() {
        let template = ArgTemplate::parse("{push.branch}").unwrap();
        assert_eq!(template.expand(&event()), vec![""]);
    }

    #[test]
    fn number_placeholder_in_text() {
        let template = ArgTemplate::parse("pr-{pull_request.number}.log").unwrap();
        assert_eq!(template.expand(&event()), vec!["pr-1.log"]);
    }

    #[test]
    fn shell_variable_stays_literal() {
        let template = ArgTemplate::parse("echo ${HOME} {x").unwrap();
        assert_eq!(template.expand(&event()), vec!["echo ${HOME} {x"]);
    }

    #[test]
    fn doubled_braces_are_literal() {
        let template = ArgTemplate::parse("{{pull_request.url}}").unwrap();
        assert_eq!(template.expand(&event()), vec!["{pull_request.url}"]);
    }

    #[test]
    fn unknown_placeholder_is_rejected() {
        let error = ArgTemplate::parse("{pull_request.ulr}").unwrap_err();
        assert!(error.contains("{pull_request.ulr}"));
    }

    #[test]
    fn selectors_parse() {
        assert_eq!(Selector::parse("*").unwrap(), Selector::Any);
        assert_eq!(Selector::parse("push").unwrap(), Selector::Kind(Kind::Push));
        assert_eq!(
            Selector::parse("pull_request.opened").unwrap(),
            Selector::KindAction(Kind::PullRequest, Action::Opened)
        );
        assert_eq!(Selector::parse("comment:/review").unwrap(), Selector::Command("review".into()));
    }

    #[test]
    fn unknown_selector_is_rejected() {
        assert!(Selector::parse("pull_request.merge").is_err());
        assert!(Selector::parse("issue").is_err());
    }

    #[test]
    fn rate_parses() {
        assert_eq!(Rate::parse("30/minute").unwrap(), Rate { count: 30, per: Duration::from_secs(60) });
        assert!(Rate::parse("30 per minute").is_err());
        assert!(Rate::parse("0/second").is_err());
    }
}
