//! Passkeys: registering one (after a recent re-authentication, checked by the API), listing,
//! renaming and removing them, signing in with one (which skips the TOTP step: a
//! user-verified passkey is itself two factors), and a signed-in user confirming presence
//! with one (a re-authentication, which also unlocks a locked session).
//!
//! Each ceremony's WebAuthn state is kept server-side for five minutes under a random id and
//! taken (once) by its `finish`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use webauthn_rs::prelude::{
    CreationChallengeResponse, DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, RequestChallengeResponse, Uuid, WebauthnError,
};
use webauthn_rs_proto::ResidentKeyRequirement;

use super::{SessionToken, SessionUser, SignInError, Verifiers, rotate_session, start_session};
use crate::auth::session::RequestOrigin;
use crate::db::passkeys::{self as store, NewCeremony, NewPasskey, PasskeyRow};
use crate::db::sessions;
use crate::db::users::{self, UserRow};
use crate::domain::audit_action::AuditAction;
use crate::domain::id::{PasskeyId, UserId};
use crate::service::{Caller, Context};

const CEREMONY_MINUTES: i64 = 5;
/// Passkeys per user: plenty for every device a person owns, and a bound on the rows and
/// the work a stolen session could add.
pub const MAX_PASSKEYS: usize = 20;
const REGISTER: &str = "register";
const LOGIN: &str = "login";
const CONFIRM: &str = "confirm";

/// A started ceremony: the id its `finish` names, and the options for the browser.
pub struct Started<T> {
    pub ceremony_id: String,
    pub options: T,
}

fn passkey_name(raw: &str) -> Result<String, SignInError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(SignInError::PasskeyName);
    }
    Ok(name.to_string())
}

