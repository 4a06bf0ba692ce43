//! The HTTP server: accepts connections within limits, so that nobody can wear the register down
//! by opening connections and sending nothing, or sending slowly.
//!
//! `axum::serve` has no header timeout and no connection cap, so connections are served here
//! with hyper directly: a cap on open connections in all and per address, a time limit on
//! reading a request's headers (which also closes idle keep-alive connections), a small header
//! buffer, and graceful shutdown. Body reads have their own deadline (`body_deadline`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// How much the server takes from anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once, in all. Further connections wait in the system's queue.
    pub max_connections: usize,
    /// Connections open at once from one address; more are closed at once. None: no limit
    /// (behind a proxy every connection comes from the proxy's address).
    pub max_connections_per_address: Option<usize>,
    /// Time to send a request's headers, and the longest a connection may sit idle.
    pub header_timeout: Duration,
    /// Time to send a request's whole body.
    pub body_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 4096,
            max_connections_per_address: Some(256),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(60),
        }
    }
}

/// The largest request head (request line and headers) read; larger ones are refused with 431.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Open connections per address.
#[derive(Default)]
struct PerAddress {
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One connection's place in the per-address count, given back when it closes.
struct Place {
    table: Arc<PerAddress>,
    ip: IpAddr,
}

impl PerAddress {
    fn enter(table: &Arc<PerAddress>, ip: IpAddr, max: usize) -> Option<Place> {
        let mut open = table.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Place {
            table: table.clone(),
            ip,
        })
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut open = self.table.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes, then lets open
/// requests finish.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let per_address = Arc::new(PerAddress::default());
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(MAX_HEAD_BYTES)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        // Wait for a free place before accepting, so a full server never holds more sockets
        // than it allows (and never runs out of file descriptors).
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // wait a moment rather than spin.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let place = match limits.max_connections_per_address {
            Some(max) => match PerAddress::enter(&per_address, peer.ip(), max) {
                Some(place) => Some(place),
                None => {
                    tracing::debug!(address = %peer.ip(), "too many connections from one address");
                    drop(stream);
                    continue;
                }
            },
            None => None,
        };
        let _ = stream.set_nodelay(true);
        // Handlers read the peer's address (rate limits, the audit log) as `ConnectInfo`.
        let app = app.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let mut request = request.map(axum::body::Body::new);
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(request)
        });
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop((permit, place));
        });
    }
    drop(listener);
    // Requests under way finish; idle connections close.
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(Duration::from_secs(30)) => {
            tracing::warn!("stopped with requests still open after 30 seconds");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_per_address_are_counted_and_given_back() {
        let table = Arc::new(PerAddress::default());
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = PerAddress::enter(&table, a, 2).unwrap();
        let _second = PerAddress::enter(&table, a, 2).unwrap();
        assert!(
            PerAddress::enter(&table, a, 2).is_none(),
            "a third is refused"
        );
        assert!(
            PerAddress::enter(&table, b, 2).is_some(),
            "others are not affected"
        );
        drop(first);
        assert!(
            PerAddress::enter(&table, a, 2).is_some(),
            "a place comes back on close"
        );
    }
}
