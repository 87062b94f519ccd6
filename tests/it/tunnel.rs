//! `prhook serve --use-tunnel` and `prhook tunnel`, on loopback only: a real
//! localtunnel server in a child process, and ngrok aimed at local ports so
//! that no test reaches ngrok's service.

use crate::tunnel_utils::*;
use crate::utils::*;
use serde_json::Value;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// `prhook serve --use-tunnel --tunnel-service localtunnel`, output in `serve.log`.
struct TunnelServe {
    child: Child,
    dir: std::path::PathBuf,
}

impl TunnelServe {
    fn start(dir: &Path, config: &Path) -> TunnelServe {
        let log = std::fs::File::create(dir.join("serve.log")).unwrap();
        let child = prhook(dir)
            .args(["serve", "--use-tunnel", "--tunnel-service", "localtunnel", "--config"])
            .arg(config)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        TunnelServe { child, dir: dir.to_owned() }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("serve.log")).unwrap_or_default()
    }

    /// Waits for the public URL that prhook prints.
    fn public_url(&mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let log = self.log();
            let url = log.lines().find_map(|line| line.strip_prefix("Tunnel (localtunnel) open: ")).map(str::to_owned);
            if let Some(url) = url {
                return url;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("prhook exited with {status}; log:\n{log}");
            }
            assert!(Instant::now() < deadline, "no tunnel URL; log:\n{log}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for TunnelServe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sink_action(sink: &Path) -> String {
    format!(
        r#"
[filters]
ignore_drafts = false

[[actions]]
name = "sink"
on = ["pull_request.opened"]
run = ["sh", "-c", "cat > \"$0/$PRHOOK_ID.json\"", "{}"]
timeout = 30
"#,
        sink.display()
    )
}

/// Sends a signed GitHub delivery to the localtunnel proxy port with the
/// tunnel's Host header.
fn send_through(server: &LocaltunnelServer, host: &str, delivery: &str, number: u64) -> std::io::Result<(u16, Value)> {
    let body = pull_request_body("opened", number);
    let signature = github_signature(GITHUB_SECRET, &body);
    let headers = [
        ("Content-Type", "application/json"),
        ("X-GitHub-Event", "pull_request"),
        ("X-GitHub-Delivery", delivery),
        ("X-Hub-Signature-256", signature.as_str()),
    ];
    let (status, reply) = http_request(server.proxy_port, host, "POST", "/api/v1/github_webhooks", &headers, &body)?;
    Ok((status, serde_json::from_slice(&reply).unwrap_or(Value::Null)))
}

fn stored_event(sink: &Path, id: &str) -> Value {
    let path = sink.join(format!("{id}.json"));
    wait_for(20, "the action's copy of the event", || {
        let text = std::fs::read_to_string(&path).ok()?;
        serde_json::from_str(&text).ok()
    })
}

#[test]
fn localtunnel_delivery_recovers_after_server_restart() {
    let mut localtunnel = LocaltunnelServer::start();
    let dir = tempfile::tempdir().unwrap();
    let sink = dir.path().join("sink");
    std::fs::create_dir(&sink).unwrap();
    let tunnel_section = format!("[tunnel]\nservice = \"localtunnel\"\nserver = \"{}\"\nconnect_timeout = 10\n", localtunnel.url());
    let config = write_config(dir.path(), free_port(), &format!("{tunnel_section}{}", sink_action(&sink)));
    let mut serve = TunnelServe::start(dir.path(), &config);

    let url = serve.public_url();
    let host = url.strip_prefix("http://").expect("the loopback server speaks plain HTTP").to_owned();
    assert!(host.starts_with("prhook-"), "a random subdomain: {host}");
    assert!(host.ends_with(&format!(".localhost:{}", localtunnel.proxy_port)), "{host}");
    assert!(serve.log().contains(&format!("{url}/api/v1/github_webhooks")), "{}", serve.log());

    let (status, reply) = send_through(&localtunnel, &host, "tunnel-1", 21).unwrap();
    assert_eq!(status, 202, "{reply}");
    assert_eq!(reply["status"], "queued");
    let event = stored_event(&sink, reply["id"].as_str().unwrap());
    assert_eq!(event["delivery_id"], "tunnel-1");
    assert_eq!(event["kind"], "pull_request");
    assert_eq!(event["action"], "opened");
    assert_eq!(event["pull_request"]["number"], 21);
    assert_eq!(event["pull_request"]["source_branch"], "tabs");

    localtunnel.restart();

    // The new server has no record of the tunnel until prhook's client
    // registers the subdomain again, and until then it drops each request.
    let mut attempt = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    let reply = loop {
        attempt += 1;
        if let Ok((202, reply)) = send_through(&localtunnel, &host, &format!("tunnel-after-restart-{attempt}"), 22) {
            break reply;
        }
        assert!(Instant::now() < deadline, "the tunnel did not recover; log:\n{}", serve.log());
        std::thread::sleep(Duration::from_millis(250));
    };
    let event = stored_event(&sink, reply["id"].as_str().unwrap());
    assert_eq!(event["pull_request"]["number"], 22);

    let log = serve.log();
    assert_eq!(log.matches("plain TCP").count(), 1, "{log}");
    assert!(log.contains("Re-registering tunnel"), "{log}");
}

#[test]
fn serve_ngrok_without_token_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let ingress = TcpListener::bind("127.0.0.1:0").unwrap();
    let ingress_address = ingress.local_addr().unwrap().to_string();
    let config = write_config(dir.path(), free_port(), "");

    let mut command = prhook(dir.path());
    command.args(["serve", "--use-tunnel", "--config"]).arg(&config).env("TUNNEL_SERVER", &ingress_address);
    let finished = run_bounded(command, 30);

    assert_eq!(finished.code, Some(2), "{}", finished.stderr);
    assert!(finished.stderr.contains("TUNNEL_AUTH_TOKEN"), "{}", finished.stderr);
    assert!(finished.stderr.contains("dashboard.ngrok.com"), "{}", finished.stderr);
    ingress.set_nonblocking(true).unwrap();
    assert!(ingress.accept().is_err(), "prhook dialed the ngrok server without a token");
}

