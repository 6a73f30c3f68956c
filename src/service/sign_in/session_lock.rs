//! A signed-in user's own session: locking it (it then answers 423 everywhere except status,
//! unlock and logout), unlocking it with the password (a new token: every authentication
//! boundary gets one), and proving the password again so that sensitive changes (second
//! factors, passkeys) are allowed for ten minutes. The password is counted like a sign-in's.
//! (The passkey way to do the last two is `passkeys::confirm_finish`.)

use super::password::{self, Via};
use super::{SessionToken, SessionUser, SignInError, Verifiers, rotate_session};
use crate::db::sessions;
use crate::domain::audit_action::AuditAction;
use crate::service::Context;

pub async fn lock(ctx: Context<'_>, me: SessionUser<'_>) -> Result<(), SignInError> {
    sessions::set_locked(ctx.db.pool(), me.session_id, true).await?;
    me.caller().audit(ctx, AuditAction::SessionLock, me.username, None).await?;
    Ok(())
}

/// Unlocks the session when the password is right, and gives it a new token for the cookie.
pub async fn unlock(
    ctx: Context<'_>,
    verifiers: Verifiers<'_>,
    me: SessionUser<'_>,
    password: &str,
) -> Result<SessionToken, SignInError> {
    let ctx = password::confirm(ctx, verifiers, me, Via::Unlock, password).await?;
    // Rotating the token is what unlocks: `sessions::rotate` clears the lock with it.
    let token = rotate_session(ctx, me.session_id).await?;
    me.caller().audit(ctx, AuditAction::SessionUnlock, me.username, None).await?;
    Ok(token)
}

/// Marks the session as re-authenticated when the password is right. A stolen session
/// guessing at the password shows in the audit log first (`reauth_failure`).
pub async fn reauthenticate(
    ctx: Context<'_>,
    verifiers: Verifiers<'_>,
    me: SessionUser<'_>,
    password: &str,
) -> Result<(), SignInError> {
    let ctx = password::confirm(ctx, verifiers, me, Via::Reauth, password).await?;
    sessions::mark_reauthenticated(ctx.db.pool(), me.session_id, ctx.now).await?;
    me.caller().audit(ctx, AuditAction::Reauth, me.username, None).await?;
    Ok(())
}
