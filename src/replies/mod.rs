//! Replies on the pull request: an action's output (`reply = "output"`),
//! a failure notice (`reply_on_failure`) and the acknowledgement of a
//! slash command (`ack`).
//!
//! Replies are not sent by the dispatcher itself. They are queued in the
//! store's `replies` table (the outbox) and posted by [`ReplyWorker`]. So a
//! reply that cannot be sent while a provider's circuit breaker is open
//! waits in the store, and it goes out when the breaker closes without the
//! action running again. Each reply has a unique key, so queuing it twice
//! (a job run again after a crash) posts it once.

mod outbox;

pub use outbox::{NewReply, Outbox, QueuedReply, ReplyKind, ReplyStatus, ReplyWorker, RetryPolicy};

use crate::api::{Apis, Target};
use crate::config::ActionConfig;
use crate::event::Event;
use crate::provider::ProviderId;
use crate::store::{now_ms, AttemptRecord, ClaimedJob, NextStep, Store, StoreError};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// The hidden marker in every reply on GitHub and GitLab, whose Markdown
/// renderers hide HTML comments.
pub const HTML_MARKER: &str = "<!-- prhook -->";

/// The hidden marker on Azure DevOps and Bitbucket Server: a CommonMark
/// link reference definition, which renders as nothing.
// NOTE: chosen because Bitbucket Server escapes raw HTML in comments; how
// Azure DevOps renders HTML comments was not checked against a live server.
pub const LINK_MARKER: &str = "[//]: # (prhook)";

/// Returns the marker written into replies on `provider`.
pub fn marker(provider: ProviderId) -> &'static str {
    match provider {
        ProviderId::Github | ProviderId::Gitlab => HTML_MARKER,
        ProviderId::AzureDevops | ProviderId::BitbucketServer => LINK_MARKER,
    }
}

/// Tells whether a comment body carries prhook's marker.
pub fn has_marker(body: &str) -> bool {
    body.contains(HTML_MARKER) || body.contains(LINK_MARKER)
}

/// Returns the maximum comment length each provider accepts, in characters.
///
/// GitHub rejects longer bodies with 422 "Body is too long (maximum is
/// 65536 characters)". GitLab's notes API documents `body` as "Limited to
/// 1,000,000 characters". Azure DevOps rejects longer content with "A
/// discussion comment cannot be longer than 150000 characters", a limit
/// it does not document.
// NOTE: no Bitbucket Server comment limit was found. 32,768 is the limit
// Atlassian's tracker (BSERV-14135) gives for pull request descriptions,
// assumed to hold for comments too. None of these values was checked
// against a live server.
pub fn comment_limit(provider: ProviderId) -> usize {
    match provider {
        ProviderId::Github => 65_536,
        ProviderId::Gitlab => 1_000_000,
        ProviderId::AzureDevops => 150_000,
        ProviderId::BitbucketServer => 32_768,
    }
}

/// Builds the comment for an action's stdout: trimmed of surrounding white
/// space, cut to the provider's limit with a note saying so, and marked.
/// Returns `None` for empty output.
pub fn output_comment(provider: ProviderId, stdout: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(stdout);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let marker = marker(provider);
    let limit = comment_limit(provider);
    let total = text.chars().count();
    let fixed = marker.chars().count() + 1;
    if total + fixed <= limit {
        return Some(format!("{marker}\n{text}"));
    }
    // The note's length depends on the kept count; the count's digits are
    // bounded by the total's, so measure the note with the total.
    let note_for = |kept: usize| format!("\n\n_Output cut by prhook: showing the first {kept} of {total} characters._");
    let room = limit.saturating_sub(fixed + note_for(total).chars().count());
    let kept: String = text.chars().take(room).collect();
    Some(format!("{marker}\n{kept}{}", note_for(room)))
}

/// Builds the short comment posted when an action failed for good.
pub fn failure_comment(provider: ProviderId, action: &str, record: &AttemptRecord, attempts: u32) -> String {
    let reason = match (record.outcome.as_str(), record.exit_code) {
        ("timeout", _) => "it timed out".to_owned(),
        (_, Some(code)) => format!("it exited with code {code}"),
        _ => record.error.clone().map_or_else(|| "it failed".to_owned(), |error| format!("error: {error}")),
    };
    let tries = if attempts == 1 { "1 attempt".to_owned() } else { format!("{attempts} attempts") };
    format!("{}\n**prhook**: action `{action}` failed after {tries}; {reason}. The server log has the details.", marker(provider))
}

/// Builds the text of an acknowledgement on providers that acknowledge
/// with a comment (Azure DevOps, Bitbucket Server).
pub fn ack_comment(provider: ProviderId, command: &str) -> String {
    format!("{}\n👀 prhook received `/{command}` and queued it.", marker(provider))
}

/// Everything needed to queue and post replies; cheap to clone.
#[derive(Clone)]
pub struct Replies {
    pub apis: Arc<Apis>,
    pub outbox: Outbox,
    /// Woken when a reply is queued.
    pub wake: Arc<Notify>,
}

