//! Helpers for the `simulate` and `verify-signature` tests: a real
//! `prhook serve` on a free loopback port whose only action records each
//! normalized event, and a runner for the built binary.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_prhook");

/// Builds a `prhook` command with no `PRHOOK_*` or color variables from the
/// caller's environment, run in `dir`.
pub fn prhook(dir: &Path) -> Command {
    let mut command = Command::new(BIN);
    command.current_dir(dir);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("PRHOOK_") || name == "NO_COLOR" || name == "RUST_LOG" {
            command.env_remove(&name);
        }
    }
    command
}

/// Runs a command to completion and captures its output.
pub fn run(command: &mut Command) -> Output {
    command.stdin(Stdio::null()).output().expect("prhook runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

// `serve` must know its port before it starts, so that `simulate` can find
// it in the same config file.
pub use crate::utils::free_port;

/// A running `prhook serve` with a config in a temporary directory.
pub struct Server {
    pub dir: tempfile::TempDir,
    pub port: u16,
    child: Child,
}

impl Server {
    /// Starts `serve` with `sections` (TOML) added to a config that listens
    /// on a free port, keeps every draft and bot, and records every event
    /// but pings as `events/<delivery id>.json`.
    pub fn start(sections: &str) -> Server {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("events")).unwrap();
        let port = free_port();
        let config = format!(
            r#"
[server]
listen = "127.0.0.1:{port}"
data_dir = "data"

[filters]
ignore_drafts = false
ignore_bots = false

[[actions]]
name = "record"
on = ["*"]
run = ["sh", "-c", "cat > \"$0/$PRHOOK_DELIVERY_ID.json.tmp\" && mv \"$0/$PRHOOK_DELIVERY_ID.json.tmp\" \"$0/$PRHOOK_DELIVERY_ID.json\"", "{events}"]
timeout = 30
retries = 0

{sections}
"#,
            events = dir.path().join("events").display()
        );
        std::fs::write(dir.path().join("prhook.toml"), config).unwrap();
        let mut child = prhook(dir.path())
            .args(["serve", "--config", "prhook.toml"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("prhook serve starts");

        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut listening = false;
        for line in lines.by_ref() {
            if line.unwrap().starts_with("prhook is listening on") {
                listening = true;
                break;
            }
        }
        assert!(listening, "prhook serve did not start listening");
        // Keep reading so that serve never blocks on a full stdout pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { dir, port, child }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Builds a `prhook` command in the server's directory with its config.
    pub fn prhook(&self) -> Command {
        let mut command = prhook(self.path());
        command.args(["--config", "prhook.toml", "--color", "never"]);
        command
    }

    /// Waits for the recorded event of `delivery_id` and parses it.
    pub fn wait_for_event(&self, delivery_id: &str) -> Value {
        let path: PathBuf = self.path().join("events").join(format!("{delivery_id}.json"));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(text) = std::fs::read_to_string(&path) {
                return serde_json::from_str(&text)
                    .unwrap_or_else(|error| panic!("{}: {error}: {text}", path.display()));
            }
            assert!(Instant::now() < deadline, "no event recorded for delivery {delivery_id}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Parses the JSON response that `simulate` printed after the status line.
pub fn printed_response(stdout: &str) -> Value {
    let start = stdout.find("\n{").unwrap_or_else(|| panic!("no JSON response in:\n{stdout}"));
    serde_json::from_str(stdout[start..].trim()).unwrap_or_else(|error| panic!("{error}:\n{stdout}"))
}
