//! `prhook simulate` against a real `prhook serve` on loopback.

use crate::simulate_utils::{prhook, printed_response, run, stderr, stdout, Server};
use serde_json::Value;

/// One round trip: what to simulate and the normalized event it must become.
struct Case {
    event: &'static str,
    action: Option<&'static str>,
    /// `kind.action` of the normalized event, or `pong`.
    expected: &'static str,
}

const fn case(event: &'static str, action: Option<&'static str>, expected: &'static str) -> Case {
    Case { event, action, expected }
}

const GITHUB: &[Case] = &[
    case("pull_request", None, "pull_request.opened"),
    case("pull_request", Some("opened"), "pull_request.opened"),
    case("pull_request", Some("reopened"), "pull_request.reopened"),
    case("pull_request", Some("closed"), "pull_request.closed"),
    case("pull_request", Some("merged"), "pull_request.merged"),
    case("pull_request", Some("edited"), "pull_request.edited"),
    case("pull_request", Some("synchronize"), "pull_request.synchronized"),
    case("pull_request", Some("synchronized"), "pull_request.synchronized"),
    case("pull_request", Some("ready_for_review"), "pull_request.ready_for_review"),
    case("pull_request", Some("converted_to_draft"), "pull_request.converted_to_draft"),
    case("pull_request", Some("labeled"), "pull_request.labeled"),
    case("pull_request", Some("unlabeled"), "pull_request.unlabeled"),
    case("pull_request", Some("assigned"), "pull_request.updated"),
    case("pull_request", Some("review_requested"), "pull_request.updated"),
    case("issue_comment", None, "comment.commented"),
    case("issue_comment", Some("edited"), "comment.updated"),
    case("issue_comment", Some("deleted"), "comment.updated"),
    case("pull_request_review", None, "review.reviewed"),
    case("pull_request_review", Some("edited"), "review.updated"),
    case("pull_request_review", Some("dismissed"), "review.updated"),
    case("pull_request_review_comment", None, "comment.commented"),
    case("pull_request_review_comment", Some("edited"), "comment.updated"),
    case("pull_request_review_comment", Some("deleted"), "comment.updated"),
    case("push", None, "push.pushed"),
    case("ping", None, "pong"),
];

const GITLAB: &[Case] = &[
    case("merge_request", None, "pull_request.opened"),
    case("merge_request", Some("open"), "pull_request.opened"),
    case("merge_request", Some("reopen"), "pull_request.reopened"),
    case("merge_request", Some("close"), "pull_request.closed"),
    case("merge_request", Some("merge"), "pull_request.merged"),
    case("merge_request", Some("update"), "pull_request.synchronized"),
    case("merge_request", Some("synchronized"), "pull_request.synchronized"),
    case("merge_request", Some("edited"), "pull_request.edited"),
    case("merge_request", Some("ready_for_review"), "pull_request.ready_for_review"),
    case("merge_request", Some("converted_to_draft"), "pull_request.converted_to_draft"),
    case("merge_request", Some("labeled"), "pull_request.labeled"),
    case("merge_request", Some("unlabeled"), "pull_request.unlabeled"),
    case("merge_request", Some("updated"), "pull_request.updated"),
    case("merge_request", Some("approved"), "pull_request.updated"),
    case("note", None, "comment.commented"),
    case("note", Some("update"), "comment.updated"),
    case("push", None, "push.pushed"),
];

const AZURE_DEVOPS: &[Case] = &[
    case("git.pullrequest.created", None, "pull_request.opened"),
    case("git.pullrequest.updated", None, "pull_request.synchronized"),
    case("git.pullrequest.updated", Some("edited"), "pull_request.edited"),
    case("git.pullrequest.updated", Some("updated"), "pull_request.updated"),
    case("git.pullrequest.updated", Some("reopened"), "pull_request.reopened"),
    case("git.pullrequest.updated", Some("merged"), "pull_request.merged"),
    case("git.pullrequest.updated", Some("closed"), "pull_request.closed"),
    case("git.pullrequest.merged", None, "pull_request.merged"),
    case("git.pullrequest.merged", Some("updated"), "pull_request.updated"),
    case("ms.vss-code.git-pullrequest-comment-event", None, "comment.commented"),
    case("ms.vss-code.git-pullrequest-comment-event", Some("updated"), "comment.updated"),
    case("git.push", None, "push.pushed"),
];

