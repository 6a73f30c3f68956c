//! App passwords: what a CalDAV/CardDAV client signs in with, one per device, so that no
//! phone holds the account password and a lost one is revoked alone. Creating one needs a
//! recent re-authentication (the API checks it); the secret is shown once.
//!
//! The DAV sign-in is two steps, so that the HTTP layer can put the per-address budget
//! between them: `authenticate` checks the credentials (two indexed reads, the same whether
//! the name exists or not), and `record_failure` counts a refused attempt on the submitted
//! name's password counter and audits it. A secret is 160 random bits, stored as its
//! SHA-256, so one fast hash per request is enough.
//!
//! It shares the password's lockout counter (per submitted name): a locked name refuses a
//! right app password exactly like a wrong one, and each failure counts toward the lock. A
//! success does not forgive the counter: a phone syncing every minute must not reset the
//! count of someone guessing the account password at the sign-in page.

use sha2::{Digest, Sha256};

use super::{Caller, Context};
use crate::auth::lockout;
use crate::auth::session::RequestOrigin;
use crate::db::app_passwords::{self as store, AppPasswordRow, TOUCH_INTERVAL_MS};
use crate::db::error::DbError;
use crate::db::login_failures::{self, Counter};
use crate::domain::audit_action::AuditAction;
use crate::domain::id::{AppPasswordId, UserId};
use crate::domain::username::Username;

/// The most app passwords one account may have.
pub const MAX_PER_USER: i64 = 50;
/// Name length in characters.
pub const MAX_NAME_CHARS: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum AppPasswordError {
    #[error("the name is not 1 to 64 characters without control characters")]
    Name,
    #[error("the most app passwords one account may have")]
    TooMany,
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for AppPasswordError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::classify(error))
    }
}

/// A new app password and its secret, which is never shown again.
pub struct Created {
    pub row: AppPasswordRow,
    pub password: String,
}

/// The account a DAV request is made as.
#[derive(Debug, Clone)]
pub struct DavAccount {
    pub user_id: UserId,
    pub username: String,
    pub app_password_id: AppPasswordId,
}

/// A device name as shown in lists and the audit log: trimmed, 1–64 characters, and no
/// control characters (a newline or an escape would garble the log and the list).
fn device_name(raw: &str) -> Result<&str, AppPasswordError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(AppPasswordError::Name);
    }
    Ok(name)
}

pub async fn create(
    ctx: Context<'_>,
    caller: &Caller,
    owner: UserId,
    username: &str,
    name: &str,
) -> Result<Created, AppPasswordError> {
    let name = device_name(name)?;
    let password = new_secret();
    let mut tx = ctx.db.write().await?;
    let row = store::create(&mut tx, owner, name, &hash_secret(&password), ctx.now, MAX_PER_USER)
        .await?
        .ok_or(AppPasswordError::TooMany)?;
    tx.commit().await?;
    caller.audit(ctx, AuditAction::AppPasswordCreate, username, Some(format!("app password \"{name}\""))).await?;
    Ok(Created { row, password })
}

/// Revokes one of `owner`'s app passwords (the owner, or an admin for them): the next
/// request made with it fails, since every request looks the secret up afresh.
pub async fn revoke(
    ctx: Context<'_>,
    caller: &Caller,
    owner: UserId,
    owner_name: &str,
    id: AppPasswordId,
) -> Result<(), AppPasswordError> {
    let name = store::delete(ctx.db.pool(), owner, id).await?.ok_or(AppPasswordError::NotFound)?;
    caller.audit(ctx, AuditAction::AppPasswordRevoke, owner_name, Some(format!("app password \"{name}\""))).await?;
    Ok(())
}

/// Checks HTTP Basic credentials of a DAV request: the account, or `None` for every kind of
/// refusal (unknown name, wrong or revoked secret, the account password, a locked name or a
/// deactivated account), which the caller answers with one identical 401 after
/// `record_failure`. Reads only (and `last_used_at`, at most once a minute): the same two
/// indexed reads whatever was submitted, so the time taken says nothing about the name.
pub async fn authenticate(
    ctx: Context<'_>,
    raw_username: &str,
    secret: &str,
) -> Result<Option<DavAccount>, sqlx::Error> {
    let key = Username::lockout_key(raw_username);
    let pool = ctx.db.pool();
    let state = login_failures::get(pool, Counter::Password(&key)).await?;
    let locked = state.locked_until.is_some_and(|until| ctx.now < until);
    let found = store::find_by_hash(pool, &hash_secret(secret)).await?;
    // The secret must be one of the named user's: another user's right secret under this
    // name is a failure on this name, like a wrong one.
    let Some(owner) =
        found.filter(|owner| !locked && owner.active.get() && Username::lockout_key(&owner.username) == key)
    else {
        return Ok(None);
    };
    if owner.last_used_at.is_none_or(|at| ctx.now.0 - at >= TOUCH_INTERVAL_MS) {
        store::touch(pool, owner.id, ctx.now).await?;
    }
    Ok(Some(DavAccount { user_id: owner.user_id, username: owner.username, app_password_id: owner.id }))
}

