//! `prhook serve`: deliveries in, actions out, across crashes.

use crate::utils::*;
use serde_json::Value;

fn sink_action(sink: &std::path::Path) -> String {
    format!(
        r#"
[filters]
ignore_drafts = false

[[actions]]
name = "sink"
on = ["pull_request.opened"]
run = ["sh", "-c", "cat > \"$0/$PRHOOK_ID.json\"; env > \"$0/$PRHOOK_ID.env\"; shift 0; printf '%s\n' \"$@\" > \"$0/$PRHOOK_ID.args\"", "{}", "{{pull_request.url}}", "{{pull_request.labels}}", "--number={{pull_request.number}}"]
env = {{ EXTRA_SETTING = "from-config" }}
timeout = 30
"#,
        sink.display()
    )
}

#[test]
fn action_gets_event_variables_and_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let sink = dir.path().join("sink");
    std::fs::create_dir(&sink).unwrap();
    let server = TestServer::start(dir.path(), &sink_action(&sink));

    let (status, reply) = server.send_github("pull_request", "delivery-1", &pull_request_body("opened", 7));
    assert_eq!(status, 202, "{reply}");
    assert_eq!(reply["status"], "queued");
    let id = reply["id"].as_str().unwrap().to_owned();

    let args = wait_for(15, "the action's arguments", || {
        let lines = lines(&sink.join(format!("{id}.args")));
        (!lines.is_empty()).then_some(lines)
    });
    assert_eq!(args, vec!["https://github.com/acme/rocket/pull/7", "parser", "good first issue", "--number=7"]);

    let event: Value = serde_json::from_str(&std::fs::read_to_string(sink.join(format!("{id}.json"))).unwrap()).unwrap();
    assert_eq!(event["id"], id.as_str());
    assert_eq!(event["delivery_id"], "delivery-1");
    assert_eq!(event["kind"], "pull_request");
    assert_eq!(event["action"], "opened");
    assert_eq!(event["pull_request"]["source_branch"], "tabs");

    let env = std::fs::read_to_string(sink.join(format!("{id}.env"))).unwrap();
    assert!(env.contains(&format!("PRHOOK_ID={id}\n")), "{env}");
    assert!(env.contains("PRHOOK_PROVIDER=github\n"));
    assert!(env.contains("PRHOOK_ACTION=opened\n"));
    assert!(env.contains("PRHOOK_PR_NUMBER=7\n"));
    assert!(env.contains("PRHOOK_REPOSITORY=acme/rocket\n"));
    assert!(env.contains("EXTRA_SETTING=from-config\n"));
    assert!(!env.contains(GITHUB_SECRET), "the child must not see prhook's secrets");
    assert!(!env.contains("RUST_LOG"), "the child gets a clean environment");
}

#[test]
fn repeated_delivery_is_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let sink = dir.path().join("sink");
    std::fs::create_dir(&sink).unwrap();
    let server = TestServer::start(dir.path(), &sink_action(&sink));
    let body = pull_request_body("opened", 8);
    let (_, first) = server.send_github("pull_request", "delivery-dup", &body);
    let (status, second) = server.send_github("pull_request", "delivery-dup", &body);
    assert_eq!(status, 200);
    assert_eq!(second["status"], "duplicate");
    assert_eq!(second["id"], first["id"]);
}

#[test]
fn unselected_event_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let sink = dir.path().join("sink");
    std::fs::create_dir(&sink).unwrap();
    let server = TestServer::start(dir.path(), &sink_action(&sink));
    let (status, reply) = server.send_github("pull_request", "delivery-closed", &pull_request_body("closed", 9));
    assert_eq!(status, 200);
    assert_eq!(reply["status"], "ignored");
    assert_eq!(reply["reason"], "no action selects pull_request.closed");
}

