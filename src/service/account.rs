//! A person's own account workflows: making the first admin with the setup code, signing up
//! while registration is open, and changing their password. The API checks new passwords
//! against the policy and hashes them on its bounded queue before it calls here (the current
//! password is confirmed by `sign_in::password::confirm`, counted like a sign-in); the rules
//! of each change live here.

use super::{Caller, Context};
use crate::auth::setup_code;
use crate::db::users::UserRow;
use crate::db::{app_passwords, sessions, system_config, system_settings, users};
use crate::domain::audit_action::AuditAction;
use crate::domain::id::{SessionId, UserId};
use crate::domain::role::Role;
use crate::domain::username::Username;
use crate::service::users::UserError;

/// Whether `code` (typed by a person: normalised here) is the current setup code. Asked
/// before the password is hashed, so a wrong code costs no Argon2 work; whether setup is
/// still needed is the caller's cheaper question (`AppState::setup_required`), and a setup
/// finished meanwhile took the code with it.
pub async fn may_set_up(ctx: Context<'_>, code: &str) -> Result<(), UserError> {
    let current = system_config::get(ctx.db.pool(), system_config::SETUP_CODE).await?;
    if !current.is_some_and(|current| setup_code::matches(&current, &setup_code::normalise(code))) {
        return Err(UserError::WrongSetupCode);
    }
    Ok(())
}

/// Makes the first admin, taking the setup code in the same transaction: of two setups racing
/// with the right code, one wins and the other is told it is already done or the code is
/// spent. The API signs the new admin in and audits the setup.
pub async fn set_up_first_admin(
    ctx: Context<'_>,
    code: &str,
    username: &Username,
    password_hash: &str,
) -> Result<UserRow, UserError> {
    let mut tx = ctx.db.write().await?;
    if users::count(&mut *tx).await? > 0 {
        return Err(UserError::AlreadySetUp);
    }
    if !system_config::take_if_equals(&mut tx, system_config::SETUP_CODE, &setup_code::normalise(code)).await? {
        return Err(UserError::WrongSetupCode);
    }
    let user = users::create(&mut *tx, username, password_hash, Role::Admin, ctx.now).await?;
    tx.commit().await?;
    Ok(user)
}

/// Whether `username` may sign up now, and with which role: registration must be open (read
/// from the database, not the per-second cache, so closing it takes effect at once) and the
/// name free. Asked before the password is hashed, so a refusal costs no Argon2 work.
pub async fn may_register(ctx: Context<'_>, username: &Username) -> Result<Role, UserError> {
    let settings = system_settings::load(ctx.db.pool(), ctx.settings).await?;
    if !settings.registration_open {
        return Err(UserError::RegistrationClosed);
    }
    if users::find_by_username(ctx.db.pool(), username.as_str()).await?.is_some() {
        return Err(UserError::UsernameTaken);
    }
    Ok(settings.default_role)
}

/// Creates the self-registered account; a name taken meanwhile is `UsernameTaken` (the
/// unique constraint settles races). The API signs the new user in and audits the sign-up.
pub async fn register(
    ctx: Context<'_>,
    username: &Username,
    password_hash: &str,
    role: Role,
) -> Result<UserRow, UserError> {
    users::create(ctx.db.pool(), username, password_hash, role, ctx.now)
        .await
        .map_err(|e| if e.is_unique_violation() { UserError::UsernameTaken } else { UserError::Db(e) })
}

/// Sets the caller's new password hash, lifts a forced change, and ends every other session
/// of theirs (`keep` is the session asking, which the API then gives a new token) and every
/// app password (a device made by whoever knew the old password must not outlive it) — in one
/// transaction, so no other session survives a change it raced. Returns how many sessions ended.
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
    let devices = app_passwords::delete_all_for_user(&mut *tx, user_id).await?;
    tx.commit().await?;
    let detail = format!("{revoked} other sessions and {devices} app passwords revoked");
    caller.audit(ctx, AuditAction::PasswordChange, username, Some(detail)).await?;
    Ok(revoked)
}
