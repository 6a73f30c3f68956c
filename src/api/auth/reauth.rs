//! `POST /api/auth/reauth {password}`: proves the password again, so that sensitive changes
//! (second factors, passkeys) are allowed for ten minutes. A stolen cookie alone cannot.

use rocket::http::Status;
use rocket::{State, post};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{audit_user, bounded_password};
use crate::auth::guards::EnrollingUser;
use crate::auth::session::RequestOrigin;
use crate::db::sessions;
use crate::domain::audit_action::AuditAction;
use crate::error::ApiResult;
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::sign_in::{self, password::Via};

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
    let ctx = state.context().await?;
    let (user_id, username) = (user.user_id, user.username.as_str());
    // A stolen session guessing at the password shows in the audit log first.
    sign_in::password::confirm(ctx, state.verifiers(), &origin, Via::Reauth, user_id, username, &body.0.password)
        .await?;
    sessions::mark_reauthenticated(state.db.pool(), user.session_id, state.clock.now()).await?;
    audit_user(state, user.user_id, &user.username, AuditAction::Reauth, &origin, None).await?;
    Ok(Status::NoContent)
}
