//! `GET/PUT /api/admin/config`: the system settings, validated and applied without a restart.

use rocket::serde::json::Json;
use rocket::{State, get, put};

use crate::auth::guards::AdminUser;
use crate::auth::session::RequestOrigin;
use crate::domain::system_settings::SystemSettings;
use crate::error::ApiResult;
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::{Caller, system_settings};

#[utoipa::path(tag = "admin", responses((status = 200, body = SystemSettings)))]
#[get("/api/admin/config")]
pub async fn get_config(state: &State<AppState>, _admin: AdminUser) -> ApiResult<Json<SystemSettings>> {
    Ok(Json(state.system_settings().await?))
}

#[utoipa::path(tag = "admin", request_body = SystemSettings,
    responses((status = 200, body = SystemSettings), (status = 422, description = "a value is out of range")))]
#[put("/api/admin/config", data = "<body>")]
pub async fn put_config(
    state: &State<AppState>,
    admin: AdminUser,
    origin: RequestOrigin,
    body: JsonBody<SystemSettings>,
) -> ApiResult<Json<SystemSettings>> {
    let caller = Caller::admin(admin.0.user_id, &admin.0.username, &origin);
    let saved = system_settings::update(state.context().await?, &caller, body.0).await?;
    state.forget_system_settings();
    Ok(Json(saved))
}
