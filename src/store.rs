//! The durable store: one SQLite database in WAL mode in `data_dir`.
//!
//! All writes go through one writer thread that commits whatever has
//! queued up as one transaction (group commit), so durability costs one
//! fsync per batch rather than per delivery. A write's future resolves only
//! after its batch is committed with `synchronous = FULL`, so the server
//! sends its 202 only once a delivery is on disk.

use bytes::Bytes;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

pub const DATABASE_FILE: &str = "prhook.sqlite3";

/// Maximum number of writes committed in one transaction.
const MAX_BATCH: usize = 1024;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    provider TEXT NOT NULL,
    event TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    normalized TEXT,
    repository TEXT,
    pr_number INTEGER,
    status TEXT NOT NULL,
    reason TEXT,
    updated_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS deliveries_dedup ON deliveries (provider, event, delivery_id);
CREATE INDEX IF NOT EXISTS deliveries_status ON deliveries (status, seq);
-- jobs.replay_base: the attempts made before the last replay. A replayed
-- job gets its retries again, counted from there.
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_seq INTEGER NOT NULL REFERENCES deliveries (seq) ON DELETE CASCADE,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    replay_base INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (status, next_attempt_ms, seq);
CREATE INDEX IF NOT EXISTS jobs_delivery ON jobs (delivery_seq);
CREATE TABLE IF NOT EXISTS attempts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    job_seq INTEGER NOT NULL REFERENCES jobs (seq) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    started_ms INTEGER NOT NULL,
    finished_ms INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    exit_code INTEGER,
    http_status INTEGER,
    error TEXT,
    stdout BLOB,
    stderr BLOB
);
CREATE INDEX IF NOT EXISTS attempts_job ON attempts (job_seq);
CREATE TABLE IF NOT EXISTS pr_heads (
    provider TEXT NOT NULL,
    repository TEXT NOT NULL,
    number INTEGER NOT NULL,
    head_sha TEXT NOT NULL,
    PRIMARY KEY (provider, repository, number)
);
";

/// An error of a store operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot create data directory {path}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the store's writer has stopped")]
    WriterStopped,
    #[error("invalid stored JSON")]
    Json(#[from] serde_json::Error),
    #[error("cannot decode a stored body: {0}")]
    Body(String),
}

/// Status of a delivery or of one of its jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Queued,
    Running,
    Done,
    Failed,
    Ignored,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Running => "running",
            Status::Done => "done",
            Status::Failed => "failed",
            Status::Ignored => "ignored",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        [Status::Queued, Status::Running, Status::Done, Status::Failed, Status::Ignored]
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

/// A delivery to store.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub id: String,
    pub provider: String,
    pub event: String,
    pub delivery_id: String,
    pub received_at: String,
    pub received_ms: i64,
    /// Header names and values, as JSON pairs.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// The normalized event JSON, when the delivery normalized to one.
    pub normalized: Option<String>,
    pub repository: Option<String>,
    pub pr_number: Option<u64>,
    /// `Queued` with one job per action, or `Ignored` with a reason.
    pub status: Status,
    pub reason: Option<String>,
    pub actions: Vec<String>,
    /// The pull request's head to remember, for providers whose updates
    /// do not say whether the source branch moved.
    pub head: Option<(String, u64, String)>,
}

/// The result of storing a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    New,
    /// The same provider, event and delivery id were stored before, under this id.
    Duplicate { id: String },
}

/// A job claimed for running.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub job_seq: i64,
    pub event_id: String,
    pub action: String,
    /// Attempts already recorded before this one.
    pub attempts: u32,
    pub normalized: String,
}

/// The result of one attempt, to record.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub started_ms: i64,
    pub finished_ms: i64,
    /// `success`, `failure`, `timeout` or `interrupted`.
    pub outcome: String,
    pub exit_code: Option<i32>,
    pub http_status: Option<u16>,
    pub error: Option<String>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// The next state of a job after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    Done,
    RetryAt(i64),
    Failed,
    /// Put back as it was, without counting an attempt (shutdown).
    Requeue,
}

type WriteJob = Box<dyn FnOnce(&Connection) -> Box<dyn FnOnce(bool) + Send> + Send>;