#[test]
fn bad_requests_get_json_errors() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), "");
    let body = pull_request_body("opened", 1);
    let good = github_signature(GITHUB_SECRET, &body);
    let wrong = github_signature("wrong", &body);
    let route = "/api/v1/github_webhooks";
    let event = ("X-GitHub-Event", "pull_request");
    let delivery = ("X-GitHub-Delivery", "bad-input");

    let cases: Vec<(&str, Vec<(&str, &str)>, Vec<u8>, u16, &str)> = vec![
        ("no signature", vec![event, delivery], body.clone(), 401, "missing_signature"),
        ("wrong signature", vec![event, delivery, ("X-Hub-Signature-256", &wrong)], body.clone(), 401, "invalid_signature"),
        ("short header", vec![event, delivery, ("X-Hub-Signature-256", "sha")], body.clone(), 401, "invalid_signature"),
        ("tampered body", vec![event, delivery, ("X-Hub-Signature-256", &good)], pull_request_body("opened", 2), 401, "invalid_signature"),
    ];
    for (name, headers, body, status, code) in cases {
        let (got_status, reply) = server.post(route, &headers, &body);
        assert_eq!(got_status, status, "{name}: {reply}");
        assert_eq!(reply["error"]["code"], code, "{name}");
        assert!(!reply.to_string().contains(GITHUB_SECRET), "{name}");
        assert!(!reply.to_string().contains(good.trim_start_matches("sha256=")), "{name}");
    }

    let signed = |body: &[u8], extra: Vec<(&'static str, &'static str)>| {
        let signature = github_signature(GITHUB_SECRET, body);
        let mut headers = vec![("X-GitHub-Event".to_owned(), "pull_request".to_owned()), ("X-GitHub-Delivery".to_owned(), "bad-shape".to_owned()), ("X-Hub-Signature-256".to_owned(), signature)];
        headers.extend(extra.into_iter().map(|(n, v)| (n.to_owned(), v.to_owned())));
        let borrowed: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        server.post(route, &borrowed, body)
    };
    let (status, reply) = signed(b"", vec![]);
    assert_eq!((status, reply["error"]["code"].as_str()), (400, Some("malformed_payload")), "empty body");
    let (status, reply) = signed(b"not json", vec![]);
    assert_eq!((status, reply["error"]["code"].as_str()), (400, Some("malformed_payload")), "not JSON");
    let (status, reply) = signed(br#"{"action":"opened"}"#, vec![]);
    assert_eq!((status, reply["error"]["code"].as_str()), (400, Some("malformed_payload")), "wrong shape");
    let (status, reply) = signed(&body, vec![("Content-Type", "text/plain")]);
    assert_eq!((status, reply["error"]["code"].as_str()), (415, Some("unsupported_media_type")), "text/plain");

    let big = vec![b'x'; 65537];
    let (status, reply) = signed(&big, vec![]);
    assert_eq!((status, reply["error"]["code"].as_str()), (413, Some("payload_too_large")), "over the limit");

    let (status, reply) = request_raw(server.port, "GET", route, &[], b"").map(|(s, b)| (s, serde_json::from_slice::<Value>(&b).unwrap())).unwrap();
    assert_eq!((status, reply["error"]["code"].as_str()), (405, Some("method_not_allowed")), "GET");
    let (status, reply) = server.post("/nowhere", &[], b"{}");
    assert_eq!((status, reply["error"]["code"].as_str()), (404, Some("not_found")), "unknown route");
}

#[test]
fn body_of_exactly_the_limit_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), "");
    let mut body = pull_request_body("opened", 3);
    // Pad the JSON with spaces up to max_body_bytes (65536 in the test config).
    body.resize(65536, b' ');
    let (status, reply) = server.send_github("pull_request", "exact-limit", &body);
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["status"], "ignored");
}

#[test]
fn second_server_on_same_data_dir_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), "");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_prhook"))
        .args(["serve", "--listen", &format!("127.0.0.1:{}", free_port()), "--config"])
        .arg(&server.config)
        .env_remove("PRHOOK_CONFIG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("pid {}", server.child.id())), "{stderr}");
}

#[test]
fn sigterm_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(dir.path(), "");
    assert_eq!(server.terminate(), Some(0));
}

#[test]
fn failing_action_is_retried_then_failed() {
    let dir = tempfile::tempdir().unwrap();
    let attempts = dir.path().join("attempts");
    let extra = format!(
        "[[actions]]\nname = \"flaky\"\non = [\"pull_request\"]\nrun = [\"sh\", \"-c\", \"echo x >> {}; exit 3\"]\nretries = 1\n",
        attempts.display()
    );
    let server = TestServer::start(dir.path(), &extra);
    let (status, _) = server.send_github("pull_request", "flaky-1", &pull_request_body("opened", 4));
    assert_eq!(status, 202);
    wait_for(20, "two attempts", || (lines(&attempts).len() == 2).then_some(()));
    wait_for(10, "the failure in the log", || server.log().contains("action failed, no retries left").then_some(()));
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(lines(&attempts).len(), 2);
}

/// A delivery answered 202 survives SIGKILL while its action runs: after a
/// restart on the same data_dir the action runs exactly once more.
#[test]
fn sigkill_during_action_runs_it_once_more() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    let finished = dir.path().join("finished");
    // The first run blocks until the server is killed; the second finishes.
    let script = format!(
        "echo run >> {runs}; if [ $(wc -l < {runs}) -eq 1 ]; then sleep 30; fi; echo done >> {finished}",
        runs = runs.display(),
        finished = finished.display()
    );
    let extra = format!("[[actions]]\nname = \"slow\"\non = [\"pull_request\"]\nrun = [\"sh\", \"-c\", \"{script}\"]\ntimeout = 60\n");
    let port = free_port();
    let config = write_config(dir.path(), port, &extra);
    let mut server = TestServer::start_with(dir.path(), port, config.clone());

    let (status, _) = server.send_github("pull_request", "crash-1", &pull_request_body("opened", 5));
    assert_eq!(status, 202);
    wait_for(15, "the first run to start", || (lines(&runs).len() == 1).then_some(()));
    server.kill();

    let _restarted = TestServer::start_with(dir.path(), port, config);
    wait_for(20, "the second run to finish", || (lines(&finished).len() == 1).then_some(()));
    assert_eq!(lines(&runs).len(), 2);
}
