//! `/api/auth/totp/…`: set up, enable and disable an authenticator app, finish a sign-in
//! with a code, and regenerate recovery codes. The set-up is `service::second_factor`'s; the
//! code at sign-in (and at switching off), counted apart from wrong passwords, is
//! `service::sign_in::second_step`'s.

use rocket::http::{CookieJar, Status};
use rocket::serde::json::Json;
use rocket::{State, post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{UserInfo, bounded_password, session_user, set_session_cookie};
use crate::auth::guards::{EnrollingUser, UnlockedUser};
use crate::auth::session::{self, RequestOrigin};
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::sign_in::{self, password::Via};
use crate::service::{Caller, second_factor};

#[derive(Debug, Serialize, ToSchema)]
pub struct TotpSetup {
    /// The secret in base32, for typing into an authenticator by hand.
    pub secret: String,
    pub otpauth_uri: String,
    /// The otpauth URI as a QR code (an SVG document).
    pub qr_svg: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Shown once; each works once in place of a code.
    pub recovery_codes: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    pub code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableRequest {
    pub password: String,
    /// A TOTP code or a recovery code.
    pub code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    pub mfa_token: String,
    /// A TOTP code or a recovery code.
    pub code: String,
}

/// The password was right; the sign-in finishes at `/api/auth/totp/verify`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MfaChallenge {
    pub mfa_required: bool,
    pub mfa_token: String,
}

#[utoipa::path(tag = "auth",
    responses((status = 200, body = TotpSetup), (status = 403, description = "re-authenticate first"),
              (status = 409, description = "TOTP is already on")))]
#[post("/api/auth/totp/setup")]
pub async fn setup_totp(state: &State<AppState>, user: EnrollingUser) -> ApiResult<Json<TotpSetup>> {
    let user = user.0;
    // Like passkey registration: a stolen cookie alone must not add a second factor.
    if !user.recently_reauthenticated(state.clock.now()) {
        return Err(ApiError::reauth_required());
    }
    let enrolment = second_factor::begin(state.context().await?, &state.secrets, user.user_id, &user.username).await?;
    Ok(Json(TotpSetup { secret: enrolment.secret, otpauth_uri: enrolment.otpauth_uri, qr_svg: enrolment.qr_svg }))
}

#[utoipa::path(tag = "auth", request_body = CodeRequest,
    responses((status = 200, body = RecoveryCodes), (status = 403, description = "re-authenticate first"),
              (status = 409, description = "no pending setup"), (status = 422, description = "the code does not match")))]
#[post("/api/auth/totp/enable", data = "<body>")]
pub async fn enable_totp(
    state: &State<AppState>,
    origin: RequestOrigin,
    user: EnrollingUser,
    body: JsonBody<CodeRequest>,
) -> ApiResult<Json<RecoveryCodes>> {
    let user = user.0;
    if !user.recently_reauthenticated(state.clock.now()) {
        return Err(ApiError::reauth_required());
    }
    let caller = Caller::user(user.user_id, &user.username, &origin);
    let ctx = state.context().await?;
    let codes = second_factor::enable(ctx, &caller, &state.secrets, user.user_id, &user.username, &body.0.code).await?;
    Ok(Json(RecoveryCodes { recovery_codes: codes }))
}

#[utoipa::path(tag = "auth", request_body = DisableRequest,
    responses((status = 204, description = "TOTP and recovery codes removed"),
              (status = 401, description = "wrong password or code"), (status = 403, description = "re-authenticate first")))]
#[post("/api/auth/totp/disable", data = "<body>")]
pub async fn disable_totp(
    state: &State<AppState>,
    origin: RequestOrigin,
    user: UnlockedUser,
    body: JsonBody<DisableRequest>,
) -> ApiResult<Status> {
    let user = user.0;
    if !user.recently_reauthenticated(state.clock.now()) {
        return Err(ApiError::reauth_required());
    }
    bounded_password("password", &body.0.password)?;
    let ctx = state.context().await?;
    let me = session_user(&user, &origin);
    let ctx = sign_in::password::confirm(ctx, state.verifiers(), me, Via::TotpDisable, &body.0.password).await?;
    sign_in::second_step::confirm_for_removal(ctx, state.verifiers(), me, &body.0.code).await?;
    let caller = Caller::user(user.user_id, &user.username, &origin);
    second_factor::disable(ctx, &caller, user.user_id, &user.username).await?;
    Ok(Status::NoContent)
}

#[utoipa::path(tag = "auth",
    responses((status = 200, body = RecoveryCodes), (status = 403, description = "re-authenticate first"),
              (status = 409, description = "TOTP is off")))]
#[post("/api/auth/totp/recovery-codes")]
pub async fn regenerate_recovery_codes(
    state: &State<AppState>,
    origin: RequestOrigin,
    user: UnlockedUser,
) -> ApiResult<Json<RecoveryCodes>> {
    let user = user.0;
    if !user.recently_reauthenticated(state.clock.now()) {
        return Err(ApiError::reauth_required());
    }
    let caller = Caller::user(user.user_id, &user.username, &origin);
    let ctx = state.context().await?;
    let codes = second_factor::regenerate_recovery_codes(ctx, &caller, user.user_id, &user.username).await?;
    Ok(Json(RecoveryCodes { recovery_codes: codes }))
}

#[utoipa::path(tag = "auth", request_body = VerifyRequest,
    responses((status = 200, body = UserInfo), (status = 401, description = "wrong or reused code, or an expired sign-in")))]
#[post("/api/auth/totp/verify", data = "<body>")]
pub async fn verify_totp(
    state: &State<AppState>,
    jar: &CookieJar<'_>,
    origin: RequestOrigin,
    body: JsonBody<VerifyRequest>,
) -> ApiResult<Json<UserInfo>> {
    let replacing = session::read_token(jar, &state.config);
    let ctx = state.context().await?;
    let VerifyRequest { mfa_token, code } = body.0;
    let (user, token) =
        sign_in::second_step::verify(ctx, state.verifiers(), &origin, &mfa_token, &code, replacing.as_deref()).await?;
    set_session_cookie(state, jar, token);
    Ok(Json(UserInfo::from(&user)))
}
