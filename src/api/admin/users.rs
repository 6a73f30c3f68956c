//! `/api/admin/users`: list, create, change (role, active) and delete accounts. The rules of
//! a change (the last active admin stays; sessions end) are `service::users`'s, shared with
//! the CLI; nobody deletes themselves.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, patch, post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::auth::{acceptable_password, bounded_password, parse_username};
use crate::api::page::{Page, Paging};
use crate::auth::guards::AdminUser;
use crate::auth::session::RequestOrigin;
use crate::db::login_failures::{self, Counter};
use crate::db::users::{self, UserRow};
use crate::domain::id::UserId;
use crate::domain::patch::Patch;
use crate::domain::role::Role;
use crate::domain::time::UtcMillis;
use crate::domain::username::Username;
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::Caller;
use crate::service::users::{self as service, AccountChange, NewAccount};

/// An account as the admin console shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUserView {
    pub id: UserId,
    pub username: String,
    pub role: Role,
    pub active: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub locked_until: Option<UtcMillis>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_login_at: Option<UtcMillis>,
}

#[utoipa::path(tag = "admin",
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
            active: row.active.get(),
            locked_until: row.locked_until.map(UtcMillis).filter(|t| *t > now),
            last_login_at: row.last_login_at.map(UtcMillis),
            username: row.username,
        })
        .collect();
    Ok(Json(paging.page(items, total)))
}

impl AdminUserView {
    fn of(row: &UserRow, locked_until: Option<UtcMillis>) -> Self {
        Self {
            id: row.id,
            username: row.username.clone(),
            role: row.role(),
            active: row.is_active(),
            locked_until,
            last_login_at: row.last_login_at.map(UtcMillis),
        }
    }
}

/// The user with this id, or 404.
pub async fn find(state: &AppState, id: UserId) -> ApiResult<UserRow> {
    users::find_by_id(state.db.pool(), id).await?.ok_or_else(ApiError::not_found)
}

/// The user as the console shows them, with their current lock.
pub async fn view(state: &AppState, row: &UserRow) -> ApiResult<AdminUserView> {
    let failures =
        login_failures::get(state.db.pool(), Counter::Password(&Username::lockout_key(&row.username))).await?;
    let now = state.clock.now();
    Ok(AdminUserView::of(row, failures.locked_until.filter(|t| *t > now)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    pub username: String,
    pub password: String,
    pub role: Role,
}

#[utoipa::path(tag = "admin", request_body = CreateUserRequest,
    responses((status = 201, body = AdminUserView), (status = 409, description = "username taken"),
              (status = 422, description = "invalid input")))]
#[post("/api/admin/users", data = "<body>")]
pub async fn create_user(
    state: &State<AppState>,
    admin: AdminUser,
    origin: RequestOrigin,
    body: JsonBody<CreateUserRequest>,
) -> ApiResult<(Status, Json<AdminUserView>)> {
    let CreateUserRequest { username, password, role } = body.0;
    let username = parse_username(&username)?;
    bounded_password("password", &password)?;
    let password = acceptable_password("password", &password, username.as_str())?;
    // A taken name is refused before hashing; the unique constraint still settles races.
    if users::find_by_username(state.db.pool(), username.as_str()).await?.is_some() {
        return Err(ApiError::invalid_field("username", "That username is taken.").with_status(Status::Conflict));
    }
    let hash = state.hasher.hash(&password).await?;
    let caller = Caller::admin(admin.0.user_id, &admin.0.username, &origin);
    let new = NewAccount { username: &username, password_hash: &hash, role };
    let row = service::create_user(state.context().await?, &caller, new).await?;
    Ok((Status::Created, Json(AdminUserView::of(&row, None))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// Absent leaves it as it is; an account always has a role, so `null` is refused.
    #[serde(default)]
    pub role: Patch<Role>,
    /// Absent leaves it as it is; `null` is refused.
    #[serde(default)]
    pub active: Patch<bool>,
}

#[utoipa::path(tag = "admin", params(("id" = i64, Path)),
    request_body = UpdateUserRequest,
    responses((status = 200, body = AdminUserView), (status = 404, description = "no such user"),
              (status = 409, description = "that would leave no active admin")))]
#[patch("/api/admin/users/<id>", data = "<body>")]
pub async fn update_user(
    state: &State<AppState>,
    admin: AdminUser,
    origin: RequestOrigin,
    id: UserId,
    body: JsonBody<UpdateUserRequest>,
) -> ApiResult<Json<AdminUserView>> {
    let UpdateUserRequest { role, active } = body.0;
    let cannot_clear = |field: &str| ApiError::invalid_field(field, "cannot be cleared; leave it out to keep it");
    let change = AccountChange {
        role: role.required().map_err(|_| cannot_clear("role"))?,
        active: active.required().map_err(|_| cannot_clear("active"))?,
    };
    let caller = Caller::admin(admin.0.user_id, &admin.0.username, &origin);
    let changed = service::update_account(state.context().await?, &caller, id, change).await?;
    Ok(Json(view(state, &changed.after).await?))
}

#[utoipa::path(tag = "admin", params(("id" = i64, Path)),
    responses((status = 204, description = "deleted with all their data"), (status = 404, description = "no such user"),
              (status = 409, description = "you cannot delete yourself")))]
#[delete("/api/admin/users/<id>")]
pub async fn delete_user(
    state: &State<AppState>,
    admin: AdminUser,
    origin: RequestOrigin,
    id: UserId,
) -> ApiResult<Status> {
    let caller = Caller::admin(admin.0.user_id, &admin.0.username, &origin);
    service::delete_user(state.context().await?, &caller, id).await?;
    Ok(Status::NoContent)
}
