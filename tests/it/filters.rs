//! Filters against a running server: signed GitHub deliveries that each
//! rule drops, and ones that pass.

use crate::filters_utils::{comment, pull_request, PullRequestSpec, Server, GITHUB_SECRET};
use serde_json::Value;

const SERVER_AND_ACTION: &str = r#"
[server]
listen = "127.0.0.1:{port}"
data_dir = "data"

[github]
webhook_secret = "SECRET"

[[actions]]
name = "review"
on = ["pull_request.opened", "pull_request.ready_for_review", "comment:/review"]
run = ["true"]
"#;

const FILTERS_SECTION: &str = r#"
[filters]
ignore_pr_authors = ["Renovate-Helper"]
ignore_pr_title = ["(?i)\\[wip\\]", "DO NOT MERGE"]
ignore_pr_labels = ["skip-review"]
ignore_pr_source_branches = ["^dependabot/"]
ignore_pr_target_branches = ["^release/"]
ignore_repositories = ["^sandbox-org/"]
"#;

/// The same rules as PR-Agent's `configuration.toml` writes them, in both
/// letter cases, next to PR-Agent settings that prhook does not read.
const PR_AGENT_FRAGMENT: &str = r#"
[config]
model = "gpt-4o"
git_provider = "github"
publish_output = true
IGNORE_PR_AUTHORS = ["Renovate-Helper"]
ignore_pr_title = ["(?i)\\[wip\\]", "DO NOT MERGE"]
Ignore_PR_Labels = ["skip-review"]
IGNORE_PR_SOURCE_BRANCHES = ["^dependabot/"]
ignore_pr_target_branches = ["^release/"]
IGNORE_REPOSITORIES = ["^sandbox-org/"]
"#;

fn config(filters: &str) -> String {
    format!("{}{filters}", SERVER_AND_ACTION.replace("SECRET", GITHUB_SECRET))
}

/// One delivery and the response it should get: `None` for 202 queued, or
/// the exact reason of a 200 ignored.
struct Case {
    name: &'static str,
    event: &'static str,
    payload: Value,
    reason: Option<&'static str>,
}

