//! `POST /api/auth/login`: username and password to a session cookie (the ceremony is
//! `service::sign_in::password`).

use rocket::http::CookieJar;
use rocket::serde::json::Json;
use rocket::{State, post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::totp::MfaChallenge;
use super::{UserInfo, bounded_password, set_session_cookie};
use crate::auth::session::{self, RequestOrigin};
use crate::error::ApiResult;
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::sign_in::{self, Outcome};

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
    let replacing = session::read_token(jar, &state.config);
    let ctx = state.context().await?;
    let outcome =
        sign_in::password::login(ctx, state.verifiers(), &origin, &username, &password, replacing.as_deref()).await?;
    Ok(Json(match outcome {
        Outcome::SignedIn { user, session } => {
            set_session_cookie(state, jar, session);
            LoginResponse::SignedIn(UserInfo::from(&user))
        }
        Outcome::SecondStep { mfa_token } => LoginResponse::MfaRequired(MfaChallenge { mfa_required: true, mfa_token }),
    }))
}
