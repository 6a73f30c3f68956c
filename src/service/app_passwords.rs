//! App passwords: what a CalDAV/CardDAV client signs in with, one per device, so that no
//! phone holds the account password and a lost one is revoked alone. Creating one needs a
//! recent re-authentication (the API checks it); the secret is shown once.
//!
//! `authenticate` is the DAV sign-in. A secret is 160 random bits, stored as its SHA-256:
//! one fast hash and one indexed read per request, the same whether the name exists or not.
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
    #[error("the name is not 1 to 64 characters")]
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

pub async fn create(
    ctx: Context<'_>,
    caller: &Caller,
    owner: UserId,
    username: &str,
    name: &str,
) -> Result<Created, AppPasswordError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(AppPasswordError::Name);
    }
    if store::count_for_user(ctx.db.pool(), owner).await? >= MAX_PER_USER {
        return Err(AppPasswordError::TooMany);
    }
    let password = new_secret();
    let row = store::create(ctx.db.pool(), owner, name, &hash_secret(&password), ctx.now).await?;
    caller.audit(ctx, AuditAction::AppPasswordCreate, username, Some(format!("app password \"{name}\""))).await?;
    Ok(Created { row, password })
}

/// Revokes one of `owner`'s app passwords (the owner, or an admin for them): the next
/// request made with it fails.
pub async fn revoke(
    ctx: Context<'_>,
    caller: &Caller,
    owner: UserId,
    owner_name: &str,
    id: AppPasswordId,
) -> Result<(), AppPasswordError> {
    if !store::delete(ctx.db.pool(), owner, id).await? {
        return Err(AppPasswordError::NotFound);
    }
    caller.audit(ctx, AuditAction::AppPasswordRevoke, owner_name, Some(format!("app password {}", id.0))).await?;
    Ok(())
}

/// Checks HTTP Basic credentials of a DAV request: the account, or `None` for every kind of
/// refusal (unknown name, wrong or revoked secret, the account password, a locked name or a
/// deactivated account), which the caller answers with one identical 401.
pub async fn authenticate(
    ctx: Context<'_>,
    origin: &RequestOrigin,
    audit_key: &[u8; 64],
    raw_username: &str,
    secret: &str,
) -> Result<Option<DavAccount>, sqlx::Error> {
    let key = Username::lockout_key(raw_username);
    let counter = Counter::Password(&key);
    let pool = ctx.db.pool();
    let state = login_failures::get(pool, counter).await?;
    let locked = state.locked_until.is_some_and(|until| ctx.now < until);
    let found = store::find_by_hash(pool, &hash_secret(secret)).await?;
    let accepted = found.filter(|owner| !locked && owner.active.get() && Username::lockout_key(&owner.username) == key);
    if let Some(owner) = accepted {
        if owner.last_used_at.is_none_or(|at| ctx.now.0 - at >= TOUCH_INTERVAL_MS) {
            store::touch(pool, owner.id, ctx.now).await?;
        }
        return Ok(Some(DavAccount { user_id: owner.user_id, username: owner.username, app_password_id: owner.id }));
    }
    // Counted like a wrong password at sign-in (reserve counts the attempt and may lock).
    let reserved = lockout::reserve(pool, counter, lockout::rule(&ctx.settings), ctx.now).await?;
    let audit_name = match Username::parse(raw_username) {
        Ok(name) if crate::db::users::find_by_username(pool, name.as_str()).await?.is_some() => {
            name.as_str().to_string()
        }
        _ => lockout::unknown_name_marker(audit_key, &key),
    };
    let locked_now = !locked && reserved.is_some_and(|state| state.locked_until.is_some());
    let reason = if locked || reserved.is_none() {
        "locked"
    } else if locked_now {
        "bad credentials; locked"
    } else {
        "bad credentials"
    };
    let anonymous = Caller::anonymous(origin);
    if locked_now {
        tracing::warn!(client_ip = %origin.ip, "a username was locked after repeated failures");
        anonymous.audit(ctx, AuditAction::Lockout, &audit_name, Some("app password, at DAV sign-in".into())).await?;
    }
    anonymous.audit(ctx, AuditAction::DavLoginFailure, &audit_name, Some(reason.into())).await?;
    Ok(None)
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
    fn dashes_and_case_do_not_matter() {
        let secret = "0123abcd-0123abcd-0123abcd-0123abcd-0123abcd";
        assert_eq!(hash_secret(secret), hash_secret(&secret.replace('-', "").to_uppercase()));
        assert_ne!(hash_secret(secret), hash_secret("0123abcd-0123abcd-0123abcd-0123abcd-0123abce"));
    }
}
