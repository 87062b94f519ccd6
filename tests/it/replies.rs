//! Replies through the provider APIs, against mock APIs on loopback: the
//! exact requests of comments, acks and the GitHub App token exchange,
//! the circuit breaker, rate limits, and replies end to end from `serve`.

use crate::api_utils::{wait_until, MockResponse, MockApi, Recorded};
use crate::utils::{wait_for, TestServer};
use base64::Engine;
use prhook::api::{Apis, Target};
use prhook::breaker::BreakerState;
use prhook::config::{Config, Overrides};
use prhook::provider::ProviderId;
use prhook::replies::{NewReply, ReplyKind, Replies, RetryPolicy};
use prhook::store::Store;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio_util::sync::CancellationToken;

fn config(text: &str) -> Config {
    Config::from_text(None, text, &Overrides::default(), &|_| None).unwrap()
}

fn apis(text: &str) -> Apis {
    Apis::from_config(&config(text)).unwrap()
}

fn created(_: &Recorded) -> MockResponse {
    MockResponse::json(201, json!({"id": 1}))
}

fn github_comment_payload() -> Value {
    json!({
        "action": "created",
        "issue": {"number": 12, "pull_request": {"url": "https://api.github.com/repos/acme/rocket/pulls/12"}},
        "comment": {"id": 99, "body": "/review", "user": {"login": "linus"}},
        "repository": {"full_name": "acme/rocket"},
        "installation": {"id": 4242}
    })
}

#[tokio::test]
async fn github_comment_and_ack() {
    let mock = MockApi::start(created);
    let apis = apis(&format!("[github]\nwebhook_secret = \"s\"\napi_url = \"{}\"\ntoken = \"gh-token\"\n", mock.url));
    let target = Target::from_payload(ProviderId::Github, &github_comment_payload()).unwrap();

    apis.post_comment(&target, "LGTM").await.unwrap();
    apis.ack(&target, "unused").await.unwrap();

    let posts = mock.posts();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].path, "/repos/acme/rocket/issues/12/comments");
    assert_eq!(posts[0].header("authorization"), Some("Bearer gh-token"));
    assert_eq!(posts[0].header("accept"), Some("application/vnd.github+json"));
    assert_eq!(posts[0].header("x-github-api-version"), Some("2022-11-28"));
    assert_eq!(posts[0].body, json!({"body": "LGTM"}));
    assert_eq!(posts[1].path, "/repos/acme/rocket/issues/comments/99/reactions");
    assert_eq!(posts[1].header("authorization"), Some("Bearer gh-token"));
    assert_eq!(posts[1].body, json!({"content": "eyes"}));
}

#[tokio::test]
async fn gitlab_comment_and_ack() {
    let mock = MockApi::start(created);
    let apis = apis(&format!("[gitlab]\nwebhook_secret = \"s\"\napi_url = \"{}/api/v4\"\ntoken = \"gl-token\"\n", mock.url));
    let payload = json!({
        "object_kind": "note",
        "project": {"id": 15, "path_with_namespace": "acme/rocket"},
        "object_attributes": {"id": 1244, "note": "/review", "noteable_type": "MergeRequest"},
        "merge_request": {"id": 900, "iid": 3}
    });
    let target = Target::from_payload(ProviderId::Gitlab, &payload).unwrap();

    apis.post_comment(&target, "LGTM").await.unwrap();
    apis.ack(&target, "unused").await.unwrap();

    let posts = mock.posts();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].path, "/api/v4/projects/15/merge_requests/3/notes");
    assert_eq!(posts[0].header("private-token"), Some("gl-token"));
    assert_eq!(posts[0].body, json!({"body": "LGTM"}));
    assert_eq!(posts[1].path, "/api/v4/projects/15/merge_requests/3/notes/1244/award_emoji");
    assert_eq!(posts[1].header("private-token"), Some("gl-token"));
    assert_eq!(posts[1].body, json!({"name": "eyes"}));
}

