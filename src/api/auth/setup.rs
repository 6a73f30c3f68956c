//! `POST /api/auth/setup`: creates the first admin with the one-time setup code.

use rocket::http::{CookieJar, Status};
use rocket::serde::json::Json;
use rocket::{State, post};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{UserInfo, acceptable_password, bounded_password, open_session, parse_username};
use crate::auth::session::RequestOrigin;
use crate::auth::setup_code;
use crate::db::{system_config, users};
use crate::domain::audit_action::AuditAction;
use crate::domain::role::Role;
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    pub setup_code: String,
    pub username: String,
    pub password: String,
}

#[utoipa::path(tag = "auth", request_body = SetupRequest,
    responses((status = 201, body = UserInfo), (status = 403, description = "wrong setup code"),
              (status = 409, description = "setup already done"), (status = 422, description = "invalid input")))]
#[post("/api/auth/setup", data = "<body>")]
pub async fn setup(
    state: &State<AppState>,
    jar: &CookieJar<'_>,
    origin: RequestOrigin,
    body: JsonBody<SetupRequest>,
) -> ApiResult<(Status, Json<UserInfo>)> {
    let SetupRequest { setup_code: code, username, password } = body.0;
    if !state.setup_required().await? {
        return Err(ApiError::conflict("UMBRA is already set up. Sign in instead."));
    }
    let username = parse_username(&username)?;
    bounded_password("password", &password)?;
    let password = acceptable_password("password", &password, username.as_str())?;
    // Everything cheap first: a wrong code must not cost an Argon2 hash.
    let code = setup_code::normalise(&code);
    let current = system_config::get(state.db.pool(), system_config::SETUP_CODE).await?;
    if !current.is_some_and(|current| setup_code::matches(&current, &code)) {
        return Err(wrong_code());
    }
    let hash = state.hasher.hash(&password).await?;

    let mut tx = state.db.write().await?;
    if users::count(&mut *tx).await? > 0 {
        return Err(ApiError::conflict("UMBRA is already set up. Sign in instead."));
    }
    // Consumed atomically: of two concurrent setups with the right code, one wins.
    if !system_config::take_if_equals(&mut tx, system_config::SETUP_CODE, &code).await? {
        return Err(wrong_code());
    }
    let user = users::create(&mut *tx, &username, &hash, Role::Admin, state.clock.now()).await?;
    tx.commit().await?;

    open_session(state, jar, &user, &origin, AuditAction::Setup).await?;
    Ok((Status::Created, Json(UserInfo::from(&user))))
}

fn wrong_code() -> ApiError {
    ApiError::forbidden(
        "That setup code is not right. It is printed in the server log at startup and by `umbra admin setup-code`.",
    )
}
