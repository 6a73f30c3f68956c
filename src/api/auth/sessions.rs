//! `/api/auth/sessions`: the signed-in user's own sessions, and signing them out
//! (`service::sign_in::sessions`).

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post};
use serde::Serialize;
use utoipa::ToSchema;

use super::session_user;
use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::auth::session::RequestOrigin;
use crate::domain::id::SessionId;
use crate::domain::time::UtcMillis;
use crate::error::ApiResult;
use crate::server::AppState;
use crate::service::sign_in;

/// A session as its owner sees it. The id is not the secret token.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: SessionId,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
    #[schema(value_type = String, format = DateTime)]
    pub last_seen_at: UtcMillis,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The session making this request.
    pub current: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Revoked {
    pub revoked: u64,
}

#[utoipa::path(tag = "auth",
    params(("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<SessionView>)))]
#[get("/api/auth/sessions?<limit>&<offset>")]
pub async fn list_sessions(
    state: &State<AppState>,
    user: UnlockedUser,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<SessionView>>> {
    let paging = Paging::parse(limit, offset)?;
    let ctx = state.context().await?;
    let (rows, total) = sign_in::sessions::list(ctx, user.0.user_id, paging.limit, paging.offset).await?;
    let items = rows
        .into_iter()
        .map(|row| SessionView {
            current: row.id == user.0.session_id,
            id: row.id,
            created_at: UtcMillis(row.created_at),
            last_seen_at: UtcMillis(row.last_seen_at),
            ip: row.ip,
            user_agent: row.user_agent,
        })
        .collect();
    Ok(Json(paging.page(items, total)))
}

#[utoipa::path(tag = "auth", params(("id" = i64, Path)),
    responses((status = 204, description = "signed out"), (status = 404, description = "no such session of yours")))]
#[delete("/api/auth/sessions/<id>")]
pub async fn revoke_session(
    state: &State<AppState>,
    origin: RequestOrigin,
    user: UnlockedUser,
    id: SessionId,
) -> ApiResult<Status> {
    sign_in::sessions::revoke(state.context().await?, session_user(&user.0, &origin), id).await?;
    Ok(Status::NoContent)
}

#[utoipa::path(tag = "auth", responses((status = 200, body = Revoked)))]
#[post("/api/auth/sessions/revoke-others")]
pub async fn revoke_other_sessions(
    state: &State<AppState>,
    origin: RequestOrigin,
    user: UnlockedUser,
) -> ApiResult<Json<Revoked>> {
    let revoked = sign_in::sessions::revoke_others(state.context().await?, session_user(&user.0, &origin)).await?;
    Ok(Json(Revoked { revoked }))
}
