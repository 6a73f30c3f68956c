//! The admin's single sign-on settings: stored as one JSON value in the system config (every
//! process reads the same), the client secret beside it sealed with the server's secret box
//! and never given back. No password rule can shut the last admin out: with passwords
//! disabled, an admin with no other way in keeps theirs (`domain::oidc::password_allowed`).

use sqlx::{Any, Executor};

use super::OidcError;
use crate::auth::totp::SecretBox;
use crate::db::system_config;
use crate::domain::audit_action::AuditAction;
use crate::domain::oidc::{OidcSettings, PasswordLogin};
use crate::service::{Caller, Context};

const SETTINGS_KEY: &str = "oidc";
const SECRET_KEY: &str = "oidc_client_secret";

/// The settings in force (defaults until an admin saved some; a stored value this version
/// cannot read counts as "off", never as an error at sign-in).
pub async fn load<'c>(db: impl Executor<'c, Database = Any>) -> Result<OidcSettings, sqlx::Error> {
    Ok(system_config::get(db, SETTINGS_KEY)
        .await?
        .and_then(|stored| serde_json::from_str(&stored).ok())
        .unwrap_or_default())
}

/// The client secret, opened; `None` when none is stored (or it cannot be opened).
pub async fn client_secret(ctx: Context<'_>, secrets: &SecretBox) -> Result<Option<String>, sqlx::Error> {
    Ok(system_config::get(ctx.db.pool(), SECRET_KEY)
        .await?
        .and_then(|sealed| secrets.open(&sealed))
        .and_then(|plain| String::from_utf8(plain).ok()))
}

pub async fn secret_is_set(ctx: Context<'_>) -> Result<bool, sqlx::Error> {
    Ok(system_config::get(ctx.db.pool(), SECRET_KEY).await?.is_some())
}

/// Replaces the settings; `new_secret` replaces the stored client secret when given.
pub async fn update(
    ctx: Context<'_>,
    caller: &Caller,
    secrets: &SecretBox,
    wanted: OidcSettings,
    new_secret: Option<&str>,
) -> Result<OidcSettings, OidcError> {
    let mut wanted = wanted;
    // Exactly as the provider names itself: discovery compares the two strings.
    wanted.issuer = wanted.issuer.trim().to_string();
    wanted.client_id = wanted.client_id.trim().to_string();
    wanted.button_label = wanted.button_label.trim().to_string();
    let secret = new_secret.map(str::trim).filter(|s| !s.is_empty());
    if new_secret.is_some_and(|s| s.len() > 1024) {
        return Err(OidcError::Invalid(vec![("client_secret", "must be at most 1024 characters".into())]));
    }
    let secret_set = secret.is_some() || secret_is_set(ctx).await?;
    let problems = wanted.problems(secret_set);
    if !problems.is_empty() {
        return Err(OidcError::Invalid(problems));
    }
    let before = load(ctx.db.pool()).await?;
    let mut tx = ctx.db.write().await?;
    let stored = serde_json::to_string(&wanted).map_err(|e| OidcError::Internal(e.to_string()))?;
    system_config::set(&mut *tx, SETTINGS_KEY, &stored).await?;
    if let Some(secret) = secret {
        system_config::set(&mut *tx, SECRET_KEY, &secrets.seal(secret.as_bytes())).await?;
    }
    tx.commit().await?;
    // The secret is never in the audit log; whether it changed is.
    let detail = serde_json::json!({"before": before, "after": wanted, "client_secret_changed": secret.is_some()});
    caller.audit(ctx, AuditAction::OidcConfigChange, "oidc", Some(detail.to_string())).await?;
    Ok(wanted)
}

/// Sets only the password rule: the operator's way back in (`umbra admin oidc password-login`)
/// when the provider is down and passwords were switched off.
pub async fn set_password_login(ctx: Context<'_>, caller: &Caller, mode: PasswordLogin) -> Result<(), OidcError> {
    let before = load(ctx.db.pool()).await?;
    let after = OidcSettings { password_login: mode, ..before.clone() };
    let stored = serde_json::to_string(&after).map_err(|e| OidcError::Internal(e.to_string()))?;
    system_config::set(ctx.db.pool(), SETTINGS_KEY, &stored).await?;
    let detail = format!("password_login {} -> {}", before.password_login.as_str(), mode.as_str());
    caller.audit(ctx, AuditAction::OidcConfigChange, "oidc", Some(detail)).await?;
    Ok(())
}
