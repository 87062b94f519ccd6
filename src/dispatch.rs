//! The dispatcher: takes due stored jobs, oldest first, and runs them on
//! up to `workers` at once, within each action's `max_concurrency` and
//! `rate`, with retries, until shutdown.

use crate::config::ActionConfig;
use crate::event::Event;
use crate::replies::Replies;
use crate::runner::{retry_delay, run_action, AttemptOutcome, AttemptResult};
use crate::telemetry;
use crate::store::{now_ms, AttemptRecord, ClaimedJob, NextStep, Store};
use crate::store::StoreError;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use crate::limits::ActionLimits;
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
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

/// Jobs claimed ahead of free workers: a worker that finishes starts the
/// next job at once instead of waiting for a claim to commit.
fn prefetch(workers: usize) -> usize {
    (workers * 4).max(16)
}

/// The dispatcher's running work, apart from its configuration.
struct Running {
    /// Attempts in progress; each returns its action's name.
    attempts: JoinSet<String>,
    /// Outcomes being written to the store. A worker is free once its
    /// command exits, without waiting for that write to commit.
    recording: TaskTracker,
    /// Claimed (marked running in the store) and not yet started.
    ready: VecDeque<ClaimedJob>,
    limits: ActionLimits,
    disabled: DisabledActions,
    kill: CancellationToken,
}

impl Dispatcher {
    pub async fn run(self) {
        let mut state = Running {
            attempts: JoinSet::new(),
            recording: TaskTracker::new(),
            ready: VecDeque::new(),
            limits: ActionLimits::new(self.actions.values()),
            disabled: DisabledActions::default(),
            kill: CancellationToken::new(),
        };
        // A claim in progress, with the number of jobs it requested.
        let mut claiming: Option<JoinHandle<(usize, Result<Vec<ClaimedJob>, StoreError>)>> = None;
        // Set when a claim came back short: the store has no more due jobs,
        // so the next claim waits for a wake-up or for the next due time.
        let mut drained = false;

        loop {
            while let Some(joined) = state.attempts.try_join_next() {
                if let Ok(action) = joined {
                    state.limits.finished(&action);
                }
            }
            if self.shutdown.is_cancelled() {
                break;
            }
            self.start_ready(&mut state);

            if claiming.is_none() && !drained && state.ready.len() < self.workers.max(1) {
                let requested = prefetch(self.workers) - state.ready.len();
                let mut allowances = state.limits.allowances(Instant::now());
                for job in &state.ready {
                    if let Some(allowance) = allowances.get_mut(&job.action) {
                        *allowance = allowance.saturating_sub(1);
                    }
                }
                let store = self.store.clone();
                let claim = async move { (requested, store.claim_due(now_ms(), requested, allowances).await) };
                claiming = Some(tokio::spawn(claim));
            }

            let mut sleep_for = IDLE_POLL;
            if drained && state.attempts.len() < self.workers {
                let allowances = state.limits.allowances(Instant::now());
                if let Ok(Some(due)) = self.store.next_due_ms(allowances).await {
                    sleep_for = Duration::from_millis((due - now_ms()).clamp(0, IDLE_POLL.as_millis() as i64) as u64);
                }
            }
            if let Some(slot) = state.limits.next_rate_slot() {
                sleep_for = sleep_for.min(slot.saturating_duration_since(Instant::now()));
            }
            tokio::select! {
                () = self.wake.notified() => drained = false,
                Some(joined) = state.attempts.join_next(), if !state.attempts.is_empty() => {
                    if let Ok(action) = joined {
                        state.limits.finished(&action);
                    }
                }
                claimed = async { claiming.as_mut().expect("checked by the guard").await }, if claiming.is_some() => {
                    claiming = None;
                    match claimed {
                        Ok((requested, Ok(jobs))) => {
                            drained = jobs.len() < requested;
                            state.ready.extend(jobs);
                        }
                        Ok((_, Err(error))) => {
                            tracing::error!(error = %error, "claiming jobs failed");
                            drained = true;
                        }
                        Err(error) => {
                            tracing::error!(error = %error, "the claiming task failed");
                            drained = true;
                        }
                    }
                }
                () = tokio::time::sleep(sleep_for) => drained = false,
                () = self.shutdown.cancelled() => {}
            }
        }

        // Jobs claimed but not started go back to the queue as they were.
        if let Some(claim) = claiming.take() {
            if let Ok((_, Ok(jobs))) = claim.await {
                state.ready.extend(jobs);
            }
        }
        for job in state.ready.drain(..) {
            record_finish(&self.store, job.job_seq, None, NextStep::Requeue).await;
        }
        if !state.attempts.is_empty() {
            tracing::info!(running = state.attempts.len(), grace_secs = self.grace.as_secs(), "waiting for running actions");
            let finished = tokio::time::timeout(self.grace, async {
                while state.attempts.join_next().await.is_some() {}
            })
            .await;
            if finished.is_err() {
                tracing::warn!(running = state.attempts.len(), "grace period over, stopping running actions; they stay queued");
                state.kill.cancel();
                while state.attempts.join_next().await.is_some() {}
            }
        }
        state.recording.close();
        state.recording.wait().await;
    }

    /// Starts ready jobs on free workers, in claim order, skipping jobs whose
    /// action is at its concurrency or rate limit.
    fn start_ready(&self, state: &mut Running) {
        if state.ready.is_empty() || state.attempts.len() >= self.workers {
            return;
        }
        let mut allowances = state.limits.allowances(Instant::now());
        let mut waiting = VecDeque::new();
        while state.attempts.len() < self.workers {
            let Some(job) = state.ready.pop_front() else {
                break;
            };
            if let Some(allowance) = allowances.get_mut(&job.action) {
                if *allowance == 0 {
                    waiting.push_back(job);
                    continue;
                }
                *allowance -= 1;
            }
            state.limits.started(&job.action, Instant::now());
            let store = self.store.clone();
            let action = self.actions.get(&job.action).cloned();
            let kill = state.kill.clone();
            let disabled = Arc::clone(&state.disabled);
            let replies = self.replies.clone();
            let recording = state.recording.clone();
            let span = job_span(&job);
            state.attempts.spawn(
                async move {
                    let name = job.action.clone();
                    execute(store, job, action, disabled, kill, replies, recording).await;
                    name
                }
                .instrument(span),
            );
        }
        // Held-back jobs keep their place ahead of the rest.
        while let Some(job) = waiting.pop_back() {
            state.ready.push_front(job);
        }
    }
}

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
///
/// The outcome of a finished attempt is written by a task on `recording`,
/// so this returns, and frees its worker, once the attempt ends.
async fn execute(
    store: Store,
    job: ClaimedJob,
    action: Option<ActionConfig>,
    disabled: DisabledActions,
    kill: CancellationToken,
    replies: Option<Replies>,
    recording: TaskTracker,
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
    recording.spawn(
        async move {
            if let Some(replies) = &replies {
                replies.after_attempt(&action, &job, &event, &record, next).await;
            }
            record_finish(&store, job.job_seq, Some(record), next).await;
        }
        .in_current_span(),
    );
}

async fn record_finish(store: &Store, job_seq: i64, record: Option<AttemptRecord>, next: NextStep) {
    if let Err(error) = store.finish(job_seq, record, next).await {
        // The job stays `running` in the store and is queued again at the next start.
        tracing::error!(error = %error, "recording the job's outcome failed");
    }
}