impl Replies {
    /// Opens the outbox table in `store`.
    pub async fn new(store: Store, apis: Arc<Apis>) -> Result<Replies, StoreError> {
        let outbox = Outbox::open(store).await?;
        Ok(Replies { apis, outbox, wake: Arc::new(Notify::new()) })
    }

    /// Creates the worker that posts queued replies, to be spawned.
    pub fn worker(&self, policy: RetryPolicy, shutdown: CancellationToken) -> ReplyWorker {
        ReplyWorker::new(self.outbox.clone(), Arc::clone(&self.apis), Arc::clone(&self.wake), policy, shutdown)
    }

    /// Looks up the login of each provider's API account in the
    /// background, retrying until it succeeds or `shutdown`, so that
    /// comments written by that account never trigger actions.
    pub fn spawn_own_login_lookups(&self, shutdown: CancellationToken) {
        for provider in ProviderId::ALL {
            if !self.apis.configured(provider) {
                continue;
            }
            let apis = Arc::clone(&self.apis);
            let shutdown = shutdown.clone();
            tokio::spawn(async move {
                let mut delay = Duration::from_secs(5);
                loop {
                    match apis.fetch_own_login(provider).await {
                        Ok(login) => {
                            tracing::info!(provider = provider.as_str(), login = %login, "API account found; its comments never trigger actions");
                            return;
                        }
                        Err(error) => {
                            tracing::warn!(provider = provider.as_str(), error = %error, retry_in_secs = delay.as_secs(), "looking up the API account failed");
                        }
                    }
                    tokio::select! {
                        () = tokio::time::sleep(delay) => {}
                        () = shutdown.cancelled() => return,
                    }
                    delay = (delay * 2).min(Duration::from_secs(300));
                }
            });
        }
    }

    /// Renders the breaker states and the outbox counts in the Prometheus
    /// text format, for the `/metrics` route.
    pub async fn render_metrics(&self) -> String {
        use std::fmt::Write;
        let mut text = String::new();
        text.push_str("# HELP prhook_circuit_breaker_state Circuit breaker per provider API host: 0 closed, 1 open, 2 half-open.\n");
        text.push_str("# TYPE prhook_circuit_breaker_state gauge\n");
        for (host, state) in self.apis.breaker_states() {
            let _ = writeln!(text, "prhook_circuit_breaker_state{{host=\"{}\"}} {}", label_value(&host), state.as_gauge());
        }
        text.push_str("# HELP prhook_replies Replies in the outbox by status.\n");
        text.push_str("# TYPE prhook_replies gauge\n");
        let counts = match self.outbox.counts().await {
            Ok(counts) => counts,
            Err(error) => {
                tracing::error!(error = %error, "counting replies for metrics failed");
                Default::default()
            }
        };
        for status in [ReplyStatus::Pending, ReplyStatus::Sent, ReplyStatus::Failed] {
            let count = counts.get(status.as_str()).copied().unwrap_or(0);
            let _ = writeln!(text, "prhook_replies{{status=\"{}\"}} {count}", status.as_str());
        }
        text
    }

    /// Returns the login of `provider`'s API account, once looked up.
    pub fn own_login(&self, provider: ProviderId) -> Option<String> {
        self.apis.own_login(provider)
    }

    /// Queues an acknowledgement for a slash-command comment that an action
    /// with `ack = true` selected. Runs in the background so that the
    /// response to the provider does not wait for it.
    pub fn on_accept(&self, event: &Event, payload: &Value, actions: &[ActionConfig]) {
        let Some(command) = &event.command else {
            return;
        };
        if !actions.iter().any(|action| action.ack && action.selects(event)) {
            return;
        }
        let Some(provider) = ProviderId::parse(&event.provider) else {
            return;
        };
        if !self.apis.configured(provider) {
            tracing::debug!(provider = provider.as_str(), "ack skipped: the provider has no API token");
            return;
        }
        let Some(target) = Target::from_payload(provider, payload).filter(Target::has_comment) else {
            tracing::debug!("ack skipped: the delivery names no comment");
            return;
        };
        let reply = outbox::NewReply {
            key: format!("ack/{}", event.id),
            event_id: event.id.clone(),
            kind: ReplyKind::Ack,
            target,
            body: ack_comment(provider, &command.name),
        };
        let replies = self.clone();
        tokio::spawn(async move {
            replies.queue(reply).await;
        });
    }

