//! Helpers for the delivery tests: a real `prhook serve` child process on
//! loopback, signed GitHub deliveries, and `prhook deliveries` runs.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The GitHub webhook secret every test config uses.
pub const GITHUB_SECRET: &str = "it-github-secret";

/// How long a test waits for a condition before failing.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// A `prhook` command with a clean environment.
pub fn prhook() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_prhook"));
    for (name, _) in std::env::vars() {
        if name.starts_with("PRHOOK_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    command
}

/// Writes `prhook.toml` in `dir`: a listener on a free loopback port, the
/// store in `dir/data`, a GitHub secret, and `extra` appended (actions).
pub fn write_config(dir: &Path, extra: &str) -> PathBuf {
    write_config_with_server(dir, "", extra)
}

/// Like [`write_config`], with `server` appended to the `[server]` section.
pub fn write_config_with_server(dir: &Path, server: &str, extra: &str) -> PathBuf {
    let path = dir.join("prhook.toml");
    let text = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\ndata_dir = \"data\"\n{server}\n\n[github]\nwebhook_secret = \"{GITHUB_SECRET}\"\n\n{extra}\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// A running `prhook serve`, killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub stderr_path: PathBuf,
}

impl Server {
    /// Starts `prhook serve --config CONFIG` and waits for its address.
    pub fn start(config: &Path) -> Server {
        let stderr_path = config.with_file_name(format!("serve-{}.log", unique()));
        let stderr = std::fs::File::create(&stderr_path).unwrap();
        let mut child = prhook()
            .arg("serve")
            .arg("--config")
            .arg(config)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base = loop {
            let Some(Ok(line)) = lines.next() else {
                let log = std::fs::read_to_string(&stderr_path).unwrap_or_default();
                panic!("prhook serve stopped before listening; its log:\n{log}");
            };
            if let Some(address) = line.strip_prefix("prhook is listening on ") {
                break address.trim().to_owned();
            }
        };
        // Keep reading so that the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, base, stderr_path }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    /// Kills the server with SIGKILL and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn unique() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A GitHub `pull_request` body for PR `number` of acme/rocket.
pub fn pull_request_body(action: &str, number: u64) -> Vec<u8> {
    let payload = json!({
        "action": action,
        "number": number,
        "pull_request": {
            "number": number,
            "title": format!("Change {number}"),
            "html_url": format!("https://github.com/acme/rocket/pull/{number}"),
            "state": "open",
            "draft": false,
            "merged": false,
            "user": {"login": "alice", "type": "User"},
            "head": {"ref": "feature", "sha": format!("{number:040x}")},
            "base": {"ref": "main"},
            "labels": []
        },
        "repository": {"full_name": "acme/rocket", "html_url": "https://github.com/acme/rocket"},
        "sender": {"login": "alice", "type": "User"}
    });
    serde_json::to_vec(&payload).unwrap()
}

/// The `X-Hub-Signature-256` value for `body`.
pub fn github_signature(body: &[u8]) -> String {
    let digest = prhook::verify::hmac_sha256(GITHUB_SECRET.as_bytes(), &[body]);
    format!("sha256={}", hex::encode(digest))
}

/// Sends a signed GitHub delivery and returns the status and JSON answer.
pub async fn send_github(client: &reqwest::Client, base: &str, event: &str, delivery_id: &str, body: Vec<u8>) -> reqwest::Result<(u16, Value)> {
    let response = client
        .post(format!("{base}/api/v1/github_webhooks"))
        .header("content-type", "application/json")
        .header("x-github-event", event)
        .header("x-github-delivery", delivery_id)
        .header("x-hub-signature-256", github_signature(&body))
        .body(body)
        .send()
        .await?;
    let status = response.status().as_u16();
    let answer = response.json::<Value>().await.unwrap_or(Value::Null);
    Ok((status, answer))
}

/// Runs `prhook deliveries ARGS --config CONFIG`.
pub fn deliveries(config: &Path, args: &[&str]) -> Output {
    prhook().arg("deliveries").args(args).arg("--config").arg(config).output().unwrap()
}

/// Runs `prhook deliveries ... --format json` and parses the output.
pub fn deliveries_json(config: &Path, args: &[&str]) -> Value {
    let output = deliveries(config, &[args, &["--format", "json"]].concat());
    assert!(output.status.success(), "prhook deliveries {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Polls `condition` until it holds, panicking with `what` after [`DEADLINE`].
pub async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One sample line of the Prometheus text format.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

/// Parses the Prometheus text exposition format (version 0.0.4), panicking
/// at the first line that does not follow it.
pub fn parse_prometheus(text: &str) -> Vec<Sample> {
    let is_name = |name: &str| {
        let mut chars = name.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    };
    let mut typed = std::collections::HashMap::new();
    let mut samples = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let words: Vec<&str> = comment.trim_start().splitn(3, ' ').collect();
            match words.as_slice() {
                ["TYPE", name, kind] => {
                    assert!(is_name(name), "bad metric name in {line:?}");
                    assert!(["counter", "gauge", "histogram", "summary", "untyped"].contains(kind), "bad type in {line:?}");
                    assert!(typed.insert(name.to_string(), kind.to_string()).is_none(), "second TYPE line for {name}");
                }
                ["HELP", name, ..] => assert!(is_name(name), "bad metric name in {line:?}"),
                _ => {}
            }
            continue;
        }
        let (name_and_labels, value) = match line.find('}') {
            Some(end) => (&line[..=end], line[end + 1..].trim()),
            None => {
                let (name, value) = line.split_once(' ').unwrap_or_else(|| panic!("no value in {line:?}"));
                (name, value.trim())
            }
        };
        let (name, labels) = match name_and_labels.split_once('{') {
            Some((name, labels)) => (name, parse_labels(labels.strip_suffix('}').unwrap(), line)),
            None => (name_and_labels, Vec::new()),
        };
        assert!(is_name(name), "bad metric name in {line:?}");
        let value = value.split(' ').next().unwrap();
        let value = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            "NaN" => f64::NAN,
            other => other.parse().unwrap_or_else(|_| panic!("bad value in {line:?}")),
        };
        let family = ["_bucket", "_sum", "_count"].iter().find_map(|suffix| name.strip_suffix(suffix)).filter(|base| typed.contains_key(*base));
        assert!(typed.contains_key(name) || family.is_some(), "sample before its TYPE line: {line:?}");
        samples.push(Sample { name: name.to_owned(), labels, value });
    }
    samples
}

fn parse_labels(text: &str, line: &str) -> Vec<(String, String)> {
    let mut labels = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"").unwrap_or_else(|| panic!("bad label in {line:?}"));
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, c @ ('\\' | '"'))) => value.push(c),
                    _ => panic!("bad escape in {line:?}"),
                },
                Some((index, '"')) => break index,
                Some((_, c)) => value.push(c),
                None => panic!("unterminated label value in {line:?}"),
            }
        };
        labels.push((name.trim().to_owned(), value));
        rest = after[end + 1..].trim_start_matches(',').trim_start();
    }
    labels
}

/// The value of the sample `name` whose labels include `labels`; 0 when absent.
pub fn sample_value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .find(|sample| {
            sample.name == name
                && labels.iter().all(|(key, value)| sample.labels.iter().any(|(k, v)| k == key && v == value))
        })
        .map_or(0.0, |sample| sample.value)
}

/// Fetches `GET /metrics` and parses it.
pub async fn scrape(client: &reqwest::Client, base: &str) -> Vec<Sample> {
    let response = client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    parse_prometheus(&response.text().await.unwrap())
}
