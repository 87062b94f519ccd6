//! ngrok through its agent SDK (the `ngrok` crate): one session, one HTTP
//! endpoint, forwarding each connection to the local listener unchanged.
//!
//! NOTE: the tests cover the token check and failed connections only,
//! because a session needs ngrok's service; forwarding runs untested here.

use super::TunnelError;
use crate::config::{TunnelConfig, TunnelService};
use ngrok::forwarder::Forwarder;
use ngrok::prelude::*;
use ngrok::tunnel::HttpTunnel;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::time::timeout;

/// The ingress the SDK dials when `server` is unset (ngrok 0.19's default).
const DEFAULT_SERVER: &str = "connect.ngrok-agent.com:443";

pub(super) struct NgrokTunnel {
    pub url: String,
    session: ngrok::Session,
    forwarder: Forwarder<HttpTunnel>,
}

/// Rejects a missing token before any connection: the SDK would dial out
/// without one and only the server would reject it.
pub(super) fn check(config: &TunnelConfig) -> Result<(), TunnelError> {
    token(config).map(|_| ())
}

fn token(config: &TunnelConfig) -> Result<&str, TunnelError> {
    config.auth_token.as_ref().and_then(|secret| secret.expose_str()).filter(|token| !token.is_empty()).ok_or(TunnelError::MissingToken)
}

impl NgrokTunnel {
    pub(super) async fn open(config: &TunnelConfig, local: SocketAddr) -> Result<NgrokTunnel, TunnelError> {
        let token = token(config)?;
        crate::tls::install_crypto_provider();

        let address = config.server.clone().unwrap_or_else(|| DEFAULT_SERVER.to_owned());
        let mut builder = ngrok::Session::builder();
        builder.authtoken(token);
        if config.server.is_some() {
            builder.server_addr(address.as_str()).map_err(|_| TunnelError::InvalidServer { address: address.clone() })?;
        }

        let limit = config.connect_timeout;
        let timed_out = || TunnelError::Timeout { service: TunnelService::Ngrok, address: address.clone(), timeout: limit };
        let session = timeout(limit, builder.connect())
            .await
            .map_err(|_| timed_out())?
            .map_err(|error| TunnelError::Connect { service: TunnelService::Ngrok, address: address.clone(), source: error.into() })?;

        let mut endpoint = session.http_endpoint();
        if let Some(domain) = &config.domain {
            endpoint.domain(domain.as_str());
        }
        let target = url::Url::parse(&format!("http://{local}")).expect("a socket address forms a valid URL");
        let forwarder = timeout(limit, endpoint.listen_and_forward(target))
            .await
            .map_err(|_| timed_out())?
            .map_err(|error| TunnelError::Listen { service: TunnelService::Ngrok, address: address.clone(), source: error.into() })?;

        Ok(NgrokTunnel { url: forwarder.url().to_owned(), session, forwarder })
    }

    pub(super) async fn failed(&mut self) -> TunnelError {
        let source = match self.forwarder.join().await {
            Ok(Ok(())) => "the forwarder ended".into(),
            Ok(Err(error)) => error,
            Err(error) => error.into(),
        };
        TunnelError::Stopped { service: TunnelService::Ngrok, source }
    }

    pub(super) async fn close(mut self) {
        // Closing is best effort: the process is stopping and ngrok drops
        // the endpoint when the session ends anyway.
        let deadline = Duration::from_secs(5);
        if let Ok(Err(error)) = timeout(deadline, self.forwarder.close()).await {
            tracing::debug!(error = %error, "closing the ngrok endpoint failed");
        }
        if let Ok(Err(error)) = timeout(deadline, self.session.close()).await {
            tracing::debug!(error = %error, "closing the ngrok session failed");
        }
    }
}