    /// Queues the reply an attempt calls for, if any: the output after a
    /// success with `reply = "output"`, or a notice after the last failed
    /// attempt with `reply_on_failure`. Call it after every attempt, before
    /// the job's outcome is recorded, so a crash in between queues the
    /// reply again under the same key instead of losing it.
    pub async fn after_attempt(&self, action: &ActionConfig, job: &ClaimedJob, event: &Event, record: &AttemptRecord, next: NextStep) {
        let body = match next {
            NextStep::Done if action.reply => match ProviderId::parse(&event.provider) {
                Some(provider) => output_comment(provider, &record.stdout),
                None => None,
            },
            NextStep::Failed if action.reply_on_failure => {
                ProviderId::parse(&event.provider).map(|provider| failure_comment(provider, &action.name, record, job.attempts + 1))
            }
            _ => None,
        };
        let Some(body) = body else {
            return;
        };
        let Some(provider) = ProviderId::parse(&event.provider) else {
            return;
        };
        if !self.apis.configured(provider) {
            tracing::warn!(provider = provider.as_str(), "reply skipped: the provider has no API token");
            return;
        }
        let target = match self.outbox.delivery_payload(&job.event_id).await {
            Ok(Some(payload)) => Target::from_payload(provider, &payload),
            Ok(None) => None,
            Err(error) => {
                tracing::error!(error = %error, "reading the delivery for its reply failed; no reply is posted");
                return;
            }
        };
        let Some(target) = target else {
            tracing::debug!("reply skipped: the delivery names no pull request");
            return;
        };
        let reply = outbox::NewReply {
            key: format!("comment/{}", job.job_seq),
            event_id: job.event_id.clone(),
            kind: ReplyKind::Comment,
            target,
            body,
        };
        self.queue(reply).await;
    }

    async fn queue(&self, reply: outbox::NewReply) {
        let kind = reply.kind;
        match self.outbox.enqueue(reply, now_ms()).await {
            Ok(true) => {
                tracing::debug!(kind = kind.as_str(), "reply queued");
                self.wake.notify_one();
            }
            Ok(false) => tracing::debug!(kind = kind.as_str(), "reply already queued"),
            // NOTE: the job's outcome is still recorded, so this reply is
            // lost; a store that cannot write fails the job's record too.
            Err(error) => tracing::error!(error = %error, kind = kind.as_str(), "queuing the reply failed"),
        }
    }
}

/// Escapes a Prometheus label value.
fn label_value(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(outcome: &str, exit_code: Option<i32>) -> AttemptRecord {
        AttemptRecord {
            started_ms: 0,
            finished_ms: 1,
            outcome: outcome.into(),
            exit_code,
            http_status: None,
            error: None,
            stdout: Vec::new(),
            stderr: Vec::new(),
        }
    }

    #[test]
    fn output_is_trimmed_and_marked() {
        let comment = output_comment(ProviderId::Github, b"\n  LGTM\n\n").unwrap();
        assert_eq!(comment, "<!-- prhook -->\nLGTM");
    }

    #[test]
    fn empty_output_posts_nothing() {
        assert_eq!(output_comment(ProviderId::Gitlab, b" \n\t"), None);
    }

    #[test]
    fn long_output_is_cut_to_limit() {
        let stdout = "é".repeat(70_000);
        let comment = output_comment(ProviderId::Github, stdout.as_bytes()).unwrap();
        assert!(comment.chars().count() <= 65_536);
        assert!(comment.ends_with("of 70000 characters._"));
        assert!(comment.starts_with("<!-- prhook -->\néé"));
    }

    #[test]
    fn output_at_limit_is_kept() {
        let stdout = "x".repeat(32_768 - LINK_MARKER.len() - 1);
        let comment = output_comment(ProviderId::BitbucketServer, stdout.as_bytes()).unwrap();
        assert_eq!(comment.chars().count(), 32_768);
        assert!(!comment.contains("Output cut"));
    }

    #[test]
    fn failure_names_exit_code() {
        let comment = failure_comment(ProviderId::Gitlab, "review", &record("failure", Some(3)), 4);
        assert!(comment.contains("action `review` failed after 4 attempts; it exited with code 3"));
        assert!(has_marker(&comment));
    }

    #[test]
    fn failure_names_timeout() {
        let comment = failure_comment(ProviderId::AzureDevops, "review", &record("timeout", None), 1);
        assert!(comment.contains("after 1 attempt; it timed out"));
    }

    #[test]
    fn markers_detected() {
        assert!(has_marker("LGTM\n<!-- prhook -->"));
        assert!(has_marker(&ack_comment(ProviderId::BitbucketServer, "review")));
        assert!(!has_marker("<!-- other bot -->"));
    }

    #[tokio::test]
    async fn metrics_list_breakers_and_replies() {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::config::Config::from_text(
            None,
            "[gitlab]\nwebhook_secret = \"s\"\napi_url = \"http://127.0.0.1:9/api/v4\"\ntoken = \"t\"\n",
            &crate::config::Overrides::default(),
            &|_| None,
        )
        .unwrap();
        let apis = Arc::new(Apis::from_config(&config).unwrap());
        let replies = Replies::new(Store::open(dir.path()).unwrap(), apis).await.unwrap();

        let text = replies.render_metrics().await;
        assert!(text.contains("prhook_circuit_breaker_state{host=\"127.0.0.1:9\"} 0\n"), "{text}");
        assert!(text.contains("prhook_replies{status=\"pending\"} 0\n"), "{text}");
    }
}