#[test]
fn tunnel_ngrok_without_token_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let local = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = local.local_addr().unwrap().port().to_string();
    let ingress = TcpListener::bind("127.0.0.1:0").unwrap();

    let mut command = prhook(dir.path());
    command.args(["tunnel", "--service", "ngrok", "--port", &port]).env("TUNNEL_SERVER", ingress.local_addr().unwrap().to_string());
    let finished = run_bounded(command, 30);

    assert_eq!(finished.code, Some(2), "{}", finished.stderr);
    assert!(finished.stderr.contains("TUNNEL_AUTH_TOKEN"), "{}", finished.stderr);
    assert!(finished.stderr.contains("dashboard.ngrok.com"), "{}", finished.stderr);
    ingress.set_nonblocking(true).unwrap();
    assert!(ingress.accept().is_err(), "prhook dialed the ngrok server without a token");
}

#[test]
fn ngrok_closed_port_names_address() {
    let dir = tempfile::tempdir().unwrap();
    let local = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = local.local_addr().unwrap().port().to_string();
    let closed = format!("127.0.0.1:{}", free_port());
    std::fs::write(dir.path().join("prhook.toml"), "[tunnel]\nconnect_timeout = 5\n").unwrap();

    let mut command = prhook(dir.path());
    command.args(["tunnel", "--port", &port]).env("TUNNEL_AUTH_TOKEN", "not-a-real-token").env("TUNNEL_SERVER", &closed);
    let finished = run_bounded(command, 30);

    assert_eq!(finished.code, Some(1), "{}", finished.stderr);
    assert!(finished.stderr.contains(&format!("ngrok server at {closed}")), "{}", finished.stderr);
}

#[test]
fn ngrok_silent_server_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let local = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = local.local_addr().unwrap().port().to_string();
    // The kernel completes the TCP handshake, and nothing answers the TLS
    // client hello, so only the timeout ends the attempt.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_address = silent.local_addr().unwrap().to_string();
    std::fs::write(dir.path().join("prhook.toml"), "[tunnel]\nconnect_timeout = 1\n").unwrap();

    let mut command = prhook(dir.path());
    command.args(["tunnel", "--port", &port]).env("TUNNEL_AUTH_TOKEN", "not-a-real-token").env("TUNNEL_SERVER", &silent_address);
    let finished = run_bounded(command, 30);

    assert_eq!(finished.code, Some(1), "{}", finished.stderr);
    assert!(finished.stderr.contains(&format!("timed out after 1s connecting to the ngrok server at {silent_address}")), "{}", finished.stderr);
}

#[test]
fn tunnel_without_listener_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port().to_string();

    let mut command = prhook(dir.path());
    command.args(["tunnel", "--service", "localtunnel", "--port", &port]).env("TUNNEL_SERVER", "http://127.0.0.1:9");
    let finished = run_bounded(command, 30);

    assert_eq!(finished.code, Some(1), "{}", finished.stderr);
    assert!(finished.stderr.contains(&format!("nothing is listening on 127.0.0.1:{port}")), "{}", finished.stderr);
}

#[test]
fn tunnel_command_exposes_running_port() {
    let localtunnel = LocaltunnelServer::start();
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), "");
    let tunnel_dir = tempfile::tempdir().unwrap();
    let log_path = tunnel_dir.path().join("tunnel.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut tunnel = prhook(tunnel_dir.path())
        .args(["tunnel", "--service", "localtunnel", "--port", &server.port.to_string()])
        .env("TUNNEL_SERVER", localtunnel.url())
        .env("TUNNEL_SUBDOMAIN", "prhook-command-test")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();

    let expected = format!("http://prhook-command-test.localhost:{}", localtunnel.proxy_port);
    wait_for(30, "the tunnel URL", || std::fs::read_to_string(&log_path).ok().filter(|text| text.contains(&expected)));
    let host = expected.strip_prefix("http://").unwrap();
    let (status, reply) = send_through(&localtunnel, host, "command-1", 31).unwrap();

    unsafe {
        libc::kill(tunnel.id() as i32, libc::SIGTERM);
    }
    let code = tunnel.wait().unwrap().code();
    // Without actions, prhook accepts an authentic delivery as "ignored".
    // A body changed on the way would fail verification with 401 instead.
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["status"], "ignored");
    assert_eq!(code, Some(0), "{}", std::fs::read_to_string(&log_path).unwrap());
}
