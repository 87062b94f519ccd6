//! Durable ingest throughput: signed GitHub deliveries per second that
//! `prhook serve` stores, fsyncs and answers 202.
//!
//! Starts the built binary on a loopback port with `dispatch = false`, so
//! the figure is the accept path alone (verify, normalize, group-committed
//! insert), then sends DELIVERIES deliveries from CLIENTS keep-alive
//! connections, RUNS times. Prints each run and the median.
//!
//! `cargo bench --bench ingest` (set PRHOOK_BENCH_DELIVERIES,
//! PRHOOK_BENCH_CLIENTS and PRHOOK_BENCH_RUNS to change the load).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SECRET: &str = "bench-secret";

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|value| value.parse().ok()).unwrap_or(default)
}

fn main() {
    let deliveries = env_number("PRHOOK_BENCH_DELIVERIES", 20_000);
    let clients = env_number("PRHOOK_BENCH_CLIENTS", 64);
    let runs = env_number("PRHOOK_BENCH_RUNS", 3);

    let mut rates = Vec::new();
    for run in 1..=runs {
        let (rate, p50, p99) = one_run(deliveries, clients);
        println!("run {run}: {deliveries} deliveries, {clients} clients: {rate:.0} deliveries/s, latency p50 {p50:.2} ms, p99 {p99:.2} ms");
        rates.push(rate);
    }
    rates.sort_by(|a, b| a.total_cmp(b));
    println!("median: {:.0} deliveries/s over {runs} runs", rates[rates.len() / 2]);
}

fn one_run(deliveries: usize, clients: usize) -> (f64, f64, f64) {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = format!(
        "[server]\nlisten = \"127.0.0.1:{port}\"\ndata_dir = \"{}\"\ndispatch = false\nmax_queue_depth = 10000000\n\n[github]\nwebhook_secret = \"{SECRET}\"\n\n[filters]\nignore_drafts = false\n\n[[actions]]\nname = \"noop\"\non = [\"*\"]\nrun = [\"true\"]\n",
        dir.path().join("data").display()
    );
    std::fs::write(dir.path().join("prhook.toml"), config).unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_prhook"))
        .args(["serve", "-q", "--config"])
        .arg(dir.path().join("prhook.toml"))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }

    let body = payload();
    let signature = {
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(&body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    };
    let body = Arc::new(body);
    let signature = Arc::new(signature);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (body, signature, next) = (Arc::clone(&body), Arc::clone(&signature), Arc::clone(&next));
            std::thread::spawn(move || {
                let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
                stream.set_nodelay(true).unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut writer = stream;
                let mut latencies = Vec::new();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= deliveries {
                        return latencies;
                    }
                    let head = format!(
                        "POST /api/v1/github_webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-GitHub-Event: pull_request\r\nX-GitHub-Delivery: bench-{index}\r\nX-Hub-Signature-256: {signature}\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    );
                    let sent = Instant::now();
                    writer.write_all(head.as_bytes()).unwrap();
                    writer.write_all(&body).unwrap();
                    let status = read_response(&mut reader);
                    assert_eq!(status, 202, "delivery {index} was not queued");
                    latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                }
            })
        })
        .collect();
    let mut latencies: Vec<f64> = workers.into_iter().flat_map(|worker| worker.join().unwrap()).collect();
    let elapsed = started.elapsed().as_secs_f64();
    unsafe {
        libc::kill(server.id() as i32, libc::SIGTERM);
    }
    let _ = server.wait();
    latencies.sort_by(|a, b| a.total_cmp(b));
    let percentile = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    (deliveries as f64 / elapsed, percentile(0.5), percentile(0.99))
}

fn read_response(reader: &mut BufReader<TcpStream>) -> u16 {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut length = 0usize;
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).unwrap();
    status
}

/// A `pull_request` payload of about 6 KB, with invented names.
fn payload() -> Vec<u8> {
    let description = "Adds tab handling to the tokenizer. ".repeat(120);
    serde_json::json!({
        "action": "opened",
        "number": 42,
        "pull_request": {
            "number": 42, "title": "Teach the tokenizer about tabs", "body": description,
            "html_url": "https://github.com/acme/rocket/pull/42", "state": "open", "draft": false, "merged": false,
            "user": {"login": "ada", "type": "User"}, "labels": [{"name": "parser"}],
            "head": {"ref": "tabs", "sha": "4b825dc642cb6eb9a060e54bf8d69288fbee4904"},
            "base": {"ref": "main", "sha": "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"}
        },
        "repository": {"full_name": "acme/rocket", "html_url": "https://github.com/acme/rocket"},
        "sender": {"login": "ada", "type": "User"}
    })
    .to_string()
    .into_bytes()
}
