//! The dispatcher: takes stored jobs in order of arrival and runs them on
//! up to `workers` at once, within each action's `max_concurrency` and
//! `rate`, with retries, until shutdown.

use crate::config::ActionConfig;
use crate::event::Event;
use crate::replies::Replies;
use crate::runner::{retry_delay, run_action, AttemptOutcome, AttemptResult};
use crate::telemetry;
use crate::store::{now_ms, AttemptRecord, ClaimedJob, NextStep, Store};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use crate::limits::ActionLimits;
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

/// The longest the dispatcher sleeps before looking at the store again.
const IDLE_POLL: Duration = Duration::from_secs(5);

pub struct Dispatcher {
    pub store: Store,
    pub actions: Arc<HashMap<String, ActionConfig>>,
    pub workers: usize,
    /// Woken by the server whenever a delivery is queued.
    pub wake: Arc<Notify>,
    /// Cancelled when shutdown begins: no new job starts.
    pub shutdown: CancellationToken,
    /// How long running jobs may go on after shutdown begins.
    pub grace: Duration,
    /// Queues replies on the pull request after attempts; `None` in tests
    /// that need no provider API.
    pub replies: Option<Replies>,
}

impl Dispatcher {
    pub async fn run(self) {
        let kill = CancellationToken::new();
        // Each task returns its action's name, so its limit slot is freed when it is joined.
        let mut running: JoinSet<String> = JoinSet::new();
        let mut limits = ActionLimits::new(self.actions.values());
        let disabled = DisabledActions::default();

        loop {
            while let Some(joined) = running.try_join_next() {
                if let Ok(action) = joined {
                    limits.finished(&action);
                }
            }
            if self.shutdown.is_cancelled() {
                break;
            }
            let free = self.workers.saturating_sub(running.len());
            let mut claimed = Vec::new();
            if free > 0 {
                let allowances = limits.allowances(Instant::now());
                match self.store.claim_due(now_ms(), free, allowances).await {
                    Ok(jobs) => claimed = jobs,
                    Err(error) => tracing::error!(error = %error, "claiming jobs failed"),
                }
            }
            let claimed_any = !claimed.is_empty();
            for job in claimed {
                limits.started(&job.action, Instant::now());
                let store = self.store.clone();
                let action = self.actions.get(&job.action).cloned();
                let kill = kill.clone();
                let disabled = Arc::clone(&disabled);
                let replies = self.replies.clone();
                let span = job_span(&job);
                running.spawn(
                    async move {
                        let name = job.action.clone();
                        execute(store, job, action, disabled, kill, replies).await;
                        name
                    }
                    .instrument(span),
                );
            }
            if claimed_any && running.len() < self.workers {
                // More may be due right away.
                continue;
            }

            let mut sleep_for = if running.len() >= self.workers {
                IDLE_POLL
            } else {
                // Jobs held back by their action's limits do not count as
                // due: the loop wakes for them when a slot opens.
                let allowances = limits.allowances(Instant::now());
                match self.store.next_due_ms(allowances).await {
                    Ok(Some(due)) => Duration::from_millis((due - now_ms()).clamp(0, IDLE_POLL.as_millis() as i64) as u64),
                    _ => IDLE_POLL,
                }
            };
            if let Some(slot) = limits.next_rate_slot() {
                sleep_for = sleep_for.min(slot.saturating_duration_since(Instant::now()));
            }
            tokio::select! {
                () = self.wake.notified() => {}
                Some(joined) = running.join_next(), if !running.is_empty() => {
                    if let Ok(action) = joined {
                        limits.finished(&action);
                    }
                }
                () = tokio::time::sleep(sleep_for) => {}
                () = self.shutdown.cancelled() => {}
            }
        }

        if !running.is_empty() {
            tracing::info!(running = running.len(), grace_secs = self.grace.as_secs(), "waiting for running actions");
            let drained = tokio::time::timeout(self.grace, async {
                while running.join_next().await.is_some() {}
            })
            .await;
            if drained.is_err() {
                tracing::warn!(running = running.len(), "grace period over, stopping running actions; they stay queued");
                kill.cancel();
                while running.join_next().await.is_some() {}
            }
        }
    }
}

/// Builds the span of one attempt, with the fields of the delivery's request span.
fn job_span(job: &ClaimedJob) -> tracing::Span {
    let event: serde_json::Value = serde_json::from_str(&job.normalized).unwrap_or_default();
    let text = |pointer: &str| event.pointer(pointer).and_then(serde_json::Value::as_str).unwrap_or("").to_owned();
    tracing::info_span!(
        "job",
        action = %job.action,
        attempt = job.attempts + 1,
        id = %job.event_id,
        provider = %text("/provider"),
        event = %text("/event"),
        delivery_id = %text("/delivery_id"),
        repository = %text("/repository/full_name"),
        pr = event.pointer("/pull_request/number").and_then(serde_json::Value::as_u64),
    )
}

