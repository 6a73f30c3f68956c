//! Account workflows shared by the admin API (`src/api/admin/*`) and `umbra admin`
//! (`src/commands/admin/*`): role and activation changes, password resets, ending sessions.
//! The rules live here and only here — the last active admin cannot be demoted or
//! deactivated, and a change of privilege or password ends the user's sessions — so the CLI
//! cannot do what the API refuses. Each workflow is audited here as well.
//!
//! Races: every change runs in one write transaction. On SQLite that transaction holds the
//! database's write lock from its first statement; on PostgreSQL it first locks the rows of
//! the active admins (`db::users::lock_active_admins`), so two concurrent demotions are
//! serialised and the second one sees the first one's result.

use super::Context;
use crate::auth::session::RequestOrigin;
use crate::db::audit::{self, AuditEntry};
use crate::db::sessions;
use crate::db::users::{self, UserRow};
use crate::domain::audit_action::AuditAction;
use crate::domain::id::UserId;
use crate::domain::role::Role;

/// Where a request came from: the admin API or the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    Api,
    Cli,
}

/// Who asks for a change, for the audit log.
#[derive(Debug, Clone)]
pub struct Caller {
    actor: String,
    actor_user_id: Option<UserId>,
    ip: Option<String>,
    user_agent: Option<String>,
    via: Via,
}

impl Caller {
    /// A signed-in admin, through the API.
    pub fn admin(user_id: UserId, username: &str, origin: &RequestOrigin) -> Self {
        Self {
            actor: username.to_string(),
            actor_user_id: Some(user_id),
            ip: Some(origin.ip.clone()),
            user_agent: origin.user_agent.clone(),
            via: Via::Api,
        }
    }

    /// The operator, through `umbra admin`.
    pub fn cli() -> Self {
        Self { actor: "cli".into(), actor_user_id: None, ip: None, user_agent: None, via: Via::Cli }
    }

    /// The audit action: the API's and the CLI's names predate this module and are kept.
    fn action(&self, api: AuditAction, cli: AuditAction) -> AuditAction {
        match self.via {
            Via::Api => api,
            Via::Cli => cli,
        }
    }

    async fn audit(
        &self,
        ctx: Context<'_>,
        action: AuditAction,
        target: &str,
        detail: String,
    ) -> Result<(), sqlx::Error> {
        let entry = AuditEntry {
            actor: self.actor.clone(),
            actor_user_id: self.actor_user_id,
            action,
            target: Some(target.to_string()),
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
            detail: Some(detail),
        };
        audit::record(ctx.db.pool(), ctx.now, entry).await
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("no such user")]
    NotFound,
    #[error("this is the last active admin: make another user an admin first")]
    LastAdmin,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// A change of role and/or activation; `None` leaves that part as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccountChange {
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// The account after a change, and how many of its sessions the change ended.
#[derive(Debug)]
pub struct Changed {
    pub before: UserRow,
    pub after: UserRow,
    pub sessions_ended: u64,
}

/// Changes an account's role and/or activation. Refuses to leave no active admin; a change
/// of role and a deactivation end all of the user's sessions (a session must not keep
/// privileges its user no longer has, nor outlive the account's deactivation).
pub async fn update_account(
    ctx: Context<'_>,
    caller: &Caller,
    id: UserId,
    change: AccountChange,
) -> Result<Changed, UserError> {
    let mut tx = ctx.db.write().await?;
    let admins = users::lock_active_admins(&mut tx).await?;
    let before = users::find_by_id(&mut *tx, id).await?.ok_or(UserError::NotFound)?;
    let role = change.role.unwrap_or(before.role());
    let active = change.active.unwrap_or(before.is_active());
    let was_admin = before.role() == Role::Admin && before.is_active();
    let stays_admin = role == Role::Admin && active;
    if was_admin && !stays_admin && !admins.iter().any(|&other| other != id) {
        return Err(UserError::LastAdmin);
    }
    users::update_role_and_active(&mut *tx, id, role, active, ctx.now).await?;
    let ends_sessions = role != before.role() || (!active && before.is_active());
    let sessions_ended = if ends_sessions { sessions::delete_all_for_user(&mut *tx, id, None).await? } else { 0 };
    let after = users::find_by_id(&mut *tx, id).await?.ok_or(UserError::NotFound)?;
    tx.commit().await?;

    let detail = match caller.via {
        Via::Api => format!(
            "role {} -> {}, active {} -> {active}; {sessions_ended} sessions ended",
            before.role().as_str(),
            role.as_str(),
            before.is_active()
        ),
        Via::Cli => format!("{} -> {}; {sessions_ended} sessions ended", before.role().as_str(), role.as_str()),
    };
    caller
        .audit(ctx, caller.action(AuditAction::AdminUpdateUser, AuditAction::SetRole), &before.username, detail)
        .await?;
    Ok(Changed { before, after, sessions_ended })
}

/// Gives the account a role (see `update_account`).
pub async fn set_role(ctx: Context<'_>, caller: &Caller, id: UserId, role: Role) -> Result<Changed, UserError> {
    update_account(ctx, caller, id, AccountChange { role: Some(role), active: None }).await
}

/// Deactivates or reactivates the account (see `update_account`).
pub async fn set_active(ctx: Context<'_>, caller: &Caller, id: UserId, active: bool) -> Result<Changed, UserError> {
    update_account(ctx, caller, id, AccountChange { role: None, active: Some(active) }).await
}

/// Sets a new password hash (checked and hashed by the caller) and ends every session of
/// the user: whoever knew the old password is out. `must_change` (when given) asks for a new
/// password at the next sign-in. Returns how many sessions ended.
pub async fn reset_password(
    ctx: Context<'_>,
    caller: &Caller,
    id: UserId,
    password_hash: &str,
    must_change: Option<bool>,
) -> Result<u64, UserError> {
    let mut tx = ctx.db.write().await?;
    let user = users::find_by_id(&mut *tx, id).await?.ok_or(UserError::NotFound)?;
    users::set_password_hash(&mut *tx, id, password_hash, ctx.now).await?;
    if let Some(must) = must_change {
        users::set_must_change_password(&mut *tx, id, must).await?;
    }
    let revoked = sessions::delete_all_for_user(&mut *tx, id, None).await?;
    tx.commit().await?;
    let detail = match must_change {
        Some(must) => format!("{revoked} sessions revoked; must change: {must}"),
        None => format!("{revoked} sessions revoked"),
    };
    caller
        .audit(ctx, caller.action(AuditAction::AdminResetPassword, AuditAction::ResetPassword), &user.username, detail)
        .await?;
    Ok(revoked)
}

/// Ends every session of the user. Returns how many ended.
pub async fn revoke_sessions(ctx: Context<'_>, caller: &Caller, id: UserId) -> Result<u64, UserError> {
    let user = users::find_by_id(ctx.db.pool(), id).await?.ok_or(UserError::NotFound)?;
    let revoked = sessions::delete_all_for_user(ctx.db.pool(), id, None).await?;
    let detail = format!("{revoked} sessions revoked");
    caller
        .audit(
            ctx,
            caller.action(AuditAction::AdminRevokeSessions, AuditAction::RevokeSessions),
            &user.username,
            detail,
        )
        .await?;
    Ok(revoked)
}
