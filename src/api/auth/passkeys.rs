//! `/api/auth/passkeys/…`: register, list, rename and remove passkeys, and sign in with one
//! (which skips the TOTP step: a user-verified passkey is itself two factors).
//!
//! Wire format: every `…/begin` answers `{ceremony_id, options}` with webauthn-rs's options
//! (`{"publicKey": …}`); every `…/finish` takes `{ceremony_id, credential}` with the
//! browser's PublicKeyCredential JSON (base64url fields).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rocket::http::{CookieJar, Status};
use rocket::serde::json::Json;
use rocket::{State, delete, get, patch, post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use webauthn_rs::prelude::{
    CreationChallengeResponse, DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, RequestChallengeResponse, Uuid, WebauthnError,
};
use webauthn_rs_proto::ResidentKeyRequirement;

use super::{UserInfo, audit_user, open_session};
use crate::api::page::{Page, Paging};
use crate::auth::guards::{AuthUser, EnrollingUser, UnlockedUser};
use crate::auth::session::{self, RequestOrigin};
use crate::db::passkeys::{self as store, NewCeremony, NewPasskey, PasskeyRow};
use crate::db::{sessions, users};
use crate::domain::audit_action::AuditAction;
use crate::domain::id::PasskeyId;
use crate::domain::time::UtcMillis;
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;

const CEREMONY_MINUTES: i64 = 5;
/// Passkeys per user: plenty for every device a person owns, and a bound on the rows and
/// the work a stolen session could add.
pub const MAX_PASSKEYS: usize = 20;
const REGISTER: &str = "register";
const LOGIN: &str = "login";
const CONFIRM: &str = "confirm";

#[derive(Debug, Serialize, ToSchema)]
pub struct PasskeyView {
    pub id: PasskeyId,
    pub name: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<UtcMillis>,
}

impl From<&PasskeyRow> for PasskeyView {
    fn from(row: &PasskeyRow) -> Self {
        Self {
            id: row.id,
            name: row.name.clone(),
            created_at: UtcMillis(row.created_at),
            last_used_at: row.last_used_at.map(UtcMillis),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBegin {
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationStart {
    pub ceremony_id: String,
    #[schema(value_type = Object)]
    pub options: CreationChallengeResponse,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterFinish {
    pub ceremony_id: String,
    #[schema(value_type = Object)]
    pub credential: RegisterPublicKeyCredential,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBegin {
    /// Accepted from older pages and ignored: the options are the same for every name.
    pub username: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginStart {
    pub ceremony_id: String,
    #[schema(value_type = Object)]
    pub options: RequestChallengeResponse,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginFinish {
    pub ceremony_id: String,
    #[schema(value_type = Object)]
    pub credential: PublicKeyCredential,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenamePasskey {
    pub name: String,
}

fn passkey_name(raw: &str) -> ApiResult<String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ApiError::invalid_field("name", "Give the passkey a name of 1 to 64 characters."));
    }
    Ok(name.to_string())
}

fn ceremony_id() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

fn too_many_passkeys() -> ApiError {
    ApiError::conflict(format!("You have {MAX_PASSKEYS} passkeys, the most one account may have. Remove one first."))
}

/// A webauthn-rs failure to start a ceremony: a server fault, logged (by `ApiError::internal`)
/// and answered with the generic 500 body, never the library's text.
fn webauthn_failed(error: WebauthnError) -> ApiError {
    ApiError::internal(format!("webauthn: {error}"))
}

fn to_json<T: Serialize>(value: &T) -> ApiResult<String> {
    serde_json::to_string(value).map_err(ApiError::internal)
}

#[utoipa::path(tag = "passkeys", request_body = RegisterBegin,
    responses((status = 200, body = RegistrationStart), (status = 403, description = "re-authenticate first"),
              (status = 409, description = "20 passkeys already")))]
#[post("/api/auth/passkeys/register/begin", data = "<body>")]
pub async fn register_begin(
    state: &State<AppState>,
    user: EnrollingUser,
    body: JsonBody<RegisterBegin>,
) -> ApiResult<Json<RegistrationStart>> {
    let user = user.0;
    // A stolen cookie alone must not be able to add a passkey that then skips TOTP.
    if !user.recently_reauthenticated(state.clock.now()) {
        return Err(ApiError::reauth_required());
    }
    let name = passkey_name(&body.0.name)?;
    let pool = state.db.pool();
    let handle = store::user_handle(pool, user.user_id, &Uuid::from_bytes(rand::random()).to_string()).await?;
    let handle = Uuid::parse_str(&handle).map_err(ApiError::internal)?;
    let existing = store::for_user(pool, user.user_id).await?;
    if existing.len() >= MAX_PASSKEYS {
        return Err(too_many_passkeys());
    }
    let exclude = existing
        .iter()
        .filter_map(|row| serde_json::from_str::<Passkey>(&row.credential).ok())
        .map(|p| p.cred_id().clone())
        .collect();
    let (mut options, registration) = state
        .webauthn
        .start_passkey_registration(handle, &user.username, &user.username, Some(exclude))
        .map_err(webauthn_failed)?;
    // Require a discoverable credential: sign-in names no credential ids (see `login_begin`),
    // so a passkey the authenticator cannot find by itself could never be used.
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.resident_key = Some(ResidentKeyRequirement::Required);
        selection.require_resident_key = true;
    }
    let id = ceremony_id();
    let ceremony = NewCeremony {
        id: &id,
        kind: REGISTER,
        user_id: Some(user.user_id),
        name: Some(&name),
        state: &to_json(&registration)?,
        expires_at: state.clock.now().plus_minutes(CEREMONY_MINUTES),
    };
    store::store_ceremony(pool, ceremony).await?;
    Ok(Json(RegistrationStart { ceremony_id: id, options }))
}

#[utoipa::path(tag = "passkeys", request_body = RegisterFinish,
    responses((status = 201, body = PasskeyView), (status = 400, description = "the authenticator's answer is not valid"),
              (status = 409, description = "already registered, or 20 passkeys already")))]
#[post("/api/auth/passkeys/register/finish", data = "<body>")]
pub async fn register_finish(
    state: &State<AppState>,
    origin: RequestOrigin,
    user: EnrollingUser,
    body: JsonBody<RegisterFinish>,
) -> ApiResult<(Status, Json<PasskeyView>)> {
    let user = user.0;
    let RegisterFinish { ceremony_id, credential, name } = body.0;
    let now = state.clock.now();
    let ceremony = store::take_ceremony(state.db.pool(), &ceremony_id, REGISTER, now)
        .await?
        .filter(|c| c.user_id == Some(user.user_id))
        .ok_or_else(|| {
            ApiError::bad_request("This passkey registration has expired or was already used. Start again.")
        })?;
    let registration: PasskeyRegistration = serde_json::from_str(&ceremony.state).map_err(ApiError::internal)?;
    let passkey = state.webauthn.finish_passkey_registration(&credential, &registration).map_err(|e| {
        // The library's text describes our verification; the client gets a fixed sentence.
        tracing::info!(user = %user.username, "passkey registration refused: {e}");
        ApiError::bad_request("The authenticator's answer was not accepted. Try again.")
    })?;
    let name = match name {
        Some(name) => passkey_name(&name)?,
        None => ceremony.name.unwrap_or_else(|| "Passkey".into()),
    };
    if store::for_user(state.db.pool(), user.user_id).await?.len() >= MAX_PASSKEYS {
        return Err(too_many_passkeys());
    }
    let credential_id = URL_SAFE_NO_PAD.encode(passkey.cred_id());
    let row = store::insert(
        state.db.pool(),
        NewPasskey {
            user_id: user.user_id,
            name: &name,
            credential_id: &credential_id,
            credential: &to_json(&passkey)?,
            now,
        },
    )
    .await?
    .ok_or_else(|| ApiError::conflict("This passkey is already registered."))?;
    audit_user(state, user.user_id, &user.username, AuditAction::PasskeyAdd, &origin, Some(name)).await?;
    Ok((Status::Created, Json(PasskeyView::from(&row))))
}

#[utoipa::path(tag = "passkeys",
    params(("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<PasskeyView>)))]
#[get("/api/auth/passkeys?<limit>&<offset>")]
pub async fn list_passkeys(
    state: &State<AppState>,
    user: UnlockedUser,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<PasskeyView>>> {
    let paging = Paging::parse(limit, offset)?;
    let (rows, total) = store::page_for_user(state.db.pool(), user.0.user_id, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(rows.iter().map(PasskeyView::from).collect(), total)))
}

#[utoipa::path(tag = "passkeys", params(("id" = i64, Path)),
    request_body = RenamePasskey, responses((status = 204, description = "renamed"), (status = 404, description = "not yours")))]
#[patch("/api/auth/passkeys/<id>", data = "<body>")]
pub async fn rename_passkey(
    state: &State<AppState>,
    user: UnlockedUser,
    id: PasskeyId,
    body: JsonBody<RenamePasskey>,
) -> ApiResult<Status> {
    let name = passkey_name(&body.0.name)?;
    if !store::rename(state.db.pool(), user.0.user_id, id, &name).await? {
        return Err(ApiError::not_found());
    }
    Ok(Status::NoContent)
}

#[utoipa::path(tag = "passkeys", params(("id" = i64, Path)),
    responses((status = 204, description = "removed"), (status = 403, description = "re-authenticate first"),
              (status = 404, description = "not yours")))]
