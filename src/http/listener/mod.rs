//! UMBRA's own front door: the TCP accept loop, TLS and HTTP/1.1 + HTTP/2 in front of Rocket.
//!
//! Why not `rocket.launch()`: Rocket 0.5 sets hyper's header-read timeout to none, has no TLS
//! handshake timeout and no connection caps, and keeps its listener API private (its issue
//! 1405), so one client could hold every file descriptor with idle sockets. Three ways out
//! were weighed: a patched copy of Rocket (a fork to carry forever), a byte-forwarding proxy in
//! front of a loopback Rocket (a second hop and copy per request, and the peer address lost),
//! and this one: UMBRA accepts, caps and times out connections itself, speaks HTTP with
//! hyper 1, and hands each complete request to Rocket through its public in-process dispatcher
//! (`rocket::local::asynchronous::Client`, the same path the tests drive). Rocket still runs
//! every fairing, guard, route and catcher; it only no longer owns the socket. The request
//! body is read here, bounded (`bridge::MAX_BODY_BYTES`), before Rocket sees it, so an
//! oversized upload is drained and answered with a 413 the client can read on both protocols.
//!
//! Per connection: the global and per-address caps admit it or close it at once
//! (`caps`); the TLS handshake must finish within `handshake_timeout_secs`; the first
//! request's headers within `header_timeout_secs` (hyper applies the same bound to every later
//! request's headers on HTTP/1.1); and a connection silent in both directions for
//! `idle_timeout_secs` is closed (`activity`).

mod activity;
mod bridge;
mod caps;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use ipnet::IpNet;
use rocket::local::asynchronous::Client;
use rocket::{Build, Orbit, Rocket};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::config::{Config, ConnectionLimits};
use crate::server::AppState;
use crate::tls::{self, Tls};

pub use bridge::MAX_BODY_BYTES;

/// Request bodies held in memory at once, across all connections: HTTP/2 lets one client run
/// many requests on each connection, so the per-request bound alone does not bound memory.
const MAX_BUFFERED_BODY_BYTES: usize = 64 * 1024 * 1024;
/// A request head (HTTP/1.1 read buffer, HTTP/2 header list) larger than this is refused.
const MAX_HEADER_BYTES: usize = 64 * 1024;

use self::activity::{Activity, Watched};
use self::bridge::{BodyBudget, Bridge};
use self::caps::{Admission, Caps};

#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("cannot listen on {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("cannot start the application: {0}")]
    Rocket(String),
}

/// A running server: where it listens, and how to stop it.
pub struct Listening {
    pub local_addr: SocketAddr,
    app: Arc<Client>,
    stop: watch::Sender<bool>,
    accept_loop: tokio::task::JoinHandle<()>,
}

impl Listening {
    pub fn rocket(&self) -> &Rocket<Orbit> {
        self.app.rocket()
    }

    /// Stops accepting at once, lets requests in flight finish for up to `grace`, closes
    /// what is left, then stops the background jobs.
    pub async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(grace, self.accept_loop).await;
        self.app.rocket().shutdown().notify();
    }

    /// Asks the server to stop without waiting for it (for `Drop` in tests).
    pub fn stop_soon(&self) {
        let _ = self.stop.send(true);
        self.app.rocket().shutdown().notify();
    }
}

