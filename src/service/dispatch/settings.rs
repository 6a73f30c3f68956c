//! The few user settings delivery needs, read once per user per pass (through the settings
//! workflow's own reading of the row), and the local-time rules built on them.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::auth::totp::SecretBox;
use crate::db::Db;
use crate::db::user_settings;
use crate::domain::id::UserId;
use crate::domain::time::UtcMillis;
use crate::domain::user_settings::UserSettings;
use crate::push::NtfyTarget;
use crate::service::settings::{ntfy_target, stored_of};

/// What delivery needs from a user's settings.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    settings: UserSettings,
    /// The zone local times are read in (UTC while unset).
    pub zone: Tz,
    /// `None`: this user gets no pushes.
    pub target: Option<NtfyTarget>,
    pub todo_alert_minutes: i64,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self::new(UserSettings::default(), None)
    }
}

impl DeliverySettings {
    fn new(settings: UserSettings, target: Option<NtfyTarget>) -> Self {
        Self { zone: settings.zone(), todo_alert_minutes: settings.todo_due_alert_minutes, target, settings }
    }

    /// The ntfy priority (1–5) for a notification type.
    pub fn priority(&self, kind: &str) -> u8 {
        self.settings.priority_for(kind)
    }

    /// When the quiet hours that `now` falls in end; `None` outside quiet hours.
    pub fn quiet_until(&self, now: i64) -> Option<i64> {
        self.settings.pushes_held_until(UtcMillis(now)).map(|end| end.0)
    }
}

/// `date` at `time` in `zone`, as unix ms. A time the clocks skip (spring forward) is taken
/// an hour later; an ambiguous one (autumn) is the earlier.
pub fn local_instant(zone: Tz, date: NaiveDate, time: NaiveTime) -> i64 {
    let local = date.and_time(time);
    zone.from_local_datetime(&local)
        .earliest()
        .or_else(|| zone.from_local_datetime(&(local + Duration::hours(1))).earliest())
        .map_or_else(|| local.and_utc().timestamp_millis(), |at| at.timestamp_millis())
}

/// The local date of an instant in `zone`.
pub fn local_date(zone: Tz, at: i64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp_millis(at).unwrap_or_default().with_timezone(&zone).date_naive()
}

/// Each user's settings, read at most once per pass.
pub struct SettingsCache<'a> {
    secrets: &'a SecretBox,
    seen: HashMap<UserId, Arc<DeliverySettings>>,
}

impl<'a> SettingsCache<'a> {
    pub fn new(secrets: &'a SecretBox) -> Self {
        Self { secrets, seen: HashMap::new() }
    }

    /// Reads the settings of every user in `users` not read yet.
    pub async fn load(&mut self, db: &Db, users: Vec<UserId>) -> Result<(), sqlx::Error> {
        for user in users {
            if !self.seen.contains_key(&user) {
                let stored = stored_of(user_settings::find(db.pool(), user).await?);
                let target = ntfy_target(&stored, self.secrets);
                self.seen.insert(user, Arc::new(DeliverySettings::new(stored.settings, target)));
            }
        }
        Ok(())
    }

    /// A loaded user's settings (the defaults for one never loaded).
    pub fn get(&self, user: UserId) -> Arc<DeliverySettings> {
        self.seen.get(&user).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text).unwrap().timestamp_millis()
    }

    #[test]
    fn quiet_hours_over_midnight_end_the_next_morning() {
        let quiet = crate::domain::user_settings::QuietHours::parse("22:00", "07:00").unwrap();
        let settings = UserSettings {
            timezone: Some("Europe/Berlin".parse().unwrap()),
            quiet_hours: Some(quiet),
            ..UserSettings::default()
        };
        let settings = DeliverySettings::new(settings, None);
        // 23:30 Berlin (CET, +01:00) is inside; it ends at 07:00 Berlin the next day.
        assert_eq!(settings.quiet_until(at("2026-11-29T22:30:00Z")), Some(at("2026-11-30T06:00:00Z")));
        // 06:59 Berlin is inside too and ends the same morning.
        assert_eq!(settings.quiet_until(at("2026-11-30T05:59:00Z")), Some(at("2026-11-30T06:00:00Z")));
        assert_eq!(settings.quiet_until(at("2026-11-30T06:00:00Z")), None);
        assert_eq!(settings.quiet_until(at("2026-11-30T12:00:00Z")), None);
    }

    #[test]
    fn a_skipped_local_time_is_taken_an_hour_later() {
        let zone: Tz = "Europe/Berlin".parse().unwrap();
        let date = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        let at_0230 = local_instant(zone, date, NaiveTime::from_hms_opt(2, 30, 0).unwrap());
        assert_eq!(at_0230, at("2026-03-29T01:30:00Z"));
    }
}
