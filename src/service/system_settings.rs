//! The system settings workflow: every value checked (all problems reported at once), saved in
//! one write transaction and audited as before → after. The API calls it for
//! `PUT /api/admin/config`; the caller then drops its per-process settings cache.

use super::{Caller, Context};
use crate::db::error::DbError;
use crate::db::system_settings;
use crate::domain::audit_action::AuditAction;
use crate::domain::system_settings::SystemSettings;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// Values out of range: (field, message) for each.
    #[error("invalid settings")]
    Invalid(Vec<(&'static str, String)>),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for SettingsError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::from(error))
    }
}

/// Replaces the settings in force (`ctx.settings`) with `wanted`.
pub async fn update(
    ctx: Context<'_>,
    caller: &Caller,
    wanted: SystemSettings,
) -> Result<SystemSettings, SettingsError> {
    let problems = wanted.problems();
    if !problems.is_empty() {
        return Err(SettingsError::Invalid(problems));
    }
    let mut tx = ctx.db.write().await?;
    system_settings::save(&mut tx, &wanted).await?;
    tx.commit().await?;
    let detail = serde_json::to_string(&(ctx.settings, wanted)).unwrap_or_default();
    caller.audit(ctx, AuditAction::AdminConfigChange, "system", Some(detail)).await?;
    Ok(wanted)
}
