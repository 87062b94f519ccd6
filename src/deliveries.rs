//! `prhook deliveries list|show|replay`: reads and requeues stored
//! deliveries in `data_dir`, also while `serve` runs.
//!
//! It opens the SQLite file with its own connection. WAL mode lets it read
//! while `serve` writes, and a busy timeout makes a replay wait for the
//! server's writer instead of failing. A running server picks replayed jobs
//! up at its next poll of the store (at most 5 seconds).

use crate::serve::ExitError;
use crate::store::{now_ms, Status, DATABASE_FILE};
use clap::{Args, Subcommand, ValueEnum};
use rusqlite::{params_from_iter, Connection, OpenFlags, OptionalExtension};
use serde::Serialize;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a replay waits for the server's writer to let go of the database.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Args)]
pub struct DeliveriesArgs {
    /// Directory of the store, overriding server.data_dir [env: PRHOOK_DATA_DIR] [default: .prhook]
    #[arg(long, global = true, env = "PRHOOK_DATA_DIR", hide_env_values = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    #[command(subcommand)]
    pub command: DeliveriesCommand,
}

#[derive(Debug, Subcommand)]
pub enum DeliveriesCommand {
    /// List stored deliveries, newest first: a header line, then one line each
    List(ListArgs),
    /// Show one delivery: headers, normalized event, jobs and their attempts
    Show {
        /// prhook's id of the delivery, or the provider's delivery id
        id: String,
    },
    /// Queue the actions of stored deliveries again, as new attempts of the same deliveries
    Replay(ReplayArgs),
}

/// Filters shared by `list` and `replay`.
#[derive(Debug, Default, Clone, Args)]
pub struct Filter {
    /// Only deliveries with this status: queued, running, done, failed or ignored
    #[arg(long, value_name = "STATUS", value_parser = parse_status)]
    pub status: Option<Status>,

    /// Only deliveries from this provider: github, gitlab, azure-devops or bitbucket-server
    #[arg(long, value_name = "PROVIDER")]
    pub provider: Option<String>,

    /// Only deliveries for this repository (its full name, such as acme/rocket)
    #[arg(long, value_name = "NAME")]
    pub repository: Option<String>,

    /// Only deliveries received at or after this RFC 3339 time
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub since: Option<i64>,

    /// Only deliveries received before this RFC 3339 time
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub until: Option<i64>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: Filter,

    /// Maximum number of deliveries to list
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub limit: u64,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// prhook ids or provider delivery ids; without any, every delivery the filters select
    pub ids: Vec<String>,

    /// Replay every failed delivery (the same as --status failed)
    #[arg(long, conflicts_with = "status")]
    pub failed: bool,

