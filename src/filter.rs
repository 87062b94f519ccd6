//! Event filters: the `ignore_*` rules that drop deliveries before any action runs.
//!
//! Titles, branches and repositories are regular expressions searched
//! anywhere in the value; authors and labels are exact, case-insensitive.

use crate::event::{Event, Kind};
use regex::Regex;

/// Compiled `[filters]` rules.
#[derive(Debug, Clone)]
pub struct Filters {
    pub ignore_pr_authors: Vec<String>,
    pub ignore_pr_title: Vec<Regex>,
    pub ignore_pr_labels: Vec<String>,
    pub ignore_pr_source_branches: Vec<Regex>,
    pub ignore_pr_target_branches: Vec<Regex>,
    pub ignore_repositories: Vec<Regex>,
    pub ignore_drafts: bool,
    pub ignore_bots: bool,
}

impl Default for Filters {
    fn default() -> Filters {
        Filters {
            ignore_pr_authors: Vec::new(),
            ignore_pr_title: Vec::new(),
            ignore_pr_labels: Vec::new(),
            ignore_pr_source_branches: Vec::new(),
            ignore_pr_target_branches: Vec::new(),
            ignore_repositories: Vec::new(),
            ignore_drafts: true,
            ignore_bots: true,
        }
    }
}

/// Returns why a comment must not trigger actions because prhook wrote it:
/// it carries the reply marker, or its author is the account of the
/// provider API token (`own_login`, once looked up). This applies whatever
/// the `[filters]` contain, so that prhook cannot loop on its own replies.
pub fn own_reply_reason(event: &Event, own_login: Option<&str>) -> Option<String> {
    if !matches!(event.kind, Kind::Comment | Kind::Review) {
        return None;
    }
    let comment = event.comment.as_ref()?;
    if crate::replies::has_marker(&comment.body) {
        return Some("own reply: the comment carries prhook's marker".into());
    }
    let author = comment.author.as_deref().or(event.sender.as_ref().map(|sender| sender.login.as_str()))?;
    let own_login = own_login?;
    author
        .eq_ignore_ascii_case(own_login)
        .then(|| format!("own reply: {author:?} is the account of prhook's API token"))
}

impl Filters {
    /// Returns the reason to ignore `event`, or `None` when the event passes.
    ///
    /// The reason starts with the rule's config key and names the value
    /// that matched, quoted as written without escapes:
    /// `ignore_pr_title: title "[WIP] parser" matched "\[WIP\]"`.
    pub fn check(&self, event: &Event) -> Option<String> {
        if let Some(repository) = &event.repository {
            if let Some(pattern) = first_match(&self.ignore_repositories, &repository.full_name) {
                return Some(format!("ignore_repositories: repository \"{}\" matched \"{pattern}\"", repository.full_name));
            }
        }

        let actor = acting_author(event);
        if let Some(login) = &actor.login {
            if let Some(entry) = self.ignore_pr_authors.iter().find(|entry| entry.eq_ignore_ascii_case(login)) {
                return Some(format!("ignore_pr_authors: author \"{login}\" matched \"{entry}\""));
            }
        }
        // A bot's comment never triggers an action whatever `ignore_bots`
        // says, so that prhook cannot loop on its own replies.
        if actor.is_bot && (self.ignore_bots || actor.from_comment) {
            let login = actor.login.as_deref().unwrap_or("unknown");
            if self.ignore_bots {
                return Some(format!("ignore_bots: author \"{login}\" is a bot"));
            }
            return Some(format!("ignore_bots: comment author \"{login}\" is a bot; bot comments are ignored even with ignore_bots = false"));
        }

        let Some(pull_request) = &event.pull_request else {
            return None;
        };
        if let Some(pattern) = first_match(&self.ignore_pr_title, &pull_request.title) {
            return Some(format!("ignore_pr_title: title \"{}\" matched \"{pattern}\"", pull_request.title));
        }
        for label in &pull_request.labels {
            if let Some(entry) = self.ignore_pr_labels.iter().find(|entry| entry.eq_ignore_ascii_case(label)) {
                return Some(format!("ignore_pr_labels: label \"{label}\" matched \"{entry}\""));
            }
        }
        if let Some(branch) = &pull_request.source_branch {
            if let Some(pattern) = first_match(&self.ignore_pr_source_branches, branch) {
                return Some(format!("ignore_pr_source_branches: source branch \"{branch}\" matched \"{pattern}\""));
            }
        }
        if let Some(branch) = &pull_request.target_branch {
            if let Some(pattern) = first_match(&self.ignore_pr_target_branches, branch) {
                return Some(format!("ignore_pr_target_branches: target branch \"{branch}\" matched \"{pattern}\""));
            }
        }
        // A slash command on a draft is a deliberate request, so it runs.
        let manual_command = event.kind == Kind::Comment && event.command.is_some();
        if self.ignore_drafts && pull_request.draft && !manual_command {
            return Some(format!("ignore_drafts: pull request #{} is a draft", pull_request.number));
        }
        None
    }
}

