//! A test server: the built binary on a free loopback port with a config
//! of the test's own, plus a tiny HTTP client and GitHub signing.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub const GITHUB_SECRET: &str = "it-github-secret";

pub struct TestServer {
    pub child: Child,
    pub port: u16,
    pub dir: PathBuf,
    pub config: PathBuf,
}

/// Picks a port on 127.0.0.1 that the kernel reports free. NOTE: another
/// process could take it before the server binds it, failing that start.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Writes `prhook.toml` into `dir` with a `[server]` section for `port`
/// and the given extra sections, and returns its path.
pub fn write_config(dir: &Path, port: u16, extra: &str) -> PathBuf {
    let config = format!(
        "[server]\nlisten = \"127.0.0.1:{port}\"\ndata_dir = \"{}\"\nmax_body_bytes = 65536\nshutdown_grace = 5\n\n[github]\nwebhook_secret = \"{GITHUB_SECRET}\"\n\n{extra}",
        dir.join("data").display()
    );
    let path = dir.join("prhook.toml");
    std::fs::write(&path, config).unwrap();
    path
}

impl TestServer {
    /// Starts `prhook serve` with `extra` config sections in a new temp dir.
    pub fn start(dir: &Path, extra: &str) -> TestServer {
        let port = free_port();
        let config = write_config(dir, port, extra);
        TestServer::start_with(dir, port, config)
    }

    pub fn start_with(dir: &Path, port: u16, config: PathBuf) -> TestServer {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("serve.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_prhook"))
            .args(["serve", "--config"])
            .arg(&config)
            .env_remove("PRHOOK_CONFIG")
            .env_remove("PRHOOK_LISTEN")
            .env_remove("PRHOOK_DATA_DIR")
            .env("RUST_LOG", "prhook=debug")
            .current_dir(dir)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let server = TestServer { child, port, dir: dir.to_owned(), config };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok((200, _)) = request_raw(self.port, "GET", "/healthz", &[], b"") {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("server did not start; log:\n{}", self.log());
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("serve.log")).unwrap_or_default()
    }

    pub fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, serde_json::Value) {
        let (status, body) = request_raw(self.port, "POST", path, headers, body).unwrap();
        (status, serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null))
    }

    /// Sends a GitHub delivery signed with [`GITHUB_SECRET`].
    pub fn send_github(&self, event: &str, delivery: &str, body: &[u8]) -> (u16, serde_json::Value) {
        let signature = github_signature(GITHUB_SECRET, body);
        self.post(
            "/api/v1/github_webhooks",
            &[
                ("Content-Type", "application/json"),
                ("X-GitHub-Event", event),
                ("X-GitHub-Delivery", delivery),
                ("X-Hub-Signature-256", &signature),
            ],
            body,
        )
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and returns the exit code.
    pub fn terminate(&mut self) -> Option<i32> {
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        self.child.wait().unwrap().code()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn github_signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Sends one HTTP/1.1 request to 127.0.0.1:`port` on a fresh connection
/// and returns the status and the body.
pub fn request_raw(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
    http_request(port, &format!("127.0.0.1:{port}"), method, path, headers, body)
}

/// Sends one HTTP/1.1 request to 127.0.0.1:`port` with the given Host
/// header, as a tunnel's proxy port needs, and returns the status and body.
pub fn http_request(port: u16, host: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").ok_or(std::io::ErrorKind::InvalidData)?;
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let status: u16 = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or(std::io::ErrorKind::InvalidData)?;
    let mut body = response[split + 4..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Ok((status, body))
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") else { break };
        let size = usize::from_str_radix(std::str::from_utf8(&data[..line_end]).unwrap_or("0").trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[line_end + 2..line_end + 2 + size]);
        data = &data[line_end + 4 + size..];
    }
    out
}

/// Waits until `check` returns `Some`, or panics after `seconds`.
pub fn wait_for<T>(seconds: u64, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(value) = check() {
            return value;
        }
        if Instant::now() > deadline {
            panic!("timed out waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Lines of a file, or none when it does not exist yet.
pub fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).map(|text| text.lines().map(str::to_owned).collect()).unwrap_or_default()
}

/// A small GitHub `pull_request` payload with invented names.
pub fn pull_request_body(action: &str, number: u64) -> Vec<u8> {
    serde_json::json!({
        "action": action,
        "number": number,
        "pull_request": {
            "number": number,
            "title": "Teach the parser about tabs",
            "html_url": format!("https://github.com/acme/rocket/pull/{number}"),
            "state": "open",
            "draft": false,
            "merged": false,
            "user": {"login": "ada", "type": "User"},
            "labels": [{"name": "parser"}, {"name": "good first issue"}],
            "head": {"ref": "tabs", "sha": "4b825dc642cb6eb9a060e54bf8d69288fbee4904"},
            "base": {"ref": "main", "sha": "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"}
        },
        "repository": {"full_name": "acme/rocket", "html_url": "https://github.com/acme/rocket"},
        "sender": {"login": "ada", "type": "User"}
    })
    .to_string()
    .into_bytes()
}
