//! `POST /api/auth/password`: change one's own password. The current password is checked
//! here (counted like a sign-in); the change is `service::account`'s: other sessions are
//! signed out, and this one gets a new token (a new cookie), so a copy of the old cookie is
//! worthless.

use rocket::http::{CookieJar, Status};
use rocket::{State, post};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{acceptable_password, audit_user, bounded_password};
use crate::auth::guards::AuthUser;
use crate::auth::login::{PasswordCheck, Via, check_password};
use crate::auth::session::{self, RequestOrigin};
use crate::domain::audit_action::AuditAction;
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::{Caller, account};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

#[utoipa::path(tag = "auth", request_body = ChangePasswordRequest,
    responses((status = 204, description = "changed; other sessions revoked"),
              (status = 401, description = "current password wrong"), (status = 422, description = "new password refused")))]
#[post("/api/auth/password", data = "<body>")]
pub async fn change_password(
    state: &State<AppState>,
    jar: &CookieJar<'_>,
    origin: RequestOrigin,
    user: AuthUser,
    body: JsonBody<ChangePasswordRequest>,
) -> ApiResult<Status> {
    // Not `UnlockedUser`: a forced password change must be possible, a locked session not.
    if user.locked {
        return Err(ApiError::locked());
    }
    let ChangePasswordRequest { current_password, new_password } = body.0;
    bounded_password("current_password", &current_password)?;
    bounded_password("new_password", &new_password)?;
    let new_password = acceptable_password("new_password", &new_password, &user.username)?;
    let check = check_password(state, &origin, Via::PasswordChange, &user.username, &current_password).await?;
    if let PasswordCheck::Refused { detail, reason, .. } = check {
        let reason = Some(reason.into());
        audit_user(state, user.user_id, &user.username, AuditAction::PasswordChangeFailure, &origin, reason).await?;
        return Err(ApiError::unauthorized(detail));
    }
    let hash = state.hasher.hash(&new_password).await?;
    let caller = Caller::user(user.user_id, &user.username, &origin);
    let ctx = state.context().await?;
    account::change_password(ctx, &caller, user.user_id, &user.username, &hash, Some(user.session_id)).await?;
    session::rotate(state, jar, user.session_id, state.clock.now()).await?;
    Ok(Status::NoContent)
}