const BITBUCKET_SERVER: &[Case] = &[
    case("pr:opened", None, "pull_request.opened"),
    case("pr:from_ref_updated", None, "pull_request.synchronized"),
    case("pr:modified", None, "pull_request.edited"),
    case("pr:merged", None, "pull_request.merged"),
    case("pr:declined", None, "pull_request.closed"),
    case("pr:comment:added", None, "comment.commented"),
    case("repo:refs_changed", None, "push.pushed"),
    case("diagnostics:ping", None, "pong"),
];

/// Returns the event header value the normalized event carries for `event`.
fn provider_event_name(provider: &str, event: &str) -> String {
    match (provider, event) {
        ("gitlab", "merge_request") => "Merge Request Hook".into(),
        ("gitlab", "note") => "Note Hook".into(),
        ("gitlab", "push") => "Push Hook".into(),
        _ => event.into(),
    }
}

/// Simulates `provider event [--action]` with extra arguments; returns the response.
fn simulate(server: &Server, provider: &str, event: &str, action: Option<&str>, extra: &[&str]) -> Value {
    let mut command = server.prhook();
    command.args(["simulate", provider, event]);
    if let Some(action) = action {
        command.args(["--action", action]);
    }
    command.args(extra);
    let output = run(&mut command);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{provider} {event} {action:?}:\n{text}\n{}", stderr(&output));
    printed_response(&text)
}

fn round_trip(server: &Server, provider: &str, cases: &[Case]) {
    for case in cases {
        let label = format!("{provider} {} {:?}", case.event, case.action);
        let response = simulate(server, provider, case.event, case.action, &[]);
        if case.expected == "pong" {
            assert_eq!(response["status"], "pong", "{label}");
            continue;
        }
        assert_eq!(response["status"], "queued", "{label}: {response}");
        let delivery_id = response["delivery_id"].as_str().unwrap();
        let event = server.wait_for_event(delivery_id);
        let normalized = format!("{}.{}", event["kind"].as_str().unwrap(), event["action"].as_str().unwrap());
        assert_eq!(normalized, case.expected, "{label}");
        assert_eq!(event["provider"], provider, "{label}");
        assert_eq!(event["event"], provider_event_name(provider, case.event), "{label}");
        assert_eq!(event["delivery_id"], delivery_id, "{label}");
        assert!(event["repository"]["full_name"].is_string(), "{label}: {event}");
        let is_slash_command = event["comment"]["body"].as_str().is_some_and(|body| body.starts_with('/'));
        if event["kind"] == "comment" && event["action"] == "commented" && is_slash_command {
            assert_eq!(event["command"]["name"], "review", "{label}: {event}");
            assert_eq!(event["command"]["args"], serde_json::json!(["--focus=retries"]), "{label}");
        }
        if event["kind"] == "pull_request" {
            assert_eq!(event["pull_request"]["number"], 42, "{label}");
        }
    }
}

#[test]
fn github_round_trip() {
    let server = Server::start("");
    round_trip(&server, "github", GITHUB);
}

#[test]
fn gitlab_round_trip() {
    let server = Server::start("");
    round_trip(&server, "gitlab", GITLAB);
}

#[test]
fn azure_devops_round_trip() {
    let server = Server::start("");
    round_trip(&server, "azure-devops", AZURE_DEVOPS);
}

#[test]
fn bitbucket_server_round_trip() {
    let server = Server::start("");
    round_trip(&server, "bitbucket-server", BITBUCKET_SERVER);
}

