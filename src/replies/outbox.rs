//! The outbox: replies waiting in the store, and the worker that posts them.

use crate::api::{ApiError, Apis, Target};
use crate::provider::ProviderId;
use crate::store::{now_ms, Store, StoreError};
use rusqlite::{params, OptionalExtension};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS replies (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    event_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS replies_due ON replies (status, next_attempt_ms, seq);
";

/// The maximum number of replies read from the store per round.
const BATCH: usize = 256;

/// The maximum time the worker sleeps before it reads the outbox again.
const IDLE_POLL: Duration = Duration::from_secs(5);

/// How long sends still running at shutdown may go on.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How often sent and failed replies past the retention are deleted.
const PRUNE_INTERVAL: Duration = Duration::from_secs(3600);

/// What a reply does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    /// A new comment on the pull request.
    Comment,
    /// An acknowledgement of a slash-command comment.
    Ack,
}

impl ReplyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyKind::Comment => "comment",
            ReplyKind::Ack => "ack",
        }
    }

    fn parse(text: &str) -> Option<ReplyKind> {
        match text {
            "comment" => Some(ReplyKind::Comment),
            "ack" => Some(ReplyKind::Ack),
            _ => None,
        }
    }
}

/// Where a reply is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyStatus {
    Pending,
    Sent,
    Failed,
}

impl ReplyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyStatus::Pending => "pending",
            ReplyStatus::Sent => "sent",
            ReplyStatus::Failed => "failed",
        }
    }
}

/// A reply to queue.
#[derive(Debug, Clone)]
pub struct NewReply {
    /// Unique per reply: `comment/<job seq>` or `ack/<event id>`.
    pub key: String,
    pub event_id: String,
    pub kind: ReplyKind,
    pub target: Target,
    pub body: String,
}

/// A reply read back from the outbox.
#[derive(Debug, Clone)]
pub struct QueuedReply {
    pub seq: i64,
    pub key: String,
    pub event_id: String,
    pub provider: ProviderId,
    pub kind: ReplyKind,
    pub target: Target,
    pub body: String,
    pub attempts: u32,
    pub created_ms: i64,
}

/// How failed sends are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// The wait after the first failure; it doubles with each failure.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// A reply still failing this long after it was queued is given up.
    pub give_up_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(300),
            give_up_after: Duration::from_secs(24 * 3600),
        }
    }
}

impl RetryPolicy {
    fn delay(&self, failures: u32) -> Duration {
        let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(20));
        self.first_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// The `replies` table of the store.
#[derive(Clone)]
pub struct Outbox {
    store: Store,
}

impl Outbox {
    /// Creates the table when missing.
    pub async fn open(store: Store) -> Result<Outbox, StoreError> {
        store.write(|connection| Ok(connection.execute_batch(SCHEMA)?)).await?;
        Ok(Outbox { store })
    }

    /// Stores a reply; returns `false` when one with its key exists.
    pub async fn enqueue(&self, reply: NewReply, now_ms: i64) -> Result<bool, StoreError> {
        let target = serde_json::to_string(&reply.target)?;
        self.store
            .write(move |connection| {
                let changed = connection.execute(
                    "INSERT INTO replies (key, event_id, provider, kind, target, body, status, next_attempt_ms, created_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?7)
                     ON CONFLICT (key) DO NOTHING",
                    params![
                        reply.key,
                        reply.event_id,
                        reply.target.provider().as_str(),
                        reply.kind.as_str(),
                        target,
                        reply.body,
                        now_ms
                    ],
                )?;
                Ok(changed == 1)
            })
            .await
    }

