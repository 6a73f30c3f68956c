//! `POST /api/auth/logout`: ends the session on the server (`service::sign_in::sessions`)
//! and clears the cookie; a session that came from single sign-on is sent on to the
//! provider's end-session endpoint when it has one (RP-initiated logout).

use rocket::http::{CookieJar, Status};
use rocket::serde::json::Json;
use rocket::{State, post};
use serde::Serialize;
use utoipa::ToSchema;

use super::session_user;
use crate::auth::guards::AuthUser;
use crate::auth::session::{self, RequestOrigin};
use crate::error::ApiResult;
use crate::server::AppState;
use crate::service::oidc::flow;
use crate::service::sign_in;

/// Where to go next to sign out at the identity provider as well.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderLogout {
    pub redirect: String,
}

#[utoipa::path(tag = "auth", responses((status = 204, description = "signed out"),
    (status = 200, body = ProviderLogout, description = "signed out here; a single sign-on session also ends at the provider: go to `redirect`")))]
#[post("/api/auth/logout")]
pub async fn logout(
    state: &State<AppState>,
    jar: &CookieJar<'_>,
    origin: RequestOrigin,
    user: Option<AuthUser>,
) -> ApiResult<Result<Json<ProviderLogout>, Status>> {
    let mut provider_logout = None;
    if let Some(user) = user {
        let ctx = state.context().await?;
        if crate::db::sessions::came_from_oidc(ctx.db.pool(), user.session_id).await? {
            provider_logout = flow::end_session_url(ctx, state.oidc()).await;
        }
        sign_in::sessions::sign_out(ctx, session_user(&user, &origin)).await?;
    }
    session::clear_cookie(jar, &state.config);
    Ok(match provider_logout {
        Some(redirect) => Ok(Json(ProviderLogout { redirect })),
        None => Err(Status::NoContent),
    })
}
