//! The dispatcher: takes stored jobs in order of arrival and runs them on
//! up to `workers` at once, with retries, until shutdown.

use crate::config::ActionConfig;
use crate::event::Event;
use crate::replies::Replies;
use crate::runner::{retry_delay, run_action, AttemptOutcome};
use crate::store::{now_ms, AttemptRecord, ClaimedJob, NextStep, Store};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
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
        let mut running: JoinSet<()> = JoinSet::new();
        let mut running_actions: HashMap<String, usize> = HashMap::new();
        let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<String>();

        loop {
            while let Ok(action) = done_rx.try_recv() {
                if let Some(count) = running_actions.get_mut(&action) {
                    *count = count.saturating_sub(1);
                }
            }
            if self.shutdown.is_cancelled() {
                break;
            }
            let free = self.workers.saturating_sub(running.len());
            let mut claimed = Vec::new();
            if free > 0 {
                match self.store.claim_due(now_ms(), free, Vec::new()).await {
                    Ok(jobs) => claimed = jobs,
                    Err(error) => tracing::error!(error = %error, "claiming jobs failed"),
                }
            }
            let claimed_any = !claimed.is_empty();
            for job in claimed {
                *running_actions.entry(job.action.clone()).or_default() += 1;
                let store = self.store.clone();
                let action = self.actions.get(&job.action).cloned();
                let kill = kill.clone();
                let replies = self.replies.clone();
                let done_tx = done_tx.clone();
                let span = tracing::info_span!("job", action = %job.action, id = %job.event_id, attempt = job.attempts + 1);
                running.spawn(
                    async move {
                        let name = job.action.clone();
                        execute(store, job, action, kill, replies).await;
                        let _ = done_tx.send(name);
                    }
                    .instrument(span),
                );
            }
            if claimed_any && running.len() < self.workers {
                // More may be due right away.
                continue;
            }

            let sleep_for = if running.len() >= self.workers {
                IDLE_POLL
            } else {
                match self.store.next_due_ms().await {
                    Ok(Some(due)) => Duration::from_millis((due - now_ms()).clamp(0, IDLE_POLL.as_millis() as i64) as u64),
                    _ => IDLE_POLL,
                }
            };
            tokio::select! {
                () = self.wake.notified() => {}
                Some(_) = running.join_next(), if !running.is_empty() => {}
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

/// Runs one claimed job and records its outcome.
async fn execute(store: Store, job: ClaimedJob, action: Option<ActionConfig>, kill: CancellationToken, replies: Option<Replies>) {
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
    let (outcome, record) = run_action(&action, &event, &job.normalized, kill).await;
    let attempt = job.attempts + 1;
    let next = match outcome {
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
            let delay = retry_delay(attempt);
            tracing::warn!(
                error = record.error.as_deref().unwrap_or(""),
                retry_in_ms = delay.as_millis() as u64,
                "action failed, will retry"
            );
            NextStep::RetryAt(now_ms() + delay.as_millis() as i64)
        }
        AttemptOutcome::Failure | AttemptOutcome::Timeout => {
            tracing::error!(
                error = record.error.as_deref().unwrap_or(""),
                attempts = attempt,
                "action failed, no retries left"
            );
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
