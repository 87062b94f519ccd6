//! localtunnel through the `localtunnel-client` crate.
//!
//! The client registers a subdomain with the server's HTTP API, then keeps a
//! pool of plain TCP connections open to a port the server assigned. The
//! server sends each public request down one of them. When that port stops
//! accepting connections for [`REREGISTER_AFTER`], the client registers the same
//! subdomain again, retrying with a backoff from 2 s to 60 s, so the public
//! URL survives a server restart. The crate logs those retries through the
//! `log` facade (warn and error, target `localtunnel_client`), and prhook's
//! subscriber records them.

use super::TunnelError;
use crate::config::{TunnelConfig, TunnelService};
use localtunnel_client::{broadcast, open_tunnel, ClientConfig};
use rand::Rng;
use std::net::SocketAddr;
use std::sync::Once;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

/// Idle connections kept open to the server. Public servers cap this too
/// (localtunnel.me allows 10), and the client uses the smaller value.
const MAX_CONNECTIONS: u8 = 10;

/// How long the server's port must stay unreachable before the client
/// registers again. The crate's default is 30 s.
const REREGISTER_AFTER: Duration = Duration::from_secs(10);

pub(super) struct LocaltunnelTunnel {
    pub url: String,
    shutdown: broadcast::Sender<()>,
    relay: tokio::task::JoinHandle<()>,
}

impl LocaltunnelTunnel {
    pub(super) async fn open(config: &TunnelConfig, local: SocketAddr) -> Result<LocaltunnelTunnel, TunnelError> {
        let server = config.localtunnel_server().to_owned();
        let subdomain = config.subdomain.clone().unwrap_or_else(random_subdomain);
        let connect_error = |source: Box<dyn std::error::Error + Send + Sync>| TunnelError::Connect {
            service: TunnelService::Localtunnel,
            address: server.clone(),
            source,
        };

        let relay_listener = TcpListener::bind(SocketAddr::new(local.ip(), 0)).await.map_err(|error| connect_error(error.into()))?;
        let relay_address = relay_listener.local_addr().map_err(|error| connect_error(error.into()))?;
        let relay = tokio::spawn(relay(relay_listener, local));

        let (shutdown, _) = broadcast::channel(1);
        let client_config = ClientConfig {
            server: Some(server.clone()),
            subdomain: Some(subdomain),
            local_host: Some(relay_address.ip().to_string()),
            local_port: relay_address.port(),
            shutdown_signal: shutdown.clone(),
            max_conn: MAX_CONNECTIONS,
            credential: None,
            reregister_after: Some(REREGISTER_AFTER),
        };
        let opened = timeout(config.connect_timeout, open_tunnel(client_config)).await;
        let url = match opened {
            Ok(Ok(url)) => url,
            Ok(Err(error)) => {
                relay.abort();
                return Err(connect_error(error.into()));
            }
            Err(_) => {
                relay.abort();
                return Err(TunnelError::Timeout { service: TunnelService::Localtunnel, address: server, timeout: config.connect_timeout });
            }
        };

        warn_plain_tcp();
        Ok(LocaltunnelTunnel { url, shutdown, relay })
    }

    pub(super) fn close(self) {
        let _ = self.shutdown.send(());
        self.relay.abort();
    }
}

/// Warns, once per process, that the last hop is unencrypted.
fn warn_plain_tcp() {
    static WARNED: Once = Once::new();
    WARNED.call_once(|| {
        tracing::warn!(
            "localtunnel carries traffic between its server and prhook in plain TCP, so use it for development only; \
             webhook signatures still protect the integrity of each delivery"
        );
    });
}

/// Generates a subdomain such as `prhook-k3x9a2mf`. prhook never lets the
/// server pick one (`GET /?new`), because the crate's re-registration would
/// then receive a new name and the public URL would change.
fn random_subdomain() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    let suffix: String = (0..8).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    format!("prhook-{suffix}")
}

/// Forwards each connection the client makes to `target`, opening the
/// connection to `target` only when the first byte arrives.
///
/// The client connects to the local side as soon as each idle pool
/// connection opens. Pointed at prhook directly, those idle connections
/// would hit prhook's read timeout and be closed and reopened in a loop.
/// Behind this relay they wait without holding a connection to prhook.
async fn relay(listener: TcpListener, target: SocketAddr) {
    loop {
        let inbound = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                tracing::warn!(error = %error, "localtunnel relay cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        tokio::spawn(async move {
            if let Err(error) = forward(inbound, target).await {
                tracing::debug!(error = %error, "localtunnel connection ended with an error");
            }
        });
    }
}

async fn forward(mut inbound: TcpStream, target: SocketAddr) -> std::io::Result<()> {
    let mut first = [0u8; 1];
    if inbound.peek(&mut first).await? == 0 {
        return Ok(());
    }
    let mut outbound = TcpStream::connect(target).await?;
    tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tunnel::is_valid_subdomain;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn random_subdomain_is_valid() {
        let name = random_subdomain();
        assert!(is_valid_subdomain(&name), "{name}");
        assert!(name.starts_with("prhook-"));
    }

    #[tokio::test]
    async fn relay_copies_bytes_unchanged() {
        let target = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let target_address = target.local_addr().unwrap();
        let echo = tokio::spawn(async move {
            let (mut stream, _) = target.accept().await.unwrap();
            let mut received = vec![0u8; 5];
            stream.read_exact(&mut received).await.unwrap();
            stream.write_all(&received).await.unwrap();
            received
        });

        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay_address = listener.local_addr().unwrap();
        let relay_task = tokio::spawn(relay(listener, target_address));

        let mut client = TcpStream::connect(relay_address).await.unwrap();
        client.write_all(b"\x00ab\xffc").await.unwrap();
        let mut echoed = vec![0u8; 5];
        client.read_exact(&mut echoed).await.unwrap();

        assert_eq!(echo.await.unwrap(), b"\x00ab\xffc");
        assert_eq!(echoed, b"\x00ab\xffc");
        relay_task.abort();
    }

    #[tokio::test]
    async fn idle_connection_does_not_reach_target() {
        let target = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let target_address = target.local_addr().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay_address = listener.local_addr().unwrap();
        let relay_task = tokio::spawn(relay(listener, target_address));

        let idle = TcpStream::connect(relay_address).await.unwrap();
        drop(idle);
        let mut active = TcpStream::connect(relay_address).await.unwrap();
        active.write_all(b"x").await.unwrap();

        // The first connection the target accepts carries the byte, so the
        // idle one never reached it.
        let (mut stream, _) = target.accept().await.unwrap();
        let mut byte = [0u8; 1];
        stream.read_exact(&mut byte).await.unwrap();
        assert_eq!(&byte, b"x");
        relay_task.abort();
    }
}
