//! Per-user settings: one optional row per user (no row = every default). Reads return the
//! stored row as it is; `domain::user_settings` gives it meaning and defaults.

use sqlx::{Any, Executor, FromRow};

use super::{Backend, WriteTx};

use crate::domain::id::UserId;

#[derive(Debug, Clone, FromRow)]
pub struct UserSettingsRow {
    pub display_name: String,
    pub timezone: Option<String>,
    pub week_start: String,
    pub date_format: String,
    pub time_format: String,
    pub theme: String,
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    pub ntfy_server: Option<String>,
    pub ntfy_topic: Option<String>,
    /// Sealed with the server's `SecretBox`; never leaves the server.
    pub ntfy_token: Option<String>,
    /// JSON object: notification type -> priority 1..5.
    pub ntfy_priorities: String,
    pub todo_due_alert_minutes: i64,
    pub weather_latitude: Option<f64>,
    pub weather_longitude: Option<f64>,
    pub weather_place: Option<String>,
    pub units: String,
}

/// The user's stored settings; `None` when they never changed one (all defaults).
pub async fn find<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
) -> Result<Option<UserSettingsRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT display_name, timezone, week_start, date_format, time_format, theme, quiet_start, quiet_end, \
         ntfy_server, ntfy_topic, ntfy_token, ntfy_priorities, todo_due_alert_minutes, \
         weather_latitude, weather_longitude, weather_place, units \
         FROM user_settings WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await
}

/// The whole row to store (`upsert` writes every column: the service applied the patch).
#[derive(Debug, Clone)]
pub struct UserSettingsValues<'a> {
    pub display_name: &'a str,
    pub timezone: Option<&'a str>,
    pub week_start: &'a str,
    pub date_format: &'a str,
    pub time_format: &'a str,
    pub theme: &'a str,
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    pub ntfy_server: Option<&'a str>,
    pub ntfy_topic: Option<&'a str>,
    /// Already sealed.
    pub ntfy_token: Option<&'a str>,
    pub ntfy_priorities: String,
    pub todo_due_alert_minutes: i64,
    pub weather_latitude: Option<f64>,
    pub weather_longitude: Option<f64>,
    pub weather_place: Option<&'a str>,
    pub units: &'a str,
    pub now: i64,
}

/// Locks the user's settings for a read-modify-write inside `tx`: the users row on
/// PostgreSQL (the settings row may not exist yet, and a missing row locks nothing); SQLite's
/// write transaction already holds the database's one write lock.
pub async fn lock(tx: &mut WriteTx, user_id: UserId) -> Result<(), sqlx::Error> {
    if tx.backend() == Backend::Postgres {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE")
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Inserts or replaces the user's row.
pub async fn upsert<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    values: &UserSettingsValues<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO user_settings (user_id, display_name, timezone, week_start, date_format, time_format, theme, \
         quiet_start, quiet_end, ntfy_server, ntfy_topic, ntfy_token, ntfy_priorities, todo_due_alert_minutes, updated_at, \
         weather_latitude, weather_longitude, weather_place, units) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
         ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name, timezone = excluded.timezone, \
         week_start = excluded.week_start, date_format = excluded.date_format, time_format = excluded.time_format, \
         theme = excluded.theme, quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end, \
         ntfy_server = excluded.ntfy_server, ntfy_topic = excluded.ntfy_topic, ntfy_token = excluded.ntfy_token, \
         ntfy_priorities = excluded.ntfy_priorities, todo_due_alert_minutes = excluded.todo_due_alert_minutes, \
         updated_at = excluded.updated_at, weather_latitude = excluded.weather_latitude, \
         weather_longitude = excluded.weather_longitude, weather_place = excluded.weather_place, \
         units = excluded.units",
    )
    .bind(user_id)
    .bind(values.display_name)
    .bind(values.timezone)
    .bind(values.week_start)
    .bind(values.date_format)
    .bind(values.time_format)
    .bind(values.theme)
    .bind(values.quiet_start.as_deref())
    .bind(values.quiet_end.as_deref())
    .bind(values.ntfy_server)
    .bind(values.ntfy_topic)
    .bind(values.ntfy_token)
    .bind(values.ntfy_priorities.as_str())
    .bind(values.todo_due_alert_minutes)
    .bind(values.now)
    .bind(values.weather_latitude)
    .bind(values.weather_longitude)
    .bind(values.weather_place)
    .bind(values.units)
    // Not kept prepared: sqlx 0.9's Any driver types a NULL `f64` as a 4-byte float, and a
    // statement a connection first prepared with NULL coordinates then refuses real ones on
    // PostgreSQL ("incorrect binary data format"; tests/api/nullable_floats.rs).
    .persistent(false)
    .execute(db)
    .await?;
    Ok(())
}
