//! The crash-safety run: thousands of signed deliveries from concurrent
//! clients while the server is killed with SIGKILL at random moments and
//! restarted on the same data_dir. Nothing answered 2xx may be lost, and
//! every such delivery's action must complete at least once.
//!
//! Ignored by default because it takes about a minute:
//! `cargo test --test it -- --ignored --nocapture crash`.

use crate::delivery_utils::*;
use rand::Rng;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

const DELIVERIES: usize = 3000;
const CLIENTS: usize = 16;
const KILLS: usize = 6;
/// Every this many deliveries, the client sends the delivery again after
/// its 2xx, and the answer must be `duplicate`.
const RESEND_EVERY: usize = 10;
/// The whole run must end within this; it normally takes well under it.
const RUN_LIMIT: Duration = Duration::from_secs(110);

/// What the clients saw.
#[derive(Debug, Default)]
struct Tally {
    /// Delivery ids answered 2xx, with the answer's status field.
    acknowledged: HashMap<String, String>,
    /// Sends that got no answer (the server was down or killed mid-request).
    connection_errors: usize,
    /// Sends answered with a status other than 2xx.
    non_2xx: usize,
    resent: usize,
    resent_duplicate: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "about a minute; run with --ignored"]
async fn sigkill_loses_no_acknowledged_delivery() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    // One short write per run: a line in done.log means the action ran.
    let action = format!(
        "[[actions]]\nname = \"record\"\non = [\"pull_request\"]\nrun = [\"sh\", \"-c\", \"echo $PRHOOK_DELIVERY_ID >> done.log\"]\ncwd = {:?}\n",
        dir.path()
    );
    let config = write_config_with_server(dir.path(), "workers = 4", &action);

    let server = Arc::new(Mutex::new(Some(Server::start(&config))));
    let base = Arc::new(RwLock::new(server.lock().unwrap().as_ref().unwrap().base.clone()));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let next = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();

    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let (client, base, tally, next) = (client.clone(), Arc::clone(&base), Arc::clone(&tally), Arc::clone(&next));
        clients.push(tokio::spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= DELIVERIES {
                    return;
                }
                let delivery_id = format!("crash-{index}");
                let body = pull_request_body("opened", index as u64 + 1);
                let answer = send_until_answered(&client, &base, &tally, &delivery_id, &body).await;
                tally.lock().unwrap().acknowledged.insert(delivery_id.clone(), answer);
                if index % RESEND_EVERY == 0 {
                    let again = send_until_answered(&client, &base, &tally, &delivery_id, &body).await;
                    let mut tally = tally.lock().unwrap();
                    tally.resent += 1;
                    if again == "duplicate" {
                        tally.resent_duplicate += 1;
                    }
                }
            }
        }));
    }

    // The killer: SIGKILL at random moments, restart on the same data_dir.
    let killer = {
        let (server, base, config) = (Arc::clone(&server), Arc::clone(&base), config.clone());
        tokio::spawn(async move {
            let mut kills = 0;
            while kills < KILLS {
                let pause = rand::thread_rng().gen_range(200..1200);
                tokio::time::sleep(Duration::from_millis(pause)).await;
                let (server, base, config) = (Arc::clone(&server), Arc::clone(&base), config.clone());
                tokio::task::spawn_blocking(move || {
                    let mut slot = server.lock().unwrap();
                    if let Some(mut running) = slot.take() {
                        running.kill();
                    }
                    let restarted = Server::start(&config);
                    *base.write().unwrap() = restarted.base.clone();
                    *slot = Some(restarted);
                })
                .await
                .unwrap();
                kills += 1;
            }
            kills
        })
    };

    for client in clients {
        client.await.unwrap();
    }
    let ingest_elapsed = started.elapsed();
    let kills = killer.await.unwrap();

    // Let the last server run every stored action.
    wait_for_drain(&config, started).await;
    let stored = deliveries_json(&config, &["list", "--limit", "1000000"]);
    let stored: HashMap<String, String> = stored
        .as_array()
        .unwrap()
        .iter()
        .map(|delivery| (delivery["delivery_id"].as_str().unwrap().to_owned(), delivery["status"].as_str().unwrap().to_owned()))
        .collect();
    let log = std::fs::read_to_string(dir.path().join("done.log")).unwrap_or_default();
    let mut runs: HashMap<&str, usize> = HashMap::new();
    for line in log.lines() {
        *runs.entry(line).or_default() += 1;
    }
    drop(server.lock().unwrap().take());

    let tally = tally.lock().unwrap();
    let missing: Vec<&String> = tally.acknowledged.keys().filter(|id| !stored.contains_key(*id)).collect();
    let not_run: Vec<&String> = tally.acknowledged.keys().filter(|id| !runs.contains_key(id.as_str())).collect();
    let not_done: Vec<&String> = tally.acknowledged.keys().filter(|id| stored.get(*id).is_some_and(|status| status != "done")).collect();
    let acknowledged_ids: HashSet<&String> = tally.acknowledged.keys().collect();
    let queued_answers = tally.acknowledged.values().filter(|answer| *answer == "queued").count();
    let run_again = runs.values().filter(|count| **count > 1).count();

    println!("crash-safety run:");
    println!("  deliveries sent:              {DELIVERIES} from {CLIENTS} concurrent clients");
    println!("  answered 2xx:                 {} ({queued_answers} queued, {} duplicate after a lost answer)", acknowledged_ids.len(), acknowledged_ids.len() - queued_answers);
    println!("  sends without an answer:      {} (server down or killed mid-request; retried)", tally.connection_errors);
    println!("  sends answered non-2xx:       {}", tally.non_2xx);
    println!("  SIGKILLs and restarts:        {kills}");
    println!("  resent after 2xx:             {} ({} answered duplicate)", tally.resent, tally.resent_duplicate);
    println!("  deliveries in the store:      {}", stored.len());
    println!("  acknowledged, not stored:     {}", missing.len());
    println!("  acknowledged, action not run: {}", not_run.len());
    println!("  acknowledged, not done:       {}", not_done.len());
    println!("  actions run more than once:   {run_again} (interrupted by a kill and run again)");
    println!("  ingest took {:.1} s, whole run {:.1} s", ingest_elapsed.as_secs_f64(), started.elapsed().as_secs_f64());

    assert_eq!(acknowledged_ids.len(), DELIVERIES);
    assert!(missing.is_empty(), "acknowledged but not stored: {missing:?}");
    assert!(not_run.is_empty(), "acknowledged but the action never ran: {not_run:?}");
    assert!(not_done.is_empty(), "acknowledged but not done: {not_done:?}");
    assert_eq!(tally.resent_duplicate, tally.resent);
    assert_eq!(kills, KILLS);
    assert!(started.elapsed() < RUN_LIMIT, "the run took {:?}", started.elapsed());
}

