//! `GET/PUT /api/admin/config`: the system settings, validated and applied without a restart.

use rocket::serde::json::Json;
use rocket::{State, get, put};

use super::audit_admin;
use crate::auth::guards::AdminUser;
use crate::auth::session::RequestOrigin;
use crate::db::system_settings;
use crate::domain::audit_action::AuditAction;
use crate::domain::system_settings::SystemSettings;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::json::JsonBody;
use crate::server::AppState;

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
    let wanted = body.0;
    let problems = wanted.problems();
    if let Some((field, message)) = problems.first() {
        let mut error = ApiError::invalid_field(*field, message.clone());
        error.errors =
            problems.iter().map(|(f, m)| FieldError { field: (*f).to_string(), message: m.clone() }).collect();
        return Err(error);
    }
    let before = state.system_settings().await?;
    let mut tx = state.db.write().await?;
    system_settings::save(&mut tx, &wanted).await?;
    tx.commit().await?;
    state.forget_system_settings();
    let detail = serde_json::to_string(&(before, wanted)).unwrap_or_default();
    audit_admin(state, &admin, AuditAction::AdminConfigChange, "system", &origin, Some(detail)).await?;
    Ok(Json(state.system_settings().await?))
}
