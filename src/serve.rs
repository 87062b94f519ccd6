//! `prhook serve`: load the configuration, take the data directory, open
//! the store, and run the HTTP server and the dispatcher until a signal.

use crate::cli::ColorChoice;
use crate::config::generated::{self, GeneratedSecrets};
use crate::config::{Config, ConfigSource, LoadError, Overrides};
use crate::dispatch::Dispatcher;
use crate::lock::DataDirLock;
use crate::provider::{ProviderId, Providers};
use crate::server::listener::{self, ServeOptions};
use crate::server::{self, AppState};
use crate::store::Store;
use crate::tunnel::command::tunnel_exit;
use crate::tunnel::{self, Tunnel};
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

/// Options of `prhook serve` that are not part of the configuration.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Open a tunnel to the listener (`--use-tunnel`).
    pub use_tunnel: bool,
    /// Whether the tunnel's URLs on stdout may be colored.
    pub color: ColorChoice,
}

/// Runs the server until SIGINT or SIGTERM, then drains.
pub async fn run_serve(mut config: Config, options: RunOptions) -> Result<(), ExitError> {
    if options.use_tunnel {
        Tunnel::check(&config.tunnel).map_err(ExitError::usage)?;
    }
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

    let store = Store::open(&data_dir).context("cannot open the store").map_err(ExitError::runtime)?;
    let requeued = store.requeue_interrupted().await.context("cannot recover interrupted jobs").map_err(ExitError::runtime)?;
    if requeued > 0 {
        tracing::info!(jobs = requeued, "jobs interrupted by the last stop are queued again");
    }

    let listener = TcpListener::bind(config.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.server.listen))
        .map_err(ExitError::runtime)?;
    let address = listener.local_addr().map_err(ExitError::runtime)?;
    announce(&config, address, &secrets, &created, &unconfigured);
    let tunnel = if options.use_tunnel {
        let tunnel = Tunnel::open(&config.tunnel, address).await.map_err(tunnel_exit)?;
        tunnel::announce(&tunnel, options.color);
        Some(tunnel)
    } else {
        None
    };

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
    };

    let dispatcher = if config.server.dispatch {
        let actions: HashMap<_, _> = config.actions.iter().map(|action| (action.name.clone(), action.clone())).collect();
        let dispatcher = Dispatcher {
            store: store.clone(),
            actions: Arc::new(actions),
            workers: config.server.workers,
            wake,
            shutdown: shutdown.clone(),
            grace: config.server.shutdown_grace,
        };
        Some(tokio::spawn(dispatcher.run()))
    } else {
        tracing::warn!("dispatch = false: deliveries are stored but no action runs");
        None
    };

    let signal_token = shutdown.clone();
    let signal_draining = Arc::clone(&draining);
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutdown signal received, draining");
        signal_draining.store(true, Ordering::Relaxed);
        signal_token.cancel();
    });

    // A tunnel that fails for good is logged; the local listener keeps serving.
    let tunnel_watch = tunnel.map(|mut tunnel| {
        let stop = shutdown.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = stop.cancelled() => {}
                error = tunnel.failed() => {
                    let error = anyhow::Error::new(error);
                    tracing::error!(error = format!("{error:#}"), "tunnel failed; deliveries still reach the local address");
                }
            }
            tunnel.close().await;
        })
    });

    let serve_options = ServeOptions { max_connections: config.server.max_connections, read_timeout: config.server.read_timeout };
    listener::serve(listener, server::router(state), serve_options, shutdown.clone()).await;
    if let Some(tunnel_watch) = tunnel_watch {
        let _ = tunnel_watch.await;
    }
    if let Some(dispatcher) = dispatcher {
        let _ = dispatcher.await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// Waits for SIGINT or SIGTERM.
pub(crate) async fn wait_for_signal() {
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
