//! A real localtunnel server on loopback, and helpers for driving `prhook`
//! through it.
//!
//! The server is the `localtunnel-server` crate, run in a child process so a
//! test can kill and restart it: the child is this test binary again, with
//! only [`localtunnel_server_process`] selected and the ports in
//! [`PORTS_VARIABLE`]. The crate binds 0.0.0.0, but every test reaches it
//! through 127.0.0.1.

pub use crate::utils::http_request;
use crate::utils::free_port;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PORTS_VARIABLE: &str = "PRHOOK_IT_LOCALTUNNEL_PORTS";

/// Environment variables that would leak the developer's settings into a test.
const TUNNEL_VARIABLES: [&str; 9] = [
    "PRHOOK_CONFIG",
    "PRHOOK_LISTEN",
    "PRHOOK_DATA_DIR",
    "TUNNEL_SERVICE",
    "TUNNEL_AUTH_TOKEN",
    "NGROK_AUTHTOKEN",
    "TUNNEL_REGION",
    "TUNNEL_SERVER",
    "TUNNEL_SUBDOMAIN",
];

/// Builds a command for the built `prhook` in `dir`, with tunnel and prhook variables removed.
pub fn prhook(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_prhook"));
    for name in TUNNEL_VARIABLES {
        command.env_remove(name);
    }
    command.env("RUST_LOG", "prhook=debug,warn").env("NO_COLOR", "1").current_dir(dir);
    command
}

pub struct LocaltunnelServer {
    child: Child,
    pub api_port: u16,
    pub proxy_port: u16,
}

impl LocaltunnelServer {
    pub fn start() -> LocaltunnelServer {
        LocaltunnelServer::start_on(free_port(), free_port())
    }

    fn start_on(api_port: u16, proxy_port: u16) -> LocaltunnelServer {
        let server = LocaltunnelServer { child: spawn_server_process(api_port, proxy_port), api_port, proxy_port };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok((200, _)) = http_request(self.api_port, &format!("127.0.0.1:{}", self.api_port), "GET", "/api/status", &[], b"") {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the localtunnel server did not start on 127.0.0.1:{}", self.api_port);
    }

    /// Returns the URL of the registration API.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.api_port)
    }

    /// Kills the server and starts a new one on the same ports; every
    /// registration and pooled connection of the old one is gone.
    pub fn restart(&mut self) {
        self.stop();
        self.child = spawn_server_process(self.api_port, self.proxy_port);
        self.wait_ready();
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for LocaltunnelServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn spawn_server_process(api_port: u16, proxy_port: u16) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["tunnel_utils::localtunnel_server_process", "--exact", "--ignored", "--nocapture"])
        .env(PORTS_VARIABLE, format!("{api_port},{proxy_port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The body of the localtunnel server child process; returns at once when
/// run as an ordinary test.
#[test]
#[ignore = "runs only as the localtunnel server child process"]
fn localtunnel_server_process() {
    let Ok(ports) = std::env::var(PORTS_VARIABLE) else { return };
    let (api_port, proxy_port) = ports.split_once(',').unwrap();
    let proxy_port: u16 = proxy_port.parse().unwrap();
    let config = localtunnel_server::ServerConfig {
        domain: format!("localhost:{proxy_port}"),
        api_port: api_port.parse().unwrap(),
        secure: false,
        max_sockets: 10,
        proxy_port,
        require_auth: false,
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(localtunnel_server::start(config)).unwrap();
}

/// A finished child's exit code and its stderr.
pub struct Finished {
    pub code: Option<i32>,
    pub stderr: String,
}

/// Runs `command` to completion, killing it after `seconds`.
pub fn run_bounded(mut command: Command, seconds: u64) -> Finished {
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stderr_pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr_pipe.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("prhook still ran after {seconds}s; stderr:\n{}", reader.join().unwrap());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Finished { code: status.code(), stderr: reader.join().unwrap() }
}
