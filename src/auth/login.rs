//! The password check with lockout. Every failure looks the same from outside: 401 with the
//! same body shape whether the name is unknown, the password wrong or the name locked, and
//! always one Argon2id verification so the time taken tells nothing either.
//!
//! The attempt is reserved on the name's counter before the verification (see
//! `db::login_failures`): the old order (read the lock, verify, count) let a burst of
//! parallel guesses all pass the read before any of them counted, and the right password
//! sent behind them was accepted.

use crate::auth::lockout;
use crate::auth::session::RequestOrigin;
use crate::db::audit::{self, AuditEntry};
use crate::db::login_failures::{self, Counter};
use crate::db::users::{self, UserRow};
use crate::domain::audit_action::AuditAction;
use crate::domain::time::UtcMillis;
use crate::domain::username::Username;
use crate::error::ApiError;
use crate::server::AppState;

pub const BAD_CREDENTIALS: &str = "Wrong username or password.";

pub enum PasswordCheck {
    Accepted(UserRow),
    /// The 401 detail to send, and what the audit log should record.
    Refused {
        detail: String,
        reason: &'static str,
        locked_now: bool,
        /// The name for the audit log: the account's, or a marker when none matches.
        audit_name: String,
    },
}

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

/// Checks a username and password, counting attempts per submitted name. A lockout reached
/// here is audited here, whichever endpoint the password came through.
pub async fn check_password(
    state: &AppState,
    origin: &RequestOrigin,
    via: Via,
    raw_username: &str,
    password: &str,
) -> Result<PasswordCheck, ApiError> {
    let key = Username::lockout_key(raw_username);
    let counter = Counter::Password(&key);
    let pool = state.db.pool();
    let now = state.clock.now();
    let rule = lockout::rule(state).await?;
    let reserved = lockout::reserve(state, counter, rule, now).await?;
    let user = match Username::parse(raw_username) {
        Ok(name) => users::find_by_username(pool, name.as_str()).await?,
        Err(_) => None,
    };
    let audit_name =
        user.as_ref().map_or_else(|| lockout::unknown_name_marker(&state.audit_key, &key), |u| u.username.clone());
    let user_id = user.as_ref().map(|u| u.id);
    let Some(reserved) = reserved else {
        // Locked: the same Argon2 work and the same answer as a wrong password.
        state.hasher.verify(password, None).await?;
        return Ok(refused(BAD_CREDENTIALS.to_string(), "locked", false, audit_name));
    };
    let verified = state.hasher.verify(password, user.as_ref().map(|u| u.password_hash.as_str())).await?;
    match user {
        Some(user) if verified.matches && user.is_active() => {
            login_failures::forgive(pool, counter, now, reserved.locked_until.is_some()).await?;
            if verified.needs_rehash {
                rehash(state, &user, password, now).await;
            }
            Ok(PasswordCheck::Accepted(user))
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
            Ok(refused(detail, reason, locked_now, audit_name))
        }
    }
}

fn refused(detail: String, reason: &'static str, locked_now: bool, audit_name: String) -> PasswordCheck {
    PasswordCheck::Refused { detail, reason, locked_now, audit_name }
}

/// Upgrades an old hash to today's parameters; a failure here must not fail the sign-in.
async fn rehash(state: &AppState, user: &UserRow, password: &str, now: UtcMillis) {
    let Ok(acceptable) = crate::domain::password_policy::check(password, "") else {
        return;
    };
    match state.hasher.hash(&acceptable).await {
        Ok(hash) => {
            if let Err(e) = users::set_password_hash(state.db.pool(), user.id, &hash, now).await {
                tracing::warn!("could not store the upgraded password hash: {e}");
            }
        }
        Err(e) => tracing::warn!("could not upgrade the password hash: {e}"),
    }
}
