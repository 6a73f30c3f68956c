//! `POST /api/auth/password`: change one's own password. The current password is checked by
//! `service::sign_in` (counted like a sign-in); the change is `service::account`'s: other
//! sessions are signed out, and this one gets a new token (a new cookie), so a copy of the
//! old cookie is worthless.

use rocket::http::{CookieJar, Status};
use rocket::{State, post};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{acceptable_password, bounded_password, session_user, set_session_cookie};
use crate::auth::guards::EnrollingUser;
use crate::auth::session::RequestOrigin;
use crate::error::ApiResult;
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::sign_in::{self, password::Via};
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
    // Not `UnlockedUser`: a forced password change must be possible (a locked session is
    // refused by the guard, before the body is read).
    user: EnrollingUser,
    body: JsonBody<ChangePasswordRequest>,
) -> ApiResult<Status> {
    let EnrollingUser(user) = user;
    let ChangePasswordRequest { current_password, new_password } = body.0;
    bounded_password("current_password", &current_password)?;
    bounded_password("new_password", &new_password)?;
    let new_password = acceptable_password("new_password", &new_password, &user.username)?;
    let ctx = state.context().await?;
    let me = session_user(&user, &origin);
    let ctx = sign_in::password::confirm(ctx, state.verifiers(), me, Via::PasswordChange, &current_password).await?;
    let hash = state.hasher.hash(&new_password).await?;
    // A second Argon2 run since the confirmation: the change and the new token are now.
    let ctx = state.verifiers().after_verification(ctx);
    let caller = Caller::user(user.user_id, &user.username, &origin);
    account::change_password(ctx, &caller, user.user_id, &user.username, &hash, Some(user.session_id)).await?;
    let token = sign_in::rotate_session(ctx, user.session_id).await?;
    set_session_cookie(state, jar, token);
    Ok(Status::NoContent)
}
