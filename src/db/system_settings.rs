//! System settings as rows of `system_config`; absent keys take the given defaults.

use sqlx::{Any, Executor};

use super::{WriteTx, system_config};
use crate::domain::role::Role;
use crate::domain::system_settings::{RequireMfa, SystemSettings};

pub async fn load<'c>(
    db: impl Executor<'c, Database = Any>,
    defaults: SystemSettings,
) -> Result<SystemSettings, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM system_config").fetch_all(db).await?;
    let mut settings = defaults;
    for (key, value) in rows {
        let number = value.parse::<i64>().ok();
        match key.as_str() {
            system_config::REGISTRATION_OPEN => settings.registration_open = value == "true",
            "default_role" => settings.default_role = Role::parse(&value).unwrap_or(defaults.default_role),
            "session_idle_minutes" => settings.session_idle_minutes = number.unwrap_or(defaults.session_idle_minutes),
            "session_absolute_minutes" => {
                settings.session_absolute_minutes = number.unwrap_or(defaults.session_absolute_minutes);
            }
            "max_sessions_per_user" => {
                settings.max_sessions_per_user = number.unwrap_or(defaults.max_sessions_per_user);
            }
            "lockout_threshold" => settings.lockout_threshold = number.unwrap_or(defaults.lockout_threshold),
            "lockout_minutes" => settings.lockout_minutes = number.unwrap_or(defaults.lockout_minutes),
            "audit_retention_days" => settings.audit_retention_days = number.unwrap_or(defaults.audit_retention_days),
            "require_mfa" => {
                settings.require_mfa = match value.as_str() {
                    "admins" => RequireMfa::Admins,
                    "everyone" => RequireMfa::Everyone,
                    _ => RequireMfa::Off,
                };
            }
            _ => {}
        }
    }
    Ok(settings)
}

/// Stores every setting, inside the caller's write transaction.
pub async fn save(tx: &mut WriteTx, settings: &SystemSettings) -> Result<(), sqlx::Error> {
    let require_mfa = match settings.require_mfa {
        RequireMfa::Off => "off",
        RequireMfa::Admins => "admins",
        RequireMfa::Everyone => "everyone",
    };
    let values = [
        (system_config::REGISTRATION_OPEN, settings.registration_open.to_string()),
        ("default_role", settings.default_role.as_str().to_string()),
        ("session_idle_minutes", settings.session_idle_minutes.to_string()),
        ("session_absolute_minutes", settings.session_absolute_minutes.to_string()),
        ("max_sessions_per_user", settings.max_sessions_per_user.to_string()),
        ("lockout_threshold", settings.lockout_threshold.to_string()),
        ("lockout_minutes", settings.lockout_minutes.to_string()),
        ("require_mfa", require_mfa.to_string()),
        ("audit_retention_days", settings.audit_retention_days.to_string()),
    ];
    for (key, value) in values {
        sqlx::query(
            "INSERT INTO system_config (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
