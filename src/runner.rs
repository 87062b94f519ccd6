//! Runs one attempt of an action. A command action is a child process
//! without a shell, with the event JSON on stdin, a clean environment and
//! a timeout that kills the whole process group. A forward action is an
//! HTTP POST (see [`crate::forward`]).

use crate::config::{ActionConfig, ActionTarget};
use crate::event::Event;
use crate::forward::{forward, ForwardOutcome};
use crate::store::{now_ms, AttemptRecord};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

/// Maximum bytes of stdout and of stderr kept per attempt. The rest is
/// read and dropped, so the child never blocks on a full pipe.
pub const OUTPUT_LIMIT: usize = 64 * 1024;

/// Variables passed through from prhook's own environment.
const INHERITED_VARIABLES: [&str; 4] = ["PATH", "HOME", "LANG", "TZ"];

/// The end state of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    Success,
    Failure,
    Timeout,
    /// Stopped by shutdown: not counted, the job is queued again.
    Interrupted,
    /// A forward URL responded 410 Gone, so the action is disabled.
    Gone,
}

/// One attempt's outcome, its record for the store, and the wait the
/// target asked for before the next attempt (a forward's `Retry-After`).
#[derive(Debug, Clone)]
pub struct AttemptResult {
    pub outcome: AttemptOutcome,
    pub record: AttemptRecord,
    pub retry_after: Option<Duration>,
}

impl AttemptOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Success => "success",
            AttemptOutcome::Failure => "failure",
            AttemptOutcome::Timeout => "timeout",
            AttemptOutcome::Interrupted => "interrupted",
            AttemptOutcome::Gone => "gone",
        }
    }
}

/// Runs one attempt of `action` for `event`.
///
/// `cancel` stops the attempt (killing the process group) when shutdown's
/// grace period is over.
pub async fn run_action(action: &ActionConfig, event: &Event, event_json: &str, cancel: CancellationToken) -> AttemptResult {
    let started_ms = now_ms();
    let mut http_status = None;
    let mut retry_after = None;
    let (outcome, exit_code, error, stdout, stderr) = match &action.target {
        ActionTarget::Run { program, args } => {
            let event_value: serde_json::Value = serde_json::from_str(event_json).unwrap_or_default();
            let program = program.expand(&event_value).into_iter().next().unwrap_or_default();
            let args: Vec<String> = args.iter().flat_map(|arg| arg.expand(&event_value)).collect();
            run_command(action, event, &program, &args, event_json, cancel).await
        }
        ActionTarget::Forward { url, secret } => {
            let attempt = forward(url, secret.as_ref(), &event.id, event_json.as_bytes(), action.timeout, cancel).await;
            http_status = attempt.http_status;
            let (outcome, error) = match attempt.outcome {
                ForwardOutcome::Delivered => (AttemptOutcome::Success, None),
                ForwardOutcome::Gone => (AttemptOutcome::Gone, Some(format!("{url} answered 410 Gone"))),
                ForwardOutcome::Throttled { retry_after: wait } => {
                    retry_after = wait;
                    let status = attempt.http_status.unwrap_or_default();
                    (AttemptOutcome::Failure, Some(format!("{url} answered HTTP {status}")))
                }
                ForwardOutcome::Failed { error } => (AttemptOutcome::Failure, Some(error)),
                ForwardOutcome::TimedOut => {
                    (AttemptOutcome::Timeout, Some(format!("POST {url} timed out after {} s", action.timeout.as_secs())))
                }
                ForwardOutcome::Interrupted => (AttemptOutcome::Interrupted, Some("interrupted by shutdown".into())),
            };
            // The receiver's response body is stored where a command's stdout goes.
            (outcome, None, error, attempt.response, Vec::new())
        }
        ActionTarget::Handler(handler) => run_handler(action, event, &handler.0, cancel).await,
    };
    let record = AttemptRecord {
        started_ms,
        finished_ms: now_ms(),
        outcome: outcome.as_str().to_owned(),
        exit_code,
        http_status,
        error,
        stdout,
        stderr,
    };
    AttemptResult { outcome, record, retry_after }
}