/// Handle to the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    writer: mpsc::UnboundedSender<WriteJob>,
    reader: Arc<Mutex<Connection>>,
    path: PathBuf,
    /// Jobs queued or running, kept in step with the table.
    pending_jobs: Arc<AtomicI64>,
}

fn open_connection(path: &Path) -> Result<Connection, rusqlite::Error> {
    let connection = Connection::open(path)?;
    connection.busy_timeout(std::time::Duration::from_secs(30))?;
    connection.pragma_update(None, "page_size", 16384)?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    // FULL makes each commit fsync the write-ahead log, so a delivery that
    // got a 2xx survives a power cut, not only a process crash.
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    // The writer's savepoint per write copies each page it first changes
    // into a statement journal. In memory, that is a memory copy instead of
    // a temporary file opened and written in every transaction.
    connection.pragma_update(None, "temp_store", "MEMORY")?;
    // Room for every statement the writer runs per delivery and per job, so
    // none is parsed again after its first use.
    connection.set_prepared_statement_cache_capacity(64);
    Ok(connection)
}

impl Store {
    /// Opens (creating if needed) the store in `data_dir` and starts its writer.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|source| StoreError::CreateDir { path: data_dir.to_owned(), source })?;
        let path = data_dir.join(DATABASE_FILE);
        let connection = open_connection(&path)?;
        connection.execute_batch(SCHEMA)?;
        migrate(&connection)?;
        let pending = count_pending_jobs(&connection)?;
        let reader = open_connection(&path)?;
        let (writer, receiver) = mpsc::unbounded_channel::<WriteJob>();
        std::thread::Builder::new()
            .name("prhook-store-writer".into())
            .spawn(move || run_writer(connection, receiver))
            .expect("the writer thread starts");
        let checkpointer = open_connection(&path)?;
        let writer_handle = writer.clone();
        std::thread::Builder::new()
            .name("prhook-store-checkpointer".into())
            .spawn(move || run_checkpointer(checkpointer, writer_handle))
            .expect("the checkpointer thread starts");
        Ok(Store { writer, reader: Arc::new(Mutex::new(reader)), path, pending_jobs: Arc::new(AtomicI64::new(pending)) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Jobs stored and not yet finished.
    pub fn pending_jobs(&self) -> i64 {
        self.pending_jobs.load(Ordering::Relaxed)
    }

    /// Recounts the jobs stored and not yet finished.
    ///
    /// `prhook deliveries replay` queues jobs from another process, which
    /// the in-memory count cannot see. The count is taken and set inside
    /// the writer thread, after the commit of every write queued before
    /// it, so it cannot lose an insert that raced with it.
    pub async fn refresh_pending_jobs(&self) -> Result<i64, StoreError> {
        let pending_jobs = Arc::clone(&self.pending_jobs);
        self.write_then(count_pending_jobs, move |count| pending_jobs.store(*count, Ordering::Relaxed)).await
    }

    /// Deletes done and ignored deliveries received before `before_ms`,
    /// with their jobs and attempts, at most `limit` of them.
    ///
    /// Failed deliveries are kept until replayed. Returns how many were deleted.
    pub async fn prune(&self, before_ms: i64, limit: usize) -> Result<usize, StoreError> {
        self.write(move |connection| {
            Ok(connection.execute(
                "DELETE FROM deliveries WHERE seq IN (
                     SELECT seq FROM deliveries
                     WHERE status IN ('done', 'ignored') AND received_ms < ?1
                     ORDER BY seq LIMIT ?2)",
                params![before_ms, limit as i64],
            )?)
        })
        .await
    }

    /// Runs `operation` in the writer's next transaction and waits for the commit.
    pub async fn write<R, F>(&self, operation: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        self.write_then(operation, |_| {}).await
    }

    /// Like [`Store::write`], and calls `on_commit` with the result on the
    /// writer thread once the transaction is committed, in the order the
    /// writes were queued.
    async fn write_then<R, F, C>(&self, operation: F, on_commit: C) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
        C: FnOnce(&R) + Send + 'static,
    {
        let (sender, receiver) = oneshot::channel();
        let job: WriteJob = Box::new(move |connection| {
            let result = operation(connection);
            Box::new(move |committed: bool| {
                let result = match result {
                    Ok(_) if !committed => Err(StoreError::WriterStopped),
                    other => other,
                };
                if let Ok(value) = &result {
                    on_commit(value);
                }
                let _ = sender.send(result);
            })
        });
        self.writer.send(job).map_err(|_| StoreError::WriterStopped)?;
        receiver.await.map_err(|_| StoreError::WriterStopped)?
    }

    /// Runs a read on the reader connection off the async threads.
    pub async fn read<R, F>(&self, operation: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let reader = Arc::clone(&self.reader);
        tokio::task::spawn_blocking(move || {
            let connection = reader.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            operation(&connection)
        })
        .await
        .map_err(|_| StoreError::WriterStopped)?
    }

    /// Stores a delivery and its jobs durably, or reports a duplicate.
    ///
    /// The headers and body are encoded on the calling thread, so the
    /// writer, which serves every request in turn, only copies them.
    pub async fn insert(&self, delivery: NewDelivery) -> Result<Inserted, StoreError> {
        let job_count = delivery.actions.len() as i64;
        let pending_jobs = Arc::clone(&self.pending_jobs);
        let encoded = EncodedDelivery::new(delivery)?;
        self.write_then(
            move |connection| insert_delivery(connection, &encoded),
            move |inserted| {
                if *inserted == Inserted::New {
                    pending_jobs.fetch_add(job_count, Ordering::Relaxed);
                }
            },
        )
        .await
    }

    /// Returns the head commit last stored for a pull request.
    pub async fn last_head(&self, provider: &str, repository: &str, number: u64) -> Result<Option<String>, StoreError> {
        let (provider, repository) = (provider.to_owned(), repository.to_owned());
        self.read(move |connection| {
            Ok(connection
                .query_row(
                    "SELECT head_sha FROM pr_heads WHERE provider = ?1 AND repository = ?2 AND number = ?3",
                    params![provider, repository, number as i64],
                    |row| row.get(0),
                )
                .optional()?)
        })
        .await
    }

    /// Puts jobs left running by a crash or a killed process back in the queue.
    pub async fn requeue_interrupted(&self) -> Result<usize, StoreError> {
        self.write(|connection| {
            let jobs = connection.execute("UPDATE jobs SET status = 'queued' WHERE status = 'running'", [])?;
            connection.execute("UPDATE deliveries SET status = 'queued' WHERE status = 'running'", [])?;
            Ok(jobs)
        })
        .await
    }

    /// Claims up to `limit` due jobs, earliest due first and then in order
    /// of arrival, and marks them running.
    ///
    /// `allowances` caps the jobs claimed per action: an action named there
    /// gets at most that many (0 skips it); other actions are not capped.
    pub async fn claim_due(&self, now_ms: i64, limit: usize, allowances: HashMap<String, usize>) -> Result<Vec<ClaimedJob>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        self.write(move |connection| {
            let mut allowances = allowances;
            let skipped = skipped_actions_json(&allowances);
            let mut statement = connection.prepare_cached(
                "SELECT jobs.seq, deliveries.id, deliveries.seq, jobs.action, jobs.attempts - jobs.replay_base, deliveries.normalized
                 FROM jobs JOIN deliveries ON deliveries.seq = jobs.delivery_seq
                 WHERE jobs.status = 'queued' AND jobs.next_attempt_ms <= ?1
                   AND jobs.action NOT IN (SELECT value FROM json_each(?3))
                 ORDER BY jobs.next_attempt_ms, jobs.seq LIMIT ?2",
            )?;
            // Rows of a capped action past its allowance are passed over, so
            // this reads more than `limit` rows. Once the action is used up,
            // the next claim excludes it in SQL.
            let fetch = (limit * 4 + 64).min(4096) as i64;
            let rows = statement.query_map(params![now_ms, fetch, skipped], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, u32>(4)?,
                    row.get::<_, Option<String>>(5)?,
                ))
            })?;
            let mut claimed = Vec::new();
            for row in rows {
                let (job_seq, event_id, delivery_seq, action, attempts, normalized) = row?;
                if let Some(allowance) = allowances.get_mut(&action) {
                    if *allowance == 0 {
                        continue;
                    }
                    *allowance -= 1;
                }
                connection
                    .prepare_cached("UPDATE jobs SET status = 'running' WHERE seq = ?1")?
                    .execute(params![job_seq])?;
                connection
                    .prepare_cached("UPDATE deliveries SET status = 'running', updated_ms = ?2 WHERE seq = ?1")?
                    .execute(params![delivery_seq, now_ms])?;
                claimed.push(ClaimedJob {
                    job_seq,
                    event_id,
                    action,
                    attempts,
                    normalized: normalized.unwrap_or_default(),
                });
                if claimed.len() >= limit {
                    break;
                }
            }
            Ok(claimed)
        })
        .await
    }

    /// Returns the earliest time a queued job of an action not in `skip`
    /// becomes due, in Unix milliseconds.
    pub async fn next_due_ms(&self, skip: HashMap<String, usize>) -> Result<Option<i64>, StoreError> {
        self.read(move |connection| {
            Ok(connection.query_row(
                "SELECT MIN(next_attempt_ms) FROM jobs
                 WHERE status = 'queued' AND action NOT IN (SELECT value FROM json_each(?1))",
                [skipped_actions_json(&skip)],
                |row| row.get(0),
            )?)
        })
        .await
    }

    /// Records an attempt and moves the job (and its delivery) on.
    pub async fn finish(&self, job_seq: i64, attempt: Option<AttemptRecord>, next: NextStep) -> Result<(), StoreError> {
        let pending_jobs = Arc::clone(&self.pending_jobs);
        self.write_then(
            move |connection| finish_job(connection, job_seq, attempt.as_ref(), next),
            move |()| {
                if matches!(next, NextStep::Done | NextStep::Failed) {
                    pending_jobs.fetch_sub(1, Ordering::Relaxed);
                }
            },
        )
        .await
    }

    /// Marks a claimed job failed without an attempt, with `error` as its last error.
    pub async fn fail_job(&self, job_seq: i64, error: String) -> Result<(), StoreError> {
        let pending_jobs = Arc::clone(&self.pending_jobs);
        self.write_then(
            move |connection| {
                connection.execute("UPDATE jobs SET last_error = ?2 WHERE seq = ?1", params![job_seq, error])?;
                finish_job(connection, job_seq, None, NextStep::Failed)
            },
            move |()| {
                pending_jobs.fetch_sub(1, Ordering::Relaxed);
            },
        )
        .await
    }

    /// Marks every queued job of `action` failed, with `error` as its last
    /// error, and returns how many there were.
    ///
    /// Used when a forward URL responds 410 Gone, because its jobs can never succeed.
    pub async fn fail_queued_jobs(&self, action: String, error: String) -> Result<usize, StoreError> {
        let pending_jobs = Arc::clone(&self.pending_jobs);
        self.write_then(
            move |connection| {
                let mut select = connection.prepare_cached("SELECT seq FROM jobs WHERE action = ?1 AND status = 'queued'")?;
                let jobs: Vec<i64> = select.query_map(params![action], |row| row.get(0))?.collect::<Result<_, _>>()?;
                for job_seq in &jobs {
                    connection.execute("UPDATE jobs SET last_error = ?2 WHERE seq = ?1", params![job_seq, error])?;
                    finish_job(connection, *job_seq, None, NextStep::Failed)?;
                }
                Ok(jobs.len())
            },
            move |failed| {
                pending_jobs.fetch_sub(*failed as i64, Ordering::Relaxed);
            },
        )
        .await
    }
}