/// Sends one signed delivery until some server answers 2xx, and returns
/// the answer's `status` field.
async fn send_until_answered(client: &reqwest::Client, base: &RwLock<String>, tally: &Mutex<Tally>, delivery_id: &str, body: &[u8]) -> String {
    let deadline = Instant::now() + RUN_LIMIT;
    loop {
        assert!(Instant::now() < deadline, "delivery {delivery_id} never got a 2xx");
        let url = base.read().unwrap().clone();
        match send_github(client, &url, "pull_request", delivery_id, body.to_vec()).await {
            Ok((status, answer)) if (200..300).contains(&status) => {
                return answer["status"].as_str().unwrap_or_default().to_owned();
            }
            Ok(_) => tally.lock().unwrap().non_2xx += 1,
            Err(_) => tally.lock().unwrap().connection_errors += 1,
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until no delivery is queued or running.
async fn wait_for_drain(config: &std::path::Path, started: Instant) {
    loop {
        let queued = deliveries_json(config, &["list", "--status", "queued"]).as_array().map_or(0, Vec::len);
        let running = deliveries_json(config, &["list", "--status", "running"]).as_array().map_or(0, Vec::len);
        if queued + running == 0 {
            return;
        }
        assert!(started.elapsed() < RUN_LIMIT, "{queued} deliveries still queued and {running} running");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
