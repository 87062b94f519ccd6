//! `prhook tunnel`: expose a local port that is already listening, usually
//! a `prhook serve` started separately, until SIGINT or SIGTERM.

use super::{announce, Tunnel};
use crate::cli::ColorChoice;
use crate::config::Config;
use crate::serve::{wait_for_signal, ExitError};
use std::net::SocketAddr;

/// Opens the tunnel to `port` on the configured listen address (or to
/// `server.listen` itself), prints the URLs, and keeps it open until a signal.
pub async fn run_tunnel(config: Config, port: Option<u16>, color: ColorChoice) -> Result<(), ExitError> {
    for warning in &config.warnings {
        tracing::warn!(key = %warning.key, "{}", warning.message);
    }
    Tunnel::check(&config.tunnel).map_err(ExitError::usage)?;

    let listen = config.server.listen;
    let local = super::connect_address(SocketAddr::new(listen.ip(), port.unwrap_or(listen.port())));
    if let Err(error) = tokio::net::TcpStream::connect(local).await {
        return Err(ExitError::runtime(
            anyhow::Error::new(error).context(format!("nothing is listening on {local}; start `prhook serve` first or pass --port")),
        ));
    }

    let mut tunnel = Tunnel::open(&config.tunnel, local).await.map_err(tunnel_exit)?;
    announce(&tunnel, color);

    let result = tokio::select! {
        _ = wait_for_signal() => {
            tracing::info!("shutdown signal received, closing the tunnel");
            Ok(())
        }
        error = tunnel.failed() => Err(ExitError::runtime(error)),
    };
    tunnel.close().await;
    result
}

/// Maps a tunnel error to its exit code: 2 for settings, 1 for the network.
pub fn tunnel_exit(error: super::TunnelError) -> ExitError {
    if error.is_usage() {
        ExitError::usage(error)
    } else {
        ExitError::runtime(error)
    }
}