/// The actions whose allowance is used up, as a JSON array for `json_each`.
fn skipped_actions_json(allowances: &HashMap<String, usize>) -> String {
    let skipped: Vec<&String> = allowances.iter().filter(|(_, allowance)| **allowance == 0).map(|(name, _)| name).collect();
    serde_json::to_string(&skipped).unwrap_or_else(|_| "[]".into())
}

fn count_pending_jobs(connection: &Connection) -> Result<i64, StoreError> {
    Ok(connection.query_row("SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')", [], |row| row.get(0))?)
}

/// Brings a store written by an earlier version up to the current schema.
pub fn migrate(connection: &Connection) -> Result<(), StoreError> {
    add_missing_column(connection, "jobs", "replay_base", "INTEGER NOT NULL DEFAULT 0")?;
    add_missing_column(connection, "deliveries", "body_encoding", "TEXT")?;
    Ok(())
}

/// Adds `column` to `table` unless the table already has it.
fn add_missing_column(connection: &Connection, table: &str, column: &str, definition: &str) -> Result<(), StoreError> {
    let exists: bool = connection.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info(?1) WHERE name = ?2",
        params![table, column],
        |row| row.get(0),
    )?;
    if !exists {
        connection.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {definition}"))?;
    }
    Ok(())
}

/// Time between two background checkpoints.
const CHECKPOINT_INTERVAL: std::time::Duration = std::time::Duration::from_millis(20);

