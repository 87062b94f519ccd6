//! Prometheus metrics, served at `GET /metrics`.
//!
//! Code records through the `metrics` crate's macros. The Prometheus
//! recorder is installed once per process by [`install`]; before that (in
//! unit tests, for example) recording does nothing. Every name starts with
//! `prhook_`.

use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;

pub const DELIVERIES_RECEIVED: &str = "prhook_deliveries_received_total";
pub const AUTHENTICATION_FAILURES: &str = "prhook_authentication_failures_total";
pub const DUPLICATES: &str = "prhook_duplicates_total";
pub const QUEUE_DEPTH: &str = "prhook_queue_depth";
pub const ACTIONS_RUN: &str = "prhook_actions_run_total";
pub const ACTION_DURATION: &str = "prhook_action_duration_seconds";
pub const ACTION_RETRIES: &str = "prhook_action_retries_total";
pub const ACTIONS_FAILED: &str = "prhook_actions_failed_total";
pub const ACTIONS_DISABLED: &str = "prhook_actions_disabled_total";

/// Histogram buckets of action durations, in seconds: actions range from
/// a forward of a few milliseconds to a review of several minutes.
const DURATION_BUCKETS: [f64; 14] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0, 600.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process-wide Prometheus recorder (once) and returns its handle.
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(ACTION_DURATION.to_owned()), &DURATION_BUCKETS)
                .expect("the bucket list is not empty")
                .build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("another metrics recorder is installed; /metrics will stay empty");
            }
            describe();
            handle
        })
        .clone()
}

fn describe() {
    describe_counter!(DELIVERIES_RECEIVED, "Webhook deliveries received, by provider and outcome (queued, ignored, duplicate, pong, or the error code)");
    describe_counter!(AUTHENTICATION_FAILURES, "Deliveries rejected for a missing or invalid signature, token or credentials");
    describe_counter!(DUPLICATES, "Deliveries answered duplicate because their provider, event and delivery id were stored before");
    describe_gauge!(QUEUE_DEPTH, "Jobs stored and not yet finished (queued or running)");
    describe_counter!(ACTIONS_RUN, "Action attempts, by action and result (success, failure, timeout, interrupted)");
    describe_histogram!(ACTION_DURATION, Unit::Seconds, "Duration of action attempts, by action");
    describe_counter!(ACTION_RETRIES, "Action attempts that failed and were scheduled again, by action");
    describe_counter!(ACTIONS_FAILED, "Jobs that failed for good after their last retry, by action");
    describe_counter!(ACTIONS_DISABLED, "Forward actions disabled because their URL answered 410 Gone");
}

/// Renders every metric in the Prometheus text format.
pub fn render(queue_depth: i64) -> String {
    let handle = install();
    gauge!(QUEUE_DEPTH).set(queue_depth as f64);
    handle.run_upkeep();
    handle.render()
}

/// Counts a delivery with its `outcome`, for `provider` (`unknown` when
/// the route did not decide one).
pub fn delivery_received(provider: &str, outcome: &str) {
    counter!(DELIVERIES_RECEIVED, "provider" => provider.to_owned(), "outcome" => outcome.to_owned()).increment(1);
    match outcome {
        "duplicate" => counter!(DUPLICATES, "provider" => provider.to_owned()).increment(1),
        "missing_signature" | "invalid_signature" => {
            counter!(AUTHENTICATION_FAILURES, "provider" => provider.to_owned()).increment(1)
        }
        _ => {}
    }
}

/// Counts one attempt of `action` and records its duration.
pub fn action_attempted(action: &str, result: &str, duration: Duration) {
    counter!(ACTIONS_RUN, "action" => action.to_owned(), "result" => result.to_owned()).increment(1);
    histogram!(ACTION_DURATION, "action" => action.to_owned()).record(duration.as_secs_f64());
}

pub fn action_retry_scheduled(action: &str) {
    counter!(ACTION_RETRIES, "action" => action.to_owned()).increment(1);
}

pub fn action_failed(action: &str) {
    counter!(ACTIONS_FAILED, "action" => action.to_owned()).increment(1);
}

pub fn action_disabled(action: &str) {
    counter!(ACTIONS_DISABLED, "action" => action.to_owned()).increment(1);
}
