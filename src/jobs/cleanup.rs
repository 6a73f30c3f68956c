//! Housekeeping: drop expired sessions, stale login-failure counters and abandoned WebAuthn
//! ceremonies (in the database, so any process may do it), audit rows past their retention,
//! read notifications older than 90 days, connection-request attempts past their window,
//! finished pushes, expired push links and delivered alert rows, DAV change-log entries past
//! their retention, and evict refilled rate-limit keys (per process).

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;

use super::{Job, JobContext, JobError};
use crate::db::{
    Db, audit, calendar_changes, collection_changes, dispatch, login_failures, passkeys, push_deliveries, sessions,
    system_settings,
};
use crate::domain::system_settings::SystemSettings;
use crate::domain::time::UtcMillis;
use crate::http::rate_limit::RateLimiters;
use crate::server::AppState;
use crate::service;

const EVERY: Duration = Duration::from_mins(1);
/// Finished pushes, used or expired links and delivered alert rows are kept this long (for
/// looking into problems).
const PUSH_RETENTION_DAYS: i64 = 30;
/// DAV change-log entries are kept this long: a client that has not synced for longer is
/// refused its token (`valid-sync-token`) and reads the collection afresh.
pub const CHANGE_LOG_RETENTION_DAYS: i64 = 90;

pub struct Cleanup {
    limiters: Arc<RateLimiters>,
    defaults: SystemSettings,
}

impl Cleanup {
    pub fn new(state: &AppState) -> Self {
        Self { limiters: state.rate_limiters.clone(), defaults: state.default_system_settings() }
    }
}

impl Job for Cleanup {
    fn name(&self) -> &'static str {
        "cleanup"
    }

    fn period(&self) -> Duration {
        EVERY
    }

    fn run_once<'a>(&'a self, ctx: &'a JobContext, now: UtcMillis) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            self.limiters.evict_stale();
            run_once(&ctx.db, now, self.defaults).await?;
            Ok(())
        })
    }
}

/// One pass over the database: expired sessions, stale failure counters, passkey ceremonies
/// begun and never finished, audit entries past the retention the settings give, read
/// notifications created more than 90 days ago, request attempts that no longer count, old
/// push and alert bookkeeping, weather cached for places nobody asked about for a week, and
/// DAV change logs past their retention.
pub async fn run_once(db: &Db, now: UtcMillis, defaults: SystemSettings) -> Result<(), sqlx::Error> {
    let settings = system_settings::load(db.pool(), defaults).await?;
    sessions::prune_expired(db.pool(), now, settings.session_idle_minutes).await?;
    login_failures::prune(db.pool(), now).await?;
    passkeys::prune_ceremonies(db.pool(), now).await?;
    audit::prune_before(db.pool(), now.plus_minutes(-settings.audit_retention_days * 24 * 60)).await?;
    service::notifications::prune(db.pool(), now).await?;
    service::connections::prune_attempts(db.pool(), now).await?;
    let retention = now.plus_minutes(-PUSH_RETENTION_DAYS * 24 * 60).0;
    push_deliveries::prune(db.pool(), retention).await?;
    dispatch::prune_alerts(db.pool(), retention).await?;
    crate::db::weather::prune(db.pool(), now.plus_minutes(-7 * 24 * 60).0).await?;
    let changes_kept_from = now.plus_minutes(-CHANGE_LOG_RETENTION_DAYS * 24 * 60).0;
    calendar_changes::prune_before(db, changes_kept_from).await?;
    collection_changes::prune_before(db, changes_kept_from).await?;
    Ok(())
}