/// Copies committed pages from the write-ahead log into the database file
/// on its own thread, until the writer stops.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses its
/// threshold, so the writer and every request in its batch waited for the
/// copy and the database file's fsync. A passive checkpoint here takes no
/// lock the writer needs and does that work in parallel. The writer's
/// automatic checkpoint stays on, so the log is still reset when this
/// thread falls behind: it then finds most pages already copied.
fn run_checkpointer(connection: Connection, writer: mpsc::UnboundedSender<WriteJob>) {
    while !writer.is_closed() {
        std::thread::sleep(CHECKPOINT_INTERVAL);
        if let Err(error) = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %error, "background checkpoint failed");
        }
    }
}

fn run_writer(mut connection: Connection, mut receiver: mpsc::UnboundedReceiver<WriteJob>) {
    while let Some(first) = receiver.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut completions = Vec::with_capacity(batch.len());
        let committed = match connection.transaction() {
            Ok(transaction) => {
                for job in batch {
                    // A savepoint per job keeps one failed write from undoing the others.
                    let _ = transaction.prepare_cached("SAVEPOINT job").and_then(|mut savepoint| savepoint.execute([]));
                    let completion = job(&transaction);
                    completions.push(completion);
                    let _ = transaction.prepare_cached("RELEASE job").and_then(|mut release| release.execute([]));
                }
                match transaction.commit() {
                    Ok(()) => true,
                    Err(error) => {
                        tracing::error!(error = %error, "store commit failed");
                        false
                    }
                }
            }
            Err(error) => {
                tracing::error!(error = %error, "store transaction failed to start");
                false
            }
        };
        for completion in completions {
            completion(committed);
        }
    }
}

