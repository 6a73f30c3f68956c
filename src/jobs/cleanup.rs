//! Housekeeping: drop expired sessions, stale login-failure counters and abandoned WebAuthn
//! ceremonies (in the database, so any process may do it), audit rows past their retention,
//! read notifications older than 90 days and connection-request attempts past their window,
//! and evict refilled rate-limit keys (per process).

use std::time::Duration;

use rocket::{Orbit, Rocket};

use crate::db::{Db, audit, login_failures, passkeys, sessions, system_settings};
use crate::domain::system_settings::SystemSettings;
use crate::domain::time::UtcMillis;
use crate::server::AppState;
use crate::service;

const EVERY: Duration = Duration::from_mins(1);

pub fn spawn(rocket: &Rocket<Orbit>) {
    let shutdown = rocket.shutdown();
    let Some(state) = rocket.state::<AppState>() else {
        return;
    };
    let db = state.db.clone();
    let clock = state.clock.clone();
    let limiters = state.rate_limiters.clone();
    let defaults = state.default_system_settings();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tokio::select! {
                () = shutdown.clone() => break,
                _ = tick.tick() => {}
            }
            limiters.evict_stale();
            if let Err(e) = run_once(&db, clock.now(), defaults).await {
                tracing::warn!("cleanup failed: {e}");
            }
        }
    });
}

/// One pass over the database: expired sessions, stale failure counters, passkey ceremonies
/// begun and never finished, audit entries past the retention the settings give, read
/// notifications created more than 90 days ago, and request attempts that no longer count.
pub async fn run_once(db: &Db, now: UtcMillis, defaults: SystemSettings) -> Result<(), sqlx::Error> {
    let settings = system_settings::load(db.pool(), defaults).await?;
    sessions::prune_expired(db.pool(), now, settings.session_idle_minutes).await?;
    login_failures::prune(db.pool(), now).await?;
    passkeys::prune_ceremonies(db.pool(), now).await?;
    audit::prune_before(db.pool(), now.plus_minutes(-settings.audit_retention_days * 24 * 60)).await?;
    service::notifications::prune(db.pool(), now).await?;
    service::connections::prune_attempts(db.pool(), now).await?;
    Ok(())
}