/// Actions switched off while the server runs: forward actions whose URL
/// responded 410 Gone.
///
/// NOTE: this lives in memory only, so a restart enables such an action
/// again (presumably with a corrected URL in the configuration).
pub type DisabledActions = Arc<Mutex<HashSet<String>>>;

/// Runs one claimed job and records its outcome.
async fn execute(
    store: Store,
    job: ClaimedJob,
    action: Option<ActionConfig>,
    disabled: DisabledActions,
    kill: CancellationToken,
    replies: Option<Replies>,
) {
    let is_disabled = disabled.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).contains(&job.action);
    if is_disabled {
        let error = format!("action {:?} is disabled because its URL answered 410 Gone", job.action);
        tracing::warn!("job skipped, its action is disabled");
        telemetry::action_failed(&job.action);
        if let Err(error) = store.fail_job(job.job_seq, error).await {
            tracing::error!(error = %error, "recording the job's outcome failed");
        }
        return;
    }
    let Some(action) = action else {
        let error = format!("action {:?} is no longer in the configuration", job.action);
        tracing::error!(error = %error, "job failed");
        let record = AttemptRecord {
            started_ms: now_ms(),
            finished_ms: now_ms(),
            outcome: "failure".into(),
            exit_code: None,
            http_status: None,
            error: Some(error),
            stdout: Vec::new(),
            stderr: Vec::new(),
        };
        record_finish(&store, job.job_seq, Some(record), NextStep::Failed).await;
        return;
    };
    let event: Event = match serde_json::from_str(&job.normalized) {
        Ok(event) => event,
        Err(error) => {
            tracing::error!(error = %error, "stored event is not valid; marking the job failed");
            record_finish(&store, job.job_seq, None, NextStep::Failed).await;
            return;
        }
    };
    tracing::debug!("action starting");
    let AttemptResult { outcome, record, retry_after } = run_action(&action, &event, &job.normalized, kill).await;
    let duration = Duration::from_millis((record.finished_ms - record.started_ms).max(0) as u64);
    telemetry::action_attempted(&job.action, outcome.as_str(), duration);
    let attempt = job.attempts + 1;
    let next = match outcome {
        AttemptOutcome::Gone => {
            tracing::error!(
                error = record.error.as_deref().unwrap_or(""),
                "forward target is gone; disabling the action and failing its queued jobs"
            );
            telemetry::action_failed(&job.action);
            telemetry::action_disabled(&job.action);
            disabled.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(job.action.clone());
            record_finish(&store, job.job_seq, Some(record), NextStep::Failed).await;
            let error = format!("action {:?} was disabled because its URL answered 410 Gone", job.action);
            match store.fail_queued_jobs(job.action.clone(), error).await {
                Ok(failed) => {
                    for _ in 0..failed {
                        telemetry::action_failed(&job.action);
                    }
                }
                Err(error) => tracing::error!(error = %error, "failing the disabled action's jobs failed"),
            }
            return;
        }
        AttemptOutcome::Success => {
            tracing::info!(duration_ms = record.finished_ms - record.started_ms, "action succeeded");
            NextStep::Done
        }
        AttemptOutcome::Interrupted => {
            tracing::info!("action interrupted by shutdown; it stays queued");
            record_finish(&store, job.job_seq, None, NextStep::Requeue).await;
            return;
        }
        AttemptOutcome::Failure | AttemptOutcome::Timeout if attempt <= action.retries => {
            // A receiver's Retry-After wins over the backoff schedule.
            let delay = retry_after.unwrap_or_else(|| retry_delay(attempt));
            tracing::warn!(
                error = record.error.as_deref().unwrap_or(""),
                retry_in_ms = delay.as_millis() as u64,
                "action failed, will retry"
            );
            telemetry::action_retry_scheduled(&job.action);
            NextStep::RetryAt(now_ms() + delay.as_millis() as i64)
        }
        AttemptOutcome::Failure | AttemptOutcome::Timeout => {
            tracing::error!(
                error = record.error.as_deref().unwrap_or(""),
                attempts = attempt,
                "action failed, no retries left"
            );
            telemetry::action_failed(&job.action);
            NextStep::Failed
        }
    };
    // Replies on the pull request: queued in the store before the outcome
    // is recorded and posted by the reply worker.
    if let Some(replies) = &replies {
        replies.after_attempt(&action, &job, &event, &record, next).await;
    }
    record_finish(&store, job.job_seq, Some(record), next).await;
}

async fn record_finish(store: &Store, job_seq: i64, record: Option<AttemptRecord>, next: NextStep) {
    if let Err(error) = store.finish(job_seq, record, next).await {
        // The job stays `running` in the store and is queued again at the next start.
        tracing::error!(error = %error, "recording the job's outcome failed");
    }
}
