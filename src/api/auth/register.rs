//! `POST /api/auth/register`: self-service accounts, only while an admin has opened it.

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
    let RegisterRequest { username, password } = body.0;
    let username = parse_username(&username)?;
    bounded_password("password", &password)?;
    let ctx = state.context().await?;
    let role = account::may_register(ctx, &username).await?;
    let password = acceptable_password("password", &password, username.as_str())?;
    let hash = state.hasher.hash(&password).await?;
    let user = account::register(ctx, &username, &hash, role).await?;
    open_session(state, jar, &user, &origin, AuditAction::Register).await?;
    Ok((Status::Created, Json(UserInfo::from(&user))))
}
