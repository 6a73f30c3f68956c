//! The few user settings delivery needs, read once per user per pass, and the time rules
//! built on them (quiet hours, "09:00 local").
//!
//! `interpret` is replaced by `domain::user_settings` at merge: it reads the stored row the
//! way that module defines it (no row = defaults: UTC, no quiet hours, no ntfy, todo alerts
//! 60 minutes ahead, priority 3), and nothing else here depends on the row's shape.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::auth::totp::SecretBox;
use crate::db::Db;
use crate::db::user_settings::{self, UserSettingsRow};
use crate::domain::id::UserId;
use crate::push::NtfyTarget;

/// What delivery needs from a user's settings.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    pub zone: Tz,
    /// Start and end, local; the window runs over midnight when start > end.
    pub quiet: Option<(NaiveTime, NaiveTime)>,
    /// `None`: this user gets no pushes.
    pub target: Option<NtfyTarget>,
    priorities: HashMap<String, u8>,
    pub todo_alert_minutes: i64,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self { zone: Tz::UTC, quiet: None, target: None, priorities: HashMap::new(), todo_alert_minutes: 60 }
    }
}

impl DeliverySettings {
    /// The ntfy priority (1–5) for a notification type; 3 unless the user chose another.
    pub fn priority(&self, kind: &str) -> u8 {
        self.priorities.get(kind).copied().unwrap_or(3)
    }

    /// When the quiet hours that `now` falls in end; `None` outside quiet hours.
    pub fn quiet_until(&self, now: i64) -> Option<i64> {
        let (start, end) = self.quiet?;
        if start == end {
            return None;
        }
        let local = DateTime::<Utc>::from_timestamp_millis(now)?.with_timezone(&self.zone).naive_local();
        let time = local.time();
        let inside = if start < end { time >= start && time < end } else { time >= start || time < end };
        if !inside {
            return None;
        }
        // The end is today if it is still ahead, else tomorrow (a window over midnight).
        let date = if time < end { local.date() } else { local.date().succ_opt()? };
        Some(local_instant(self.zone, date, end))
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

/// Replaced by `domain::user_settings` at merge (see the module header).
fn interpret(row: Option<UserSettingsRow>, secrets: &SecretBox) -> DeliverySettings {
    let Some(row) = row else { return DeliverySettings::default() };
    let zone = row.timezone.as_deref().and_then(|name| name.parse().ok()).unwrap_or(Tz::UTC);
    let time = |text: Option<&str>| text.and_then(|t| NaiveTime::parse_from_str(t, "%H:%M").ok());
    let quiet = time(row.quiet_start.as_deref()).zip(time(row.quiet_end.as_deref()));
    let token =
        row.ntfy_token.as_deref().and_then(|sealed| secrets.open(sealed)).and_then(|t| String::from_utf8(t).ok());
    let target = match (row.ntfy_server, row.ntfy_topic) {
        (Some(server), Some(topic)) if !server.is_empty() && !topic.is_empty() => {
            Some(NtfyTarget { server, topic, token })
        }
        _ => None,
    };
    let priorities = serde_json::from_str::<HashMap<String, i64>>(&row.ntfy_priorities)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(kind, p)| u8::try_from(p.clamp(1, 5)).ok().map(|p| (kind, p)))
        .collect();
    DeliverySettings {
        zone,
        quiet,
        target,
        priorities,
        todo_alert_minutes: row.todo_due_alert_minutes.clamp(0, 7 * 24 * 60),
    }
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
                let row = user_settings::find(db.pool(), user).await?;
                self.seen.insert(user, Arc::new(interpret(row, self.secrets)));
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
        let hhmm = |t| NaiveTime::parse_from_str(t, "%H:%M").unwrap();
        let settings = DeliverySettings {
            zone: "Europe/Berlin".parse().unwrap(),
            quiet: Some((hhmm("22:00"), hhmm("07:00"))),
            ..DeliverySettings::default()
        };
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
