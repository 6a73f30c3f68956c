//! `GET /api/admin/users`: every account, searchable and paged.

use rocket::serde::json::Json;
use rocket::{State, get};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::page::{Page, Paging};
use crate::auth::guards::AdminUser;
use crate::db::users;
use crate::domain::role::Role;
use crate::domain::time::UtcMillis;
use crate::error::ApiResult;
use crate::server::AppState;

/// An account as the admin console shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUserView {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub active: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub locked_until: Option<UtcMillis>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_login_at: Option<UtcMillis>,
}

#[utoipa::path(get, path = "/api/admin/users", tag = "admin",
    params(("q" = Option<String>, Query, description = "part of the username"),
           ("limit" = Option<i64>, Query, description = "1–500, default 50"),
           ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<AdminUserView>), (status = 403, description = "not an admin")))]
#[get("/api/admin/users?<q>&<limit>&<offset>")]
pub async fn list_users(
    state: &State<AppState>,
    _admin: AdminUser,
    q: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<AdminUserView>>> {
    let paging = Paging::parse(limit, offset)?;
    let search = q.map(str::trim).filter(|s| !s.is_empty());
    let (rows, total) = users::search(state.db.pool(), search, paging.limit, paging.offset).await?;
    let now = state.clock.now();
    let items = rows
        .into_iter()
        .map(|row| AdminUserView {
            id: row.id,
            role: Role::from_stored(&row.role),
            active: row.active != 0,
            locked_until: row.locked_until.map(UtcMillis).filter(|t| *t > now),
            last_login_at: row.last_login_at.map(UtcMillis),
            username: row.username,
        })
        .collect();
    Ok(Json(paging.page(items, total)))
}
