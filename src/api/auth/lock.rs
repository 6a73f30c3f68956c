//! `POST /api/auth/lock` and `/unlock`: a locked session answers 423 everywhere except
//! status, unlock and logout until the password is given again.

use rocket::http::{CookieJar, Status};
use rocket::{State, post};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{audit_user, bounded_password, set_session_cookie};
use crate::auth::guards::AuthUser;
use crate::auth::session::RequestOrigin;
use crate::db::sessions;
use crate::domain::audit_action::AuditAction;
use crate::error::ApiResult;
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::sign_in::{self, password::Via};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlockRequest {
    pub password: String,
}

#[utoipa::path(tag = "auth", responses((status = 204, description = "locked")))]
#[post("/api/auth/lock")]
pub async fn lock(state: &State<AppState>, origin: RequestOrigin, user: AuthUser) -> ApiResult<Status> {
    sessions::set_locked(state.db.pool(), user.session_id, true).await?;
    audit_user(state, user.user_id, &user.username, AuditAction::SessionLock, &origin, None).await?;
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
    let (user_id, username) = (user.user_id, user.username.as_str());
    sign_in::password::confirm(ctx, state.verifiers(), &origin, Via::Unlock, user_id, username, &body.0.password)
        .await?;
    // A new token at every authentication boundary.
    let token = sign_in::rotate_session(ctx, user.session_id).await?;
    set_session_cookie(state, jar, token);
    audit_user(state, user.user_id, &user.username, AuditAction::SessionUnlock, &origin, None).await?;
    Ok(Status::NoContent)
}