type CommandResult = (AttemptOutcome, Option<i32>, Option<String>, Vec<u8>, Vec<u8>);

/// Runs an in-process handler under the action's timeout.
async fn run_handler(
    action: &ActionConfig,
    event: &Event,
    handler: &std::sync::Arc<dyn crate::handler::EventHandler>,
    cancel: CancellationToken,
) -> CommandResult {
    tokio::select! {
        result = tokio::time::timeout(action.timeout, handler.handle(event)) => match result {
            Ok(Ok(())) => (AttemptOutcome::Success, None, None, Vec::new(), Vec::new()),
            Ok(Err(error)) => (AttemptOutcome::Failure, None, Some(format!("handler failed: {error}")), Vec::new(), Vec::new()),
            Err(_) => {
                let message = format!("handler timed out after {} s", action.timeout.as_secs());
                (AttemptOutcome::Timeout, None, Some(message), Vec::new(), Vec::new())
            }
        },
        () = cancel.cancelled() => (AttemptOutcome::Interrupted, None, Some("interrupted by shutdown".into()), Vec::new(), Vec::new()),
    }
}

async fn run_command(
    action: &ActionConfig,
    event: &Event,
    program: &str,
    args: &[String],
    event_json: &str,
    cancel: CancellationToken,
) -> CommandResult {
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(&action.cwd)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for name in INHERITED_VARIABLES {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    for (name, value) in prhook_variables(event) {
        command.env(name, value);
    }
    for (name, secret) in &action.env {
        command.env(name, std::ffi::OsStr::from_bytes_compat(secret.expose()));
    }
    // A process group of its own lets a timeout kill the children too.
    //
    // NOTE: a command outlives a prhook killed with SIGKILL, and its job
    // runs again at the next start. PR_SET_PDEATHSIG would end it with
    // prhook, but it needs a `pre_exec` hook. With a hook, the standard
    // library forks the whole multi-threaded process instead of using
    // posix_spawn, and copying its page tables cut throughput to a third
    // with `/bin/true` as the action.
    #[cfg(unix)]
    command.process_group(0);

    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(error) => {
            let message = format!("cannot start {program:?}: {error}");
            return (AttemptOutcome::Failure, None, Some(message), Vec::new(), Vec::new());
        }
    };
    let pid = child.id();

    let stdin = child.stdin.take();
    let input = event_json.as_bytes().to_vec();
    let feed = async move {
        if let Some(mut stdin) = stdin {
            // A child that does not read stdin closes the pipe; that is not an error.
            let _ = stdin.write_all(&input).await;
            let _ = stdin.shutdown().await;
        }
    };
    let stdout = read_bounded(child.stdout.take());
    let stderr = read_bounded(child.stderr.take());
    let wait = async {
        let (_, stdout, stderr, status) = tokio::join!(feed, stdout, stderr, child.wait());
        (stdout, stderr, status)
    };

    tokio::select! {
        (stdout, stderr, status) = wait => match status {
            Ok(status) if status.success() => (AttemptOutcome::Success, status.code(), None, stdout, stderr),
            Ok(status) => {
                let message = match status.code() {
                    Some(code) => format!("{program} exited with status {code}"),
                    None => format!("{program} was killed by a signal"),
                };
                (AttemptOutcome::Failure, status.code(), Some(message), stdout, stderr)
            }
            Err(error) => (AttemptOutcome::Failure, None, Some(format!("waiting for {program} failed: {error}")), stdout, stderr),
        },
        () = tokio::time::sleep(action.timeout) => {
            kill_group(pid);
            let message = format!("{program} timed out after {} s", action.timeout.as_secs());
            (AttemptOutcome::Timeout, None, Some(message), Vec::new(), Vec::new())
        }
        () = cancel.cancelled() => {
            kill_group(pid);
            (AttemptOutcome::Interrupted, None, Some("interrupted by shutdown".into()), Vec::new(), Vec::new())
        }
    }
}

