//! The normalized event: one shape for every provider's pull-request delivery.
//!
//! Field order matches the documented JSON contract, because serde writes
//! struct fields in declaration order and command actions read this JSON on
//! stdin.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One accepted delivery, as every action receives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// prhook's own id for this delivery (sortable, unique).
    pub id: String,
    /// Provider name as used on the command line (`github`, `gitlab`, ...).
    pub provider: String,
    /// The provider's delivery id, or a generated one when it sent none.
    pub delivery_id: String,
    /// The provider's event name: `X-GitHub-Event`, `X-Gitlab-Event`, `eventType` or `X-Event-Key`.
    pub event: String,
    pub kind: Kind,
    pub action: Action,
    /// RFC 3339 time in UTC at which prhook received the delivery.
    pub received_at: String,
    pub repository: Option<Repository>,
    pub sender: Option<Sender>,
    pub pull_request: Option<PullRequest>,
    pub comment: Option<Comment>,
    pub command: Option<SlashCommand>,
    pub push: Option<Push>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repository {
    /// `owner/name`, `group/sub/name` or `PROJECT/repo`.
    pub full_name: String,
    /// Web URL of the repository.
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sender {
    pub login: String,
    pub is_bot: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    pub number: u64,
    pub title: String,
    /// Web URL of the pull request.
    pub url: Option<String>,
    /// Author login, or `None` where the payload cannot name the author.
    pub author: Option<String>,
    pub author_is_bot: bool,
    /// Source branch without the `refs/heads/` prefix.
    pub source_branch: Option<String>,
    pub target_branch: Option<String>,
    pub head_sha: Option<String>,
    pub labels: Vec<String>,
    pub draft: bool,
    pub state: PrState,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub body: String,
    pub author: Option<String>,
    pub url: Option<String>,
}

/// A slash command parsed from the first non-blank line of a comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlashCommand {
    pub name: String,
    pub args: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Push {
    /// Pushed branch without the `refs/heads/` prefix.
    pub branch: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrState {
    Open,
    Closed,
    Merged,
}

/// The subject of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    PullRequest,
    Comment,
    Review,
    Push,
    Ping,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::PullRequest,
        Kind::Comment,
        Kind::Review,
        Kind::Push,
        Kind::Ping,
        Kind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PullRequest => "pull_request",
            Kind::Comment => "comment",
            Kind::Review => "review",
            Kind::Push => "push",
            Kind::Ping => "ping",
            Kind::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The change that happened, in provider-neutral words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Opened,
    Reopened,
    /// Closed without merge.
    Closed,
    Merged,
    /// Title or description changed.
    Edited,
    /// New commits on the source branch.
    Synchronized,
    ReadyForReview,
    ConvertedToDraft,
    Labeled,
    Unlabeled,
    /// Any other change: votes, reviewers, approvals.
    Updated,
    Commented,
    Reviewed,
    /// A push not tied to a pull request.
    Pushed,
    Ping,
    Other,
}

impl Action {
    pub const ALL: [Action; 16] = [
        Action::Opened,
        Action::Reopened,
        Action::Closed,
        Action::Merged,
        Action::Edited,
        Action::Synchronized,
        Action::ReadyForReview,
        Action::ConvertedToDraft,
        Action::Labeled,
        Action::Unlabeled,
        Action::Updated,
        Action::Commented,
        Action::Reviewed,
        Action::Pushed,
        Action::Ping,
        Action::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Opened => "opened",
            Action::Reopened => "reopened",
            Action::Closed => "closed",
            Action::Merged => "merged",
            Action::Edited => "edited",
            Action::Synchronized => "synchronized",
            Action::ReadyForReview => "ready_for_review",
            Action::ConvertedToDraft => "converted_to_draft",
            Action::Labeled => "labeled",
            Action::Unlabeled => "unlabeled",
            Action::Updated => "updated",
            Action::Commented => "commented",
            Action::Reviewed => "reviewed",
            Action::Pushed => "pushed",
            Action::Ping => "ping",
            Action::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|action| action.as_str() == text)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses a slash command from a comment body.
///
/// The command is the first non-blank line, leading white space removed,
/// when it starts with `/` followed by a name. The rest of that line is
/// split as a POSIX shell splits words. A line with unbalanced quotes is
/// split on white space instead, so a typo does not lose the command.
pub fn parse_slash_command(body: &str) -> Option<SlashCommand> {
    let line = body.lines().map(str::trim_start).find(|line| !line.trim().is_empty())?;
    let rest = line.strip_prefix('/')?;
    let rest = rest.trim_end_matches('\r');
    let name_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let name = &rest[..name_end];
    if name.is_empty() {
        return None;
    }
    let tail = rest[name_end..].trim();
    let args = shell_words::split(tail)
        .unwrap_or_else(|_| tail.split_whitespace().map(str::to_owned).collect());
    Some(SlashCommand { name: name.to_owned(), args })
}

/// Removes the `refs/heads/` prefix that some providers put on branch names.
pub fn branch_name(reference: &str) -> String {
    reference.strip_prefix("refs/heads/").unwrap_or(reference).to_owned()
}

/// Tells whether a login names a bot by the `[bot]` suffix that GitHub Apps carry.
pub fn login_is_bot(login: &str) -> bool {
    login.ends_with("[bot]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_command_with_args() {
        let command = parse_slash_command("/review --pr_reviewer.num=3 \"two words\"").unwrap();
        assert_eq!(command.name, "review");
        assert_eq!(command.args, vec!["--pr_reviewer.num=3", "two words"]);
    }

    #[test]
    fn slash_command_after_blank_lines() {
        let command = parse_slash_command("\n  \r\n   /describe\nmore text").unwrap();
        assert_eq!(command.name, "describe");
        assert!(command.args.is_empty());
    }

    #[test]
    fn slash_command_only_on_first_line() {
        assert_eq!(parse_slash_command("looks good\n/review"), None);
    }

    #[test]
    fn slash_alone_is_not_a_command() {
        assert_eq!(parse_slash_command("/ review"), None);
    }

    #[test]
    fn slash_command_unbalanced_quote() {
        let command = parse_slash_command("/ask \"why").unwrap();
        assert_eq!(command.args, vec!["\"why"]);
    }

    #[test]
    fn slash_command_crlf() {
        let command = parse_slash_command("/review\r\nthanks").unwrap();
        assert_eq!(command.name, "review");
        assert!(command.args.is_empty());
    }

    #[test]
    fn branch_prefix_removed() {
        assert_eq!(branch_name("refs/heads/feature/x"), "feature/x");
        assert_eq!(branch_name("main"), "main");
    }

    #[test]
    fn event_serializes_in_contract_order() {
        let event = Event {
            id: "1".into(),
            provider: "github".into(),
            delivery_id: "d".into(),
            event: "ping".into(),
            kind: Kind::Ping,
            action: Action::Ping,
            received_at: "2026-01-01T00:00:00Z".into(),
            repository: None,
            sender: None,
            pull_request: None,
            comment: None,
            command: None,
            push: None,
        };
        let json = serde_json::to_string(&event).unwrap();
        assert!(json.starts_with(r#"{"id":"1","provider":"github","delivery_id":"d","event":"ping","kind":"ping""#));
        assert!(json.ends_with(r#""comment":null,"command":null,"push":null}"#));
    }
}