#[test]
fn configured_secrets_round_trip() {
    let server = Server::start(
        r#"
[github]
webhook_secret = ["old-github-secret", "gh-configured-secret"]

[gitlab]
signing_token = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"

[azure_devops]
username = "hooks"
password = "az-configured-password"

[bitbucket_server]
webhook_secret = "bb-configured-secret"
"#,
    );
    for (provider, event) in [
        ("github", "pull_request"),
        ("gitlab", "merge_request"),
        ("azure-devops", "git.pullrequest.created"),
        ("bitbucket-server", "pr:opened"),
    ] {
        let response = simulate(&server, provider, event, None, &[]);
        assert_eq!(response["status"], "queued", "{provider}: {response}");
    }
}

#[test]
fn explicit_secret_and_url() {
    let server = Server::start("[github]\nwebhook_secret = \"gh-flag-secret\"\n");
    let url = format!("http://127.0.0.1:{}/webhooks/github", server.port);
    let mut command = prhook(server.path());
    command.env("GH_SECRET", "gh-flag-secret");
    command.args(["simulate", "github", "push", "--secret-env", "GH_SECRET", "--url", &url]);
    let output = run(&mut command);
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
    assert_eq!(printed_response(&stdout(&output))["status"], "queued");
}

#[test]
fn set_overrides_reach_event() {
    let server = Server::start("");
    let response = simulate(
        &server,
        "github",
        "pull_request",
        None,
        &[
            "--set",
            "pull_request.title=[WIP] Rework retries",
            "--set",
            "pull_request.draft=true",
            "--set",
            r#"pull_request.labels=[{"name":"wip"},{"name":"backend"}]"#,
            "--set",
            "pull_request.head.ref=dependabot/cargo/serde-1.0.219",
            "--set",
            "pull_request.number=7",
        ],
    );
    let event = server.wait_for_event(response["delivery_id"].as_str().unwrap());
    let pull_request = &event["pull_request"];
    assert_eq!(pull_request["title"], "[WIP] Rework retries");
    assert_eq!(pull_request["draft"], true);
    assert_eq!(pull_request["labels"], serde_json::json!(["wip", "backend"]));
    assert_eq!(pull_request["source_branch"], "dependabot/cargo/serde-1.0.219");
    assert_eq!(pull_request["number"], 7);
}

#[test]
fn set_comment_body_sets_command() {
    let server = Server::start("");
    let response = simulate(&server, "gitlab", "note", None, &["--set", "object_attributes.note=/describe --lang=fr"]);
    let event = server.wait_for_event(response["delivery_id"].as_str().unwrap());
    assert_eq!(event["comment"]["body"], "/describe --lang=fr");
    assert_eq!(event["command"]["name"], "describe");
    assert_eq!(event["command"]["args"], serde_json::json!(["--lang=fr"]));
}

#[test]
fn set_issue_comment_on_plain_issue_ignored() {
    let server = Server::start("");
    let response = simulate(&server, "github", "issue_comment", None, &["--set", "issue.pull_request=null"]);
    assert_eq!(response["status"], "ignored");
}

#[test]
fn file_body_sent_unchanged() {
    let server = Server::start("");
    let body = r#"{"eventKey":"repo:refs_changed","actor":{"name":"ines.moreau"},"repository":{"slug":"tiny","project":{"key":"LOG"}},"changes":[{"refId":"refs/heads/hotfix","fromHash":"aaa","toHash":"bbb"}]}"#;
    std::fs::write(server.path().join("body.json"), body).unwrap();
    let response = simulate(&server, "bitbucket-server", "repo:refs_changed", None, &["--file", "body.json"]);
    let event = server.wait_for_event(response["delivery_id"].as_str().unwrap());
    assert_eq!(event["push"]["branch"], "hotfix");
    assert_eq!(event["repository"]["full_name"], "LOG/tiny");
}

