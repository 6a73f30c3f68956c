//! `POST /api/auth/login`: username and password to a session cookie.

use rocket::http::CookieJar;
use rocket::serde::json::Json;
use rocket::{State, post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::totp::{self, MfaChallenge};
use super::{UserInfo, audit_user, bounded_password, sign_in};
use crate::auth::login::{PasswordCheck, Via, check_password};
use crate::auth::session::RequestOrigin;
use crate::db::audit::{self, AuditEntry};
use crate::domain::audit_action::AuditAction;
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// Signed in, or (with TOTP on) the challenge to answer at `/api/auth/totp/verify`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum LoginResponse {
    SignedIn(UserInfo),
    MfaRequired(MfaChallenge),
}

#[utoipa::path(tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse),
              (status = 401, description = "wrong username or password, or the account is locked: always the same shape")))]
#[post("/api/auth/login", data = "<body>")]
pub async fn login(
    state: &State<AppState>,
    jar: &CookieJar<'_>,
    origin: RequestOrigin,
    body: JsonBody<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let LoginRequest { username, password } = body.0;
    bounded_password("password", &password)?;
    match check_password(state, &origin, Via::Login, &username, &password).await? {
        PasswordCheck::Accepted(user) if totp::enabled(state, user.id).await? => {
            // The password was right; no session until the second factor is too.
            let challenge = totp::challenge(state, user.id).await?;
            audit_user(state, user.id, &user.username, AuditAction::MfaChallenge, &origin, None).await?;
            Ok(Json(LoginResponse::MfaRequired(challenge)))
        }
        PasswordCheck::Accepted(user) => {
            sign_in(state, jar, &user, &origin, AuditAction::Login).await?;
            Ok(Json(LoginResponse::SignedIn(UserInfo::from(&user))))
        }
        PasswordCheck::Refused { detail, reason, audit_name, .. } => {
            // The lockout itself, if this reached it, was audited by the check.
            let entry = AuditEntry {
                target: Some(audit_name),
                ip: Some(origin.ip.clone()),
                user_agent: origin.user_agent.clone(),
                detail: Some(reason.to_string()),
                ..AuditEntry::new("anonymous", AuditAction::LoginFailure)
            };
            audit::record(state.db.pool(), state.clock.now(), entry).await?;
            Err(ApiError::unauthorized(detail))
        }
    }
}
