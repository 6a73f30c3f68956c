//! Housekeeping: drop expired sessions and stale login-failure counters (in the database,
//! so any process may do it), and evict refilled rate-limit keys (per process).

use std::time::Duration;

use rocket::{Orbit, Rocket};

use crate::db::{login_failures, sessions};
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
    let idle_minutes = state.config.sessions.idle_minutes;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tokio::select! {
                () = shutdown.clone() => break,
                _ = tick.tick() => {}
            }
            limiters.evict_stale();
            let now = clock.now();
            if let Err(e) = sessions::prune_expired(db.pool(), now, idle_minutes).await {
                tracing::warn!("session cleanup failed: {e}");
            }
            if let Err(e) = login_failures::prune(db.pool(), now).await {
                tracing::warn!("login-failure cleanup failed: {e}");
            }
        }
    });
}
