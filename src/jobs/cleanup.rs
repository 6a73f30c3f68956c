//! Housekeeping: drop expired sessions and stale login-failure counters (in the database,
//! so any process may do it), audit rows past their retention, and evict refilled rate-limit
//! keys (per process).

use std::time::Duration;

use rocket::{Orbit, Rocket};

use crate::db::{audit, login_failures, sessions, settings};
use crate::server::AppState;

const EVERY: Duration = Duration::from_mins(1);

pub fn spawn(rocket: &Rocket<Orbit>) {
    let shutdown = rocket.shutdown();
    let Some(state) = rocket.state::<AppState>() else {
        return;
    };
    let db = state.db.clone();
    let clock = state.clock.clone();
    let limiters = state.rate_limiters.clone();
    let defaults = state.default_settings();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tokio::select! {
                () = shutdown.clone() => break,
                _ = tick.tick() => {}
            }
            limiters.evict_stale();
            let now = clock.now();
            let settings = match settings::load(db.pool(), defaults).await {
                Ok(settings) => settings,
                Err(e) => {
                    tracing::warn!("cleanup cannot read the settings: {e}");
                    continue;
                }
            };
            if let Err(e) = sessions::prune_expired(db.pool(), now, settings.session_idle_minutes).await {
                tracing::warn!("session cleanup failed: {e}");
            }
            if let Err(e) = login_failures::prune(db.pool(), now).await {
                tracing::warn!("login-failure cleanup failed: {e}");
            }
            let oldest_kept = now.plus_minutes(-settings.audit_retention_days * 24 * 60);
            if let Err(e) = audit::prune_before(db.pool(), oldest_kept).await {
                tracing::warn!("audit-log retention failed: {e}");
            }
        }
    });
}
