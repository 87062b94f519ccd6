//! A running `prhook serve` on a loopback port, and GitHub deliveries
//! signed the way GitHub signs them.

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use crate::utils::free_port;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const GITHUB_SECRET: &str = "it-secret-7f3a";

/// A `prhook serve` child process that is killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl Server {
    /// Starts `prhook serve` with `config`, in which `{port}` is replaced by
    /// a free loopback port, and waits until `/healthz` returns 200.
    pub fn start(config: &str) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let config_path = dir.path().join("prhook.toml");
        std::fs::write(&config_path, config.replace("{port}", &port.to_string())).unwrap();
        let log = std::fs::File::create(dir.path().join("serve.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_prhook"))
            .args(["-v", "serve", "--config"])
            .arg(&config_path)
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut server = Server { child, port, dir };
        server.wait_until_healthy();
        server
    }

    fn wait_until_healthy(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("prhook serve exited with {status}; log:\n{}", self.log());
            }
            if let Ok((200, _)) = request(self.port, "GET", "/healthz", &[], b"") {
                return;
            }
            assert!(Instant::now() < deadline, "prhook serve did not answer /healthz in time; log:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("serve.log")).unwrap_or_default()
    }

    pub fn database(&self) -> PathBuf {
        self.dir.path().join("data").join("prhook.sqlite3")
    }

    /// Sends a GitHub delivery signed with [`GITHUB_SECRET`] and returns the
    /// status and the JSON body of the response.
    pub fn send_github(&self, event: &str, delivery_id: &str, payload: &Value) -> (u16, Value) {
        let body = serde_json::to_vec(payload).unwrap();
        let signature = format!("sha256={}", sign(GITHUB_SECRET.as_bytes(), &body));
        let headers = [
            ("Content-Type", "application/json"),
            ("X-GitHub-Event", event),
            ("X-GitHub-Delivery", delivery_id),
            ("X-Hub-Signature-256", signature.as_str()),
        ];
        let (status, text) = request(self.port, "POST", "/api/v1/github_webhooks", &headers, &body).unwrap();
        let answer = serde_json::from_str(&text).unwrap_or_else(|_| panic!("answer is not JSON: {text}"));
        (status, answer)
    }

    /// Reads the stored status and reason of a delivery.
    pub fn stored(&self, delivery_id: &str) -> (String, Option<String>) {
        stored(&self.database(), delivery_id)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn stored(database: &Path, delivery_id: &str) -> (String, Option<String>) {
    let connection = rusqlite::Connection::open_with_flags(database, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    connection
        .query_row("SELECT status, reason FROM deliveries WHERE delivery_id = ?1", [delivery_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
}

/// Hex HMAC-SHA256 of `body`, as in GitHub's `X-Hub-Signature-256`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Sends one HTTP/1.1 request and returns the status and the body as text.
fn request(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> std::io::Result<(u16, String)> {
    let (status, body) = crate::utils::request_raw(port, method, path, headers, body)?;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// What a test pull request looks like; each field maps to a payload field.
#[derive(Clone)]
pub struct PullRequestSpec {
    pub number: u64,
    pub title: &'static str,
    pub author: &'static str,
    pub author_type: &'static str,
    pub labels: Vec<&'static str>,
    pub source_branch: &'static str,
    pub target_branch: &'static str,
    pub repository: &'static str,
    pub draft: bool,
}

impl Default for PullRequestSpec {
    fn default() -> PullRequestSpec {
        PullRequestSpec {
            number: 12,
            title: "Speed up the tile cache",
            author: "mira-okafor",
            author_type: "User",
            labels: vec!["performance"],
            source_branch: "feature/tile-cache",
            target_branch: "main",
            repository: "lumen-works/atlas",
            draft: false,
        }
    }
}

fn labels(spec: &PullRequestSpec) -> Value {
    Value::Array(spec.labels.iter().map(|name| json!({"name": name})).collect())
}

/// Builds a GitHub `pull_request` payload, sent by the PR's author.
pub fn pull_request(action: &str, spec: &PullRequestSpec) -> Value {
    let mut payload: Value = serde_json::from_str(include_str!("fixtures/github_pull_request.json")).unwrap();
    payload["action"] = json!(action);
    payload["number"] = json!(spec.number);
    let pr = &mut payload["pull_request"];
    pr["number"] = json!(spec.number);
    pr["title"] = json!(spec.title);
    pr["html_url"] = json!(format!("https://github.test/{}/pull/{}", spec.repository, spec.number));
    pr["user"] = json!({"login": spec.author, "type": spec.author_type});
    pr["labels"] = labels(spec);
    pr["head"]["ref"] = json!(spec.source_branch);
    pr["base"]["ref"] = json!(spec.target_branch);
    pr["draft"] = json!(spec.draft);
    payload["repository"]["full_name"] = json!(spec.repository);
    payload["sender"] = json!({"login": spec.author, "type": spec.author_type});
    payload
}

/// Builds a GitHub `issue_comment` payload on the pull request `spec`.
pub fn comment(spec: &PullRequestSpec, body: &str, commenter: &str, commenter_type: &str) -> Value {
    let mut payload: Value = serde_json::from_str(include_str!("fixtures/github_issue_comment.json")).unwrap();
    let issue = &mut payload["issue"];
    issue["number"] = json!(spec.number);
    issue["title"] = json!(spec.title);
    issue["user"] = json!({"login": spec.author, "type": spec.author_type});
    issue["labels"] = labels(spec);
    issue["draft"] = json!(spec.draft);
    payload["comment"]["body"] = json!(body);
    payload["comment"]["user"] = json!({"login": commenter, "type": commenter_type});
    payload["repository"]["full_name"] = json!(spec.repository);
    payload["sender"] = json!({"login": commenter, "type": commenter_type});
    payload
}
