//! `POST /api/auth/setup`: creates the first admin with the one-time setup code.

use rocket::http::{CookieJar, Status};
use rocket::serde::json::Json;
use rocket::{State, post};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{UserInfo, acceptable_password, bounded_password, open_session, parse_username};
use crate::auth::session::RequestOrigin;
use crate::domain::audit_action::AuditAction;
use crate::error::ApiResult;
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::account;
use crate::service::users::UserError;

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
        return Err(UserError::AlreadySetUp.into());
    }
    let username = parse_username(&username)?;
    bounded_password("password", &password)?;
    let password = acceptable_password("password", &password, username.as_str())?;
    // Everything cheap first: a wrong code must not cost an Argon2 hash.
    let ctx = state.context().await?;
    account::may_set_up(ctx, &code).await?;
    let hash = state.hasher.hash(&password).await?;
    let user = account::set_up_first_admin(ctx, &code, &username, &hash).await?;
    open_session(state, jar, &user, &origin, AuditAction::Setup).await?;
    Ok((Status::Created, Json(UserInfo::from(&user))))
}