    #[command(flatten)]
    pub filter: Filter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

fn parse_status(text: &str) -> Result<Status, String> {
    Status::parse(text).ok_or_else(|| format!("unknown status {text:?}: expected queued, running, done, failed or ignored"))
}

fn parse_time(text: &str) -> Result<i64, String> {
    let time = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|error| format!("invalid time {text:?}: {error}; expected RFC 3339 such as 2026-01-31T12:00:00Z"))?;
    Ok((time.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// One line of `list`.
#[derive(Debug, Clone, Serialize)]
pub struct DeliverySummary {
    pub id: String,
    pub received_at: String,
    pub provider: String,
    pub event: String,
    pub delivery_id: String,
    /// The normalized event's action, such as `opened`.
    pub action: Option<String>,
    pub repository: Option<String>,
    pub pr_number: Option<i64>,
    pub status: String,
    /// The reason an ignored delivery was ignored.
    pub reason: Option<String>,
    /// Attempts of all its jobs together.
    pub attempts: i64,
}

/// Everything `show` prints about one delivery.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryDetail {
    #[serde(flatten)]
    pub summary: DeliverySummary,
    /// Received headers; those carrying secrets or signatures were stored redacted.
    pub headers: Vec<(String, String)>,
    pub event: Option<Value>,
    /// The received body as text (invalid UTF-8 replaced).
    pub body: String,
    pub jobs: Vec<JobDetail>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JobDetail {
    pub action: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub last_error: Option<String>,
    pub history: Vec<AttemptDetail>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttemptDetail {
    pub number: i64,
    pub started_at: String,
    pub duration_ms: i64,
    pub outcome: String,
    pub exit_code: Option<i64>,
    pub http_status: Option<i64>,
    pub error: Option<String>,
    pub stdout: String,
    pub stderr: String,
}

/// Failures of a `deliveries` command.
#[derive(Debug, thiserror::Error)]
pub enum DeliveriesError {
    #[error("no store in {0}: nothing has been received there yet (is data_dir right?)")]
    NoStore(PathBuf),
    #[error("delivery {0:?} not found")]
    NotFound(String),
    #[error("delivery id {id:?} is ambiguous: it matches {ids}; use prhook's id")]
    Ambiguous { id: String, ids: String },
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Runs `prhook deliveries` against the data directory of the configuration.
pub fn run_deliveries(config_path: Option<&Path>, args: DeliveriesArgs) -> Result<(), ExitError> {
    if let DeliveriesCommand::Replay(replay_args) = &args.command {
        check_replay_selection(replay_args)?;
    }
    let overrides = crate::config::Overrides { listen: None, data_dir: args.data_dir.clone(), ..Default::default() };
    let config = crate::serve::load_config(config_path, &overrides)?;
    let connection = open(&config.server.data_dir).map_err(exit_error)?;
    let mut stdout = std::io::stdout().lock();
    let written = match args.command {
        DeliveriesCommand::List(list_args) => {
            let deliveries = list(&connection, &list_args.filter, list_args.limit).map_err(exit_error)?;
            match args.format {
                OutputFormat::Text => write_list(&mut stdout, &deliveries),
                OutputFormat::Json => write_json(&mut stdout, &deliveries),
            }
        }
        DeliveriesCommand::Show { id } => {
            let detail = show(&connection, &id).map_err(exit_error)?;
            match args.format {
                OutputFormat::Text => write_detail(&mut stdout, &detail),
                OutputFormat::Json => write_json(&mut stdout, &detail),
            }
        }
        DeliveriesCommand::Replay(replay_args) => return run_replay(&connection, replay_args, args.format, &mut stdout),
    };
    finish_output(written)
}

impl Filter {
    fn is_empty(&self) -> bool {
        self.status.is_none() && self.provider.is_none() && self.repository.is_none() && self.since.is_none() && self.until.is_none()
    }
}

/// Rejects a replay that selects nothing, so that a bare `replay` never replays everything.
fn check_replay_selection(args: &ReplayArgs) -> Result<(), ExitError> {
    if args.ids.is_empty() && !args.failed && args.filter.is_empty() {
        return Err(ExitError::usage(anyhow::anyhow!(
            "name the deliveries to replay by id, or select them with --failed, --status, --provider, --repository, --since or --until"
        )));
    }
    Ok(())
}

fn run_replay(connection: &Connection, args: ReplayArgs, format: OutputFormat, out: &mut impl Write) -> Result<(), ExitError> {
    let mut filter = args.filter;
    if args.failed {
        filter.status = Some(Status::Failed);
    }
    let no_filter = filter.is_empty();

    let mut targets = Vec::new();
    let mut missing = Vec::new();
    for id in &args.ids {
        match resolve_id(connection, id) {
            Ok(id) => targets.push(id),
            Err(DeliveriesError::NotFound(id)) => missing.push(id),
            Err(error) => return Err(exit_error(error)),
        }
    }
    if !no_filter {
        let selected = list(connection, &filter, u64::MAX).map_err(exit_error)?;
        targets.extend(selected.into_iter().map(|delivery| delivery.id));
    }
    targets.dedup();

    let mut results = Vec::new();
    for id in &targets {
        let jobs = replay(connection, id).map_err(exit_error)?;
        results.push(serde_json::json!({"id": id, "jobs_queued": jobs}));
    }
    let written = match format {
        OutputFormat::Text => (|| {
            for result in &results {
                let jobs = result["jobs_queued"].as_u64().unwrap_or(0);
                if jobs == 0 {
                    writeln!(out, "{}  nothing to replay (ignored, or its jobs are still queued or running)", result["id"].as_str().unwrap_or(""))?;
                } else {
                    writeln!(out, "{}  queued {jobs} job(s)", result["id"].as_str().unwrap_or(""))?;
                }
            }
            Ok(())
        })(),
        OutputFormat::Json => write_json(out, &results),
    };
    finish_output(written)?;
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|id| format!("{id:?}")).collect();
        return Err(ExitError { code: 1, error: anyhow::anyhow!("delivery not found: {}", list.join(", ")) });
    }
    Ok(())
}

fn exit_error(error: DeliveriesError) -> ExitError {
    match error {
        DeliveriesError::NotFound(_) | DeliveriesError::NoStore(_) => ExitError { code: 1, error: error.into() },
        DeliveriesError::Ambiguous { .. } => ExitError::usage(error),
        DeliveriesError::Sqlite(_) | DeliveriesError::Store(_) => ExitError::runtime(error),
    }
}

/// Treats a closed stdout (`| head`) as success.
fn finish_output(written: std::io::Result<()>) -> Result<(), ExitError> {
    match written {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(ExitError::runtime(anyhow::Error::new(error).context("cannot write the output"))),
    }
}

/// Opens the store of `data_dir` without creating it.
pub fn open(data_dir: &Path) -> Result<Connection, DeliveriesError> {
    let path = data_dir.join(DATABASE_FILE);
    if !path.exists() {
        return Err(DeliveriesError::NoStore(data_dir.to_owned()));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let connection = Connection::open_with_flags(&path, flags)?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    // A store last written by an older prhook may lack newer columns.
    crate::store::migrate(&connection)?;
    Ok(connection)
}

const SUMMARY_COLUMNS: &str = "deliveries.id, deliveries.received_at, deliveries.provider, deliveries.event,
    deliveries.delivery_id, json_extract(deliveries.normalized, '$.action'), deliveries.repository,
    deliveries.pr_number, deliveries.status, deliveries.reason,
    (SELECT COALESCE(SUM(jobs.attempts), 0) FROM jobs WHERE jobs.delivery_seq = deliveries.seq)";

fn summary_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DeliverySummary> {
    Ok(DeliverySummary {
        id: row.get(0)?,
        received_at: row.get(1)?,
        provider: row.get(2)?,
        event: row.get(3)?,
        delivery_id: row.get(4)?,
        action: row.get(5)?,
        repository: row.get(6)?,
        pr_number: row.get(7)?,
        status: row.get(8)?,
        reason: row.get(9)?,
        attempts: row.get(10)?,
    })
}

/// Lists deliveries that pass `filter`, newest first.
pub fn list(connection: &Connection, filter: &Filter, limit: u64) -> Result<Vec<DeliverySummary>, DeliveriesError> {
    let mut conditions = Vec::new();
    let mut values: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(status) = filter.status {
        conditions.push("deliveries.status = ?");
        values.push(status.as_str().to_owned().into());
    }
    if let Some(provider) = &filter.provider {
        conditions.push("deliveries.provider = ?");
        values.push(provider.clone().into());
    }
    if let Some(repository) = &filter.repository {
        conditions.push("deliveries.repository = ?");
        values.push(repository.clone().into());
    }
    if let Some(since) = filter.since {
        conditions.push("deliveries.received_ms >= ?");
        values.push(since.into());
    }
    if let Some(until) = filter.until {
        conditions.push("deliveries.received_ms < ?");
        values.push(until.into());
    }
    let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM deliveries");
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    sql.push_str(" ORDER BY deliveries.seq DESC LIMIT ?");
    values.push(i64::try_from(limit).unwrap_or(i64::MAX).into());

    let mut statement = connection.prepare(&sql)?;
    let rows = statement.query_map(params_from_iter(values), summary_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Finds prhook's id for `id`, which may also be a provider's delivery id.
fn resolve_id(connection: &Connection, id: &str) -> Result<String, DeliveriesError> {
    let mut statement = connection.prepare_cached("SELECT id FROM deliveries WHERE id = ?1 OR delivery_id = ?1 ORDER BY id = ?1 DESC, seq")?;
    let ids: Vec<String> = statement.query_map([id], |row| row.get(0))?.collect::<Result<_, _>>()?;
    match ids.as_slice() {
        [] => Err(DeliveriesError::NotFound(id.to_owned())),
        [only] => Ok(only.clone()),
        [first, ..] if first == id => Ok(first.clone()),
        _ => Err(DeliveriesError::Ambiguous { id: id.to_owned(), ids: ids.join(", ") }),
    }
}

/// Reads one delivery whole.
pub fn show(connection: &Connection, id: &str) -> Result<DeliveryDetail, DeliveriesError> {
    let id = resolve_id(connection, id)?;
    let (summary, seq, headers, normalized, body, body_encoding) = connection
        .query_row(
            &format!("SELECT {SUMMARY_COLUMNS}, deliveries.seq, deliveries.headers, deliveries.normalized, deliveries.body, deliveries.body_encoding FROM deliveries WHERE id = ?1"),
            [&id],
            |row| {
                Ok((
                    summary_from_row(row)?,
                    row.get::<_, i64>(11)?,
                    row.get::<_, String>(12)?,
                    row.get::<_, Option<String>>(13)?,
                    row.get::<_, Vec<u8>>(14)?,
                    row.get::<_, Option<String>>(15)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| DeliveriesError::NotFound(id.clone()))?;
    let body = crate::store::decode_body(body, body_encoding.as_deref())?;

    let mut job_statement = connection.prepare_cached(
        "SELECT seq, action, status, attempts, next_attempt_ms, last_error FROM jobs WHERE delivery_seq = ?1 ORDER BY seq",
    )?;
    let job_rows: Vec<(i64, String, String, i64, i64, Option<String>)> = job_statement
        .query_map([seq], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?)))?
        .collect::<Result<_, _>>()?;
    let mut attempt_statement = connection.prepare_cached(
        "SELECT number, started_ms, finished_ms, outcome, exit_code, http_status, error, stdout, stderr
         FROM attempts WHERE job_seq = ?1 ORDER BY seq",
    )?;
    let mut jobs = Vec::new();
    for (job_seq, action, status, attempts, next_attempt_ms, last_error) in job_rows {
        let history = attempt_statement
            .query_map([job_seq], |row| {
                let started_ms: i64 = row.get(1)?;
                let finished_ms: i64 = row.get(2)?;
                Ok(AttemptDetail {
                    number: row.get(0)?,
                    started_at: format_ms(started_ms),
                    duration_ms: finished_ms - started_ms,
                    outcome: row.get(3)?,
                    exit_code: row.get(4)?,
                    http_status: row.get(5)?,
                    error: row.get(6)?,
                    stdout: text_of(row.get::<_, Option<Vec<u8>>>(7)?),
                    stderr: text_of(row.get::<_, Option<Vec<u8>>>(8)?),
                })
            })?
            .collect::<Result<_, _>>()?;
        let next_attempt_at = (status == "queued").then(|| format_ms(next_attempt_ms));
        jobs.push(JobDetail { action, status, attempts, next_attempt_at, last_error, history });
    }

    Ok(DeliveryDetail {
        summary,
        headers: serde_json::from_str(&headers).unwrap_or_default(),
        event: normalized.and_then(|text| serde_json::from_str(&text).ok()),
        body: String::from_utf8_lossy(&body).into_owned(),
        jobs,
    })
}

/// Queues the jobs of delivery `id` again, due now, and returns how many.
///
/// Failed jobs are queued when there are any, otherwise (a delivery whose
/// actions all succeeded) every job is. Queued and running jobs are left
/// as they are. Each queued job gets its full retries again, and its
/// earlier attempts stay in the history.
pub fn replay(connection: &Connection, id: &str) -> Result<usize, DeliveriesError> {
    let now = now_ms();
    // IMMEDIATE takes the write lock first (waiting up to the busy
    // timeout). A deferred transaction that read first could not upgrade
    // while the server writes, and would fail at once with SQLITE_BUSY.
    let transaction = rusqlite::Transaction::new_unchecked(connection, rusqlite::TransactionBehavior::Immediate)?;
    let seq: i64 = transaction
        .query_row("SELECT seq FROM deliveries WHERE id = ?1", [id], |row| row.get(0))
        .optional()?
        .ok_or_else(|| DeliveriesError::NotFound(id.to_owned()))?;
    let active: i64 = transaction.query_row(
        "SELECT COUNT(*) FROM jobs WHERE delivery_seq = ?1 AND status IN ('queued', 'running')",
        [seq],
        |row| row.get(0),
    )?;
    if active > 0 {
        return Ok(0);
    }
    let failed: i64 =
        transaction.query_row("SELECT COUNT(*) FROM jobs WHERE delivery_seq = ?1 AND status = 'failed'", [seq], |row| row.get(0))?;
    let which = if failed > 0 { "status = 'failed'" } else { "status = 'done'" };
    let queued = transaction.execute(
        &format!(
            "UPDATE jobs SET status = 'queued', next_attempt_ms = ?2, replay_base = attempts
             WHERE delivery_seq = ?1 AND {which}"
        ),
        rusqlite::params![seq, now],
    )?;
    if queued > 0 {
        transaction.execute(
            "UPDATE deliveries SET status = 'queued', updated_ms = ?2 WHERE seq = ?1",
            rusqlite::params![seq, now],
        )?;
    }
    transaction.commit()?;
    Ok(queued)
}

fn text_of(bytes: Option<Vec<u8>>) -> String {
    bytes.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()).unwrap_or_default()
}

fn format_ms(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|time| time.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| ms.to_string())
}

fn write_json(out: &mut impl Write, value: &impl Serialize) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

fn write_list(out: &mut impl Write, deliveries: &[DeliverySummary]) -> std::io::Result<()> {
    let rows: Vec<[String; 9]> = deliveries
        .iter()
        .map(|delivery| {
            [
                delivery.id.clone(),
                delivery.received_at.clone(),
                delivery.provider.clone(),
                delivery.event.clone(),
                delivery.action.clone().unwrap_or_else(|| "-".into()),
                delivery.repository.clone().unwrap_or_else(|| "-".into()),
                delivery.pr_number.map_or_else(|| "-".into(), |number| number.to_string()),
                delivery.status.clone(),
                delivery.attempts.to_string(),
            ]
        })
        .collect();
    let header = ["ID", "RECEIVED", "PROVIDER", "EVENT", "ACTION", "REPOSITORY", "PR", "STATUS", "ATTEMPTS"].map(String::from);
    let mut widths = header.clone().map(|cell| cell.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (index, (cell, width)) in row.iter().zip(widths).enumerate() {
            if index + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  "));
            }
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

fn write_detail(out: &mut impl Write, detail: &DeliveryDetail) -> std::io::Result<()> {
    let summary = &detail.summary;
    let optional = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".into());
    writeln!(out, "id:           {}", summary.id)?;
    writeln!(out, "received at:  {}", summary.received_at)?;
    writeln!(out, "provider:     {}", summary.provider)?;
    writeln!(out, "event:        {}", summary.event)?;
    writeln!(out, "delivery id:  {}", summary.delivery_id)?;
    writeln!(out, "action:       {}", optional(&summary.action))?;
    writeln!(out, "repository:   {}", optional(&summary.repository))?;
    writeln!(out, "pull request: {}", summary.pr_number.map_or_else(|| "-".into(), |number| number.to_string()))?;
    writeln!(out, "status:       {}", summary.status)?;
    if let Some(reason) = &summary.reason {
        writeln!(out, "reason:       {reason}")?;
    }
    writeln!(out, "body:         {} bytes", detail.body.len())?;

    writeln!(out, "\nheaders:")?;
    for (name, value) in &detail.headers {
        writeln!(out, "  {name}: {value}")?;
    }

    writeln!(out, "\nevent:")?;
    match &detail.event {
        Some(event) => {
            let text = serde_json::to_string_pretty(event).unwrap_or_default();
            for line in text.lines() {
                writeln!(out, "  {line}")?;
            }
        }
        None => writeln!(out, "  (none: the delivery did not normalize to an event)")?,
    }

    writeln!(out, "\njobs:")?;
    if detail.jobs.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for job in &detail.jobs {
        write!(out, "  {}: {}, {} attempt(s)", job.action, job.status, job.attempts)?;
        if let Some(next) = &job.next_attempt_at {
            write!(out, ", next attempt at {next}")?;
        }
        writeln!(out)?;
        for attempt in &job.history {
            write!(out, "    attempt {}: {} at {}, {} ms", attempt.number, attempt.outcome, attempt.started_at, attempt.duration_ms)?;
            if let Some(code) = attempt.exit_code {
                write!(out, ", exit code {code}")?;
            }
            if let Some(status) = attempt.http_status {
                write!(out, ", HTTP {status}")?;
            }
            writeln!(out)?;
            if let Some(error) = &attempt.error {
                writeln!(out, "      error: {error}")?;
            }
            for (name, text) in [("stdout", &attempt.stdout), ("stderr", &attempt.stderr)] {
                if text.is_empty() {
                    continue;
                }
                writeln!(out, "      {name}:")?;
                for line in text.lines() {
                    writeln!(out, "        {line}")?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{NewDelivery, NextStep, Store};

    fn delivery(delivery_id: &str, repository: &str) -> NewDelivery {
        NewDelivery {
            id: uuid::Uuid::now_v7().to_string(),
            provider: "github".into(),
            event: "pull_request".into(),
            delivery_id: delivery_id.into(),
            received_at: "2026-01-01T00:00:00Z".into(),
            received_ms: 1_767_225_600_000,
            headers: vec![("x-github-event".into(), "pull_request".into())],
            body: bytes::Bytes::from_static(b"{}"),
            normalized: Some(r#"{"action":"opened"}"#.into()),
            repository: Some(repository.into()),
            pr_number: Some(7),
            status: Status::Queued,
            reason: None,
            actions: vec!["review".into()],
            head: None,
        }
    }

    async fn store_with_failed_job(dir: &Path) -> (Store, String) {
        let store = Store::open(dir).unwrap();
        let first = delivery("d-1", "acme/rocket");
        let id = first.id.clone();
        store.insert(first).await.unwrap();
        store.insert(delivery("d-2", "acme/other")).await.unwrap();
        let claimed = store.claim_due(i64::MAX, 1, std::collections::HashMap::new()).await.unwrap();
        store.finish(claimed[0].job_seq, None, NextStep::Failed).await.unwrap();
        (store, id)
    }

    #[tokio::test]
    async fn list_filters_by_status_and_repository() {
        let dir = tempfile::tempdir().unwrap();
        let (_store, id) = store_with_failed_job(dir.path()).await;
        let connection = open(dir.path()).unwrap();

        let all = list(&connection, &Filter::default(), 100).unwrap();
        assert_eq!(all.len(), 2);
        let failed = list(&connection, &Filter { status: Some(Status::Failed), ..Filter::default() }, 100).unwrap();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].id, id);
        assert_eq!(failed[0].action.as_deref(), Some("opened"));
        let other = list(&connection, &Filter { repository: Some("acme/other".into()), ..Filter::default() }, 100).unwrap();
        assert_eq!(other.len(), 1);
        assert_eq!(other[0].status, "queued");
    }

    #[tokio::test]
    async fn replay_requeues_failed_jobs_with_fresh_retries() {
        let dir = tempfile::tempdir().unwrap();
        let (store, id) = store_with_failed_job(dir.path()).await;
        let connection = open(dir.path()).unwrap();

        assert_eq!(replay(&connection, &id).unwrap(), 1);
        assert_eq!(show(&connection, &id).unwrap().summary.status, "queued");
        // Already queued: a second replay changes nothing.
        assert_eq!(replay(&connection, &id).unwrap(), 0);

        let claimed = store.claim_due(now_ms(), 10, std::collections::HashMap::new()).await.unwrap();
        let replayed = claimed.iter().find(|job| job.event_id == id).unwrap();
        assert_eq!(replayed.attempts, 0);
    }

    #[tokio::test]
    async fn show_finds_provider_delivery_id() {
        let dir = tempfile::tempdir().unwrap();
        let (_store, id) = store_with_failed_job(dir.path()).await;
        let connection = open(dir.path()).unwrap();
        assert_eq!(show(&connection, "d-1").unwrap().summary.id, id);
        assert!(matches!(show(&connection, "nope"), Err(DeliveriesError::NotFound(_))));
    }

    #[test]
    fn missing_store_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(open(dir.path()), Err(DeliveriesError::NoStore(_))));
    }
}