fn ceremony_id() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// A webauthn-rs failure to start a ceremony: a server fault, logged and answered with the
/// generic 500 body, never the library's text.
fn webauthn_failed(error: WebauthnError) -> SignInError {
    SignInError::Internal(format!("webauthn: {error}"))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, SignInError> {
    serde_json::to_string(value).map_err(|e| SignInError::Internal(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, SignInError> {
    serde_json::from_str(text).map_err(|e| SignInError::Internal(e.to_string()))
}

async fn store_ceremony(
    ctx: Context<'_>,
    kind: &'static str,
    user_id: Option<UserId>,
    name: Option<&str>,
    state: &impl Serialize,
) -> Result<String, SignInError> {
    let id = ceremony_id();
    let ceremony = NewCeremony {
        id: &id,
        kind,
        user_id,
        name,
        state: &to_json(state)?,
        expires_at: ctx.now.plus_minutes(CEREMONY_MINUTES),
    };
    store::store_ceremony(ctx.db.pool(), ceremony).await?;
    Ok(id)
}

/// Starts registering a passkey named `name` for the user.
pub async fn register_begin(
    ctx: Context<'_>,
    verifiers: Verifiers<'_>,
    user_id: UserId,
    username: &str,
    name: &str,
) -> Result<Started<CreationChallengeResponse>, SignInError> {
    let name = passkey_name(name)?;
    let pool = ctx.db.pool();
    let handle = store::user_handle(pool, user_id, &Uuid::from_bytes(rand::random()).to_string()).await?;
    let handle = Uuid::parse_str(&handle).map_err(|e| SignInError::Internal(e.to_string()))?;
    let existing = store::for_user(pool, user_id).await?;
    if existing.len() >= MAX_PASSKEYS {
        return Err(SignInError::TooManyPasskeys);
    }
    let exclude = existing
        .iter()
        .filter_map(|row| serde_json::from_str::<Passkey>(&row.credential).ok())
        .map(|p| p.cred_id().clone())
        .collect();
    let (mut options, registration) = verifiers
        .webauthn
        .start_passkey_registration(handle, username, username, Some(exclude))
        .map_err(webauthn_failed)?;
    // Require a discoverable credential: sign-in names no credential ids (see `login_begin`),
    // so a passkey the authenticator cannot find by itself could never be used.
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.resident_key = Some(ResidentKeyRequirement::Required);
        selection.require_resident_key = true;
    }
    let ceremony_id = store_ceremony(ctx, REGISTER, Some(user_id), Some(&name), &registration).await?;
    Ok(Started { ceremony_id, options })
}

/// Finishes a registration the same user began, under `name` or the name given at the start.
pub async fn register_finish(
    ctx: Context<'_>,
    verifiers: Verifiers<'_>,
    me: SessionUser<'_>,
    ceremony_id: &str,
    credential: &RegisterPublicKeyCredential,
    name: Option<&str>,
) -> Result<PasskeyRow, SignInError> {
    let pool = ctx.db.pool();
    let ceremony = store::take_ceremony(pool, ceremony_id, REGISTER, ctx.now)
        .await?
        .filter(|c| c.user_id == Some(me.user_id))
        .ok_or(SignInError::RegistrationExpired)?;
    let registration: PasskeyRegistration = from_json(&ceremony.state)?;
    let passkey = verifiers.webauthn.finish_passkey_registration(credential, &registration).map_err(|e| {
        // The library's text describes our verification; the client gets a fixed sentence.
        tracing::info!(user = %me.username, "passkey registration refused: {e}");
        SignInError::AuthenticatorRefused
    })?;
    let name = match name {
        Some(name) => passkey_name(name)?,
        None => ceremony.name.unwrap_or_else(|| "Passkey".into()),
    };
    if store::for_user(pool, me.user_id).await?.len() >= MAX_PASSKEYS {
        return Err(SignInError::TooManyPasskeys);
    }
    let credential_id = URL_SAFE_NO_PAD.encode(passkey.cred_id());
    let new = NewPasskey {
        user_id: me.user_id,
        name: &name,
        credential_id: &credential_id,
        credential: &to_json(&passkey)?,
        now: ctx.now,
    };
    let row = store::insert(pool, new).await?.ok_or(SignInError::PasskeyTaken)?;
    me.caller().audit(ctx, AuditAction::PasskeyAdd, me.username, Some(name)).await?;
    Ok(row)
}

/// One page of the user's passkeys, and how many there are.
pub async fn list(
    ctx: Context<'_>,
    user_id: UserId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PasskeyRow>, i64), SignInError> {
    Ok(store::page_for_user(ctx.db.pool(), user_id, limit, offset).await?)
}

pub async fn rename(ctx: Context<'_>, user_id: UserId, id: PasskeyId, name: &str) -> Result<(), SignInError> {
    let name = passkey_name(name)?;
    if !store::rename(ctx.db.pool(), user_id, id, &name).await? {
        return Err(SignInError::NotFound);
    }
    Ok(())
}

pub async fn remove(ctx: Context<'_>, me: SessionUser<'_>, id: PasskeyId) -> Result<(), SignInError> {
    if !store::delete(ctx.db.pool(), me.user_id, id).await? {
        return Err(SignInError::NotFound);
    }
    me.caller().audit(ctx, AuditAction::PasskeyRemove, me.username, Some(format!("passkey {id}"))).await?;
    Ok(())
}

/// Starts a passkey sign-in. No `allowCredentials`, for anyone: the authenticator offers its
/// own discoverable credentials. Listing a user's credential ids would tell a stranger
/// whether a name has passkeys and how many (decoys cannot copy the lengths of real ids), so
/// the answer is the same for every name, known or not, and takes none.
pub async fn login_begin(
    ctx: Context<'_>,
    verifiers: Verifiers<'_>,
) -> Result<Started<RequestChallengeResponse>, SignInError> {
    let (options, authentication) = verifiers.webauthn.start_discoverable_authentication().map_err(webauthn_failed)?;
    let ceremony_id = store_ceremony(ctx, LOGIN, None, None, &authentication).await?;
    Ok(Started { ceremony_id, options })
}

/// Finishes a passkey sign-in: a session for the passkey's (active) owner. Every failure is
/// the same `PasskeyFailed`.
pub async fn login_finish(
    ctx: Context<'_>,
    verifiers: Verifiers<'_>,
    origin: &RequestOrigin,
    ceremony_id: &str,
    credential: &PublicKeyCredential,
    replacing: Option<&str>,
) -> Result<(UserRow, SessionToken), SignInError> {
    let pool = ctx.db.pool();
    let ceremony = store::take_ceremony(pool, ceremony_id, LOGIN, ctx.now).await?.ok_or(SignInError::PasskeyFailed)?;
    let authentication: DiscoverableAuthentication = from_json(&ceremony.state)?;
    let credential_id = URL_SAFE_NO_PAD.encode(credential.get_credential_id());
    let row = store::by_credential_id(pool, &credential_id).await?.ok_or(SignInError::PasskeyFailed)?;
    // The password lockout does not apply: it guards the password, and a user-verified passkey
    // must still work so nobody can lock a user out by guessing at their name.
    let user =
        users::find_by_id(pool, row.user_id).await?.filter(UserRow::is_active).ok_or(SignInError::PasskeyFailed)?;
    let mut passkey: Passkey = from_json(&row.credential)?;
    let result = match verifiers.webauthn.finish_discoverable_authentication_v2(credential, authentication, &passkey) {
        Ok(result) => result,
        Err(WebauthnError::CredentialPossibleCompromise) => {
            let detail = Some(format!("passkey {} ({}): signature counter went backwards", row.id, row.name));
            let caller = Caller::user(user.id, &user.username, origin);
            caller.audit(ctx, AuditAction::PasskeyCounterRegression, &user.username, detail).await?;
            tracing::warn!(user = %user.username, "passkey rejected: signature counter regression (cloned authenticator?)");
            return Err(SignInError::PasskeyFailed);
        }
        Err(_) => return Err(SignInError::PasskeyFailed),
    };
    let updated = passkey.update_credential(&result).unwrap_or(false).then(|| to_json(&passkey)).transpose()?;
    store::record_use(pool, row.id, updated.as_deref(), ctx.now).await?;
    let session = start_session(ctx, origin, &user, replacing, AuditAction::Login).await?;
    let caller = Caller::user(user.id, &user.username, origin);
    caller.audit(ctx, AuditAction::PasskeyLogin, &user.username, Some(row.name)).await?;
    Ok((user, session))
}

/// Starts a signed-in user's confirmation with one of their own passkeys.
pub async fn confirm_begin(
    ctx: Context<'_>,
    verifiers: Verifiers<'_>,
    user_id: UserId,
) -> Result<Started<RequestChallengeResponse>, SignInError> {
    let rows = store::for_user(ctx.db.pool(), user_id).await?;
    let keys: Vec<Passkey> = rows.iter().filter_map(|row| serde_json::from_str(&row.credential).ok()).collect();
    if keys.is_empty() {
        return Err(SignInError::NoPasskeys);
    }
    let (mut options, authentication) =
        verifiers.webauthn.start_passkey_authentication(&keys).map_err(webauthn_failed)?;
    options.mediation = None;
    let ceremony_id = store_ceremony(ctx, CONFIRM, Some(user_id), None, &authentication).await?;
    Ok(Started { ceremony_id, options })
}

/// Proves presence with one of one's own passkeys: like re-authenticating with the password,
/// and it unlocks a locked session, which gets a new token (returned for the cookie).
pub async fn confirm_finish(
    ctx: Context<'_>,
    verifiers: Verifiers<'_>,
    me: SessionUser<'_>,
    locked: bool,
    ceremony_id: &str,
    credential: &PublicKeyCredential,
) -> Result<Option<SessionToken>, SignInError> {
    let pool = ctx.db.pool();
    let ceremony = store::take_ceremony(pool, ceremony_id, CONFIRM, ctx.now)
        .await?
        .filter(|c| c.user_id == Some(me.user_id))
        .ok_or(SignInError::PasskeyNotAccepted)?;
    let authentication: PasskeyAuthentication = from_json(&ceremony.state)?;
    let credential_id = URL_SAFE_NO_PAD.encode(credential.get_credential_id());
    let row = store::by_credential_id(pool, &credential_id)
        .await?
        .filter(|r| r.user_id == me.user_id)
        .ok_or(SignInError::PasskeyNotAccepted)?;
    let result = verifiers
        .webauthn
        .finish_passkey_authentication(credential, &authentication)
        .map_err(|_| SignInError::PasskeyNotAccepted)?;
    let mut passkey: Passkey = from_json(&row.credential)?;
    let updated = passkey.update_credential(&result).unwrap_or(false).then(|| to_json(&passkey)).transpose()?;
    store::record_use(pool, row.id, updated.as_deref(), ctx.now).await?;
    sessions::mark_reauthenticated(pool, me.session_id, ctx.now).await?;
    let detail = Some("passkey".to_string());
    if locked {
        let token = rotate_session(ctx, me.session_id).await?;
        me.caller().audit(ctx, AuditAction::SessionUnlock, me.username, detail).await?;
        Ok(Some(token))
    } else {
        me.caller().audit(ctx, AuditAction::Reauth, me.username, detail).await?;
        Ok(None)
    }
}
