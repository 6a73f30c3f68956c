//! The sign-in ceremonies and what follows them: a password (with the second-factor step
//! when the user has an authenticator), a passkey, locking and unlocking a session, proving
//! the password again, signing out and ending one's sessions. One file per ceremony; the
//! pieces they share (starting a session, giving it a new token) are here.
//!
//! The API keeps HTTP: it reads the body, the cookie and where the request came from, calls
//! here, and sets or clears the cookie from the `SessionToken` it gets back.

pub mod passkeys;
pub mod password;
pub mod second_step;
pub mod session_lock;
pub mod sessions;

use webauthn_rs::prelude::Webauthn;

use super::second_factor::SecondFactorError;
use super::{Caller, Context};
use crate::auth::password::{HashError, PasswordHasher};
use crate::auth::session::{NewToken, RequestOrigin, hash_token, new_token};
use crate::auth::totp::SecretBox;
use crate::clock::Clock;
use crate::db::error::DbError;
use crate::db::sessions::{self as store, NewSession};
use crate::db::users::{self, UserRow};
use crate::domain::audit_action::AuditAction;
use crate::domain::id::{SessionId, UserId};

/// What checks a person's proofs: the password hasher (its bounded queue), the key for the
/// audit log's unknown-name markers, the box the TOTP secrets are sealed in, the WebAuthn
/// relying party, and the clock (a request may wait in the hashing queue: what follows a
/// verification reads the time again, see `after_verification`).
#[derive(Clone, Copy)]
pub struct Verifiers<'a> {
    pub hasher: &'a PasswordHasher,
    pub audit_key: &'a [u8; 64],
    pub secrets: &'a SecretBox,
    pub webauthn: &'a Webauthn,
    pub clock: &'a dyn Clock,
}

impl Verifiers<'_> {
    /// `ctx` at the time now: after an Argon2 verification, which may have waited in the
    /// queue, so that a code checked next, a session's times and audit entries are not early.
    pub fn after_verification<'c>(&self, ctx: Context<'c>) -> Context<'c> {
        Context { now: self.clock.now(), ..ctx }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// A wrong username or password, or a locked name: the same answer for all three. The
    /// text is the 401 detail (with a hint when the lock is near).
    #[error("{0}")]
    BadCredentials(String),
    /// A wrong or reused second-factor code, or a locked code counter.
    #[error("{0}")]
    WrongCode(String),
    /// The second-factor step of a sign-in expired or was already completed.
    #[error("the sign-in expired or was already completed")]
    ChallengeExpired,
    /// A passkey sign-in did not go through (whatever the reason: the answer tells nothing).
    #[error("passkey sign-in failed")]
    PasskeyFailed,
    /// A signed-in user's passkey confirmation did not go through.
    #[error("the passkey was not accepted")]
    PasskeyNotAccepted,
    #[error("the passkey registration expired or was already used")]
    RegistrationExpired,
    #[error("the authenticator's answer was not accepted")]
    AuthenticatorRefused,
    #[error("the passkey name is not 1 to 64 characters")]
    PasskeyName,
    #[error("the most passkeys one account may have")]
    TooManyPasskeys,
    #[error("this passkey is already registered")]
    PasskeyTaken,
    #[error("no passkeys registered")]
    NoPasskeys,
    /// No such passkey or session of the caller's.
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Hash(#[from] HashError),
    /// A server fault (a secret that cannot be opened, WebAuthn state that cannot be read).
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for SignInError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::from(error))
    }
}

impl From<SecondFactorError> for SignInError {
    fn from(error: SecondFactorError) -> Self {
        match error {
            SecondFactorError::Db(error) => Self::Db(error),
            other => Self::Internal(other.to_string()),
        }
    }
}

/// The signed-in user a ceremony is for: who, through which session, and from where.
#[derive(Clone, Copy)]
pub struct SessionUser<'a> {
    pub user_id: UserId,
    pub username: &'a str,
    pub session_id: SessionId,
    pub origin: &'a RequestOrigin,
}

impl SessionUser<'_> {
    /// The user as the audit log names them.
    fn caller(&self) -> Caller {
        Caller::user(self.user_id, self.username, self.origin)
    }
}

/// A new session token for the cookie, and how long the cookie should live.
#[must_use = "the token goes into the session cookie"]
pub struct SessionToken {
    pub token: String,
    pub lifetime_minutes: i64,
}

/// Where a sign-in left the user: signed in with a new session, or (TOTP on) asked for a code.
pub enum Outcome {
    SignedIn {
        user: UserRow,
        session: SessionToken,
    },
    /// The password was right; the sign-in finishes with a code and this token.
    SecondStep {
        mfa_token: String,
    },
}

/// Starts a session for a user who just proved who they are, records the sign-in and audits
/// it as `action`. `replacing` is the token the browser already had: that session ends, and a
/// fresh token every time means no session can be fixed in advance.
pub async fn start_session(
    ctx: Context<'_>,
    origin: &RequestOrigin,
    user: &UserRow,
    replacing: Option<&str>,
    action: AuditAction,
) -> Result<SessionToken, SignInError> {
    if let Some(old) = replacing {
        store::delete_by_token(ctx.db.pool(), &hash_token(old)).await?;
    }
    let NewToken { token, hash } = new_token();
    let lifetime_minutes = ctx.settings.session_absolute_minutes;
    let mut tx = ctx.db.write().await?;
    store::create(
        &mut tx,
        NewSession {
            user_id: user.id,
            token_hash: &hash,
            now: ctx.now,
            expires_at: ctx.now.plus_minutes(lifetime_minutes),
            ip: Some(origin.ip.clone()),
            user_agent: origin.user_agent.clone(),
            max_per_user: ctx.settings.max_sessions_per_user,
        },
    )
    .await?;
    tx.commit().await?;
    users::record_login(ctx.db.pool(), user.id, ctx.now).await?;
    Caller::user(user.id, &user.username, origin).audit(ctx, action, &user.username, None).await?;
    Ok(SessionToken { token, lifetime_minutes })
}

/// Gives an existing session a new token (at unlock, at a password change), so the old cookie
/// stops working.
pub async fn rotate_session(ctx: Context<'_>, session_id: SessionId) -> Result<SessionToken, SignInError> {
    let NewToken { token, hash } = new_token();
    store::rotate(ctx.db.pool(), session_id, &hash, ctx.now).await?;
    Ok(SessionToken { token, lifetime_minutes: ctx.settings.session_absolute_minutes })
}
