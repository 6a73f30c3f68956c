//! `POST /api/auth/logout`: ends the session on the server and clears the cookie.

use rocket::http::{CookieJar, Status};
use rocket::{State, post};

use super::audit_user;
use crate::auth::guards::AuthUser;
use crate::auth::session::{self, RequestOrigin};
use crate::db::sessions;
use crate::domain::audit_action::AuditAction;
use crate::error::ApiResult;
use crate::server::AppState;

#[utoipa::path(tag = "auth", responses((status = 204, description = "signed out")))]
#[post("/api/auth/logout")]
pub async fn logout(
    state: &State<AppState>,
    jar: &CookieJar<'_>,
    origin: RequestOrigin,
    user: Option<AuthUser>,
) -> ApiResult<Status> {
    if let Some(user) = user {
        sessions::delete(state.db.pool(), user.session_id).await?;
        audit_user(state, user.user_id, &user.username, AuditAction::Logout, &origin, None).await?;
    }
    session::clear_cookie(jar, &state.config);
    Ok(Status::NoContent)
}