/// Binds `config.listen`, starts the application (its liftoff fairings run here) and serves
/// it in a background task.
pub async fn launch(rocket: Rocket<Build>, config: &Config, tls: Option<&Tls>) -> Result<Listening, LaunchError> {
    let listener = TcpListener::bind(config.listen).await.map_err(|e| LaunchError::Bind(config.listen, e))?;
    let local_addr = listener.local_addr().map_err(|e| LaunchError::Bind(config.listen, e))?;
    let acceptor = tls.map(tls_acceptor).transpose()?;
    // The CA whose certificate this listener serves: the routes that hand it out and the
    // renewal job (started at liftoff, just below) find it in the app state.
    if let (Some(local_ca), Some(state)) = (tls.and_then(|t| t.local_ca.clone()), rocket.state::<AppState>()) {
        state.use_local_ca(local_ca);
    }
    let app = Client::untracked(rocket).await.map_err(|e| LaunchError::Rocket(e.pretty_print().to_string()))?;
    let app = Arc::new(app);
    let front = Arc::new(Front {
        app: app.clone(),
        acceptor,
        limits: config.connections,
        caps: Caps::new(config.connections),
        trusted_proxies: config.trusted_proxies.clone(),
        hsts: config.reached_over_https(),
        body_budget: BodyBudget::new(MAX_BUFFERED_BODY_BYTES),
    });
    let (stop, stopped) = watch::channel(false);
    let accept_loop = tokio::spawn(front.accept_loop(listener, stopped));
    Ok(Listening { local_addr, app, stop, accept_loop })
}

/// Every handshake takes the certificate `tls.served` holds at that moment, so a renewal
/// reaches new connections without a restart.
fn tls_acceptor(tls: &Tls) -> Result<TlsAcceptor, LaunchError> {
    let config = tls::server_config(tls.served.clone()).map_err(|e| LaunchError::Tls(e.to_string()))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

struct Front {
    app: Arc<Client>,
    acceptor: Option<TlsAcceptor>,
    limits: ConnectionLimits,
    caps: Caps,
    trusted_proxies: Vec<IpNet>,
    hsts: bool,
    body_budget: BodyBudget,
}

impl Front {
    async fn accept_loop(self: Arc<Self>, listener: TcpListener, mut stopped: watch::Receiver<bool>) {
        let graceful = GracefulShutdown::new();
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                _ = stopped.wait_for(|stop| *stop) => break,
            };
            let (stream, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors or memory: back off instead of spinning on accept.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let exempt = self.trusted_proxies.iter().any(|net| net.contains(&peer.ip()));
            // Over a cap: dropping the stream closes it before a byte is read.
            let Some(admission) = self.caps.admit(peer.ip(), exempt) else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(self.clone().connection(stream, peer, admission, graceful.watcher()));
        }
        drop(listener);
        graceful.shutdown().await;
    }

    async fn connection(self: Arc<Self>, stream: TcpStream, peer: SocketAddr, _admission: Admission, watcher: Watcher) {
        let activity = Activity::new();
        let Some(acceptor) = &self.acceptor else {
            return self.http(Watched::new(stream, activity), peer, watcher).await;
        };
        let handshake = Duration::from_secs(self.limits.handshake_timeout_secs);
        match tokio::time::timeout(handshake, acceptor.accept(stream)).await {
            Ok(Ok(tls)) => self.http(Watched::new(tls, activity), peer, watcher).await,
            Ok(Err(e)) => tracing::debug!(%peer, "TLS handshake failed: {e}"),
            Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
        }
    }

    async fn http<IO>(&self, io: Watched<IO>, peer: SocketAddr, watcher: Watcher)
    where
        IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let activity = io.activity();
        let header_timeout = Duration::from_secs(self.limits.header_timeout_secs);
        let idle_timeout = Duration::from_secs(self.limits.idle_timeout_secs);
        let bridge = Arc::new(Bridge {
            app: self.app.clone(),
            peer,
            activity: activity.clone(),
            hsts: self.hsts,
            body_budget: self.body_budget.clone(),
        });
        let service = service_fn(move |request| bridge.clone().handle(request));
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .keep_alive(true)
            .max_buf_size(MAX_HEADER_BYTES);
        builder
            .http2()
            .timer(TokioTimer::new())
            .max_concurrent_streams(64)
            .max_header_list_size(MAX_HEADER_BYTES as u32);
        let connection = watcher.watch(builder.serve_connection(TokioIo::new(io), service).into_owned());
        tokio::select! {
            result = connection => {
                if let Err(e) = result {
                    tracing::debug!(%peer, "connection ended: {e}");
                }
            }
            () = activity.expired(header_timeout, idle_timeout) => tracing::debug!(%peer, "closing an idle connection"),
        }
    }
}
