//! The password, with the lockout: signing in with it, and a signed-in user giving it again
//! (to unlock, re-authenticate, change it or remove an authenticator). Every failure looks
//! the same from outside: 401 with the same body whether the name is unknown, the password
//! wrong or the name locked, and always one Argon2id verification so the time taken tells
//! nothing either.
//!
//! The attempt is reserved on the name's counter before the verification (see
//! `db::login_failures`): the old order (read the lock, verify, count) let a burst of
//! parallel guesses all pass the read before any of them counted, and the right password
//! sent behind them was accepted.

use super::{Outcome, SessionUser, SignInError, Verifiers, second_step, start_session};
use crate::auth::lockout;
use crate::auth::session::RequestOrigin;
use crate::db::audit::{self, AuditEntry};
use crate::db::login_failures::{self, Counter};
use crate::db::users::{self, UserRow};
use crate::domain::audit_action::AuditAction;
use crate::domain::oidc::{PasswordLogin, password_allowed};
use crate::domain::username::Username;
use crate::service::{Caller, Context, oidc, second_factor};

pub const BAD_CREDENTIALS: &str = "Wrong username or password.";

/// Where a password was given: sign-in, or a signed-in user proving it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Login,
    Reauth,
    Unlock,
    PasswordChange,
    TotpDisable,
}

impl Via {
    /// What the audit log records when a signed-in user's password is refused.
    fn failure(self) -> AuditAction {
        match self {
            Via::Login => AuditAction::LoginFailure,
            Via::Reauth => AuditAction::ReauthFailure,
            Via::Unlock => AuditAction::SessionUnlockFailure,
            Via::PasswordChange => AuditAction::PasswordChangeFailure,
            Via::TotpDisable => AuditAction::TotpDisableFailure,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Via::Login => "sign-in",
            Via::Reauth => "re-authentication",
            Via::Unlock => "session unlock",
            Via::PasswordChange => "password change",
            Via::TotpDisable => "authenticator removal",
        }
    }
}

enum Check {
    Accepted(UserRow),
    /// The 401 detail, what the audit log records as the reason, and the name it records.
    Refused {
        detail: String,
        reason: &'static str,
        audit_name: String,
    },
}

/// Signs in with a username and password: a session, or the second-factor step when the user
/// has an authenticator switched on. `replacing` is the browser's current session token.
pub async fn login(
    ctx: Context<'_>,
    verifiers: Verifiers<'_>,
    origin: &RequestOrigin,
    username: &str,
    password: &str,
    replacing: Option<&str>,
) -> Result<Outcome, SignInError> {
    let (checked, ctx) = check(ctx, verifiers, origin, Via::Login, username, password).await?;
    match checked {
        Check::Accepted(user) if second_factor::enabled(ctx, user.id).await? => {
            // The password was right; no session until the second factor is too.
            let mfa_token = second_step::challenge(ctx, user.id).await?;
            Caller::user(user.id, &user.username, origin)
                .audit(ctx, AuditAction::MfaChallenge, &user.username, None)
                .await?;
            Ok(Outcome::SecondStep { mfa_token })
        }
        Check::Accepted(user) => {
            let session = start_session(ctx, origin, &user, replacing, AuditAction::Login).await?;
            Ok(Outcome::SignedIn { user, session })
        }
        Check::Refused { detail, reason, audit_name } => {
            // The lockout itself, if this reached it, was audited by the check.
            Caller::anonymous(origin).audit(ctx, AuditAction::LoginFailure, &audit_name, Some(reason.into())).await?;
            Err(SignInError::BadCredentials(detail))
        }
    }
}

/// Whether the admin's single sign-on rule lets this account sign in with a password
/// (`domain::oidc::password_allowed`).
async fn password_may_sign_in(ctx: Context<'_>, user: &UserRow) -> Result<bool, SignInError> {
    let settings = oidc::settings::load(ctx.db.pool()).await?;
    if !settings.enabled || settings.password_login == PasswordLogin::Allowed {
        return Ok(true);
    }
    let other_way_in = oidc::identities::other_way_in(ctx, user.id, &settings.issuer).await?;
    Ok(password_allowed(settings.password_login, true, user.role(), other_way_in))
}