fn first_match<'a>(patterns: &'a [Regex], value: &str) -> Option<&'a str> {
    patterns.iter().find(|pattern| pattern.is_match(value)).map(Regex::as_str)
}

/// The author the author rules apply to.
struct Actor {
    login: Option<String>,
    is_bot: bool,
    from_comment: bool,
}

/// Names the author of the PR for PR events, and of the comment or review
/// for comments and reviews; pushes and other events use the sender.
fn acting_author(event: &Event) -> Actor {
    let sender_bot = event.sender.as_ref().is_some_and(|sender| sender.is_bot);
    match event.kind {
        Kind::Comment | Kind::Review => {
            let login = event
                .comment
                .as_ref()
                .and_then(|comment| comment.author.clone())
                .or_else(|| event.sender.as_ref().map(|sender| sender.login.clone()));
            let is_bot = sender_bot || login.as_deref().is_some_and(crate::event::login_is_bot);
            Actor { login, is_bot, from_comment: event.kind == Kind::Comment }
        }
        Kind::PullRequest => {
            let pull_request = event.pull_request.as_ref();
            Actor {
                login: pull_request.and_then(|pr| pr.author.clone()),
                is_bot: sender_bot || pull_request.is_some_and(|pr| pr.author_is_bot),
                from_comment: false,
            }
        }
        Kind::Push | Kind::Ping | Kind::Other => Actor { login: None, is_bot: sender_bot, from_comment: false },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Action, Comment, PrState, PullRequest, Repository, Sender};

    fn pr_event() -> Event {
        Event {
            id: "01".into(),
            provider: "github".into(),
            delivery_id: "d".into(),
            event: "pull_request".into(),
            kind: Kind::PullRequest,
            action: Action::Opened,
            received_at: "2026-01-01T00:00:00Z".into(),
            repository: Some(Repository { full_name: "acme/rocket".into(), url: None }),
            sender: Some(Sender { login: "ada".into(), is_bot: false }),
            pull_request: Some(PullRequest {
                number: 4,
                title: "[WIP] faster parser".into(),
                url: None,
                author: Some("Ada".into()),
                author_is_bot: false,
                source_branch: Some("dependabot/npm/left-pad".into()),
                target_branch: Some("release/2.0".into()),
                head_sha: None,
                labels: vec!["WIP".into()],
                draft: true,
                state: PrState::Open,
            }),
            comment: None,
            command: None,
            push: None,
        }
    }

    fn regexes(patterns: &[&str]) -> Vec<Regex> {
        patterns.iter().map(|pattern| Regex::new(pattern).unwrap()).collect()
    }

    fn permissive() -> Filters {
        Filters { ignore_drafts: false, ignore_bots: false, ..Filters::default() }
    }

    #[test]
    fn nothing_configured_passes() {
        assert_eq!(permissive().check(&pr_event()), None);
    }

    #[test]
    fn title_regex_searched_anywhere() {
        let filters = Filters { ignore_pr_title: regexes(&["\\[WIP\\]"]), ..permissive() };
        let reason = filters.check(&pr_event()).unwrap();
        assert_eq!(reason, r#"ignore_pr_title: title "[WIP] faster parser" matched "\[WIP\]""#);
    }

    #[test]
    fn author_is_case_insensitive() {
        let filters = Filters { ignore_pr_authors: vec!["ada".into()], ..permissive() };
        assert!(filters.check(&pr_event()).unwrap().starts_with("ignore_pr_authors:"));
    }

    #[test]
    fn label_is_case_insensitive() {
        let filters = Filters { ignore_pr_labels: vec!["wip".into()], ..permissive() };
        assert!(filters.check(&pr_event()).unwrap().starts_with("ignore_pr_labels:"));
    }

    #[test]
    fn branches_and_repository() {
        let source = Filters { ignore_pr_source_branches: regexes(&["^dependabot/"]), ..permissive() };
        assert!(source.check(&pr_event()).unwrap().starts_with("ignore_pr_source_branches:"));
        let target = Filters { ignore_pr_target_branches: regexes(&["release/.*"]), ..permissive() };
        assert!(target.check(&pr_event()).unwrap().starts_with("ignore_pr_target_branches:"));
        let repository = Filters { ignore_repositories: regexes(&["(?i)ACME/"]), ..permissive() };
        assert!(repository.check(&pr_event()).unwrap().starts_with("ignore_repositories:"));
    }

    #[test]
    fn draft_ignored_by_default() {
        let reason = Filters::default().check(&pr_event()).unwrap();
        assert!(reason.starts_with("ignore_drafts:"), "{reason}");
    }

    #[test]
    fn slash_command_on_draft_runs() {
        let mut event = pr_event();
        event.kind = Kind::Comment;
        event.action = Action::Commented;
        event.comment = Some(Comment { body: "/review".into(), author: Some("ada".into()), url: None });
        event.command = crate::event::parse_slash_command("/review");
        assert_eq!(Filters::default().check(&event), None);
    }

    #[test]
    fn bot_comment_ignored_even_when_bots_allowed() {
        let mut event = pr_event();
        event.kind = Kind::Comment;
        event.sender = Some(Sender { login: "helper[bot]".into(), is_bot: true });
        event.comment = Some(Comment { body: "/review".into(), author: Some("helper[bot]".into()), url: None });
        let reason = permissive().check(&event).unwrap();
        assert!(reason.starts_with("ignore_bots:"), "{reason}");
    }

    #[test]
    fn bot_pull_request_ignored_by_default() {
        let mut event = pr_event();
        event.pull_request.as_mut().unwrap().draft = false;
        event.pull_request.as_mut().unwrap().author_is_bot = true;
        assert!(Filters::default().check(&event).unwrap().starts_with("ignore_bots:"));
    }

    fn comment_event(body: &str, author: &str) -> Event {
        let mut event = pr_event();
        event.kind = Kind::Comment;
        event.action = Action::Commented;
        event.comment = Some(Comment { body: body.into(), author: Some(author.into()), url: None });
        event
    }

    #[test]
    fn marked_comment_is_own_reply() {
        let event = comment_event("LGTM\n<!-- prhook -->", "linus");
        assert!(own_reply_reason(&event, None).unwrap().contains("marker"));
    }

    #[test]
    fn own_account_comment_is_own_reply() {
        let event = comment_event("/review", "Prhook-Bot");
        assert!(own_reply_reason(&event, Some("prhook-bot")).is_some());
    }

    #[test]
    fn other_comment_passes_loop_check() {
        let event = comment_event("/review", "linus");
        assert_eq!(own_reply_reason(&event, Some("prhook-bot")), None);
    }

    #[test]
    fn pull_request_event_passes_loop_check() {
        assert_eq!(own_reply_reason(&pr_event(), Some("ada")), None);
    }
}