#[test]
fn file_with_set_applied() {
    let server = Server::start("");
    let body = r#"{"eventKey":"repo:refs_changed","actor":{"name":"ines.moreau"},"repository":{"slug":"tiny","project":{"key":"LOG"}},"changes":[{"refId":"refs/heads/hotfix","fromHash":"aaa","toHash":"bbb"}]}"#;
    std::fs::write(server.path().join("body.json"), body).unwrap();
    let response = simulate(
        &server,
        "bitbucket-server",
        "repo:refs_changed",
        None,
        &["--file", "body.json", "--set", "changes.0.refId=refs/heads/next"],
    );
    let event = server.wait_for_event(response["delivery_id"].as_str().unwrap());
    assert_eq!(event["push"]["branch"], "next");
}

#[test]
fn repeated_delivery_is_new_each_time() {
    let server = Server::start("");
    let first = simulate(&server, "azure-devops", "git.push", None, &[]);
    let second = simulate(&server, "azure-devops", "git.push", None, &[]);
    assert_eq!(second["status"], "queued");
    assert_ne!(first["delivery_id"], second["delivery_id"]);
}

#[test]
fn count_prints_summary() {
    let server = Server::start("");
    let output = run(server.prhook().args(["simulate", "github", "ping", "--count", "20", "--concurrency", "4"]));
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    let line = text.lines().next().unwrap();
    assert!(line.starts_with("sent 20 deliveries in "), "{line}");
    assert!(line.contains(": 20 succeeded, 0 failed; latency min "), "{line}");
    for label in [", p50 ", ", p90 ", ", p99 ", ", max "] {
        assert!(line.contains(label), "{line}");
    }
}

#[test]
fn count_with_wrong_secret_fails() {
    let server = Server::start("[bitbucket_server]\nwebhook_secret = \"bb-right-secret\"\n");
    let output = run(server.prhook().args([
        "simulate",
        "bitbucket-server",
        "pr:opened",
        "--secret",
        "bb-wrong-secret",
        "--count",
        "5",
        "--concurrency",
        "2",
    ]));
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains(": 0 succeeded, 5 failed (401: 5); latency min "), "{text}");
    assert!(text.contains("invalid_signature"), "{text}");
}

#[test]
fn wrong_secret_exits_one() {
    let server = Server::start("[github]\nwebhook_secret = \"gh-right-secret\"\n");
    let output = run(server.prhook().args(["simulate", "github", "pull_request", "--secret", "gh-wrong-secret"]));
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("401 Unauthorized"), "{text}");
    assert_eq!(printed_response(&text)["error"]["code"], "invalid_signature");
}

#[test]
fn closed_port_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    let port = crate::simulate_utils::free_port();
    let url = format!("http://127.0.0.1:{port}/api/v1/github_webhooks");
    let output =
        run(prhook(dir.path()).args(["simulate", "github", "ping", "--secret", "s3cret-value", "--url", &url]));
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("cannot connect to"), "{}", stderr(&output));
}

#[test]
fn usage_errors_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[&[&str]] = &[
        &["simulate", "github", "pull_request_target", "--secret", "x"],
        &["simulate", "github", "pull_request", "--action", "exploded", "--secret", "x"],
        &["simulate", "gitea", "pull_request", "--secret", "x"],
        &["simulate", "github", "pull_request", "--secret", "x", "--set", "no-equals-sign"],
        &["simulate", "github", "pull_request", "--secret", "x", "--set", "pull_request.title.text=x"],
        &["simulate", "github", "pull_request", "--secret", "x", "--url", "https://127.0.0.1:3000/"],
        &["simulate", "github", "pull_request", "--secret", "x", "--file", "missing.json"],
        &["simulate", "github", "pull_request", "--secret", "x", "--count", "0"],
        &["simulate", "github", "pull_request", "--secret-env", "PRHOOK_TEST_UNSET_VARIABLE"],
        &["simulate", "github", "pull_request", "--config", "missing.toml"],
    ];
    for args in cases {
        let output = run(prhook(dir.path()).args(*args));
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
    }
}

#[test]
fn no_secret_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(prhook(dir.path()).args(["simulate", "gitlab", "push"]));
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no secret is configured for gitlab"), "{}", stderr(&output));
}

