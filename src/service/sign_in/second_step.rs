//! The second step of a password sign-in: a code from the authenticator app (each time step
//! once) or a recovery code (each once), answering the challenge the password step made. The
//! same counted check guards switching the authenticator off.
//!
//! Wrong codes count on the user's own second-factor counter, apart from wrong passwords:
//! a correct password must not forgive code guesses, or someone who has the password could
//! alternate a sign-in with a few guesses forever. Only a correct code clears it.

use super::{SessionToken, SessionUser, SignInError, Verifiers, start_session};
use crate::auth::lockout;
use crate::auth::session::{RequestOrigin, hash_token, new_token};
use crate::auth::totp;
use crate::db::login_failures::{self, Counter};
use crate::db::mfa;
use crate::db::users::{self, UserRow};
use crate::domain::audit_action::AuditAction;
use crate::domain::id::{OidcIdentityId, UserId};
use crate::domain::role::Role;
use crate::service::{Caller, Context};

/// How long the step between password and code may take.
pub const CHALLENGE_MINUTES: i64 = 5;
const WRONG_CODE: &str = "Wrong code.";

/// Starts a challenge for a user who passed the password step; the token answers it.
pub(crate) async fn challenge(ctx: Context<'_>, user_id: UserId) -> Result<String, SignInError> {
    let token = new_token();
    mfa::create_challenge(ctx.db.pool(), &token.hash, user_id, ctx.now.plus_minutes(CHALLENGE_MINUTES)).await?;
    Ok(token.token)
}

/// The code step of a single sign-on (`require_local_mfa`): what the provider's sign-in
/// would do (role, session) waits in the challenge until the code is right.
pub(crate) async fn challenge_after_sso(
    ctx: Context<'_>,
    user_id: UserId,
    identity_id: OidcIdentityId,
    role: Option<Role>,
) -> Result<String, SignInError> {
    let token = new_token();
    let expires = ctx.now.plus_minutes(CHALLENGE_MINUTES);
    mfa::create_sso_challenge(ctx.db.pool(), &token.hash, user_id, expires, identity_id, role).await?;
    Ok(token.token)
}

/// Finishes a sign-in with a code: the challenge must be live and its user active, the code
/// right (counted), and the challenge is consumed by exactly one answer.
pub async fn verify(
    ctx: Context<'_>,
    verifiers: Verifiers<'_>,
    origin: &RequestOrigin,
    mfa_token: &str,
    code: &str,
    replacing: Option<&str>,
) -> Result<(UserRow, SessionToken), SignInError> {
    let token_hash = hash_token(mfa_token);
    let pool = ctx.db.pool();
    let user_id = mfa::challenge_user(pool, &token_hash, ctx.now).await?.ok_or(SignInError::ChallengeExpired)?;
    let user =
        users::find_by_id(pool, user_id).await?.filter(UserRow::is_active).ok_or(SignInError::ChallengeExpired)?;
    let how = counted(ctx, verifiers, origin, user.id, &user.username, code).await?.map_err(SignInError::WrongCode)?;
    let sso = mfa::challenge_sso(pool, &token_hash).await?;
    if !mfa::consume_challenge(pool, &token_hash).await? {
        return Err(SignInError::ChallengeExpired);
    }
    let (user, session) = if let Some((identity_id, role)) = sso {
        let role = role.as_deref().map(Role::from_stored);
        crate::service::oidc::flow::finish_after_code(ctx, origin, user, identity_id, role, replacing).await?
    } else {
        let session = start_session(ctx, origin, &user, replacing, AuditAction::Login).await?;
        (user, session)
    };
    let caller = Caller::user(user.id, &user.username, origin);
    caller.audit(ctx, AuditAction::MfaSuccess, &user.username, Some(how.to_string())).await?;
    Ok((user, session))
}

/// A signed-in user gives a code to switch their authenticator off: counted like a sign-in's,
/// and a wrong one is audited as a refused removal.
pub async fn confirm_for_removal(
    ctx: Context<'_>,
    verifiers: Verifiers<'_>,
    me: SessionUser<'_>,
    code: &str,
) -> Result<(), SignInError> {
    if let Err(detail) = counted(ctx, verifiers, me.origin, me.user_id, me.username, code).await? {
        me.caller().audit(ctx, AuditAction::TotpDisableFailure, me.username, Some("wrong code".into())).await?;
        return Err(SignInError::WrongCode(detail));
    }
    Ok(())
}

/// Checks a code against the user's second-factor counter: the attempt is reserved first
/// (so parallel guesses cannot overrun the threshold), a locked counter answers like a wrong
/// code, and failures and a lock reached are audited. `Err` carries the 401 detail.
async fn counted(
    ctx: Context<'_>,
    verifiers: Verifiers<'_>,
    origin: &RequestOrigin,
    user_id: UserId,
    username: &str,
    code: &str,
) -> Result<Result<&'static str, String>, SignInError> {
    let counter = Counter::SecondFactor(user_id);
    let rule = lockout::rule(&ctx.settings);
    let caller = Caller::user(user_id, username, origin);
    let Some(reserved) = lockout::reserve(ctx.db.pool(), counter, rule, ctx.now).await? else {
        caller.audit(ctx, AuditAction::MfaFailure, username, Some("locked".into())).await?;
        return Ok(Err(WRONG_CODE.to_string()));
    };
    if let Some(how) = code_ok(ctx, verifiers, user_id, username, code).await? {
        login_failures::forgive(ctx.db.pool(), counter, ctx.now, reserved.locked_until.is_some()).await?;
        return Ok(Ok(how));
    }
    let (detail, locked_now) = lockout::failure_detail(WRONG_CODE, reserved, rule, "code entry");
    caller.audit(ctx, AuditAction::MfaFailure, username, Some("wrong code".into())).await?;
    if locked_now {
        tracing::warn!(client_ip = %origin.ip, "second-factor codes were locked after repeated failures");
        caller.audit(ctx, AuditAction::Lockout, username, Some("second factor".into())).await?;
    }
    Ok(Err(detail))
}

/// Checks a TOTP code (each time step once) or a recovery code (each once).
async fn code_ok(
    ctx: Context<'_>,
    verifiers: Verifiers<'_>,
    user_id: UserId,
    username: &str,
    code: &str,
) -> Result<Option<&'static str>, SignInError> {
    let pool = ctx.db.pool();
    if totp::looks_like_recovery_code(code) {
        let used = mfa::use_recovery_code(pool, user_id, &totp::hash_recovery_code(code), ctx.now).await?;
        return Ok(used.then_some("recovery code"));
    }
    let Some(row) = mfa::totp(pool, user_id).await?.filter(|t| t.enabled.get()) else { return Ok(None) };
    let Some(secret) = verifiers.secrets.open(&row.secret_enc) else {
        return Err(SignInError::Internal(
            "a stored TOTP secret cannot be decrypted (was secret.key replaced?)".into(),
        ));
    };
    let Some(step) = totp::totp(secret, username).and_then(|t| totp::matching_step(&t, code, ctx.now)) else {
        return Ok(None);
    };
    Ok(mfa::accept_step(pool, user_id, step, false).await?.then_some("authenticator code"))
}
