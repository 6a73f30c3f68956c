//! Signing out, and a user's own sessions: the list (the id is not the secret token),
//! ending one of them, and ending all the others. (An admin ending someone's sessions is
//! `service::users`.)

use super::{SessionUser, SignInError};
use crate::db::sessions::{self, SessionRow};
use crate::domain::audit_action::AuditAction;
use crate::domain::id::{SessionId, UserId};
use crate::service::Context;

/// Ends the session the user asks with; the API clears the cookie whether or not there was one.
pub async fn sign_out(ctx: Context<'_>, me: SessionUser<'_>) -> Result<(), SignInError> {
    sessions::delete(ctx.db.pool(), me.session_id).await?;
    me.caller().audit(ctx, AuditAction::Logout, me.username, None).await?;
    Ok(())
}

/// One page of the user's sessions, most recently used first, and how many there are.
pub async fn list(
    ctx: Context<'_>,
    user_id: UserId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<SessionRow>, i64), SignInError> {
    Ok(sessions::list_for_user(ctx.db.pool(), user_id, limit, offset).await?)
}

/// Ends one of the user's own sessions; another user's is `NotFound`, like a missing one.
pub async fn revoke(ctx: Context<'_>, me: SessionUser<'_>, id: SessionId) -> Result<(), SignInError> {
    if !sessions::delete_for_user(ctx.db.pool(), me.user_id, id).await? {
        return Err(SignInError::NotFound);
    }
    me.caller().audit(ctx, AuditAction::SessionRevoke, me.username, Some(format!("session {id}"))).await?;
    Ok(())
}

/// Ends every session of the user's but the one asking; returns how many ended.
pub async fn revoke_others(ctx: Context<'_>, me: SessionUser<'_>) -> Result<u64, SignInError> {
    let revoked = sessions::delete_all_for_user(ctx.db.pool(), me.user_id, Some(me.session_id)).await?;
    me.caller().audit(ctx, AuditAction::SessionRevokeOthers, me.username, Some(format!("{revoked} revoked"))).await?;
    Ok(revoked)
}