#[delete("/api/auth/passkeys/<id>")]
pub async fn delete_passkey(
    state: &State<AppState>,
    origin: RequestOrigin,
    user: UnlockedUser,
    id: PasskeyId,
) -> ApiResult<Status> {
    let user = user.0;
    if !user.recently_reauthenticated(state.clock.now()) {
        return Err(ApiError::reauth_required());
    }
    if !store::delete(state.db.pool(), user.user_id, id).await? {
        return Err(ApiError::not_found());
    }
    audit_user(state, user.user_id, &user.username, AuditAction::PasskeyRemove, &origin, Some(format!("passkey {id}")))
        .await?;
    Ok(Status::NoContent)
}

#[utoipa::path(tag = "passkeys", request_body = LoginBegin,
    responses((status = 200, body = LoginStart)))]
#[post("/api/auth/passkeys/login/begin", data = "<body>")]
pub async fn login_begin(state: &State<AppState>, body: JsonBody<LoginBegin>) -> ApiResult<Json<LoginStart>> {
    // No `allowCredentials`, for anyone: the authenticator offers its own discoverable
    // credentials. Listing a user's credential ids would tell a stranger whether a name has
    // passkeys and how many (decoys cannot copy the lengths of real ids), so the answer is
    // the same for every name, known or not. The name a browser sends is ignored.
    let _ = body.0.username;
    let (options, authentication) = state.webauthn.start_discoverable_authentication().map_err(webauthn_failed)?;
    let id = ceremony_id();
    let ceremony = NewCeremony {
        id: &id,
        kind: LOGIN,
        user_id: None,
        name: None,
        state: &to_json(&authentication)?,
        expires_at: state.clock.now().plus_minutes(CEREMONY_MINUTES),
    };
    store::store_ceremony(state.db.pool(), ceremony).await?;
    Ok(Json(LoginStart { ceremony_id: id, options }))
}

