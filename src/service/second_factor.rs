//! A user's own authenticator app: set up (a pending secret), switch on with a first code
//! (which that code's time step then cannot sign anyone in with), fresh recovery codes, and
//! switch off. The API re-authenticates the caller, and checks the password and code of a
//! switch-off against the lockout counters, before it calls here; the changes and their
//! audit entries live here. (An admin's reset of someone's second factors is in `users`.)

use super::{Caller, Context};
use crate::auth::totp::{self, SecretBox};
use crate::db::error::DbError;
use crate::db::mfa;
use crate::domain::audit_action::AuditAction;
use crate::domain::id::UserId;

#[derive(Debug, thiserror::Error)]
pub enum SecondFactorError {
    #[error("an authenticator is already set up")]
    AlreadyOn,
    #[error("no authenticator set-up is pending")]
    NotPending,
    #[error("no authenticator is set up")]
    Off,
    #[error("the code does not match")]
    WrongCode,
    /// The secret could not be made, sealed or opened: a server fault, not the user's.
    #[error("{0}")]
    Internal(&'static str),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for SecondFactorError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::from(error))
    }
}

/// What the person types or scans into their authenticator app.
pub struct Enrolment {
    /// The secret in base32.
    pub secret: String,
    pub otpauth_uri: String,
    /// The URI as a QR code (an SVG document).
    pub qr_svg: String,
}

/// Whether the user has the authenticator app switched on.
pub async fn enabled(ctx: Context<'_>, user_id: UserId) -> Result<bool, SecondFactorError> {
    Ok(mfa::totp(ctx.db.pool(), user_id).await?.is_some_and(|t| t.enabled.get()))
}

/// Makes a new secret and keeps it (sealed) as pending until a first code confirms it.
pub async fn begin(
    ctx: Context<'_>,
    secrets: &SecretBox,
    user_id: UserId,
    username: &str,
) -> Result<Enrolment, SecondFactorError> {
    if enabled(ctx, user_id).await? {
        return Err(SecondFactorError::AlreadyOn);
    }
    let secret = totp::new_secret();
    let generator = totp::totp(secret.clone(), username).ok_or(SecondFactorError::Internal("TOTP setup failed"))?;
    let otpauth_uri = generator.to_url().map_err(|_| SecondFactorError::Internal("TOTP setup failed"))?;
    let qr_svg = totp::qr_svg(&otpauth_uri).ok_or(SecondFactorError::Internal("QR code failed"))?;
    mfa::set_pending_totp(ctx.db.pool(), user_id, &secrets.seal(&secret), ctx.now).await?;
    Ok(Enrolment { secret: generator.secret().to_base32(), otpauth_uri, qr_svg })
}

/// Switches the pending authenticator on when `code` matches, and gives fresh recovery codes.
pub async fn enable(
    ctx: Context<'_>,
    caller: &Caller,
    secrets: &SecretBox,
    user_id: UserId,
    username: &str,
    code: &str,
) -> Result<Vec<String>, SecondFactorError> {
    let pending = mfa::totp(ctx.db.pool(), user_id).await?.filter(|t| !t.enabled.get());
    let pending = pending.ok_or(SecondFactorError::NotPending)?;
    let secret =
        secrets.open(&pending.secret_enc).ok_or(SecondFactorError::Internal("cannot decrypt pending secret"))?;
    let step = totp::totp(secret, username).and_then(|t| totp::matching_step(&t, code, ctx.now));
    // Accepting the step both enables TOTP and consumes the code: it cannot sign anyone in.
    let accepted = match step {
        Some(step) => mfa::accept_step(ctx.db.pool(), user_id, step, true).await?,
        None => false,
    };
    if !accepted {
        return Err(SecondFactorError::WrongCode);
    }
    let codes = fresh_recovery_codes(ctx, user_id).await?;
    caller.audit(ctx, AuditAction::TotpEnable, username, None).await?;
    Ok(codes)
}

/// Replaces the recovery codes (the old ones stop working).
pub async fn regenerate_recovery_codes(
    ctx: Context<'_>,
    caller: &Caller,
    user_id: UserId,
    username: &str,
) -> Result<Vec<String>, SecondFactorError> {
    if !enabled(ctx, user_id).await? {
        return Err(SecondFactorError::Off);
    }
    let codes = fresh_recovery_codes(ctx, user_id).await?;
    caller.audit(ctx, AuditAction::RecoveryCodesRegenerate, username, None).await?;
    Ok(codes)
}

/// Switches the authenticator off and forgets its recovery codes.
pub async fn disable(
    ctx: Context<'_>,
    caller: &Caller,
    user_id: UserId,
    username: &str,
) -> Result<(), SecondFactorError> {
    let mut tx = ctx.db.write().await?;
    mfa::remove_all(&mut tx, user_id).await?;
    tx.commit().await?;
    caller.audit(ctx, AuditAction::TotpDisable, username, None).await?;
    Ok(())
}

async fn fresh_recovery_codes(ctx: Context<'_>, user_id: UserId) -> Result<Vec<String>, SecondFactorError> {
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::hash_recovery_code(c)).collect();
    let mut tx = ctx.db.write().await?;
    mfa::replace_recovery_codes(&mut tx, user_id, &hashes).await?;
    tx.commit().await?;
    Ok(codes)
}