fn cases() -> Vec<Case> {
    let plain = PullRequestSpec::default();
    let draft = PullRequestSpec { draft: true, ..PullRequestSpec::default() };
    vec![
        Case { name: "plain-opened", event: "pull_request", payload: pull_request("opened", &plain), reason: None },
        Case {
            name: "wip-title",
            event: "pull_request",
            payload: pull_request("opened", &PullRequestSpec { title: "[WIP] Speed up the tile cache", ..PullRequestSpec::default() }),
            reason: Some(r#"ignore_pr_title: title "[WIP] Speed up the tile cache" matched "(?i)\[wip\]""#),
        },
        Case {
            name: "ignored-author",
            event: "pull_request",
            payload: pull_request("opened", &PullRequestSpec { author: "renovate-helper", ..PullRequestSpec::default() }),
            reason: Some(r#"ignore_pr_authors: author "renovate-helper" matched "Renovate-Helper""#),
        },
        Case {
            name: "ignored-label",
            event: "pull_request",
            payload: pull_request("opened", &PullRequestSpec { labels: vec!["docs", "Skip-Review"], ..PullRequestSpec::default() }),
            reason: Some(r#"ignore_pr_labels: label "Skip-Review" matched "skip-review""#),
        },
        Case {
            name: "ignored-source-branch",
            event: "pull_request",
            payload: pull_request("opened", &PullRequestSpec { source_branch: "dependabot/cargo/serde-1.0.200", ..PullRequestSpec::default() }),
            reason: Some(r#"ignore_pr_source_branches: source branch "dependabot/cargo/serde-1.0.200" matched "^dependabot/""#),
        },
        Case {
            name: "ignored-target-branch",
            event: "pull_request",
            payload: pull_request("opened", &PullRequestSpec { target_branch: "release/3.1", ..PullRequestSpec::default() }),
            reason: Some(r#"ignore_pr_target_branches: target branch "release/3.1" matched "^release/""#),
        },
        Case {
            name: "ignored-repository",
            event: "pull_request",
            payload: pull_request("opened", &PullRequestSpec { repository: "sandbox-org/toy-parser", ..PullRequestSpec::default() }),
            reason: Some(r#"ignore_repositories: repository "sandbox-org/toy-parser" matched "^sandbox-org/""#),
        },
        Case {
            name: "draft-opened",
            event: "pull_request",
            payload: pull_request("opened", &draft),
            reason: Some("ignore_drafts: pull request #12 is a draft"),
        },
        Case {
            name: "draft-ready-for-review",
            event: "pull_request",
            payload: pull_request("ready_for_review", &plain),
            reason: None,
        },
        Case {
            name: "bot-pull-request",
            event: "pull_request",
            payload: pull_request("opened", &PullRequestSpec { author: "deps-updater[bot]", author_type: "Bot", ..PullRequestSpec::default() }),
            reason: Some(r#"ignore_bots: author "deps-updater[bot]" is a bot"#),
        },
        Case {
            name: "bot-review-comment",
            event: "issue_comment",
            payload: comment(&plain, "/review", "review-helper[bot]", "Bot"),
            reason: Some(r#"ignore_bots: author "review-helper[bot]" is a bot"#),
        },
        Case {
            name: "ignored-author-review-comment",
            event: "issue_comment",
            payload: comment(&plain, "/review", "renovate-helper", "User"),
            reason: Some(r#"ignore_pr_authors: author "renovate-helper" matched "Renovate-Helper""#),
        },
        Case {
            name: "review-comment-on-draft",
            event: "issue_comment",
            payload: comment(&draft, "/review --fast", "tomas-reyes", "User"),
            reason: None,
        },
    ]
}

/// Sends every case and checks the response and the stored row.
fn check_cases(server: &Server) {
    for case in cases() {
        let delivery_id = format!("it-{}", case.name);
        let (status, answer) = server.send_github(case.event, &delivery_id, &case.payload);
        match case.reason {
            None => {
                assert_eq!(status, 202, "{}: {answer}", case.name);
                assert_eq!(answer["status"], "queued", "{}", case.name);
                assert_eq!(server.stored(&delivery_id).1, None, "{}", case.name);
            }
            Some(reason) => {
                assert_eq!(status, 200, "{}: {answer}", case.name);
                assert_eq!(answer["status"], "ignored", "{}", case.name);
                assert_eq!(answer["reason"], reason, "{}", case.name);
                let (stored_status, stored_reason) = server.stored(&delivery_id);
                assert_eq!(stored_status, "ignored", "{}", case.name);
                assert_eq!(stored_reason.as_deref(), Some(reason), "{}", case.name);
            }
        }
    }
}

#[test]
fn filters_section_drops_matching() {
    let server = Server::start(&config(FILTERS_SECTION));
    check_cases(&server);
}

#[test]
fn pr_agent_config_filters_identically() {
    let server = Server::start(&config(PR_AGENT_FRAGMENT));
    check_cases(&server);
}

#[test]
fn filtered_delivery_logged_at_debug() {
    let server = Server::start(&config(FILTERS_SECTION));
    let draft = PullRequestSpec { draft: true, ..PullRequestSpec::default() };
    let (status, _) = server.send_github("pull_request", "it-logged-draft", &pull_request("opened", &draft));
    assert_eq!(status, 200);
    let log = server.log();
    let line = log.lines().find(|line| line.contains("delivery filtered")).unwrap_or_else(|| panic!("no debug line; log:\n{log}"));
    assert!(line.contains("ignore_drafts: pull request #12 is a draft"), "{line}");
}

#[test]
fn bot_comment_ignored_when_bots_allowed() {
    let server = Server::start(&config("[filters]\nignore_bots = false\n"));
    let plain = PullRequestSpec::default();
    let bot = PullRequestSpec { author: "deps-updater[bot]", author_type: "Bot", ..PullRequestSpec::default() };

    let (status, answer) = server.send_github("pull_request", "it-bot-opened", &pull_request("opened", &bot));
    assert_eq!(status, 202, "{answer}");

    let (status, answer) = server.send_github("issue_comment", "it-bot-comment", &comment(&plain, "/review", "review-helper[bot]", "Bot"));
    assert_eq!(status, 200, "{answer}");
    let reason = answer["reason"].as_str().unwrap();
    assert!(reason.starts_with(r#"ignore_bots: comment author "review-helper[bot]" is a bot"#), "{reason}");
}

#[test]
fn drafts_pass_when_allowed() {
    let server = Server::start(&config("[filters]\nignore_drafts = false\n"));
    let draft = PullRequestSpec { draft: true, ..PullRequestSpec::default() };
    let (status, answer) = server.send_github("pull_request", "it-draft-allowed", &pull_request("opened", &draft));
    assert_eq!(status, 202, "{answer}");
}
