//! The password check with lockout. Every failure looks the same from outside: 401 with the
//! same body shape whether the name is unknown, the password wrong or the name locked, and
//! always one Argon2id verification so the time taken tells nothing either.

use crate::db::login_failures::{self, FailureState};
use crate::db::users::{self, UserRow};
use crate::domain::time::UtcMillis;
use crate::domain::username::Username;
use crate::error::ApiError;
use crate::server::AppState;

pub const BAD_CREDENTIALS: &str = "Wrong username or password.";
/// Hints about remaining attempts appear only this close to the lock.
const HINT_WHEN_REMAINING: i64 = 3;

pub enum PasswordCheck {
    Accepted(UserRow),
    /// The 401 detail to send, and what the audit log should record.
    Refused {
        detail: String,
        reason: &'static str,
        locked_now: bool,
    },
}

/// Checks a username and password, counting failures per submitted name.
pub async fn check_password(state: &AppState, raw_username: &str, password: &str) -> Result<PasswordCheck, ApiError> {
    let key = Username::lockout_key(raw_username);
    let pool = state.db.pool();
    let before = login_failures::get(pool, &key).await?;
    let user = match Username::parse(raw_username) {
        Ok(name) => users::find_by_username(pool, name.as_str()).await?,
        Err(_) => None,
    };
    let verified = state.hasher.verify(password, user.as_ref().map(|u| u.password_hash.as_str())).await?;
    let now = state.clock.now();
    if is_locked(before, now) {
        return Ok(refused(BAD_CREDENTIALS.to_string(), "locked", false));
    }
    match user {
        Some(user) if verified.matches && user.is_active() => {
            login_failures::clear(pool, &key).await?;
            if verified.needs_rehash {
                rehash(state, &user, password, now).await;
            }
            Ok(PasswordCheck::Accepted(user))
        }
        _ => record_failure(state, &key, now, BAD_CREDENTIALS).await,
    }
}

pub fn is_locked(state: FailureState, now: UtcMillis) -> bool {
    state.locked_until.is_some_and(|until| until > now)
}

fn refused(detail: String, reason: &'static str, locked_now: bool) -> PasswordCheck {
    PasswordCheck::Refused { detail, reason, locked_now }
}

/// Counts a failure (a wrong password, or a wrong second-factor code) toward the name's
/// lockout and phrases the 401: `base`, plus a hint when few attempts remain.
pub async fn record_failure(
    state: &AppState,
    key: &str,
    now: UtcMillis,
    base: &str,
) -> Result<PasswordCheck, ApiError> {
    let settings = state.settings().await?;
    let (threshold, minutes) = (settings.lockout_threshold, settings.lockout_minutes);
    let after = login_failures::record_failure(state.db.pool(), key, now, threshold, now.plus_minutes(minutes)).await?;
    if is_locked(after, now) {
        let detail = format!("{base} Too many failed attempts: the account is now locked for {minutes} minutes.");
        return Ok(refused(detail, "bad credentials; locked", true));
    }
    let remaining = threshold - after.failures;
    let detail = if remaining <= HINT_WHEN_REMAINING {
        let plural = if remaining == 1 { "attempt remains" } else { "attempts remain" };
        format!("{base} {remaining} {plural} before the account is locked.")
    } else {
        base.to_string()
    };
    Ok(refused(detail, "bad credentials", false))
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
