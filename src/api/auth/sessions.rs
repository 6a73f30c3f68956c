//! `/api/auth/sessions`: the signed-in user's own sessions, and signing them out.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post};
use serde::Serialize;
use utoipa::ToSchema;

use super::audit_user;
use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::auth::session::RequestOrigin;
use crate::db::sessions;
use crate::domain::audit_action::AuditAction;
use crate::domain::id::SessionId;
use crate::domain::time::UtcMillis;
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;

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
    let (rows, total) = sessions::list_for_user(state.db.pool(), user.0.user_id, paging.limit, paging.offset).await?;
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
    let user = user.0;
    if !sessions::delete_for_user(state.db.pool(), user.user_id, id).await? {
        return Err(ApiError::not_found());
    }
    audit_user(state, user.user_id, &user.username, AuditAction::SessionRevoke, &origin, Some(format!("session {id}")))
        .await?;
    Ok(Status::NoContent)
}

#[utoipa::path(tag = "auth", responses((status = 200, body = Revoked)))]
#[post("/api/auth/sessions/revoke-others")]
pub async fn revoke_other_sessions(
    state: &State<AppState>,
    origin: RequestOrigin,
    user: UnlockedUser,
) -> ApiResult<Json<Revoked>> {
    let user = user.0;
    let revoked = sessions::delete_all_for_user(state.db.pool(), user.user_id, Some(user.session_id)).await?;
    audit_user(
        state,
        user.user_id,
        &user.username,
        AuditAction::SessionRevokeOthers,
        &origin,
        Some(format!("{revoked} revoked")),
    )
    .await?;
    Ok(Json(Revoked { revoked }))
}