/// Bodies shorter than this are stored as they are.
const COMPRESS_MIN_BYTES: usize = 512;

/// The `body_encoding` of an LZ4 block with its length prepended
/// (`lz4_flex::compress_prepend_size`). NULL means the body as received.
const BODY_LZ4: &str = "lz4";

/// A delivery with its headers serialized and its body compressed.
struct EncodedDelivery {
    delivery: NewDelivery,
    headers: String,
    body: Bytes,
    body_encoding: Option<&'static str>,
}

impl EncodedDelivery {
    /// Serializes the headers and compresses the body when that makes it
    /// smaller. JSON payloads shrink to about a fifth, and every stored
    /// byte is written twice, to the write-ahead log and to the database.
    fn new(delivery: NewDelivery) -> Result<EncodedDelivery, StoreError> {
        let headers = serde_json::to_string(&delivery.headers)?;
        let (body, body_encoding) = encode_body(&delivery.body);
        Ok(EncodedDelivery { delivery, headers, body, body_encoding })
    }
}

fn encode_body(body: &Bytes) -> (Bytes, Option<&'static str>) {
    if body.len() >= COMPRESS_MIN_BYTES {
        let compressed = lz4_flex::compress_prepend_size(body);
        if compressed.len() < body.len() {
            return (Bytes::from(compressed), Some(BODY_LZ4));
        }
    }
    (body.clone(), None)
}

/// Returns a stored body as it was received.
pub fn decode_body(stored: Vec<u8>, encoding: Option<&str>) -> Result<Vec<u8>, StoreError> {
    match encoding {
        None => Ok(stored),
        Some(BODY_LZ4) => lz4_flex::decompress_size_prepended(&stored).map_err(|error| StoreError::Body(error.to_string())),
        Some(other) => Err(StoreError::Body(format!("unknown body encoding {other:?}"))),
    }
}