    /// Pending replies due at `now_ms`, oldest first.
    pub async fn due(&self, now_ms: i64, limit: usize) -> Result<Vec<QueuedReply>, StoreError> {
        self.store
            .read(move |connection| {
                let mut statement = connection.prepare_cached(
                    "SELECT seq, key, event_id, kind, target, body, attempts, created_ms FROM replies
                     WHERE status = 'pending' AND next_attempt_ms <= ?1 ORDER BY seq LIMIT ?2",
                )?;
                let rows = statement.query_map(params![now_ms, limit as i64], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, String>(4)?,
                        row.get::<_, String>(5)?,
                        row.get::<_, u32>(6)?,
                        row.get::<_, i64>(7)?,
                    ))
                })?;
                let mut replies = Vec::new();
                for row in rows {
                    let (seq, key, event_id, kind, target, body, attempts, created_ms) = row?;
                    let target: Target = serde_json::from_str(&target)?;
                    let Some(kind) = ReplyKind::parse(&kind) else { continue };
                    replies.push(QueuedReply {
                        seq,
                        key,
                        event_id,
                        provider: target.provider(),
                        kind,
                        target,
                        body,
                        attempts,
                        created_ms,
                    });
                }
                Ok(replies)
            })
            .await
    }

    /// Returns the earliest time a pending reply becomes due, in Unix milliseconds.
    pub async fn next_due_ms(&self) -> Result<Option<i64>, StoreError> {
        self.store
            .read(|connection| {
                Ok(connection.query_row("SELECT MIN(next_attempt_ms) FROM replies WHERE status = 'pending'", [], |row| row.get(0))?)
            })
            .await
    }

    /// Counts the replies in each status.
    pub async fn counts(&self) -> Result<HashMap<String, i64>, StoreError> {
        self.store
            .read(|connection| {
                let mut statement = connection.prepare_cached("SELECT status, COUNT(*) FROM replies GROUP BY status")?;
                let rows = statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)))?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .await
    }

    /// Reads the stored payload of a delivery, decoded from JSON or from
    /// GitHub's form encoding (`payload=`).
    pub async fn delivery_payload(&self, event_id: &str) -> Result<Option<Value>, StoreError> {
        let event_id = event_id.to_owned();
        let body: Option<Vec<u8>> = self
            .store
            .read(move |connection| {
                let stored: Option<(Vec<u8>, Option<String>)> = connection
                    .query_row("SELECT body, body_encoding FROM deliveries WHERE id = ?1", params![event_id], |row| {
                        Ok((row.get(0)?, row.get(1)?))
                    })
                    .optional()?;
                stored.map(|(body, encoding)| crate::store::decode_body(body, encoding.as_deref())).transpose()
            })
            .await?;
        let Some(body) = body else {
            return Ok(None);
        };
        if let Ok(value) = serde_json::from_slice::<Value>(&body) {
            return Ok(Some(value));
        }
        let form_payload = url::form_urlencoded::parse(&body).find(|(name, _)| name == "payload").map(|(_, value)| value.into_owned());
        Ok(form_payload.and_then(|text| serde_json::from_str(&text).ok()))
    }

    /// Deletes sent and failed replies queued before `before_ms`.
    pub async fn prune(&self, before_ms: i64) -> Result<usize, StoreError> {
        self.store
            .write(move |connection| {
                Ok(connection.execute(
                    "DELETE FROM replies WHERE status IN ('sent', 'failed') AND created_ms < ?1",
                    params![before_ms],
                )?)
            })
            .await
    }

    async fn mark_sent(&self, seq: i64) -> Result<(), StoreError> {
        self.store
            .write(move |connection| {
                connection.execute("UPDATE replies SET status = 'sent', attempts = attempts + 1 WHERE seq = ?1", params![seq])?;
                Ok(())
            })
            .await
    }

    async fn mark_retry(&self, seq: i64, next_attempt_ms: i64, error: String) -> Result<(), StoreError> {
        self.store
            .write(move |connection| {
                connection.execute(
                    "UPDATE replies SET attempts = attempts + 1, next_attempt_ms = ?2, last_error = ?3 WHERE seq = ?1",
                    params![seq, next_attempt_ms, error],
                )?;
                Ok(())
            })
            .await
    }

    async fn mark_failed(&self, seq: i64, error: String) -> Result<(), StoreError> {
        self.store
            .write(move |connection| {
                connection.execute(
                    "UPDATE replies SET status = 'failed', attempts = attempts + 1, last_error = ?2 WHERE seq = ?1",
                    params![seq, error],
                )?;
                Ok(())
            })
            .await
    }
}

