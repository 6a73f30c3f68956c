//! `/api/auth/passkeys/…`: register, list, rename and remove passkeys, and sign in with one
//! (which skips the TOTP step: a user-verified passkey is itself two factors). The
//! ceremonies are `service::sign_in::passkeys`'s.
//!
//! Wire format: every `…/begin` answers `{ceremony_id, options}` with webauthn-rs's options
//! (`{"publicKey": …}`); every `…/finish` takes `{ceremony_id, credential}` with the
//! browser's PublicKeyCredential JSON (base64url fields).

use rocket::http::{CookieJar, Status};
use rocket::serde::json::Json;
use rocket::{State, delete, get, patch, post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use webauthn_rs::prelude::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential, RequestChallengeResponse,
};

use super::{UserInfo, session_user, set_session_cookie};
use crate::api::page::{Page, Paging};
use crate::auth::guards::{AuthUser, EnrollingUser, UnlockedUser};
use crate::auth::session::{self, RequestOrigin};
use crate::db::passkeys::PasskeyRow;
use crate::domain::id::PasskeyId;
use crate::domain::time::UtcMillis;
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::sign_in::passkeys::{self as ceremony, Started};

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

impl From<Started<CreationChallengeResponse>> for RegistrationStart {
    fn from(started: Started<CreationChallengeResponse>) -> Self {
        Self { ceremony_id: started.ceremony_id, options: started.options }
    }
}

impl From<Started<RequestChallengeResponse>> for LoginStart {
    fn from(started: Started<RequestChallengeResponse>) -> Self {
        Self { ceremony_id: started.ceremony_id, options: started.options }
    }
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
    let ctx = state.context().await?;
    let started = ceremony::register_begin(ctx, state.verifiers(), user.user_id, &user.username, &body.0.name).await?;
    Ok(Json(started.into()))
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
    let RegisterFinish { ceremony_id, credential, name } = body.0;
    let ctx = state.context().await?;
    let me = session_user(&user.0, &origin);
    let row = ceremony::register_finish(ctx, state.verifiers(), me, &ceremony_id, &credential, name.as_deref()).await?;
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
    let (rows, total) = ceremony::list(state.context().await?, user.0.user_id, paging.limit, paging.offset).await?;
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
    ceremony::rename(state.context().await?, user.0.user_id, id, &body.0.name).await?;
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
    ceremony::remove(state.context().await?, session_user(&user, &origin), id).await?;
    Ok(Status::NoContent)
}

#[utoipa::path(tag = "passkeys", request_body = LoginBegin,
    responses((status = 200, body = LoginStart)))]
#[post("/api/auth/passkeys/login/begin", data = "<body>")]
pub async fn login_begin(state: &State<AppState>, body: JsonBody<LoginBegin>) -> ApiResult<Json<LoginStart>> {
    // The name a browser sends is ignored: the options are the same for every name, known or
    // not (see `service::sign_in::passkeys::login_begin`).
    let _ = body.0.username;
    let started = ceremony::login_begin(state.context().await?, state.verifiers()).await?;
    Ok(Json(started.into()))
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
    let LoginFinish { ceremony_id, credential } = body.0;
    let replacing = session::read_token(jar, &state.config);
    let ctx = state.context().await?;
    let (user, token) =
        ceremony::login_finish(ctx, state.verifiers(), &origin, &ceremony_id, &credential, replacing.as_deref())
            .await?;
    set_session_cookie(state, jar, token);
    Ok(Json(UserInfo::from(&user)))
}

#[utoipa::path(tag = "passkeys",
    responses((status = 200, body = LoginStart), (status = 409, description = "no passkeys registered")))]
#[post("/api/auth/passkeys/confirm/begin")]
pub async fn confirm_begin(state: &State<AppState>, user: AuthUser) -> ApiResult<Json<LoginStart>> {
    let started = ceremony::confirm_begin(state.context().await?, state.verifiers(), user.user_id).await?;
    Ok(Json(started.into()))
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
    let LoginFinish { ceremony_id, credential } = body.0;
    let ctx = state.context().await?;
    let me = session_user(&user, &origin);
    let unlocked = ceremony::confirm_finish(ctx, state.verifiers(), me, user.locked, &ceremony_id, &credential).await?;
    if let Some(token) = unlocked {
        set_session_cookie(state, jar, token);
    }
    Ok(Status::NoContent)
}