#[utoipa::path(tag = "passkeys", request_body = LoginFinish,
    responses((status = 200, body = UserInfo), (status = 401, description = "not a valid passkey sign-in")))]
#[post("/api/auth/passkeys/login/finish", data = "<body>")]
pub async fn login_finish(
    state: &State<AppState>,
    jar: &CookieJar<'_>,
    origin: RequestOrigin,
    body: JsonBody<LoginFinish>,
) -> ApiResult<Json<UserInfo>> {
    let failed = || ApiError::unauthorized("Passkey sign-in failed. Try again, or use your password.");
    let LoginFinish { ceremony_id, credential } = body.0;
    let now = state.clock.now();
    let pool = state.db.pool();
    let ceremony = store::take_ceremony(pool, &ceremony_id, LOGIN, now).await?.ok_or_else(failed)?;
    let authentication: DiscoverableAuthentication =
        serde_json::from_str(&ceremony.state).map_err(ApiError::internal)?;
    let credential_id = URL_SAFE_NO_PAD.encode(credential.get_credential_id());
    let row = store::by_credential_id(pool, &credential_id).await?.ok_or_else(failed)?;
    // The password lockout does not apply: it guards the password, and a user-verified passkey
    // must still work so nobody can lock a user out by guessing at their name.
    let user = users::find_by_id(pool, row.user_id).await?.filter(users::UserRow::is_active).ok_or_else(failed)?;
    let mut passkey: Passkey = serde_json::from_str(&row.credential).map_err(ApiError::internal)?;
    let result = match state.webauthn.finish_discoverable_authentication_v2(&credential, authentication, &passkey) {
        Ok(result) => result,
        Err(WebauthnError::CredentialPossibleCompromise) => {
            let detail = Some(format!("passkey {} ({}): signature counter went backwards", row.id, row.name));
            audit_user(state, user.id, &user.username, AuditAction::PasskeyCounterRegression, &origin, detail).await?;
            tracing::warn!(user = %user.username, "passkey rejected: signature counter regression (cloned authenticator?)");
            return Err(failed());
        }
        Err(_) => return Err(failed()),
    };
    let updated = passkey.update_credential(&result).unwrap_or(false).then(|| to_json(&passkey)).transpose()?;
    store::record_use(pool, row.id, updated.as_deref(), now).await?;
    open_session(state, jar, &user, &origin, AuditAction::Login).await?;
    audit_user(state, user.id, &user.username, AuditAction::PasskeyLogin, &origin, Some(row.name)).await?;
    Ok(Json(UserInfo::from(&user)))
}