/// A signed-in user gives their password again (`via` says what for). A refusal is audited
/// (`reauth_failure`, `session_unlock_failure`, … with its reason) and answers like a wrong
/// password at sign-in. Returns the context at the time the password was confirmed, for what
/// the caller does next.
pub async fn confirm<'c>(
    ctx: Context<'c>,
    verifiers: Verifiers<'_>,
    me: SessionUser<'_>,
    via: Via,
    password: &str,
) -> Result<Context<'c>, SignInError> {
    let (checked, ctx) = check(ctx, verifiers, me.origin, via, me.username, password).await?;
    match checked {
        Check::Accepted(_) => Ok(ctx),
        Check::Refused { detail, reason, .. } => {
            me.caller().audit(ctx, via.failure(), me.username, Some(reason.into())).await?;
            Err(SignInError::BadCredentials(detail))
        }
    }
}

/// Checks a username and password, counting attempts per submitted name. A lockout reached
/// here is audited here, whichever ceremony the password came through.
/// Also returns the context at the time the verification ended (see `after_verification`).
async fn check<'c>(
    ctx: Context<'c>,
    verifiers: Verifiers<'_>,
    origin: &RequestOrigin,
    via: Via,
    raw_username: &str,
    password: &str,
) -> Result<(Check, Context<'c>), SignInError> {
    let key = Username::lockout_key(raw_username);
    let counter = Counter::Password(&key);
    let pool = ctx.db.pool();
    let now = ctx.now;
    let rule = lockout::rule(&ctx.settings);
    let reserved = lockout::reserve(pool, counter, rule, now).await?;
    let user = match Username::parse(raw_username) {
        Ok(name) => users::find_by_username(pool, name.as_str()).await?,
        Err(_) => None,
    };
    let audit_name =
        user.as_ref().map_or_else(|| lockout::unknown_name_marker(verifiers.audit_key, &key), |u| u.username.clone());
    let user_id = user.as_ref().map(|u| u.id);
    let Some(reserved) = reserved else {
        // Locked: the same Argon2 work and the same answer as a wrong password.
        verifiers.hasher.verify(password, None).await?;
        let refused = Check::Refused { detail: BAD_CREDENTIALS.to_string(), reason: "locked", audit_name };
        return Ok((refused, verifiers.after_verification(ctx)));
    };
    let verified = verifiers.hasher.verify(password, user.as_ref().map(|u| u.password_hash.as_str())).await?;
    // The reservation above counted at the time of the attempt; what follows is later.
    let ctx = verifiers.after_verification(ctx);
    let now = ctx.now;
    // At sign-in, the admin's single sign-on rule may refuse even the right password: that
    // refusal takes the wrong password's path (it counts, locks and hints alike), so the
    // answer tells nobody the password was right or which accounts have an identity.
    let rule_allows = match &user {
        Some(user) if verified.matches && via == Via::Login => password_may_sign_in(ctx, user).await?,
        _ => true,
    };
    let checked = match user {
        Some(user) if verified.matches && user.is_active() && rule_allows => {
            login_failures::forgive(pool, counter, now, reserved.locked_until.is_some()).await?;
            if verified.needs_rehash {
                rehash(ctx, verifiers, &user, password).await;
            }
            Check::Accepted(user)
        }
        _ => {
            let (detail, locked_now) = lockout::failure_detail(BAD_CREDENTIALS, reserved, rule, "the account");
            if locked_now {
                tracing::warn!(client_ip = %origin.ip, "a username was locked after repeated failures");
                // Sign-in is anonymous; elsewhere the signed-in user typed the password.
                let (actor, actor_user_id) =
                    if via == Via::Login { ("anonymous".to_string(), None) } else { (audit_name.clone(), user_id) };
                let entry = AuditEntry {
                    actor,
                    actor_user_id,
                    action: AuditAction::Lockout,
                    target: Some(audit_name.clone()),
                    ip: Some(origin.ip.clone()),
                    user_agent: origin.user_agent.clone(),
                    detail: Some(format!("password, at {}", via.as_str())),
                };
                audit::record(pool, now, entry).await?;
            }
            let reason = if locked_now { "bad credentials; locked" } else { "bad credentials" };
            Check::Refused { detail, reason, audit_name }
        }
    };
    Ok((checked, ctx))
}

/// Upgrades an old hash to today's parameters; a failure here must not fail the sign-in.
async fn rehash(ctx: Context<'_>, verifiers: Verifiers<'_>, user: &UserRow, password: &str) {
    let Ok(acceptable) = crate::domain::password_policy::check(password, "") else {
        return;
    };
    match verifiers.hasher.hash(&acceptable).await {
        Ok(hash) => {
            if let Err(e) = users::set_password_hash(ctx.db.pool(), user.id, &hash, ctx.now).await {
                tracing::warn!("could not store the upgraded password hash: {e}");
            }
        }
        Err(e) => tracing::warn!("could not upgrade the password hash: {e}"),
    }
}
