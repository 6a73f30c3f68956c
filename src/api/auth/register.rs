//! `POST /api/auth/register`: self-service accounts, only while an admin has opened it.

use rocket::http::{CookieJar, Status};
use rocket::serde::json::Json;
use rocket::{State, post};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{UserInfo, acceptable_password, bounded_password, parse_username, sign_in};
use crate::auth::session::RequestOrigin;
use crate::db::system_settings;
use crate::db::users;
use crate::domain::audit_action::AuditAction;
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub username: String,
    pub password: String,
}

#[utoipa::path(tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = UserInfo), (status = 403, description = "registration is closed"),
              (status = 409, description = "username taken"), (status = 422, description = "invalid input")))]
#[post("/api/auth/register", data = "<body>")]
pub async fn register(
    state: &State<AppState>,
    jar: &CookieJar<'_>,
    origin: RequestOrigin,
    body: JsonBody<RegisterRequest>,
) -> ApiResult<(Status, Json<UserInfo>)> {
    // Read fresh (not the per-second cache): closing registration takes effect at once.
    let settings = system_settings::load(state.db.pool(), state.default_system_settings()).await?;
    if !settings.registration_open {
        return Err(ApiError::forbidden("Registration is closed. Ask an admin for an account."));
    }
    let RegisterRequest { username, password } = body.0;
    let username = parse_username(&username)?;
    bounded_password("password", &password)?;
    let password = acceptable_password("password", &password, username.as_str())?;
    // A taken name is refused before hashing; the unique constraint still settles races.
    if users::find_by_username(state.db.pool(), username.as_str()).await?.is_some() {
        return Err(ApiError::invalid_field("username", "That username is taken.").with_status(Status::Conflict));
    }
    let hash = state.hasher.hash(&password).await?;
    let user = users::create(state.db.pool(), &username, &hash, settings.default_role, state.clock.now()).await?;
    sign_in(state, jar, &user, &origin, AuditAction::Register).await?;
    Ok((Status::Created, Json(UserInfo::from(&user))))
}