fn insert_delivery(connection: &Connection, encoded: &EncodedDelivery) -> Result<Inserted, StoreError> {
    let delivery = &encoded.delivery;
    let changed = connection
        .prepare_cached(
            "INSERT INTO deliveries (id, provider, event, delivery_id, received_at, received_ms, headers, body,
                 normalized, repository, pr_number, status, reason, updated_ms, body_encoding)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?6, ?14)
             ON CONFLICT (provider, event, delivery_id) DO NOTHING",
        )?
        .execute(params![
            delivery.id,
            delivery.provider,
            delivery.event,
            delivery.delivery_id,
            delivery.received_at,
            delivery.received_ms,
            encoded.headers,
            &encoded.body[..],
            delivery.normalized,
            delivery.repository,
            delivery.pr_number.map(|n| n as i64),
            delivery.status.as_str(),
            delivery.reason,
            encoded.body_encoding,
        ])?;
    if changed == 0 {
        let id: String = connection.query_row(
            "SELECT id FROM deliveries WHERE provider = ?1 AND event = ?2 AND delivery_id = ?3",
            params![delivery.provider, delivery.event, delivery.delivery_id],
            |row| row.get(0),
        )?;
        return Ok(Inserted::Duplicate { id });
    }
    let delivery_seq = connection.last_insert_rowid();
    let mut insert_job = connection.prepare_cached(
        "INSERT INTO jobs (delivery_seq, action, status, next_attempt_ms) VALUES (?1, ?2, 'queued', ?3)",
    )?;
    for action in &delivery.actions {
        insert_job.execute(params![delivery_seq, action, delivery.received_ms])?;
    }
    if let Some((repository, number, head)) = &delivery.head {
        connection
            .prepare_cached(
                "INSERT INTO pr_heads (provider, repository, number, head_sha) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (provider, repository, number) DO UPDATE SET head_sha = excluded.head_sha",
            )?
            .execute(params![delivery.provider, repository, *number as i64, head])?;
    }
    Ok(Inserted::New)
}

