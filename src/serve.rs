//! `prhook serve`: load the configuration, take the data directory, open
//! the store, and run the HTTP server and the dispatcher until a signal.

use crate::config::generated::{self, GeneratedSecrets};
use crate::config::{Config, ConfigSource, LoadError, Overrides};
use crate::api::Apis;
use crate::dispatch::Dispatcher;
use crate::lock::DataDirLock;
use crate::provider::{ProviderId, Providers};
use crate::replies::{Replies, RetryPolicy};
use crate::server::listener::{self, ServeOptions};
use crate::server::{self, AppState};
use crate::store::Store;
use anyhow::Context;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// A failure with the exit code it should end the process with.
#[derive(Debug, thiserror::Error)]
#[error("{error:#}")]
pub struct ExitError {
    pub code: i32,
    #[source]
    pub error: anyhow::Error,
}

impl ExitError {
    /// Bad usage or configuration: exit 2.
    pub fn usage(error: impl Into<anyhow::Error>) -> ExitError {
        ExitError { code: 2, error: error.into() }
    }

    /// A runtime failure: exit 1.
    pub fn runtime(error: impl Into<anyhow::Error>) -> ExitError {
        ExitError { code: 1, error: error.into() }
    }
}

/// Loads the configuration as `serve` does; errors are exit code 2.
pub fn load_config(config_path: Option<&Path>, overrides: &Overrides) -> Result<Config, ExitError> {
    let source = ConfigSource::find(config_path);
    Config::load(&source, overrides).map_err(|error| match &error {
        LoadError::Invalid { .. } => ExitError::usage(anyhow::anyhow!("{error}\nRun `prhook check-config` for line numbers.")),
        _ => ExitError::usage(error),
    })
}

/// Runs the server until SIGINT or SIGTERM, then drains.
pub async fn run_serve(mut config: Config) -> Result<(), ExitError> {
    let data_dir = config.server.data_dir.clone();
    let _lock = DataDirLock::acquire(&data_dir).map_err(ExitError::usage)?;

    let unconfigured = generated::unconfigured(&config);
    let (secrets, created) = GeneratedSecrets::ensure(&data_dir, &unconfigured).map_err(ExitError::runtime)?;
    secrets.apply(&mut config);

    for warning in &config.warnings {
        tracing::warn!(key = %warning.key, "{}", warning.message);
    }
    for section in &config.inactive_sections {
        tracing::warn!(section = %section, "configuration section is parsed but has no effect in this version");
    }

    crate::telemetry::install();
    let store = Store::open(&data_dir).context("cannot open the store").map_err(ExitError::runtime)?;
    let requeued = store.requeue_interrupted().await.context("cannot recover interrupted jobs").map_err(ExitError::runtime)?;
    if requeued > 0 {
        tracing::info!(jobs = requeued, "jobs interrupted by the last stop are queued again");
    }

    let apis = Apis::from_config(&config).context("cannot set up the provider API clients").map_err(ExitError::usage)?;
    let replies = Replies::new(store.clone(), Arc::new(apis))
        .await
        .context("cannot open the reply outbox")
        .map_err(ExitError::runtime)?;

    let listener = TcpListener::bind(config.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.server.listen))
        .map_err(ExitError::runtime)?;
    let address = listener.local_addr().map_err(ExitError::runtime)?;
    announce(&config, address, &secrets, &created, &unconfigured);

    let config = Arc::new(config);
    let shutdown = CancellationToken::new();
    let draining = Arc::new(AtomicBool::new(false));
    let wake = Arc::new(Notify::new());
    let state = AppState {
        config: Arc::clone(&config),
        providers: Providers::from_config(&config),
        store: store.clone(),
        dispatch_wake: Arc::clone(&wake),
        draining: Arc::clone(&draining),
        replies: Some(replies.clone()),
    };
    replies.spawn_own_login_lookups(shutdown.clone());

    let dispatcher = if config.server.dispatch {
        let actions: HashMap<_, _> = config.actions.iter().map(|action| (action.name.clone(), action.clone())).collect();
        let dispatcher = Dispatcher {
            store: store.clone(),
            actions: Arc::new(actions),
            workers: config.server.workers,
            wake,
            shutdown: shutdown.clone(),
            grace: config.server.shutdown_grace,
            replies: Some(replies.clone()),
        };
        Some(tokio::spawn(dispatcher.run()))
    } else {
        tracing::warn!("dispatch = false: deliveries are stored but no action runs");
        None
    };

    let maintenance = tokio::spawn(crate::maintenance::run(store.clone(), config.server.retention_days, shutdown.clone()));
    // Replies are posted even with `dispatch = false`, so acks and replies
    // queued before go out. The worker stops after the dispatcher, so that
    // replies of actions finishing in the shutdown grace period can still
    // go out. Replies left over stay queued for the next start.
    let reply_shutdown = CancellationToken::new();
    let retention = std::time::Duration::from_secs(u64::from(config.server.retention_days) * 24 * 3600);
    let reply_worker =
        tokio::spawn(replies.worker(RetryPolicy::default(), reply_shutdown.clone()).with_retention(retention).run());

    let signal_token = shutdown.clone();
    let signal_draining = Arc::clone(&draining);
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutdown signal received, draining");
        signal_draining.store(true, Ordering::Relaxed);
        signal_token.cancel();
    });

    let options = ServeOptions { max_connections: config.server.max_connections, read_timeout: config.server.read_timeout };
    listener::serve(listener, server::router(state), options, shutdown.clone()).await;
    if let Some(dispatcher) = dispatcher {
        let _ = dispatcher.await;
    }
    let _ = maintenance.await;
    reply_shutdown.cancel();
    let _ = reply_worker.await;
    tracing::info!("stopped");
    Ok(())
}

async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate()).expect("SIGTERM handler installs");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
}

/// Prints where each provider should deliver, and any secret generated now.
///
/// Secrets go to stdout once, at generation, and never into the log.
fn announce(config: &Config, address: SocketAddr, secrets: &GeneratedSecrets, created: &[ProviderId], unconfigured: &[ProviderId]) {
    let base = format!("http://{address}");
    tracing::info!(address = %address, data_dir = %config.server.data_dir.display(), "listening");
    println!("prhook is listening on {base}");
    println!("Webhook URLs (use your public address in place of {base}):");
    for provider in ProviderId::ALL {
        let route = provider.primary_route();
        let origin = if unconfigured.contains(&provider) { "generated secret" } else { "configured secret" };
        println!("  {:<17} {base}{route}  ({origin})", provider.as_str());
    }
    if !created.is_empty() {
        println!();
        println!("Generated webhook secrets (shown once; kept in {}):", GeneratedSecrets::path(&config.server.data_dir).display());
        for provider in created {
            let secret = secrets.get(*provider).and_then(|secret| secret.expose_str()).unwrap_or_default();
            match provider {
                ProviderId::AzureDevops => println!("  {:<17} username: (empty)  password: {secret}", provider.as_str()),
                _ => println!("  {:<17} {secret}", provider.as_str()),
            }
        }
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
}
