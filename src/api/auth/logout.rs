//! `POST /api/auth/logout`: ends the session on the server (`service::sign_in::sessions`)
//! and clears the cookie.

use rocket::http::{CookieJar, Status};
use rocket::{State, post};

use super::session_user;
use crate::auth::guards::AuthUser;
use crate::auth::session::{self, RequestOrigin};
use crate::error::ApiResult;
use crate::server::AppState;
use crate::service::sign_in;

#[utoipa::path(tag = "auth", responses((status = 204, description = "signed out")))]
#[post("/api/auth/logout")]
pub async fn logout(
    state: &State<AppState>,
    jar: &CookieJar<'_>,
    origin: RequestOrigin,
    user: Option<AuthUser>,
) -> ApiResult<Status> {
    if let Some(user) = user {
        sign_in::sessions::sign_out(state.context().await?, session_user(&user, &origin)).await?;
    }
    session::clear_cookie(jar, &state.config);
    Ok(Status::NoContent)
}