/// Posts queued replies: one sending task per provider at a time, oldest
/// first, skipping a provider while its host's breaker is open or a rate
/// limit pauses it.
pub struct ReplyWorker {
    outbox: Outbox,
    apis: Arc<Apis>,
    wake: Arc<Notify>,
    policy: RetryPolicy,
    shutdown: CancellationToken,
    /// Sent and failed replies older than this are deleted; `None` keeps them.
    retention: Option<Duration>,
}

impl ReplyWorker {
    pub fn new(outbox: Outbox, apis: Arc<Apis>, wake: Arc<Notify>, policy: RetryPolicy, shutdown: CancellationToken) -> ReplyWorker {
        ReplyWorker { outbox, apis, wake, policy, shutdown, retention: None }
    }

    /// Deletes sent and failed replies once they are older than `retention`.
    pub fn with_retention(mut self, retention: Duration) -> ReplyWorker {
        self.retention = Some(retention);
        self
    }

    async fn prune(&self) {
        let Some(retention) = self.retention else { return };
        let before_ms = now_ms() - retention.as_millis() as i64;
        match self.outbox.prune(before_ms).await {
            Ok(0) => {}
            Ok(deleted) => tracing::debug!(deleted, "old replies deleted"),
            Err(error) => tracing::error!(error = %error, "deleting old replies failed"),
        }
    }

    /// Runs until shutdown.
    pub async fn run(self) {
        let mut sending: JoinSet<ProviderId> = JoinSet::new();
        let mut busy: HashSet<ProviderId> = HashSet::new();
        let mut next_prune = Instant::now();
        loop {
            if self.shutdown.is_cancelled() {
                break;
            }
            if Instant::now() >= next_prune {
                self.prune().await;
                next_prune = Instant::now() + PRUNE_INTERVAL;
            }
            let mut wake_at = Instant::now() + IDLE_POLL;
            match self.outbox.due(now_ms(), BATCH).await {
                Ok(due) => {
                    for (provider, batch) in group_by_provider(due) {
                        if busy.contains(&provider) {
                            continue;
                        }
                        if let Some(until) = self.apis.blocked_until(provider) {
                            wake_at = wake_at.min(until);
                            continue;
                        }
                        busy.insert(provider);
                        let (outbox, apis, policy) = (self.outbox.clone(), Arc::clone(&self.apis), self.policy);
                        sending.spawn(async move {
                            send_batch(&outbox, &apis, policy, batch).await;
                            provider
                        });
                    }
                }
                Err(error) => tracing::error!(error = %error, "reading queued replies failed"),
            }
            // Replies due now are either being sent (the task's end wakes
            // this loop) or blocked (`wake_at` already covers them), so
            // only a later due time matters here.
            if let Ok(Some(due_ms)) = self.outbox.next_due_ms().await {
                let wait_ms = due_ms - now_ms();
                if wait_ms > 0 {
                    wake_at = wake_at.min(Instant::now() + Duration::from_millis(wait_ms as u64));
                }
            }

            tokio::select! {
                () = self.wake.notified() => {}
                Some(finished) = sending.join_next(), if !sending.is_empty() => {
                    if let Ok(provider) = finished {
                        busy.remove(&provider);
                    }
                }
                () = tokio::time::sleep_until(wake_at) => {}
                () = self.shutdown.cancelled() => {}
            }
        }
        if tokio::time::timeout(SHUTDOWN_GRACE, async { while sending.join_next().await.is_some() {} }).await.is_err() {
            // A reply whose send was cut off stays pending and is posted
            // again at the next start, possibly a second time.
            tracing::warn!("replies still sending at shutdown were stopped; they stay queued");
            sending.shutdown().await;
        }
    }
}

fn group_by_provider(due: Vec<QueuedReply>) -> Vec<(ProviderId, Vec<QueuedReply>)> {
    let mut groups: Vec<(ProviderId, Vec<QueuedReply>)> = Vec::new();
    for reply in due {
        match groups.iter_mut().find(|(provider, _)| *provider == reply.provider) {
            Some((_, batch)) => batch.push(reply),
            None => groups.push((reply.provider, vec![reply])),
        }
    }
    groups
}

