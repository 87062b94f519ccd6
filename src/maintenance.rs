//! Background upkeep of the store while `serve` runs: recounting the
//! queue (other processes such as `prhook deliveries replay` add to it)
//! and pruning old deliveries after `retention_days`.

use crate::store::{now_ms, Store};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often the queue depth is recounted from the table.
const RECOUNT_INTERVAL: Duration = Duration::from_secs(5);

/// How often old deliveries are pruned; the first pruning runs at start.
const PRUNE_INTERVAL: Duration = Duration::from_secs(3600);

/// Deliveries deleted per transaction, so that a large backlog does not
/// hold the writer, and with it the webhook responses, for long.
const PRUNE_BATCH: usize = 500;

/// Runs until `shutdown` is cancelled.
pub async fn run(store: Store, retention_days: u32, shutdown: CancellationToken) {
    let mut recount = tokio::time::interval(RECOUNT_INTERVAL);
    let mut prune = tokio::time::interval(PRUNE_INTERVAL);
    recount.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    prune.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = recount.tick() => {
                if let Err(error) = store.refresh_pending_jobs().await {
                    tracing::warn!(error = %error, "recounting the queue failed");
                }
            }
            _ = prune.tick() => prune_old(&store, retention_days, &shutdown).await,
        }
    }
}

/// Deletes done and ignored deliveries received more than `retention_days`
/// ago; 0 keeps them all.
pub async fn prune_old(store: &Store, retention_days: u32, shutdown: &CancellationToken) {
    if retention_days == 0 {
        return;
    }
    let cutoff = now_ms() - i64::from(retention_days) * 86_400_000;
    let mut pruned = 0;
    while !shutdown.is_cancelled() {
        match store.prune(cutoff, PRUNE_BATCH).await {
            Ok(deleted) => {
                pruned += deleted;
                if deleted < PRUNE_BATCH {
                    break;
                }
            }
            Err(error) => {
                tracing::warn!(error = %error, "pruning old deliveries failed");
                break;
            }
        }
        // Let waiting webhook writes through between batches.
        tokio::task::yield_now().await;
    }
    if pruned > 0 {
        tracing::info!(deliveries = pruned, retention_days, "old deliveries pruned");
    }
}
