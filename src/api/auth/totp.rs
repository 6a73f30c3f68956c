//! `/api/auth/totp/…`: set up, enable and disable an authenticator app, finish a sign-in
//! with a code, and regenerate recovery codes.
//!
//! Wrong codes count on the user's own second-factor counter, apart from wrong passwords:
//! a correct password must not forgive code guesses, or someone who has the password could
//! alternate a sign-in with a few guesses forever. Only a correct code clears it.

use rocket::http::{CookieJar, Status};
use rocket::serde::json::Json;
use rocket::{State, post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{UserInfo, audit_user, bounded_password, sign_in};
use crate::auth::guards::{EnrollingUser, UnlockedUser};
use crate::auth::lockout;
use crate::auth::login::{PasswordCheck, Via, check_password};
use crate::auth::session::{RequestOrigin, hash_token, new_token};
use crate::auth::totp;
use crate::db::audit::{self, AuditEntry};
use crate::db::login_failures::{self, Counter};
use crate::db::users::UserRow;
use crate::db::{mfa, users};
use crate::domain::audit_action::AuditAction;
use crate::domain::id::UserId;
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::{Caller, second_factor};

/// How long the step between password and code may take.
pub const CHALLENGE_MINUTES: i64 = 5;
const WRONG_CODE: &str = "Wrong code.";

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

/// Starts a challenge for a user who passed the password step.
pub async fn challenge(state: &AppState, user_id: UserId) -> ApiResult<MfaChallenge> {
    let token = new_token();
    let expires = state.clock.now().plus_minutes(CHALLENGE_MINUTES);
    mfa::create_challenge(state.db.pool(), &token.hash, user_id, expires).await?;
    Ok(MfaChallenge { mfa_required: true, mfa_token: token.token })
}

/// Whether the user has TOTP switched on.
pub async fn enabled(state: &AppState, user_id: UserId) -> ApiResult<bool> {
    Ok(second_factor::enabled(state.context().await?, user_id).await?)
}

/// Checks a TOTP code (each time step once) or a recovery code (each once).
async fn second_factor_ok(
    state: &AppState,
    user_id: UserId,
    username: &str,
    code: &str,
) -> ApiResult<Option<&'static str>> {
    let now = state.clock.now();
    if totp::looks_like_recovery_code(code) {
        let used = mfa::use_recovery_code(state.db.pool(), user_id, &totp::hash_recovery_code(code), now).await?;
        return Ok(used.then_some("recovery code"));
    }
    let Some(row) = mfa::totp(state.db.pool(), user_id).await?.filter(|t| t.enabled.get()) else { return Ok(None) };
    let Some(secret) = state.secrets.open(&row.secret_enc) else {
        return Err(ApiError::internal("a stored TOTP secret cannot be decrypted (was secret.key replaced?)"));
    };
    let Some(step) = totp::totp(secret, username).and_then(|t| totp::matching_step(&t, code, now)) else {
        return Ok(None);
    };
    Ok(mfa::accept_step(state.db.pool(), user_id, step, false).await?.then_some("authenticator code"))
}

/// Checks a code against the user's second-factor counter: the attempt is reserved first
/// (so parallel guesses cannot overrun the threshold), a locked counter answers like a wrong
/// code, and failures and a lock reached are audited. `Err` carries the 401 detail.
async fn counted_second_factor(
    state: &AppState,
    origin: &RequestOrigin,
    user_id: UserId,
    username: &str,
    code: &str,
) -> ApiResult<Result<&'static str, String>> {
    let counter = Counter::SecondFactor(user_id);
    let now = state.clock.now();
    let rule = lockout::rule(state).await?;
    let audit = |action, detail: &str| AuditEntry {
        actor: username.to_string(),
        actor_user_id: Some(user_id),
        action,
        target: Some(username.to_string()),
        ip: Some(origin.ip.clone()),
        user_agent: origin.user_agent.clone(),
        detail: Some(detail.to_string()),
    };
    let Some(reserved) = lockout::reserve(state, counter, rule, now).await? else {
        audit::record(state.db.pool(), now, audit(AuditAction::MfaFailure, "locked")).await?;
        return Ok(Err(WRONG_CODE.to_string()));
    };
    if let Some(how) = second_factor_ok(state, user_id, username, code).await? {
        login_failures::forgive(state.db.pool(), counter, now, reserved.locked_until.is_some()).await?;
        return Ok(Ok(how));
    }
    let (detail, locked_now) = lockout::failure_detail(WRONG_CODE, reserved, rule, "code entry");
    audit::record(state.db.pool(), now, audit(AuditAction::MfaFailure, "wrong code")).await?;
    if locked_now {
        tracing::warn!(client_ip = %origin.ip, "second-factor codes were locked after repeated failures");
        audit::record(state.db.pool(), now, audit(AuditAction::Lockout, "second factor")).await?;
    }
    Ok(Err(detail))
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
    let check = check_password(state, &origin, Via::TotpDisable, &user.username, &body.0.password).await?;
    if let PasswordCheck::Refused { detail, reason, .. } = check {
        let reason = Some(reason.into());
        audit_user(state, user.user_id, &user.username, AuditAction::TotpDisableFailure, &origin, reason).await?;
        return Err(ApiError::unauthorized(detail));
    }
    if let Err(detail) = counted_second_factor(state, &origin, user.user_id, &user.username, &body.0.code).await? {
        let reason = Some("wrong code".into());
        audit_user(state, user.user_id, &user.username, AuditAction::TotpDisableFailure, &origin, reason).await?;
        return Err(ApiError::unauthorized(detail));
    }
    let caller = Caller::user(user.user_id, &user.username, &origin);
    second_factor::disable(state.context().await?, &caller, user.user_id, &user.username).await?;
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
    let expired =
        || ApiError::unauthorized("This sign-in has expired or was already completed. Start again with your password.");
    let token_hash = hash_token(&body.0.mfa_token);
    let now = state.clock.now();
    let user_id = mfa::challenge_user(state.db.pool(), &token_hash, now).await?.ok_or_else(expired)?;
    let user = users::find_by_id(state.db.pool(), user_id).await?.filter(UserRow::is_active).ok_or_else(expired)?;
    let how = counted_second_factor(state, &origin, user.id, &user.username, &body.0.code)
        .await?
        .map_err(ApiError::unauthorized)?;
    if !mfa::consume_challenge(state.db.pool(), &token_hash).await? {
        return Err(expired());
    }
    sign_in(state, jar, &user, &origin, AuditAction::Login).await?;
    audit_user(state, user.id, &user.username, AuditAction::MfaSuccess, &origin, Some(how.to_string())).await?;
    Ok(Json(UserInfo::from(&user)))
}
