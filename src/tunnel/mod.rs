//! Tunnels: a public URL in front of the local listener, through ngrok or
//! localtunnel, for receiving real deliveries on a development machine.
//!
//! [`Tunnel::open`] opens the service chosen in [`TunnelConfig`];
//! [`announce`] prints the public URL and each provider's webhook URL.
//! `prhook tunnel` ([`command`]) and `prhook serve --use-tunnel` share both.

pub mod command;
mod localtunnel;
mod ngrok;

use crate::cli::ColorChoice;
use crate::config::tunnel::missing_ngrok_token_message;
use crate::config::{TunnelConfig, TunnelService};
use crate::provider::ProviderId;
use std::io::{IsTerminal, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A failure to open a tunnel or to keep it working.
#[derive(Debug, thiserror::Error)]
pub enum TunnelError {
    #[error("{}", missing_ngrok_token_message())]
    MissingToken,
    #[error("invalid ngrok server address {address:?}: expected HOST:PORT")]
    InvalidServer { address: String },
    #[error("timed out after {}s connecting to the {service} server at {address}", timeout.as_secs())]
    Timeout { service: TunnelService, address: String, timeout: Duration },
    #[error("cannot connect to the {service} server at {address}")]
    Connect {
        service: TunnelService,
        address: String,
        #[source]
        source: BoxError,
    },
    #[error("the {service} server at {address} did not open the tunnel")]
    Listen {
        service: TunnelService,
        address: String,
        #[source]
        source: BoxError,
    },
    #[error("the {service} tunnel stopped")]
    Stopped {
        service: TunnelService,
        #[source]
        source: BoxError,
    },
}

impl TunnelError {
    /// Tells whether the settings are at fault (exit code 2) rather than the network (exit code 1).
    pub fn is_usage(&self) -> bool {
        matches!(self, TunnelError::MissingToken | TunnelError::InvalidServer { .. })
    }
}

/// An open tunnel to a local address.
pub struct Tunnel {
    pub service: TunnelService,
    /// The URL the service assigned, such as `https://abcd.ngrok.app`.
    pub public_url: String,
    inner: Inner,
}

enum Inner {
    Ngrok(Box<ngrok::NgrokTunnel>),
    Localtunnel(localtunnel::LocaltunnelTunnel),
}

impl Tunnel {
    /// Checks what can be checked without the network, so that a missing
    /// ngrok token fails before anything starts or dials out.
    pub fn check(config: &TunnelConfig) -> Result<(), TunnelError> {
        match config.service {
            TunnelService::Ngrok => ngrok::check(config),
            TunnelService::Localtunnel => Ok(()),
        }
    }

    /// Opens a tunnel from the service to `local`, within `config.connect_timeout`.
    pub async fn open(config: &TunnelConfig, local: SocketAddr) -> Result<Tunnel, TunnelError> {
        let local = connect_address(local);
        tracing::info!(service = %config.service, local = %local, "opening tunnel");
        let (public_url, inner) = match config.service {
            TunnelService::Ngrok => {
                let tunnel = ngrok::NgrokTunnel::open(config, local).await?;
                (tunnel.url.clone(), Inner::Ngrok(Box::new(tunnel)))
            }
            TunnelService::Localtunnel => {
                let tunnel = localtunnel::LocaltunnelTunnel::open(config, local).await?;
                (tunnel.url.clone(), Inner::Localtunnel(tunnel))
            }
        };
        tracing::info!(service = %config.service, url = %public_url, "tunnel open");
        Ok(Tunnel { service: config.service, public_url, inner })
    }

    /// Waits until the tunnel fails for good. ngrok reconnects its session
    /// by itself and localtunnel re-registers with backoff, so this returns
    /// only when the ngrok forwarder ends; a localtunnel tunnel never does.
    pub async fn failed(&mut self) -> TunnelError {
        match &mut self.inner {
            Inner::Ngrok(tunnel) => tunnel.failed().await,
            Inner::Localtunnel(_) => std::future::pending().await,
        }
    }

    /// Closes the tunnel, so the service stops sending traffic.
    pub async fn close(self) {
        match self.inner {
            Inner::Ngrok(tunnel) => tunnel.close().await,
            Inner::Localtunnel(tunnel) => tunnel.close(),
        }
        tracing::info!(service = %self.service, "tunnel closed");
    }
}

/// Maps a wildcard listen address to loopback, the address a tunnel can forward to.
fn connect_address(listen: SocketAddr) -> SocketAddr {
    match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::new(Ipv4Addr::LOCALHOST.into(), listen.port()),
        IpAddr::V6(ip) if ip.is_unspecified() => SocketAddr::new(Ipv6Addr::LOCALHOST.into(), listen.port()),
        _ => listen,
    }
}

/// Builds each provider's webhook URL behind `public_url`.
pub fn webhook_urls(public_url: &str) -> Vec<(ProviderId, String)> {
    let base = public_url.trim_end_matches('/');
    ProviderId::ALL.into_iter().map(|provider| (provider, format!("{base}{}", provider.primary_route()))).collect()
}

/// Prints the public URL and the webhook URL to paste for each provider,
/// colored when `color` allows it for stdout, and logs them.
pub fn announce(tunnel: &Tunnel, color: ColorChoice) {
    let colored = color.enabled(std::io::stdout().is_terminal());
    let paint = |text: &str, code: &str| if colored { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() };

    let urls = webhook_urls(&tunnel.public_url);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "Tunnel ({}) open: {}", tunnel.service, paint(&tunnel.public_url, "1;32"));
    let _ = writeln!(out, "Paste these webhook URLs into each provider's settings:");
    for (provider, url) in &urls {
        let _ = writeln!(out, "  {:<17} {}", provider.as_str(), paint(url, "36"));
    }
    let _ = out.flush();
    drop(out);

    for (provider, url) in &urls {
        tracing::info!(provider = provider.as_str(), url = %url, "webhook url");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_use_primary_routes() {
        let urls = webhook_urls("https://abcd.ngrok.app/");
        let github = urls.iter().find(|(provider, _)| *provider == ProviderId::Github).unwrap();
        assert_eq!(github.1, "https://abcd.ngrok.app/api/v1/github_webhooks");
        assert_eq!(urls.len(), ProviderId::ALL.len());
    }

    #[test]
    fn wildcard_listen_forwards_to_loopback() {
        let address = connect_address("0.0.0.0:3000".parse().unwrap());
        assert_eq!(address, "127.0.0.1:3000".parse::<SocketAddr>().unwrap());
    }

    #[test]
    fn specific_listen_is_kept() {
        let address = connect_address("192.0.2.7:3000".parse().unwrap());
        assert_eq!(address, "192.0.2.7:3000".parse::<SocketAddr>().unwrap());
    }

    #[test]
    fn missing_token_is_usage_error() {
        assert!(TunnelError::MissingToken.is_usage());
    }
}