fn kill_group(pid: Option<u32>) {
    #[cfg(unix)]
    if let Some(pid) = pid {
        // SAFETY: kill(2) with a negative pid signals the process group the
        // child leads; it has no memory effects on this process.
        unsafe {
            libc::kill(-(pid as i32), libc::SIGKILL);
        }
    }
}

async fn read_bounded(pipe: Option<impl AsyncRead + Unpin>) -> Vec<u8> {
    let Some(mut pipe) = pipe else { return Vec::new() };
    let mut kept = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        match pipe.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => {
                let room = OUTPUT_LIMIT.saturating_sub(kept.len());
                kept.extend_from_slice(&buffer[..read.min(room)]);
            }
        }
    }
    kept
}

/// Lists the `PRHOOK_*` variables of an event.
pub fn prhook_variables(event: &Event) -> Vec<(&'static str, String)> {
    let pull_request = event.pull_request.as_ref();
    let text = |value: Option<&String>| value.cloned().unwrap_or_default();
    vec![
        ("PRHOOK_ID", event.id.clone()),
        ("PRHOOK_PROVIDER", event.provider.clone()),
        ("PRHOOK_EVENT", event.event.clone()),
        ("PRHOOK_KIND", event.kind.to_string()),
        ("PRHOOK_ACTION", event.action.to_string()),
        ("PRHOOK_DELIVERY_ID", event.delivery_id.clone()),
        ("PRHOOK_REPOSITORY", text(event.repository.as_ref().map(|r| &r.full_name))),
        ("PRHOOK_PR_NUMBER", pull_request.map(|pr| pr.number.to_string()).unwrap_or_default()),
        ("PRHOOK_PR_URL", text(pull_request.and_then(|pr| pr.url.as_ref()))),
        ("PRHOOK_PR_TITLE", text(pull_request.map(|pr| &pr.title))),
        ("PRHOOK_SOURCE_BRANCH", text(pull_request.and_then(|pr| pr.source_branch.as_ref()))),
        ("PRHOOK_TARGET_BRANCH", text(pull_request.and_then(|pr| pr.target_branch.as_ref()))),
        ("PRHOOK_COMMAND", text(event.command.as_ref().map(|c| &c.name))),
    ]
}

/// Converts raw secret bytes to an `OsStr` without a UTF-8 round trip.
trait OsStrFromBytes {
    fn from_bytes_compat(bytes: &[u8]) -> &std::ffi::OsStr;
}

impl OsStrFromBytes for std::ffi::OsStr {
    fn from_bytes_compat(bytes: &[u8]) -> &std::ffi::OsStr {
        #[cfg(unix)]
        {
            std::os::unix::ffi::OsStrExt::from_bytes(bytes)
        }
        #[cfg(not(unix))]
        {
            std::ffi::OsStr::new(std::str::from_utf8(bytes).unwrap_or_default())
        }
    }
}

/// Delay before retry number `retry` (1 for the first retry): 1 s doubling,
/// capped at 60 s, with up to 25 % jitter either way so that retries of
/// many events do not arrive together.
pub fn retry_delay(retry: u32) -> Duration {
    let base = 1u64.checked_shl(retry.saturating_sub(1)).unwrap_or(u64::MAX).min(60) as f64;
    let jitter = 0.75 + rand::random::<f64>() * 0.5;
    Duration::from_secs_f64((base * jitter).min(60.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delay_grows_and_caps() {
        assert!(retry_delay(1) <= Duration::from_secs_f64(1.25));
        assert!(retry_delay(3) >= Duration::from_secs(3));
        assert!(retry_delay(30) <= Duration::from_secs(60));
    }
}
