//! The dispatcher: delivers every due reminder, todo alert, birthday and event alert exactly
//! once, in-app
//! at once and by push (through a `Pusher`) outside the user's quiet hours.
//!
//! Exactly once, with any number of processes on one database: an item is claimed with a
//! lease (`claimed_at`) by one statement; the delivery (the item marked delivered for that
//! occurrence, the notification, the queued push) commits in one transaction that names the
//! claim; a deliverer that crashes leaves its lease to expire and another finishes. Pushes go
//! out from an outbox of their own (`push_deliveries`), so a failing ntfy server is retried
//! with backoff without touching the notification and without holding up anyone else.
//!
//! "Late": delivered more than five minutes after it was due (after downtime, typically).
//! The jobs call `deliver_due` and `send_pushes` on their own schedules; tests call
//! `run_once` (both) with the clock where they want it.

mod due;
mod events;
mod push;
pub mod settings;

pub mod actions;

use std::sync::{Arc, Mutex};

pub use due::todo_occurrence;
pub use push::{PushReport, token_hash};

use crate::auth::totp::SecretBox;
use crate::db::Db;
use crate::db::dispatch;
use crate::domain::time::UtcMillis;
use crate::push::Pusher;

/// A claim on a due item lapses after a minute: delivering one takes milliseconds.
pub const ITEM_LEASE_MS: i64 = UtcMillis::MINUTE;
/// A claim on a push lapses after two minutes: a batch of sends (256, 64 at a time, each
/// limited to 15 s) finishes within it, so a push is never sent by two processes at once.
pub const PUSH_LEASE_MS: i64 = 2 * UtcMillis::MINUTE;
/// Delivered later than this after it was due, a notification is marked late.
pub const LATE_AFTER_MS: i64 = 5 * UtcMillis::MINUTE;
/// Attempts per push, the first included.
pub const MAX_ATTEMPTS: i64 = 5;
/// How long a push's Done / Snooze links work.
pub const ACTION_TTL_MS: i64 = 24 * 60 * UtcMillis::MINUTE;
/// "Snooze 1 h".
pub const SNOOZE_MINUTES: i64 = 60;
/// Birthdays are looked for once a minute (they fire at 09:00, to the minute is enough).
const BIRTHDAY_SCAN_EVERY_MS: i64 = UtcMillis::MINUTE;
/// The scan of changed events looks this far before the last pass (clocks of processes, a
/// change committed while the last pass ran).
const EVENTS_CHANGED_SLACK_MS: i64 = 5_000;

/// What one pass delivered.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DispatchReport {
    /// In-app notifications written.
    pub delivered: usize,
    pub pushes: PushReport,
}

pub struct Dispatcher {
    pusher: Arc<dyn Pusher>,
    /// `https://host[:port]`, no trailing slash: click URLs and action links start with it.
    public_url: String,
    /// Opens the users' sealed ntfy tokens.
    secrets: Arc<SecretBox>,
    /// When this process last scanned for birthdays and all event alerts (only a throttle;
    /// the database decides).
    birthdays_scanned: Mutex<Option<i64>>,
    /// When this process last looked for events changed since (every pass).
    events_changed_scanned: Mutex<Option<i64>>,
}

impl Dispatcher {
    pub fn new(pusher: Arc<dyn Pusher>, public_url: &str, secrets: Arc<SecretBox>) -> Self {
        Self {
            pusher,
            public_url: public_url.trim_end_matches('/').to_string(),
            secrets,
            birthdays_scanned: Mutex::new(None),
            events_changed_scanned: Mutex::new(None),
        }
    }

    /// One full pass: everything due is delivered in-app and its push sent (or held).
    pub async fn run_once(&self, db: &Db, now: UtcMillis) -> Result<DispatchReport, sqlx::Error> {
        let delivered = self.deliver_due(db, now).await?;
        let pushes = self.send_pushes(db, now.0).await?;
        Ok(DispatchReport { delivered, pushes })
    }

    /// Finds what fell due and delivers it in-app, queueing its push; the number delivered.
    pub async fn deliver_due(&self, db: &Db, now: UtcMillis) -> Result<usize, sqlx::Error> {
        let now = now.0;
        let state = dispatch::state(db.pool(), now).await?;
        let mut cache = settings::SettingsCache::new(&self.secrets);
        due::scan_todos(db, &mut cache, state, now).await?;
        let scan_birthdays = {
            let last = self.birthdays_scanned.lock().map_or(None, |last| *last);
            last.is_none_or(|last| now - last >= BIRTHDAY_SCAN_EVERY_MS || now < last)
        };
        let changed_since = self.events_changed_scanned.lock().map_or(None, |last| *last);
        if scan_birthdays || changed_since.is_none_or(|last| now < last) {
            events::scan_events(db, state, now, None).await?;
        } else {
            events::scan_events(db, state, now, changed_since.map(|last| last - EVENTS_CHANGED_SLACK_MS)).await?;
        }
        if let Ok(mut last) = self.events_changed_scanned.lock() {
            *last = Some(now);
        }
        if scan_birthdays {
            due::scan_birthdays(db, &mut cache, state, now).await?;
            dispatch::set_scanned_through(db.pool(), now).await?;
            if let Ok(mut last) = self.birthdays_scanned.lock() {
                *last = Some(now);
            }
        }
        let reminders = due::deliver_reminders(db, &mut cache, now).await?;
        let alerts = due::deliver_alerts(db, &mut cache, now).await?;
        Ok(reminders + alerts)
    }
}
