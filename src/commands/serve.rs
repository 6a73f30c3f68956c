//! `umbra serve`: prepare the data folder, database, secret key and certificate, then serve.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::signal::unix::{SignalKind, signal};

use crate::auth::setup_code;
use crate::cli::ServeArgs;
use crate::clock::{SharedClock, SystemClock};
use crate::commands::Exit;
use crate::config::{Config, TlsMode};
use crate::db::backup::sqlite_file_of;
use crate::db::{Db, DbOpenError};
use crate::http::listener;
use crate::server::{self, ServerParts};
use crate::{files, jobs, telemetry, tls};

pub async fn run(args: ServeArgs) -> Exit {
    let config = match Config::load(&args) {
        Ok(config) => config,
        Err(e) => return Exit::BadConfig(e.to_string()),
    };
    let _log_guard = telemetry::init(config.log_dir.as_deref());
    match serve(config).await {
        Ok(()) => Exit::Done,
        // One line on stderr (`Exit::report`), nothing else: the reason is the whole story.
        Err(Stop::DatabaseRefused(message)) => Exit::DatabaseRefused(message),
        Err(Stop::Failed(message)) => {
            tracing::error!("{message}");
            Exit::Failed(message)
        }
    }
}

/// Why `serve` ended before a stop was asked for.
enum Stop {
    Failed(String),
    /// The database is damaged, not UMBRA's or from a newer UMBRA: nothing was written to it.
    DatabaseRefused(String),
}

impl From<String> for Stop {
    fn from(message: String) -> Self {
        Self::Failed(message)
    }
}

async fn serve(config: Config) -> Result<(), Stop> {
    let started = Instant::now();
    files::create_private_dir(&config.data_dir)
        .map_err(|e| format!("cannot create the data folder {}: {e}", config.data_dir.display()))?;
    // One server per SQLite file; held until this function returns.
    let _lock = match sqlite_file_of(&config.database_url) {
        Some(file) => Some(files::DatabaseLock::acquire(&file)?),
        None => None,
    };
    let refused_or_failed = |e: DbOpenError| {
        if e.is_refusal() { Stop::DatabaseRefused(e.to_string()) } else { Stop::Failed(e.to_string()) }
    };
    // An existing database is judged (read-only) before the secret key and the certificate are
    // made: a refused database stops the start with nothing made in the data folder.
    Db::check_existing(&config.database_url).await.map_err(refused_or_failed)?;
    let secret_key = files::load_or_create_secret_key(&config.data_dir).map_err(|e| format!("secret key: {e}"))?;
    let clock: SharedClock = Arc::new(SystemClock);
    let tls = tls::prepare(&config, clock.now()).map_err(|e| e.to_string())?;
    let db = Db::open_checked(&config.database_url).await.map_err(refused_or_failed)?;
    let setup_code = setup_code::current(db.pool()).await.map_err(|e| format!("database: {e}"))?;

    if config.tls == TlsMode::Off {
        tracing::warn!("TLS is OFF: serving plain HTTP. Only do this behind a TLS-terminating reverse proxy.");
        if config.insecure_cookies {
            tracing::warn!("Cookies are sent WITHOUT the Secure flag: for local development only.");
        }
    }
    let certificate = tls.as_ref().map(|t| {
        let label = if t.local_ca.is_some() { "CA certificate" } else { "Certificate" };
        format!("{label} SHA-256 fingerprint: {}", t.fingerprint)
    });
    let announce = Announcement { config: config.clone(), certificate, setup_code, started };
    let rocket = server::build(ServerParts { config: config.clone(), db: db.clone(), clock, secret_key })
        .map_err(|e| e.to_string())?;
    let listening = listener::launch(rocket, &config, tls.as_ref()).await.map_err(|e| e.to_string())?;
    announce.print(listening.local_addr.port());
    stop_signal().await;
    let started_stopping = Instant::now();
    tracing::info!("shutting down: finishing requests in flight and the background jobs' passes");
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
    // The jobs start no new pass from now on and finish the one in progress (a push being
    // sent is recorded as sent and its lease released) while the requests drain; only then
    // does the database close under them.
    let jobs = jobs::runner(listening.rocket()).map(|runner| runner.take_tasks()).unwrap_or_default();
    listening.rocket().shutdown().notify();
    listening.stop(SHUTDOWN_GRACE).await;
    jobs::finish(jobs, JOBS_GRACE.saturating_sub(started_stopping.elapsed())).await;
    db.close().await;
    Ok(())
}

/// How long requests in flight may take to finish once a stop was asked for.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// How long, from the stop, the background jobs may take to finish their pass: a push being
/// sent may take its 15 s timeout. Inside systemd's TimeoutStopSec (30 s).
const JOBS_GRACE: Duration = Duration::from_secs(20);

/// SIGTERM (systemd) or SIGINT (Ctrl-C).
async fn stop_signal() {
    let terminate = async {
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = terminate => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

/// What the operator needs once the listener is up: where, which certificate, the setup code.
struct Announcement {
    config: Config,
    /// The line naming the certificate to trust: the local CA's (which devices install from
    /// `/ca.crt`), or the operator's certificate.
    certificate: Option<String>,
    setup_code: Option<String>,
    started: Instant,
}

impl Announcement {
    fn print(&self, port: u16) {
        println!("UMBRA is listening on {}", public_url(&self.config, port));
        if let Some(certificate) = &self.certificate {
            println!("{certificate}");
        }
        if let Some(code) = &self.setup_code {
            println!("One-time setup code: {code}  (open the URL above to create the first admin)");
        }
        tracing::info!(startup_ms = self.started.elapsed().as_millis(), "ready");
        // Type=notify units start their dependants only now: migrations ran, the socket listens.
        if let Err(e) = sd_notify::notify(&[sd_notify::NotifyState::Ready]) {
            tracing::warn!("cannot tell systemd we are ready: {e}");
        }
    }
}

fn public_url(config: &Config, port: u16) -> String {
    let scheme = if config.tls == TlsMode::Off { "http" } else { "https" };
    let host = match (config.public_names.first(), config.listen.ip()) {
        (Some(name), _) => name.clone(),
        (None, ip) if ip.is_unspecified() => "localhost".to_string(),
        (None, IpAddr::V6(v6)) => format!("[{v6}]"),
        (None, ip) => ip.to_string(),
    };
    format!("{scheme}://{host}:{port}/")
}