fn finish_job(connection: &Connection, job_seq: i64, attempt: Option<&AttemptRecord>, next: NextStep) -> Result<(), StoreError> {
    if let Some(attempt) = attempt {
        connection.prepare_cached(
            "INSERT INTO attempts (job_seq, number, started_ms, finished_ms, outcome, exit_code, http_status, error, stdout, stderr)
             VALUES (?1, (SELECT attempts + 1 FROM jobs WHERE seq = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            job_seq,
            attempt.started_ms,
            attempt.finished_ms,
            attempt.outcome,
            attempt.exit_code,
            attempt.http_status,
            attempt.error,
            attempt.stdout,
            attempt.stderr,
        ])?;
        connection
            .prepare_cached("UPDATE jobs SET attempts = attempts + 1, last_error = ?2 WHERE seq = ?1")?
            .execute(params![job_seq, attempt.error])?;
    }
    let (sql, next_attempt_ms) = match next {
        NextStep::Done => ("UPDATE jobs SET status = 'done' WHERE seq = ?1", None),
        NextStep::Failed => ("UPDATE jobs SET status = 'failed' WHERE seq = ?1", None),
        NextStep::RetryAt(at) => ("UPDATE jobs SET status = 'queued', next_attempt_ms = ?2 WHERE seq = ?1", Some(at)),
        NextStep::Requeue => ("UPDATE jobs SET status = 'queued' WHERE seq = ?1", None),
    };
    let mut update = connection.prepare_cached(sql)?;
    match next_attempt_ms {
        Some(at) => update.execute(params![job_seq, at])?,
        None => update.execute(params![job_seq])?,
    };
    // The delivery's status summarizes its jobs.
    connection.prepare_cached(
        "UPDATE deliveries SET
             status = (SELECT CASE
                 WHEN SUM(status = 'running') > 0 THEN 'running'
                 WHEN SUM(status = 'queued') > 0 THEN 'queued'
                 WHEN SUM(status = 'failed') > 0 THEN 'failed'
                 ELSE 'done' END
               FROM jobs WHERE jobs.delivery_seq = deliveries.seq),
             updated_ms = ?2
         WHERE seq = (SELECT delivery_seq FROM jobs WHERE seq = ?1)",
    )?
    .execute(params![job_seq, now_ms()])?;
    Ok(())
}

/// Current Unix time in milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(delivery_id: &str, actions: &[&str]) -> NewDelivery {
        NewDelivery {
            id: uuid::Uuid::now_v7().to_string(),
            provider: "github".into(),
            event: "pull_request".into(),
            delivery_id: delivery_id.into(),
            received_at: "2026-01-01T00:00:00Z".into(),
            received_ms: 0,
            headers: vec![("x-github-event".into(), "pull_request".into())],
            body: Bytes::from_static(b"{}"),
            normalized: Some("{}".into()),
            repository: Some("acme/rocket".into()),
            pr_number: Some(1),
            status: Status::Queued,
            reason: None,
            actions: actions.iter().map(|a| a.to_string()).collect(),
            head: None,
        }
    }

    #[tokio::test]
    async fn duplicate_returns_first_id() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let first = delivery("d-1", &["review"]);
        let first_id = first.id.clone();
        assert_eq!(store.insert(first).await.unwrap(), Inserted::New);
        let again = store.insert(delivery("d-1", &["review"])).await.unwrap();
        assert_eq!(again, Inserted::Duplicate { id: first_id });
    }

    #[tokio::test]
    async fn concurrent_inserts_all_commit() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tasks = Vec::new();
        for index in 0..200 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move { store.insert(delivery(&format!("d-{index}"), &["a"])).await }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap(), Inserted::New);
        }
        assert_eq!(store.pending_jobs(), 200);
    }

    #[tokio::test]
    async fn claim_retry_and_finish() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.insert(delivery("d-1", &["review"])).await.unwrap();
        let claimed = store.claim_due(10, 4, HashMap::new()).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert!(store.claim_due(10, 4, HashMap::new()).await.unwrap().is_empty());

        store.finish(claimed[0].job_seq, None, NextStep::RetryAt(1_000)).await.unwrap();
        assert!(store.claim_due(999, 4, HashMap::new()).await.unwrap().is_empty());
        let again = store.claim_due(1_000, 4, HashMap::new()).await.unwrap();
        assert_eq!(again.len(), 1);
        store.finish(again[0].job_seq, None, NextStep::Done).await.unwrap();
        assert_eq!(store.pending_jobs(), 0);
    }

    #[tokio::test]
    async fn prune_keeps_failed_and_recent() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut ignored = delivery("old-ignored", &[]);
        ignored.status = Status::Ignored;
        store.insert(ignored).await.unwrap();
        store.insert(delivery("old-done", &["a"])).await.unwrap();
        store.insert(delivery("old-failed", &["a"])).await.unwrap();
        let claimed = store.claim_due(10, 2, HashMap::new()).await.unwrap();
        store.finish(claimed[0].job_seq, None, NextStep::Done).await.unwrap();
        store.finish(claimed[1].job_seq, None, NextStep::Failed).await.unwrap();
        let mut recent = delivery("recent-ignored", &[]);
        recent.status = Status::Ignored;
        recent.received_ms = 5_000;
        store.insert(recent).await.unwrap();

        assert_eq!(store.prune(1_000, 100).await.unwrap(), 2);
        let left: Vec<String> = store
            .read(|connection| {
                let mut statement = connection.prepare("SELECT delivery_id FROM deliveries ORDER BY seq")?;
                let ids = statement.query_map([], |row| row.get(0))?.collect::<Result<_, _>>()?;
                Ok(ids)
            })
            .await
            .unwrap();
        assert_eq!(left, ["old-failed", "recent-ignored"]);
    }

    #[tokio::test]
    async fn claim_respects_allowances() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for index in 0..4 {
            store.insert(delivery(&format!("d-{index}"), &["capped", "free"])).await.unwrap();
        }
        let allowances = HashMap::from([("capped".to_owned(), 1)]);
        let claimed = store.claim_due(10, 10, allowances).await.unwrap();
        assert_eq!(claimed.iter().filter(|job| job.action == "capped").count(), 1);
        assert_eq!(claimed.iter().filter(|job| job.action == "free").count(), 4);
        let skipped = HashMap::from([("capped".to_owned(), 0)]);
        assert_eq!(store.next_due_ms(skipped).await.unwrap(), None);
    }

    #[tokio::test]
    async fn interrupted_jobs_are_requeued() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            store.insert(delivery("d-1", &["review"])).await.unwrap();
            assert_eq!(store.claim_due(10, 4, HashMap::new()).await.unwrap().len(), 1);
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.requeue_interrupted().await.unwrap(), 1);
        assert_eq!(store.claim_due(10, 4, HashMap::new()).await.unwrap().len(), 1);
    }
}
