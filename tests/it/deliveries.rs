//! `prhook deliveries list|show|replay` against a running server's store.

use crate::delivery_utils::*;

/// Fails with exit code 3 the first time, succeeds once `marker` exists.
const FAIL_ONCE: &str = r#"
[[actions]]
name = "flaky"
on = ["pull_request"]
run = ["sh", "-c", "if test -e marker; then echo fixed; else touch marker; echo boom >&2; exit 3; fi"]
retries = 0
"#;

#[tokio::test]
async fn failed_delivery_is_listed_shown_and_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &format!("{FAIL_ONCE}cwd = {:?}\n", dir.path()));
    let server = Server::start(&config);
    let client = reqwest::Client::new();

    let (status, answer) = send_github(&client, &server.base, "pull_request", "d-flaky", pull_request_body("opened", 5)).await.unwrap();
    assert_eq!(status, 202, "{answer}");
    let id = answer["id"].as_str().unwrap().to_owned();

    wait_until("the delivery has failed", || {
        deliveries_json(&config, &["list", "--status", "failed"]).as_array().is_some_and(|list| list.len() == 1)
    })
    .await;

    let listed = deliveries(&config, &["list"]);
    assert!(listed.status.success());
    let text = String::from_utf8(listed.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("ID "), "{text}");
    assert!(lines[1].starts_with(&id), "{text}");
    assert!(lines[1].contains("acme/rocket"), "{text}");
    assert!(lines[1].contains("failed"), "{text}");

    let shown = deliveries_json(&config, &["show", &id]);
    assert_eq!(shown["status"], "failed");
    assert_eq!(shown["event"]["pull_request"]["number"], 5);
    assert_eq!(shown["jobs"][0]["history"][0]["exit_code"], 3);
    assert_eq!(shown["jobs"][0]["history"][0]["stderr"], "boom\n");
    let signature = shown["headers"].as_array().unwrap().iter().find(|pair| pair[0] == "x-hub-signature-256").unwrap();
    assert_eq!(signature[1], "<redacted>");

    let replayed = deliveries(&config, &["replay", &id]);
    assert!(replayed.status.success(), "{}", String::from_utf8_lossy(&replayed.stderr));
    wait_until("the replayed delivery is done", || deliveries_json(&config, &["show", &id])["status"] == "done").await;

    let shown = deliveries_json(&config, &["show", &id]);
    assert_eq!(shown["attempts"], 2);
    assert_eq!(shown["jobs"][0]["history"][1]["stdout"], "fixed\n");
    assert_eq!(shown["delivery_id"], "d-flaky");
    let all = deliveries_json(&config, &["list"]);
    assert_eq!(all.as_array().unwrap().len(), 1, "a replay is not a new delivery");
}

#[tokio::test]
async fn replay_of_failed_selects_by_status() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &format!("{FAIL_ONCE}cwd = {:?}\n", dir.path()));
    let server = Server::start(&config);
    let client = reqwest::Client::new();

    let (status, _) = send_github(&client, &server.base, "pull_request", "d-one", pull_request_body("opened", 1)).await.unwrap();
    assert_eq!(status, 202);
    wait_until("the delivery has failed", || {
        deliveries_json(&config, &["list", "--status", "failed"]).as_array().is_some_and(|list| list.len() == 1)
    })
    .await;

    let replayed = deliveries_json(&config, &["replay", "--failed"]);
    assert_eq!(replayed.as_array().unwrap().len(), 1);
    assert_eq!(replayed[0]["jobs_queued"], 1);
    wait_until("no delivery is failed", || {
        deliveries_json(&config, &["list", "--status", "done"]).as_array().is_some_and(|list| list.len() == 1)
    })
    .await;
}

#[tokio::test]
async fn unknown_id_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &format!("{FAIL_ONCE}cwd = {:?}\n", dir.path()));
    let server = Server::start(&config);
    let client = reqwest::Client::new();
    let (status, _) = send_github(&client, &server.base, "pull_request", "d-x", pull_request_body("opened", 1)).await.unwrap();
    assert_eq!(status, 202);

    assert_eq!(deliveries(&config, &["show", "no-such-id"]).status.code(), Some(1));
    assert_eq!(deliveries(&config, &["replay", "no-such-id"]).status.code(), Some(1));
}

#[test]
fn replay_without_selection_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    assert_eq!(deliveries(&config, &["replay"]).status.code(), Some(2));
    assert_eq!(deliveries(&config, &["list"]).status.code(), Some(1), "no store yet");
    assert_eq!(deliveries(&config, &["list", "--status", "bogus"]).status.code(), Some(2));
}
