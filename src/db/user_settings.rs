//! Per-user settings: one optional row per user (no row = every default). Reads return the
//! stored row as it is; `domain::user_settings` gives it meaning and defaults.

use sqlx::{Any, Executor, FromRow};

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
}

/// The user's stored settings; `None` when they never changed one (all defaults).
pub async fn find<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
) -> Result<Option<UserSettingsRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT display_name, timezone, week_start, date_format, time_format, theme, quiet_start, quiet_end, \
         ntfy_server, ntfy_topic, ntfy_token, ntfy_priorities, todo_due_alert_minutes \
         FROM user_settings WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await
}
