//! The connection loop: accepts up to `max_connections` at once, applies
//! the header read timeout, gives every request a span with a request id,
//! and stops accepting on shutdown while open requests finish.

use axum::body::Body;
use axum::http::{HeaderValue, Request};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;
use tracing::Instrument;

/// How long open connections get to finish after shutdown begins.
const CLOSE_GRACE: Duration = Duration::from_secs(10);

pub struct ServeOptions {
    pub max_connections: usize,
    pub read_timeout: Duration,
}

/// Serves `router` on `listener` until `shutdown` is cancelled.
pub async fn serve(listener: TcpListener, router: Router, options: ServeOptions, shutdown: CancellationToken) {
    let permits = Arc::new(Semaphore::new(options.max_connections));
    let graceful = GracefulShutdown::new();
    let request_counter = Arc::new(AtomicU64::new(0));

    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => permit.expect("the semaphore is never closed"),
            () = shutdown.cancelled() => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Running out of file descriptors is temporary: wait and go on.
                    tracing::warn!(error = %error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        let _ = stream.set_nodelay(true);
        let counter = Arc::clone(&request_counter);
        let router = router.clone();
        let service = tower::service_fn(move |request: Request<hyper::body::Incoming>| {
            let number = counter.fetch_add(1, Ordering::Relaxed) + 1;
            let request_id = format!("{:x}-{number}", std::process::id());
            let span = tracing::info_span!(
                "request",
                request_id = %request_id,
                method = %request.method(),
                path = %request.uri().path(),
                remote = %remote,
                provider = tracing::field::Empty,
                event = tracing::field::Empty,
                delivery_id = tracing::field::Empty,
                id = tracing::field::Empty,
                repository = tracing::field::Empty,
                pr = tracing::field::Empty,
            );
            let router = router.clone();
            async move {
                let request = request.map(Body::new);
                let mut response = router.oneshot(request).await?;
                if let Ok(value) = HeaderValue::from_str(&request_id) {
                    response.headers_mut().insert("x-prhook-request-id", value);
                }
                Ok::<_, std::convert::Infallible>(response)
            }
            .instrument(span)
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.timer(TokioTimer::new()).header_read_timeout(options.read_timeout).keep_alive(true);
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(error = %error, "connection ended with an error");
            }
            drop(permit);
        });
    }

    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(CLOSE_GRACE) => {
            tracing::warn!("open connections did not finish in time; closing them");
        }
    }
}