/// A refused DAV sign-in: counted on the submitted name's password counter like a wrong
/// password at sign-in (the attempt that reaches the threshold locks the name, audited as
/// `lockout`), and audited as `dav_login_failure` with the reason. A name that matches no
/// account is recorded as a keyed hash, never as typed. The work is the same for real and
/// made-up names: one counter write, one user lookup, the audit entries.
pub async fn record_failure(
    ctx: Context<'_>,
    origin: &RequestOrigin,
    audit_key: &[u8; 64],
    raw_username: &str,
) -> Result<(), sqlx::Error> {
    let key = Username::lockout_key(raw_username);
    let pool = ctx.db.pool();
    let reserved = lockout::reserve(pool, Counter::Password(&key), lockout::rule(&ctx.settings), ctx.now).await?;
    let user = match Username::parse(raw_username) {
        Ok(name) => crate::db::users::find_by_username(pool, name.as_str()).await?,
        // Not a possible name, so no account has it: nothing to look up.
        Err(_) => None,
    };
    let audit_name = user.map_or_else(|| lockout::unknown_name_marker(audit_key, &key), |user| user.username);
    // `reserve` refuses (None) while the name is locked; a state with a lock is this
    // attempt reaching the threshold.
    let locked_now = reserved.is_some_and(|state| state.locked_until.is_some());
    let reason = match reserved {
        None => "locked",
        Some(_) if locked_now => "bad credentials; locked",
        Some(_) => "bad credentials",
    };
    let anonymous = Caller::anonymous(origin);
    if locked_now {
        tracing::warn!(client_ip = %origin.ip, "a username was locked after repeated failures");
        anonymous.audit(ctx, AuditAction::Lockout, &audit_name, Some("app password, at DAV sign-in".into())).await?;
    }
    anonymous.audit(ctx, AuditAction::DavLoginFailure, &audit_name, Some(reason.into())).await?;
    Ok(())
}

/// 160 random bits as 40 lowercase hex digits in five groups of eight, easy to read aloud
/// and to type on a phone.
fn new_secret() -> String {
    let hex = hex::encode(rand::random::<[u8; 20]>());
    hex.as_bytes().chunks(8).map(|chunk| std::str::from_utf8(chunk).unwrap_or_default()).collect::<Vec<_>>().join("-")
}

/// The stored form: SHA-256 of the secret without separators and case, so that a secret
/// typed with or without its dashes, in either case, matches.
pub fn hash_secret(secret: &str) -> String {
    let normalised: String =
        secret.chars().filter(|c| !matches!(c, '-' | ' ')).map(|c| c.to_ascii_lowercase()).collect();
    hex::encode(Sha256::digest(normalised.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_160_bits_in_groups() {
        let secret = new_secret();
        assert_eq!(secret.len(), 44);
        assert_eq!(secret.split('-').count(), 5);
        assert!(secret.split('-').all(|group| group.len() == 8 && group.bytes().all(|b| b.is_ascii_hexdigit())));
        assert_ne!(secret, new_secret());
    }

    #[test]
    fn device_names_are_trimmed_and_bounded() {
        assert_eq!(device_name("  Anna's phone ").unwrap(), "Anna's phone");
        assert_eq!(device_name(&"é".repeat(64)).unwrap().chars().count(), 64);
        for bad in ["", "   ", "line\nbreak", "tab\there", "nul\0", &"x".repeat(65)] {
            assert!(matches!(device_name(bad), Err(AppPasswordError::Name)), "{bad:?}");
        }
    }

    #[test]
    fn dashes_and_case_do_not_matter() {
        let secret = "0123abcd-0123abcd-0123abcd-0123abcd-0123abcd";
        assert_eq!(hash_secret(secret), hash_secret(&secret.replace('-', "").to_uppercase()));
        assert_ne!(hash_secret(secret), hash_secret("0123abcd-0123abcd-0123abcd-0123abcd-0123abce"));
    }
}