#[tokio::test]
async fn azure_comment_and_ack() {
    let mock = MockApi::start(created);
    let apis = apis(&format!(
        "[azure_devops]\npassword = \"s\"\napi_url = \"{}/acme\"\ntoken = \"az-token\"\n",
        mock.url
    ));
    let payload = json!({
        "eventType": "ms.vss-code.git-pullrequest-comment-event",
        "resource": {
            "comment": {
                "id": 3,
                "content": "/review",
                "_links": {"threads": {"href": "https://dev.azure.com/acme/_apis/git/repositories/9a1b/pullRequests/17/threads/8"}}
            },
            "pullRequest": {"pullRequestId": 17, "repository": {"id": "9a1b", "name": "rocket", "project": {"id": "p-1", "name": "Acme"}}}
        }
    });
    let target = Target::from_payload(ProviderId::AzureDevops, &payload).unwrap();

    apis.post_comment(&target, "LGTM").await.unwrap();
    apis.ack(&target, "on it").await.unwrap();

    let posts = mock.posts();
    let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(":az-token"));
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].path, "/acme/p-1/_apis/git/repositories/9a1b/pullRequests/17/threads?api-version=7.1");
    assert_eq!(posts[0].header("authorization"), Some(basic.as_str()));
    assert_eq!(
        posts[0].body,
        json!({"comments": [{"parentCommentId": 0, "content": "LGTM", "commentType": 1}], "status": 1})
    );
    assert_eq!(posts[1].path, "/acme/p-1/_apis/git/repositories/9a1b/pullRequests/17/threads/8/comments?api-version=7.1");
    assert_eq!(posts[1].header("authorization"), Some(basic.as_str()));
    assert_eq!(posts[1].body, json!({"content": "on it", "parentCommentId": 3, "commentType": 1}));
}

#[tokio::test]
async fn bitbucket_comment_and_ack() {
    let mock = MockApi::start(created);
    let apis = apis(&format!(
        "[bitbucket_server]\nwebhook_secret = \"s\"\napi_url = \"{}\"\ntoken = \"bb-token\"\n",
        mock.url
    ));
    let payload = json!({
        "eventKey": "pr:comment:added",
        "pullRequest": {"id": 4, "toRef": {"repository": {"slug": "rocket", "project": {"key": "ACME"}}}},
        "comment": {"id": 81, "text": "/review"}
    });
    let target = Target::from_payload(ProviderId::BitbucketServer, &payload).unwrap();

    apis.post_comment(&target, "LGTM").await.unwrap();
    apis.ack(&target, "on it").await.unwrap();

    let posts = mock.posts();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].path, "/rest/api/1.0/projects/ACME/repos/rocket/pull-requests/4/comments");
    assert_eq!(posts[0].header("authorization"), Some("Bearer bb-token"));
    assert_eq!(posts[0].body, json!({"text": "LGTM"}));
    assert_eq!(posts[1].path, "/rest/api/1.0/projects/ACME/repos/rocket/pull-requests/4/comments");
    assert_eq!(posts[1].header("authorization"), Some("Bearer bb-token"));
    assert_eq!(posts[1].body, json!({"text": "on it", "parent": {"id": 81}}));
}

