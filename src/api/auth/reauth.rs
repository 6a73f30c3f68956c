//! `POST /api/auth/reauth {password}`: proves the password again, so that sensitive changes
//! (second factors, passkeys) are allowed for ten minutes. A stolen cookie alone cannot.
//! The check is `service::sign_in::session_lock::reauthenticate`.

use rocket::http::Status;
use rocket::{State, post};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{bounded_password, session_user};
use crate::auth::guards::EnrollingUser;
use crate::auth::session::RequestOrigin;
use crate::error::ApiResult;
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::sign_in::session_lock;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReauthRequest {
    pub password: String,
}

#[utoipa::path(tag = "auth", request_body = ReauthRequest,
    responses((status = 204, description = "re-authenticated for 10 minutes"), (status = 401, description = "wrong password")))]
#[post("/api/auth/reauth", data = "<body>")]
pub async fn reauth(
    state: &State<AppState>,
    origin: RequestOrigin,
    user: EnrollingUser,
    body: JsonBody<ReauthRequest>,
) -> ApiResult<Status> {
    bounded_password("password", &body.0.password)?;
    let ctx = state.context().await?;
    session_lock::reauthenticate(ctx, state.verifiers(), session_user(&user.0, &origin), &body.0.password).await?;
    Ok(Status::NoContent)
}
