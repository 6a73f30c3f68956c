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

use super::{Caller, Context, Via};
use crate::db::error::DbError;
use crate::db::login_failures::{self, Counter, FailureState};
use crate::db::users::{self, UserRow};
use crate::db::{app_passwords, mfa, passkeys, sessions};
use crate::domain::audit_action::AuditAction;
use crate::domain::id::UserId;
use crate::domain::role::Role;
use crate::domain::username::Username;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("no such user")]
    NotFound,
    #[error("this is the last active admin: make another user an admin first")]
    LastAdmin,
    #[error("that username is taken")]
    UsernameTaken,
    #[error("you cannot delete your own account")]
    DeleteSelf,
    #[error("registration is closed")]
    RegistrationClosed,
    #[error("the first admin exists already")]
    AlreadySetUp,
    #[error("wrong setup code")]
    WrongSetupCode,
    #[error(transparent)]
    Db(DbError),
}

impl From<sqlx::Error> for UserError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::from(error))
    }
}

impl From<DbError> for UserError {
    fn from(error: DbError) -> Self {
        Self::Db(error)
    }
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
        .audit(ctx, caller.action(AuditAction::AdminUpdateUser, AuditAction::SetRole), &before.username, Some(detail))
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
    let devices = app_passwords::delete_all_for_user(&mut *tx, id).await?;
    tx.commit().await?;
    let detail = match must_change {
        Some(must) => format!("{revoked} sessions and {devices} app passwords revoked; must change: {must}"),
        None => format!("{revoked} sessions and {devices} app passwords revoked"),
    };
    caller
        .audit(
            ctx,
            caller.action(AuditAction::AdminResetPassword, AuditAction::ResetPassword),
            &user.username,
            Some(detail),
        )
        .await?;
    Ok(revoked)
}

/// Ends every session and revokes every app password of the user (what an admin does about
/// a compromised account). Returns how many sessions ended.
pub async fn revoke_sessions(ctx: Context<'_>, caller: &Caller, id: UserId) -> Result<u64, UserError> {
    let user = users::find_by_id(ctx.db.pool(), id).await?.ok_or(UserError::NotFound)?;
    let mut tx = ctx.db.write().await?;
    let revoked = sessions::delete_all_for_user(&mut *tx, id, None).await?;
    let devices = app_passwords::delete_all_for_user(&mut *tx, id).await?;
    tx.commit().await?;
    let detail = format!("{revoked} sessions and {devices} app passwords revoked");
    caller
        .audit(
            ctx,
            caller.action(AuditAction::AdminRevokeSessions, AuditAction::RevokeSessions),
            &user.username,
            Some(detail),
        )
        .await?;
    Ok(revoked)
}

/// A new account: the name is valid and the password already checked and hashed by the
/// caller (the API hashes on the server's bounded queue, the CLI on its own).
pub struct NewAccount<'a> {
    pub username: &'a Username,
    pub password_hash: &'a str,
    pub role: Role,
}

/// Creates an account. A taken name is `UsernameTaken`, whether it was taken before or by a
/// concurrent request (the unique constraint settles races).
pub async fn create_user(ctx: Context<'_>, caller: &Caller, new: NewAccount<'_>) -> Result<UserRow, UserError> {
    let row = users::create(ctx.db.pool(), new.username, new.password_hash, new.role, ctx.now)
        .await
        .map_err(|e| if e.is_unique_violation() { UserError::UsernameTaken } else { UserError::Db(e) })?;
    let action = caller.action(AuditAction::AdminCreateUser, AuditAction::CreateUser);
    caller.audit(ctx, action, &row.username, Some(format!("role {}", new.role.as_str()))).await?;
    Ok(row)
}

/// Lifts the account's lockout: forgets its failed passwords and second-factor codes.
/// Returns the password counter as it was, for the operator's message.
pub async fn reset_lockout(
    ctx: Context<'_>,
    caller: &Caller,
    id: UserId,
) -> Result<(UserRow, FailureState), UserError> {
    let user = users::find_by_id(ctx.db.pool(), id).await?.ok_or(UserError::NotFound)?;
    let key = Username::lockout_key(&user.username);
    let mut tx = ctx.db.write().await?;
    let before = login_failures::get(&mut *tx, Counter::Password(&key)).await?;
    login_failures::clear(&mut *tx, Counter::Password(&key)).await?;
    login_failures::clear(&mut *tx, Counter::SecondFactor(id)).await?;
    tx.commit().await?;
    let action = caller.action(AuditAction::AdminUnlockUser, AuditAction::ResetLockout);
    caller.audit(ctx, action, &user.username, None).await?;
    Ok((user, before))
}

/// Deletes the account with everything it owns (the foreign keys cascade) and forgets its
/// name's failed sign-ins. Nobody deletes their own account.
pub async fn delete_user(ctx: Context<'_>, caller: &Caller, id: UserId) -> Result<(), UserError> {
    if caller.user_id() == Some(id) {
        return Err(UserError::DeleteSelf);
    }
    let mut tx = ctx.db.write().await?;
    let user = users::find_by_id(&mut *tx, id).await?.ok_or(UserError::NotFound)?;
    // A project the user owned alone keeps an owner (see service::projects::members).
    super::projects::members::hand_over_projects_of(&mut tx, id, ctx.now).await?;
    users::delete(&mut *tx, id).await?;
    login_failures::clear(&mut *tx, Counter::Password(&Username::lockout_key(&user.username))).await?;
    tx.commit().await?;
    caller.audit(ctx, AuditAction::AdminDeleteUser, &user.username, None).await?;
    Ok(())
}

/// Removes the account's second factors — TOTP, recovery codes, passkeys — and its count of
/// wrong codes, in one transaction, so a reset never leaves half of them in place.
pub async fn reset_mfa(ctx: Context<'_>, caller: &Caller, id: UserId) -> Result<(), UserError> {
    let mut tx = ctx.db.write().await?;
    let user = users::find_by_id(&mut *tx, id).await?.ok_or(UserError::NotFound)?;
    mfa::remove_all(&mut tx, id).await?;
    login_failures::clear(&mut *tx, Counter::SecondFactor(id)).await?;
    passkeys::delete_all(&mut *tx, id).await?;
    tx.commit().await?;
    caller.audit(ctx, AuditAction::AdminResetMfa, &user.username, None).await?;
    Ok(())
}
