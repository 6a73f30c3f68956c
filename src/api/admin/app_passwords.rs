//! `/api/admin/users/{id}/app-passwords`: an admin sees which devices sync with an account
//! and revokes one (a lost phone, a departed household member's laptop) without needing the
//! user. The secrets are never shown; a revocation is audited as the admin's.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get};

use super::users::find;
use crate::api::auth::app_passwords::{AppPasswordView, app_password_error};
use crate::api::page::{Page, Paging};
use crate::auth::guards::AdminUser;
use crate::auth::session::RequestOrigin;
use crate::db::app_passwords as store;
use crate::domain::id::{AppPasswordId, UserId};
use crate::error::ApiResult;
use crate::server::AppState;
use crate::service::Caller;
use crate::service::app_passwords as service;

#[utoipa::path(tag = "admin",
    params(("id" = i64, Path), ("limit" = Option<i64>, Query, description = "1–500, default 50"),
           ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<AppPasswordView>), (status = 403, description = "not an admin"),
              (status = 404, description = "no such user")))]
#[get("/api/admin/users/<id>/app-passwords?<limit>&<offset>")]
pub async fn list_user_app_passwords(
    state: &State<AppState>,
    _admin: AdminUser,
    id: UserId,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<AppPasswordView>>> {
    let paging = Paging::parse(limit, offset)?;
    let user = find(state, id).await?;
    let (rows, total) = store::page_for_user(state.db.pool(), user.id, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(rows.iter().map(AppPasswordView::from).collect(), total)))
}

#[utoipa::path(tag = "admin", params(("id" = i64, Path), ("app_password_id" = i64, Path)),
    responses((status = 204, description = "revoked: the next request with it fails"),
              (status = 403, description = "not an admin"),
              (status = 404, description = "no such user, or no such app password of theirs")))]
#[delete("/api/admin/users/<id>/app-passwords/<app_password_id>")]
pub async fn revoke_user_app_password(
    state: &State<AppState>,
    admin: AdminUser,
    origin: RequestOrigin,
    id: UserId,
    app_password_id: AppPasswordId,
) -> ApiResult<Status> {
    let user = find(state, id).await?;
    let caller = Caller::admin(admin.0.user_id, &admin.0.username, &origin);
    service::revoke(state.context().await?, &caller, user.id, &user.username, app_password_id)
        .await
        .map_err(app_password_error)?;
    Ok(Status::NoContent)
}