/// Sends one provider's due replies in order, stopping when its breaker
/// opens or a rate limit pauses it; the rest wait in the store.
async fn send_batch(outbox: &Outbox, apis: &Apis, policy: RetryPolicy, batch: Vec<QueuedReply>) {
    for reply in batch {
        if apis.blocked_until(reply.provider).is_some() {
            return;
        }
        let result = match reply.kind {
            ReplyKind::Comment => apis.post_comment(&reply.target, &reply.body).await,
            ReplyKind::Ack => apis.ack(&reply.target, &reply.body).await,
        };
        let span = tracing::info_span!("reply", provider = reply.provider.as_str(), kind = reply.kind.as_str(), id = %reply.event_id);
        let _entered = span.enter();
        let recorded = match result {
            Ok(()) => {
                tracing::info!("reply posted");
                outbox.mark_sent(reply.seq).await
            }
            Err(ApiError::BreakerOpen { .. }) => {
                tracing::debug!("reply waits: the circuit breaker is open");
                return;
            }
            Err(error) if error.is_retryable() && !given_up(&reply, policy) => {
                let delay = policy.delay(reply.attempts + 1);
                let error = error_chain(&error);
                tracing::warn!(error = %error, retry_in_ms = delay.as_millis() as u64, "posting the reply failed, will retry");
                outbox.mark_retry(reply.seq, now_ms() + delay.as_millis() as i64, error).await
            }
            Err(error) => {
                let error = error_chain(&error);
                tracing::error!(error = %error, attempts = reply.attempts + 1, "posting the reply failed, giving up");
                outbox.mark_failed(reply.seq, error).await
            }
        };
        if let Err(error) = recorded {
            // The reply stays pending and may be posted a second time.
            tracing::error!(error = %error, "recording the reply's outcome failed");
        }
    }
}

/// Joins an error and its sources, such as "request to HOST failed:
/// error sending request: operation timed out".
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn given_up(reply: &QueuedReply, policy: RetryPolicy) -> bool {
    now_ms() - reply.created_ms >= policy.give_up_after.as_millis() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::gitlab::GitlabTarget;

    fn reply(key: &str) -> NewReply {
        NewReply {
            key: key.into(),
            event_id: "e-1".into(),
            kind: ReplyKind::Comment,
            target: Target::Gitlab(GitlabTarget { project_id: 1, merge_request_iid: 2, note_id: None }),
            body: "hello".into(),
        }
    }

    #[tokio::test]
    async fn same_key_queued_once() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(Store::open(dir.path()).unwrap()).await.unwrap();
        assert!(outbox.enqueue(reply("comment/1"), 10).await.unwrap());
        assert!(!outbox.enqueue(reply("comment/1"), 10).await.unwrap());
        assert_eq!(outbox.due(10, 10).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn retry_moves_due_time() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(Store::open(dir.path()).unwrap()).await.unwrap();
        outbox.enqueue(reply("comment/1"), 10).await.unwrap();
        let seq = outbox.due(10, 10).await.unwrap()[0].seq;
        outbox.mark_retry(seq, 500, "boom".into()).await.unwrap();
        assert!(outbox.due(499, 10).await.unwrap().is_empty());
        assert_eq!(outbox.due(500, 10).await.unwrap()[0].attempts, 1);
        outbox.mark_sent(seq).await.unwrap();
        assert!(outbox.due(i64::MAX, 10).await.unwrap().is_empty());
        assert_eq!(outbox.prune(10).await.unwrap(), 0);
        assert_eq!(outbox.prune(11).await.unwrap(), 1);
    }

    #[test]
    fn delay_doubles_to_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(1), Duration::from_secs(1));
        assert_eq!(policy.delay(3), Duration::from_secs(4));
        assert_eq!(policy.delay(30), Duration::from_secs(300));
    }
}
