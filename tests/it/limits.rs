//! Per-action `max_concurrency` and `rate`, `max_queue_depth` and
//! `dispatch = false`, against a real server.

use crate::delivery_utils::*;

async fn send_many(base: &str, count: u64) {
    let client = reqwest::Client::new();
    for number in 1..=count {
        let (status, answer) = send_github(&client, base, "pull_request", &format!("d-{number}"), pull_request_body("opened", number)).await.unwrap();
        assert_eq!(status, 202, "{answer}");
    }
}

fn count_with_status(config: &std::path::Path, status: &str) -> usize {
    deliveries_json(config, &["list", "--status", status]).as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn max_concurrency_one_never_overlaps() {
    let dir = tempfile::tempdir().unwrap();
    // Two attempts at once would find the lock directory taken and exit 99.
    let action = format!(
        "[[actions]]\nname = \"serial\"\non = [\"pull_request\"]\nrun = [\"sh\", \"-c\", \"mkdir lock || exit 99; sleep 0.1; rmdir lock\"]\ncwd = {:?}\nretries = 0\nmax_concurrency = 1\n",
        dir.path()
    );
    let config = write_config_with_server(dir.path(), "workers = 4", &action);
    let server = Server::start(&config);

    send_many(&server.base, 6).await;
    wait_until("all six are finished", || count_with_status(&config, "done") + count_with_status(&config, "failed") == 6).await;
    assert_eq!(count_with_status(&config, "failed"), 0);
}

#[tokio::test]
async fn rate_is_never_exceeded() {
    let dir = tempfile::tempdir().unwrap();
    let action = "[[actions]]\nname = \"rated\"\non = [\"pull_request\"]\nrun = [\"true\"]\nrate = \"2/second\"\n";
    let config = write_config_with_server(dir.path(), "workers = 4", action);
    let server = Server::start(&config);

    send_many(&server.base, 6).await;
    wait_until("all six are done", || count_with_status(&config, "done") == 6).await;

    let mut starts: Vec<i64> = Vec::new();
    for delivery in deliveries_json(&config, &["list"]).as_array().unwrap() {
        let shown = deliveries_json(&config, &["show", delivery["id"].as_str().unwrap()]);
        let started_at = shown["jobs"][0]["history"][0]["started_at"].as_str().unwrap().to_owned();
        let started = time::OffsetDateTime::parse(&started_at, &time::format_description::well_known::Rfc3339).unwrap();
        starts.push((started.unix_timestamp_nanos() / 1_000_000) as i64);
    }
    starts.sort();
    // Any three starts span at least a second; 100 ms allow for the time
    // between the dispatcher's claim and the recorded start.
    for window in starts.windows(3) {
        assert!(window[2] - window[0] >= 900, "three starts within {} ms: {starts:?}", window[2] - window[0]);
    }
}

#[tokio::test]
async fn overflow_is_rejected_and_stored_work_runs_later() {
    let dir = tempfile::tempdir().unwrap();
    let action = format!(
        "[[actions]]\nname = \"record\"\non = [\"pull_request\"]\nrun = [\"sh\", \"-c\", \"echo $PRHOOK_DELIVERY_ID >> ran.txt\"]\ncwd = {:?}\n",
        dir.path()
    );
    let config = write_config_with_server(dir.path(), "dispatch = false\nmax_queue_depth = 3", &action);
    let mut server = Server::start(&config);

    send_many(&server.base, 3).await;
    let client = reqwest::Client::new();
    let body = pull_request_body("opened", 4);
    let response = client
        .post(format!("{}/api/v1/github_webhooks", server.base))
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", "d-4")
        .header("x-hub-signature-256", github_signature(&body))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let answer: serde_json::Value = response.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "overloaded");
    assert_eq!(count_with_status(&config, "queued"), 3);
    assert!(!dir.path().join("ran.txt").exists(), "dispatch = false runs nothing");

    server.kill();
    let config = write_config_with_server(dir.path(), "max_queue_depth = 3", &action);
    let _server = Server::start(&config);
    wait_until("the stored deliveries are done", || count_with_status(&config, "done") == 3).await;
    let ran = std::fs::read_to_string(dir.path().join("ran.txt")).unwrap();
    let mut ids: Vec<&str> = ran.lines().collect();
    ids.sort();
    assert_eq!(ids, ["d-1", "d-2", "d-3"]);
}