/// Generates an RSA key pair with the `openssl` command and returns the
/// private and public PEM files. The private key is PKCS#1 (`BEGIN RSA
/// PRIVATE KEY`), the form GitHub hands out for Apps: OpenSSL 3 needs
/// `-traditional` for it, and OpenSSL 1.1 writes it by default.
fn generate_rsa_key(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let private = dir.join("app.pem");
    let public = dir.join("app.pub.pem");
    let genrsa = |extra: &[&str]| {
        std::process::Command::new("openssl").arg("genrsa").args(extra).arg("-out").arg(&private).arg("2048").output().unwrap()
    };
    let mut status = genrsa(&["-traditional"]);
    if !status.status.success() {
        status = genrsa(&[]);
    }
    assert!(status.status.success(), "openssl genrsa failed: {}", String::from_utf8_lossy(&status.stderr));
    assert!(std::fs::read_to_string(&private).unwrap().starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    let status = std::process::Command::new("openssl")
        .args(["rsa", "-pubout", "-in"])
        .arg(&private)
        .arg("-out")
        .arg(&public)
        .output()
        .unwrap();
    assert!(status.status.success(), "openssl rsa failed: {}", String::from_utf8_lossy(&status.stderr));
    (private, public)
}

#[tokio::test]
async fn github_app_token_exchange() {
    let dir = tempfile::tempdir().unwrap();
    let (private_key, public_key) = generate_rsa_key(dir.path());
    let mock = MockApi::start(|request| {
        if request.path.starts_with("/app/installations/") {
            MockResponse::json(201, json!({"token": "ghs_installation", "expires_at": "2999-01-01T00:00:00Z"}))
        } else {
            MockResponse::json(201, json!({"id": 1}))
        }
    });
    let apis = apis(&format!(
        "[github]\nwebhook_secret = \"s\"\napi_url = \"{}\"\napp_id = 12345\nprivate_key = {{ file = \"{}\" }}\n",
        mock.url,
        private_key.display()
    ));
    let target = Target::from_payload(ProviderId::Github, &github_comment_payload()).unwrap();

    apis.post_comment(&target, "first").await.unwrap();
    apis.post_comment(&target, "second").await.unwrap();

    let posts = mock.posts();
    assert_eq!(posts.len(), 3, "one exchange, then the cached token twice: {posts:#?}");
    assert_eq!(posts[0].path, "/app/installations/4242/access_tokens");
    let jwt = posts[0].header("authorization").unwrap().strip_prefix("Bearer ").unwrap();
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(&std::fs::read(&public_key).unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&["12345"]);
    let claims = jsonwebtoken::decode::<Value>(jwt, &key, &validation).unwrap().claims;
    let lifetime = claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap();
    assert!(lifetime <= 600, "GitHub rejects app JWTs living over 10 minutes: {lifetime}");
    for post in &posts[1..] {
        assert_eq!(post.path, "/repos/acme/rocket/issues/12/comments");
        assert_eq!(post.header("authorization"), Some("Bearer ghs_installation"));
    }
    assert_eq!(posts[2].body, json!({"body": "second"}));
}

#[tokio::test]
async fn github_app_login_is_bot() {
    let dir = tempfile::tempdir().unwrap();
    let (private_key, _) = generate_rsa_key(dir.path());
    let mock = MockApi::start(|_| MockResponse::json(200, json!({"slug": "prhook-review"})));
    let apis = apis(&format!(
        "[github]\nwebhook_secret = \"s\"\napi_url = \"{}\"\napp_id = 12345\nprivate_key = {{ file = \"{}\" }}\n",
        mock.url,
        private_key.display()
    ));
    assert_eq!(apis.fetch_own_login(ProviderId::Github).await.unwrap(), "prhook-review[bot]");
    assert_eq!(mock.requests()[0].path, "/app");
}

fn gitlab_reply(index: usize) -> NewReply {
    NewReply {
        key: format!("comment/{index}"),
        event_id: format!("event-{index}"),
        kind: ReplyKind::Comment,
        target: Target::from_payload(
            ProviderId::Gitlab,
            &json!({"project": {"id": 15}, "object_attributes": {"id": 900, "iid": 3}}),
        )
        .unwrap(),
        body: format!("reply {index}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn breaker_holds_then_posts_waiting() {
    let failing = Arc::new(AtomicBool::new(true));
    let failing_in_mock = Arc::clone(&failing);
    let mock = MockApi::start(move |_| {
        if failing_in_mock.load(Ordering::SeqCst) {
            MockResponse::json(500, json!({"message": "down"}))
        } else {
            MockResponse::json(201, json!({"id": 1}))
        }
    });
    let mut config = config(&format!(
        "[gitlab]\nwebhook_secret = \"s\"\napi_url = \"{}/api/v4\"\ntoken = \"gl-token\"\n\n[circuit_breaker]\nfailure_threshold = 5\n",
        mock.url
    ));
    let recovery = Duration::from_millis(400);
    config.circuit_breaker.recovery_timeout = recovery;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let replies = Replies::new(store, Arc::new(Apis::from_config(&config).unwrap())).await.unwrap();
    let now = prhook::store::now_ms();
    for index in 0..8 {
        assert!(replies.outbox.enqueue(gitlab_reply(index), now).await.unwrap());
    }

    let shutdown = CancellationToken::new();
    let policy = RetryPolicy { first_delay: Duration::from_millis(50), max_delay: Duration::from_millis(200), give_up_after: Duration::from_secs(3600) };
    let worker = tokio::spawn(replies.worker(policy, shutdown.clone()).run());
    let breaker_state = || replies.apis.breaker_states().first().map(|(_, state)| *state);

    wait_until("the breaker to open", || breaker_state() == Some(BreakerState::Open)).await;
    assert_eq!(mock.posts().len(), 5);
    failing.store(false, Ordering::SeqCst);

    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let counts = replies.outbox.counts().await.unwrap();
        if counts.get("sent") == Some(&8) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "replies not all sent: {counts:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let posts = mock.posts();
    assert_eq!(posts.len(), 5 + 8, "five failures, then each reply once: {posts:#?}");
    let trial_delay = posts[5].received_at.duration_since(posts[4].received_at).unwrap();
    assert!(trial_delay >= recovery, "the trial came {trial_delay:?} after the fifth failure");
    for index in 0..8 {
        let body = json!({"body": format!("reply {index}")});
        assert_eq!(posts[5..].iter().filter(|post| post.body == body).count(), 1, "reply {index}");
    }
    assert_eq!(breaker_state(), Some(BreakerState::Closed));
    shutdown.cancel();
    worker.await.unwrap();
}

#[tokio::test]
async fn rate_limit_403_pauses_not_trips() {
    let reset = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 1;
    let limited = Arc::new(AtomicBool::new(true));
    let limited_in_mock = Arc::clone(&limited);
    let mock = MockApi::start(move |_| {
        if limited_in_mock.swap(false, Ordering::SeqCst) {
            MockResponse::json(403, json!({"message": "API rate limit exceeded"}))
                .with_header("x-ratelimit-remaining", "0")
                .with_header("x-ratelimit-reset", &reset.to_string())
        } else {
            MockResponse::json(201, json!({"id": 1}))
        }
    });
    let apis = apis(&format!(
        "[github]\nwebhook_secret = \"s\"\napi_url = \"{}\"\ntoken = \"gh-token\"\n\n[circuit_breaker]\nfailure_threshold = 1\n",
        mock.url
    ));
    let target = Target::from_payload(ProviderId::Github, &github_comment_payload()).unwrap();

    apis.post_comment(&target, "LGTM").await.unwrap();

    let posts = mock.posts();
    assert_eq!(posts.len(), 2);
    assert!(
        posts[1].received_at >= UNIX_EPOCH + Duration::from_secs(reset),
        "the call was sent again before the reset"
    );
    assert_eq!(posts[1].body, json!({"body": "LGTM"}));
    assert_eq!(apis.breaker_states(), vec![(mock.url.trim_start_matches("http://").to_owned(), BreakerState::Closed)]);
}

fn github_issue_comment(body: &str, author: &str) -> Vec<u8> {
    json!({
        "action": "created",
        "issue": {
            "number": 12,
            "title": "Speed up the parser",
            "html_url": "https://github.com/acme/rocket/pull/12",
            "state": "open",
            "user": {"login": "grace", "type": "User"},
            "labels": [],
            "pull_request": {"html_url": "https://github.com/acme/rocket/pull/12", "merged_at": null}
        },
        "comment": {"id": 99, "body": body, "user": {"login": author, "type": "User"}, "html_url": "https://github.com/acme/rocket/pull/12#issuecomment-99"},
        "repository": {"full_name": "acme/rocket", "html_url": "https://github.com/acme/rocket"},
        "sender": {"login": author, "type": "User"}
    })
    .to_string()
    .into_bytes()
}

#[test]
fn serve_acks_replies_and_skips_own() {
    let mock = MockApi::start(|request| match request.method.as_str() {
        "GET" => MockResponse::json(200, json!({"login": "prhook-bot"})),
        _ => MockResponse::json(201, json!({"id": 1})),
    });
    let dir = tempfile::tempdir().unwrap();
    let port = crate::utils::free_port();
    let config = dir.path().join("prhook.toml");
    std::fs::write(
        &config,
        format!(
            r#"[server]
listen = "127.0.0.1:{port}"
data_dir = "{data}"
shutdown_grace = 5

[github]
webhook_secret = "{secret}"
api_url = "{api}"
token = "gh-token"

[[actions]]
name = "review"
on = ["comment:/review"]
run = ["sh", "-c", "echo LGTM"]
reply = "output"
ack = true
timeout = 30
"#,
            data = dir.path().join("data").display(),
            secret = crate::utils::GITHUB_SECRET,
            api = mock.url,
        ),
    )
    .unwrap();
    let server = TestServer::start_with(dir.path(), port, config);

    let (status, answer) = server.send_github("issue_comment", "delivery-1", &github_issue_comment("/review", "linus"));
    assert_eq!(status, 202, "{answer}");
    let posts = mock.wait_for_posts(2);
    let reaction = posts.iter().find(|post| post.path.ends_with("/reactions")).expect("a reaction");
    assert_eq!(reaction.path, "/repos/acme/rocket/issues/comments/99/reactions");
    assert_eq!(reaction.header("authorization"), Some("Bearer gh-token"));
    assert_eq!(reaction.body, json!({"content": "eyes"}));
    let comment = posts.iter().find(|post| post.path.ends_with("/12/comments")).expect("a comment");
    assert_eq!(comment.body, json!({"body": "<!-- prhook -->\nLGTM"}));

    let (status, answer) = server.send_github("issue_comment", "delivery-2", &github_issue_comment("<!-- prhook -->\n/review", "linus"));
    assert_eq!(status, 200);
    assert_eq!(answer["status"], "ignored");
    assert!(answer["reason"].as_str().unwrap().contains("marker"), "{answer}");

    wait_for(20, "the API account lookup", || server.log().contains("API account found").then_some(()));
    let (status, answer) = server.send_github("issue_comment", "delivery-3", &github_issue_comment("/review", "prhook-bot"));
    assert_eq!(status, 200);
    assert_eq!(answer["status"], "ignored");
    assert!(answer["reason"].as_str().unwrap().contains("prhook-bot"), "{answer}");
    assert_eq!(mock.posts().len(), 2);

    let (status, metrics) = crate::utils::request_raw(server.port, "GET", "/metrics", &[], b"").unwrap();
    let metrics = String::from_utf8(metrics).unwrap();
    assert_eq!(status, 200);
    assert!(metrics.contains("prhook_circuit_breaker_state{"), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_error_fails_without_tripping() {
    let mock = MockApi::start(|_| MockResponse::json(404, json!({"message": "404 Not found"})));
    let config = config(&format!(
        "[gitlab]\nwebhook_secret = \"s\"\napi_url = \"{}/api/v4\"\ntoken = \"gl-token\"\n\n[circuit_breaker]\nfailure_threshold = 2\n",
        mock.url
    ));
    let dir = tempfile::tempdir().unwrap();
    let replies = Replies::new(Store::open(dir.path()).unwrap(), Arc::new(Apis::from_config(&config).unwrap())).await.unwrap();
    let now = prhook::store::now_ms();
    for index in 0..3 {
        replies.outbox.enqueue(gitlab_reply(index), now).await.unwrap();
    }

    let shutdown = CancellationToken::new();
    let worker = tokio::spawn(replies.worker(RetryPolicy::default(), shutdown.clone()).run());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let counts = replies.outbox.counts().await.unwrap();
        if counts.get("failed") == Some(&3) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "replies not all failed: {counts:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    shutdown.cancel();
    worker.await.unwrap();

    assert_eq!(mock.posts().len(), 3, "each reply is tried once");
    let states = replies.apis.breaker_states();
    assert_eq!(states[0].1, BreakerState::Closed);
}