#[utoipa::path(tag = "passkeys",
    responses((status = 200, body = LoginStart), (status = 409, description = "no passkeys registered")))]
#[post("/api/auth/passkeys/confirm/begin")]
pub async fn confirm_begin(state: &State<AppState>, user: AuthUser) -> ApiResult<Json<LoginStart>> {
    let rows = store::for_user(state.db.pool(), user.user_id).await?;
    let keys: Vec<Passkey> = rows.iter().filter_map(|row| serde_json::from_str(&row.credential).ok()).collect();
    if keys.is_empty() {
        return Err(ApiError::conflict("You have no passkeys. Use your password."));
    }
    let (mut options, authentication) = state.webauthn.start_passkey_authentication(&keys).map_err(webauthn_failed)?;
    options.mediation = None;
    let id = ceremony_id();
    let ceremony = NewCeremony {
        id: &id,
        kind: CONFIRM,
        user_id: Some(user.user_id),
        name: None,
        state: &to_json(&authentication)?,
        expires_at: state.clock.now().plus_minutes(CEREMONY_MINUTES),
    };
    store::store_ceremony(state.db.pool(), ceremony).await?;
    Ok(Json(LoginStart { ceremony_id: id, options }))
}

/// Proves presence with one of one's own passkeys: like `POST /api/auth/reauth` with the
/// password, and it unlocks a locked session (with a new session token).
#[utoipa::path(tag = "passkeys", request_body = LoginFinish,
    responses((status = 204, description = "re-authenticated (and unlocked)"), (status = 401, description = "not accepted")))]
#[post("/api/auth/passkeys/confirm/finish", data = "<body>")]
pub async fn confirm_finish(
    state: &State<AppState>,
    jar: &CookieJar<'_>,
    origin: RequestOrigin,
    user: AuthUser,
    body: JsonBody<LoginFinish>,
) -> ApiResult<Status> {
    let failed = || ApiError::unauthorized("The passkey was not accepted.");
    let LoginFinish { ceremony_id, credential } = body.0;
    let now = state.clock.now();
    let pool = state.db.pool();
    let ceremony = store::take_ceremony(pool, &ceremony_id, CONFIRM, now)
        .await?
        .filter(|c| c.user_id == Some(user.user_id))
        .ok_or_else(failed)?;
    let authentication: PasskeyAuthentication = serde_json::from_str(&ceremony.state).map_err(ApiError::internal)?;
    let credential_id = URL_SAFE_NO_PAD.encode(credential.get_credential_id());
    let row = store::by_credential_id(pool, &credential_id)
        .await?
        .filter(|r| r.user_id == user.user_id)
        .ok_or_else(failed)?;
    let result = state.webauthn.finish_passkey_authentication(&credential, &authentication).map_err(|_| failed())?;
    let mut passkey: Passkey = serde_json::from_str(&row.credential).map_err(ApiError::internal)?;
    let updated = passkey.update_credential(&result).unwrap_or(false).then(|| to_json(&passkey)).transpose()?;
    store::record_use(pool, row.id, updated.as_deref(), now).await?;
    sessions::mark_reauthenticated(pool, user.session_id, now).await?;
    if user.locked {
        session::rotate(state, jar, user.session_id, now).await?;
        audit_user(state, user.user_id, &user.username, AuditAction::SessionUnlock, &origin, Some("passkey".into()))
            .await?;
    } else {
        audit_user(state, user.user_id, &user.username, AuditAction::Reauth, &origin, Some("passkey".into())).await?;
    }
    Ok(Status::NoContent)
}
