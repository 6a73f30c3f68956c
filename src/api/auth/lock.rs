//! `POST /api/auth/lock` and `/unlock`: a locked session answers 423 everywhere except
//! status, unlock and logout until the password is given again (`service::sign_in::session_lock`).

use rocket::http::{CookieJar, Status};
use rocket::{State, post};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{bounded_password, session_user, set_session_cookie};
use crate::auth::guards::AuthUser;
use crate::auth::session::RequestOrigin;
use crate::error::ApiResult;
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::sign_in::session_lock;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlockRequest {
    pub password: String,
}

#[utoipa::path(tag = "auth", responses((status = 204, description = "locked")))]
#[post("/api/auth/lock")]
pub async fn lock(state: &State<AppState>, origin: RequestOrigin, user: AuthUser) -> ApiResult<Status> {
    session_lock::lock(state.context().await?, session_user(&user, &origin)).await?;
    Ok(Status::NoContent)
}

#[utoipa::path(tag = "auth", request_body = UnlockRequest,
    responses((status = 204, description = "unlocked, with a new session token"), (status = 401, description = "wrong password")))]
#[post("/api/auth/unlock", data = "<body>")]
pub async fn unlock(
    state: &State<AppState>,
    jar: &CookieJar<'_>,
    origin: RequestOrigin,
    user: AuthUser,
    body: JsonBody<UnlockRequest>,
) -> ApiResult<Status> {
    bounded_password("password", &body.0.password)?;
    let ctx = state.context().await?;
    let token = session_lock::unlock(ctx, state.verifiers(), session_user(&user, &origin), &body.0.password).await?;
    set_session_cookie(state, jar, token);
    Ok(Status::NoContent)
}
