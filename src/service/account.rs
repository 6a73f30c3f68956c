//! A signed-in user's own account workflows: changing their password. The API checks the
//! current password (counted against the lockout, like a sign-in) and hashes the new one
//! before it calls here; the rules of the change itself live here.

use super::{Caller, Context};
use crate::db::{sessions, users};
use crate::domain::audit_action::AuditAction;
use crate::domain::id::{SessionId, UserId};
use crate::service::users::UserError;

/// Sets the caller's new password hash, lifts a forced change, and ends every other session
/// of theirs (`keep` is the session asking, which the API then gives a new token) — in one
/// transaction, so no other session survives a change it raced. Returns how many ended.
pub async fn change_password(
    ctx: Context<'_>,
    caller: &Caller,
    user_id: UserId,
    username: &str,
    password_hash: &str,
    keep: Option<SessionId>,
) -> Result<u64, UserError> {
    let mut tx = ctx.db.write().await?;
    users::set_password_hash(&mut *tx, user_id, password_hash, ctx.now).await?;
    users::set_must_change_password(&mut *tx, user_id, false).await?;
    let revoked = sessions::delete_all_for_user(&mut *tx, user_id, keep).await?;
    tx.commit().await?;
    let detail = format!("{revoked} other sessions revoked");
    caller.audit(ctx, AuditAction::PasswordChange, username, Some(detail)).await?;
    Ok(revoked)
}
