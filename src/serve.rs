//! `prhook serve`: load the configuration, take the data directory, open
//! the store, and run the HTTP server and the dispatcher until a signal.

use crate::app::AppBuilder;
use crate::cli::ColorChoice;
use crate::config::generated::GeneratedSecrets;
use crate::config::{Config, ConfigSource, LoadError, Overrides};
use crate::provider::ProviderId;
use crate::server::listener::{self, ServeOptions};
use crate::tunnel::command::tunnel_exit;
use crate::tunnel::{self, Tunnel};
use anyhow::Context;
use std::net::SocketAddr;
use std::path::Path;
use tokio::net::TcpListener;

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
pub async fn run_serve(config: Config, options: RunOptions) -> Result<(), ExitError> {
    if options.use_tunnel {
        Tunnel::check(&config.tunnel).map_err(ExitError::usage)?;
    }
    let app = AppBuilder::new(config).build().await.map_err(|error| ExitError { code: error.exit_code(), error: error.into() })?;
    let config = app.config();

    let listener = TcpListener::bind(config.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.server.listen))
        .map_err(ExitError::runtime)?;
    let address = listener.local_addr().map_err(ExitError::runtime)?;
    announce(config, address, &app.secrets, &app.created, &app.unconfigured);
    let tunnel = if options.use_tunnel {
        let tunnel = Tunnel::open(&config.tunnel, address).await.map_err(tunnel_exit)?;
        tunnel::announce(&tunnel, options.color);
        Some(tunnel)
    } else {
        None
    };

    let background = app.start_background();
    let trigger = app.shutdown_trigger();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutdown signal received, draining");
        trigger.trigger();
    });

    // A tunnel that fails for good is logged; the local listener keeps serving.
    let tunnel_watch = tunnel.map(|mut tunnel| {
        let stop = app.shutdown_token();
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
    listener::serve(listener, app.router(), serve_options, app.shutdown_token()).await;
    if let Some(tunnel_watch) = tunnel_watch {
        let _ = tunnel_watch.await;
    }
    background.finish().await;
    tracing::info!("stopped");
    Ok(())
}

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
