//! `GET /metrics`: Prometheus text whose counters match what was sent.

use crate::delivery_utils::*;

const ACTIONS: &str = r#"
[[actions]]
name = "note"
on = ["pull_request.opened"]
run = ["true"]
"#;

#[tokio::test]
async fn metrics_count_what_was_sent() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), ACTIONS);
    let server = Server::start(&config);
    let client = reqwest::Client::new();
    let base = &server.base;

    for number in 1..=3 {
        let (status, _) = send_github(&client, base, "pull_request", &format!("d-{number}"), pull_request_body("opened", number)).await.unwrap();
        assert_eq!(status, 202);
    }
    let (status, answer) = send_github(&client, base, "pull_request", "d-1", pull_request_body("opened", 1)).await.unwrap();
    assert_eq!(answer["status"], "duplicate", "{status}");
    let (_, answer) = send_github(&client, base, "pull_request", "d-closed", pull_request_body("closed", 4)).await.unwrap();
    assert_eq!(answer["status"], "ignored");
    let (_, answer) = send_github(&client, base, "ping", "d-ping", br#"{"zen":"Keep it simple.","hook_id":1}"#.to_vec()).await.unwrap();
    assert_eq!(answer["status"], "pong");
    let forged = client
        .post(format!("{base}/api/v1/github_webhooks"))
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", "d-forged")
        .header("x-hub-signature-256", format!("sha256={}", "0".repeat(64)))
        .body(pull_request_body("opened", 9))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);

    let mut samples = Vec::new();
    let deadline = std::time::Instant::now() + DEADLINE;
    while std::time::Instant::now() < deadline {
        samples = scrape(&client, base).await;
        let done = sample_value(&samples, "prhook_actions_run_total", &[("action", "note"), ("result", "success")]);
        if done == 3.0 && sample_value(&samples, "prhook_queue_depth", &[]) == 0.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    assert!(samples.iter().all(|sample| sample.name.starts_with("prhook_")));
    let received = |outcome: &str| {
        sample_value(&samples, "prhook_deliveries_received_total", &[("provider", "github"), ("outcome", outcome)])
    };
    assert_eq!(received("queued"), 3.0);
    assert_eq!(received("duplicate"), 1.0);
    assert_eq!(received("ignored"), 1.0);
    assert_eq!(received("pong"), 1.0);
    assert_eq!(received("invalid_signature"), 1.0);
    assert_eq!(sample_value(&samples, "prhook_authentication_failures_total", &[("provider", "github")]), 1.0);
    assert_eq!(sample_value(&samples, "prhook_duplicates_total", &[("provider", "github")]), 1.0);
    assert_eq!(sample_value(&samples, "prhook_actions_run_total", &[("action", "note"), ("result", "success")]), 3.0);
    assert_eq!(sample_value(&samples, "prhook_action_duration_seconds_count", &[("action", "note")]), 3.0);
    assert_eq!(sample_value(&samples, "prhook_action_duration_seconds_bucket", &[("action", "note"), ("le", "+Inf")]), 3.0);
    assert_eq!(sample_value(&samples, "prhook_queue_depth", &[]), 0.0);
}
