//! `POST /api/auth/reauth {password}`: proves the password again, so that sensitive changes
//! (second factors, passkeys) are allowed for ten minutes. A stolen cookie alone cannot.

use rocket::http::Status;
use rocket::{State, post};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{audit_user, bounded_password};
use crate::auth::guards::EnrollingUser;
use crate::auth::login::{PasswordCheck, Via, check_password};
use crate::auth::session::RequestOrigin;
use crate::db::sessions;
use crate::domain::audit_action::AuditAction;
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;

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
    let user = user.0;
    bounded_password("password", &body.0.password)?;
    match check_password(state, &origin, Via::Reauth, &user.username, &body.0.password).await? {
        PasswordCheck::Accepted(_) => {
            sessions::mark_reauthenticated(state.db.pool(), user.session_id, state.clock.now()).await?;
            audit_user(state, user.user_id, &user.username, AuditAction::Reauth, &origin, None).await?;
            Ok(Status::NoContent)
        }
        PasswordCheck::Refused { detail, reason, .. } => {
            // A stolen session guessing at the password shows here first.
            audit_user(state, user.user_id, &user.username, AuditAction::ReauthFailure, &origin, Some(reason.into()))
                .await?;
            Err(ApiError::unauthorized(detail))
        }
    }
}
