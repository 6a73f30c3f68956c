//! `/api/admin/users/{id}/…`: an admin's actions on one account — reset its password,
//! lift its lockout, remove its second factors.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, post};
use serde::Deserialize;
use utoipa::ToSchema;

use super::users::{AdminUserView, find, view};
use crate::api::auth::{acceptable_password, bounded_password};
use crate::auth::guards::AdminUser;
use crate::auth::session::RequestOrigin;
use crate::domain::id::UserId;
use crate::error::ApiResult;
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::Caller;
use crate::service::users as service;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    pub new_password: String,
    /// Ask the user for a new password at their next sign-in.
    #[serde(default)]
    pub must_change: bool,
}

#[utoipa::path(tag = "admin", params(("id" = i64, Path)),
    request_body = ResetPasswordRequest,
    responses((status = 204, description = "password set; the user's sessions are revoked"),
              (status = 404, description = "no such user"), (status = 422, description = "password refused")))]
#[post("/api/admin/users/<id>/reset-password", data = "<body>")]
pub async fn reset_password(
    state: &State<AppState>,
    admin: AdminUser,
    origin: RequestOrigin,
    id: UserId,
    body: JsonBody<ResetPasswordRequest>,
) -> ApiResult<Status> {
    let row = find(state, id).await?;
    bounded_password("new_password", &body.0.new_password)?;
    let password = acceptable_password("new_password", &body.0.new_password, &row.username)?;
    let hash = state.hasher.hash(&password).await?;
    let caller = Caller::admin(admin.0.user_id, &admin.0.username, &origin);
    service::reset_password(state.context().await?, &caller, id, &hash, Some(body.0.must_change)).await?;
    Ok(Status::NoContent)
}

#[utoipa::path(tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = AdminUserView), (status = 404, description = "no such user")))]
#[post("/api/admin/users/<id>/unlock")]
pub async fn unlock_user(
    state: &State<AppState>,
    admin: AdminUser,
    origin: RequestOrigin,
    id: UserId,
) -> ApiResult<Json<AdminUserView>> {
    let caller = Caller::admin(admin.0.user_id, &admin.0.username, &origin);
    let (row, _) = service::reset_lockout(state.context().await?, &caller, id).await?;
    Ok(Json(view(state, &row).await?))
}

#[utoipa::path(tag = "admin", params(("id" = i64, Path)),
    responses((status = 204, description = "TOTP, recovery codes and passkeys removed"), (status = 404, description = "no such user")))]
#[post("/api/admin/users/<id>/reset-mfa")]
pub async fn reset_mfa(
    state: &State<AppState>,
    admin: AdminUser,
    origin: RequestOrigin,
    id: UserId,
) -> ApiResult<Status> {
    let caller = Caller::admin(admin.0.user_id, &admin.0.username, &origin);
    service::reset_mfa(state.context().await?, &caller, id).await?;
    Ok(Status::NoContent)
}