#[test]
fn print_raw_request_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let output =
        run(prhook(dir.path()).args(["simulate", "github", "pull_request", "--secret", "gh-print-secret", "--print"]));
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(text.starts_with("POST /api/v1/github_webhooks HTTP/1.1\r\nHost: 127.0.0.1:3000\r\n"), "{text}");
    assert!(text.contains("X-GitHub-Event: pull_request\r\n"), "{text}");
    assert!(text.contains("X-Hub-Signature-256: sha256="), "{text}");
    assert!(text.contains("\r\n\r\n{\"action\":\"opened\""), "{text}");
}

#[test]
fn print_curl_command() {
    let dir = tempfile::tempdir().unwrap();
    let output =
        run(prhook(dir.path()).args(["simulate", "gitlab", "push", "--secret", "gl-print-token", "--print", "curl"]));
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(text.starts_with("curl -sS -X POST 'http://127.0.0.1:3000/webhook'"), "{text}");
    assert!(text.contains("-H 'X-Gitlab-Event: Push Hook'"), "{text}");
    assert!(text.contains("-H 'X-Gitlab-Token: <redacted>'"), "{text}");
    assert!(text.contains("--data-binary '{\"object_kind\":\"push\""), "{text}");
}

#[test]
fn print_reveal_secret_shows_token() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(prhook(dir.path()).args([
        "simulate",
        "gitlab",
        "push",
        "--secret",
        "gl-print-token",
        "--print",
        "curl",
        "--reveal-secret",
    ]));
    assert!(stdout(&output).contains("-H 'X-Gitlab-Token: gl-print-token'"), "{}", stdout(&output));
}

#[test]
fn output_never_contains_secret() {
    let secrets = [
        ("github", "gh-hidden-secret-1", "pull_request"),
        ("gitlab", "gl-hidden-secret-2", "merge_request"),
        ("azure-devops", "az-hidden-secret-3", "git.pullrequest.created"),
        ("bitbucket-server", "bb-hidden-secret-4", "pr:opened"),
    ];
    let sections = r#"
[github]
webhook_secret = "gh-hidden-secret-1"
[gitlab]
webhook_secret = "gl-hidden-secret-2"
[azure_devops]
password = "az-hidden-secret-3"
[bitbucket_server]
webhook_secret = "bb-hidden-secret-4"
"#;
    let server = Server::start(sections);
    for (provider, secret, event) in secrets {
        let runs: [&[&str]; 4] = [&[], &["--print"], &["--print", "curl"], &["--count", "3", "--concurrency", "2"]];
        for extra in runs {
            let output = run(server.prhook().args(["-vv", "simulate", provider, event]).args(extra));
            assert_eq!(output.status.code(), Some(0), "{provider} {extra:?}: {}", stderr(&output));
            assert!(!stdout(&output).contains(secret), "{provider} {extra:?} stdout");
            assert!(!stderr(&output).contains(secret), "{provider} {extra:?} stderr");
        }
        // A wrong secret on the command line stays out of the output too.
        let output = run(server.prhook().args(["simulate", provider, event, "--secret", "wrong-hidden-secret-5"]));
        assert_eq!(output.status.code(), Some(1), "{provider}");
        assert!(!stdout(&output).contains("wrong-hidden-secret-5"), "{provider}");
        assert!(!stderr(&output).contains("wrong-hidden-secret-5"), "{provider}");
    }
}

#[test]
fn color_always_colors_status() {
    let server = Server::start("");
    let output =
        run(prhook(server.path()).args(["--config", "prhook.toml", "--color", "always", "simulate", "github", "ping"]));
    assert!(stdout(&output).contains("\u{1b}["), "{}", stdout(&output));
}

#[test]
fn color_off_without_terminal() {
    let server = Server::start("");
    let output = run(prhook(server.path()).args(["--config", "prhook.toml", "simulate", "github", "ping"]));
    assert!(!stdout(&output).contains('\u{1b}'), "{}", stdout(&output));
}
