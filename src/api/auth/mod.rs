//! `/api/auth`: setup, registration, sign-in and -out, session lock, password change.
//! One file per action.

pub mod app_passwords;
pub mod lock;
pub mod login;
pub mod logout;
pub mod oidc;
pub mod passkeys;
pub mod password;
pub mod reauth;
pub mod register;
pub mod sessions;
pub mod setup;
pub mod status;
pub mod strength;
pub mod totp;

use rocket::http::CookieJar;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::guards::AuthUser;
use crate::auth::session::{self, RequestOrigin};
use crate::db::users::UserRow;
use crate::domain::audit_action::AuditAction;
use crate::domain::id::UserId;
use crate::domain::password_policy::{self, AcceptablePassword};
use crate::domain::role::Role;
use crate::domain::username::Username;
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::service;
use crate::service::sign_in::{SessionToken, SessionUser};

api_module![
    status::status,
    strength::password_strength,
    setup::setup,
    register::register,
    login::login,
    logout::logout,
    lock::lock,
    lock::unlock,
    password::change_password,
    reauth::reauth,
    sessions::list_sessions,
    sessions::revoke_session,
    sessions::revoke_other_sessions,
    app_passwords::list_app_passwords,
    app_passwords::create_app_password,
    app_passwords::revoke_app_password,
    totp::setup_totp,
    totp::enable_totp,
    totp::disable_totp,
    totp::regenerate_recovery_codes,
    totp::verify_totp,
    passkeys::register_begin,
    passkeys::register_finish,
    passkeys::list_passkeys,
    passkeys::rename_passkey,
    passkeys::delete_passkey,
    passkeys::login_begin,
    passkeys::login_finish,
    passkeys::confirm_begin,
    passkeys::confirm_finish,
    oidc::oidc_login,
    oidc::oidc_callback,
    oidc::list_identities,
    oidc::link_identity,
    oidc::unlink_identity,
];

/// The signed-in user as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserInfo {
    pub id: UserId,
    pub username: String,
    pub role: Role,
}

impl From<&UserRow> for UserInfo {
    fn from(row: &UserRow) -> Self {
        Self { id: row.id, username: row.username.clone(), role: row.role() }
    }
}

pub(crate) fn parse_username(raw: &str) -> ApiResult<Username> {
    Username::parse(raw).map_err(|rules| ApiError::invalid_field("username", rules))
}

pub(crate) fn acceptable_password(field: &str, raw: &str, username: &str) -> ApiResult<AcceptablePassword> {
    password_policy::check(raw, username).map_err(|why| ApiError::invalid_field(field, format!("The password {why}.")))
}

/// Refuses oversized passwords before any hashing work, as the policy promises.
pub(crate) fn bounded_password(field: &str, raw: &str) -> ApiResult<()> {
    if raw.len() > password_policy::MAX_BYTES {
        return Err(ApiError::invalid_field(
            field,
            format!("The password must be at most {} bytes long.", password_policy::MAX_BYTES),
        ));
    }
    Ok(())
}

/// Starts a session for a user who just proved who they are (`service::sign_in` ends the
/// browser's old one, records the sign-in and audits it as `action`), and sets its cookie.
async fn open_session(
    state: &AppState,
    jar: &CookieJar<'_>,
    user: &UserRow,
    origin: &RequestOrigin,
    action: AuditAction,
) -> ApiResult<()> {
    let replacing = session::read_token(jar, &state.config);
    let ctx = state.context().await?;
    let token = service::sign_in::start_session(ctx, origin, user, replacing.as_deref(), action).await?;
    set_session_cookie(state, jar, token);
    Ok(())
}

/// The signed-in user as `service::sign_in` takes them.
fn session_user<'a>(user: &'a AuthUser, origin: &'a RequestOrigin) -> SessionUser<'a> {
    SessionUser { user_id: user.user_id, username: &user.username, session_id: user.session_id, origin }
}

/// Sets the cookie for a session token the service made (a new session, or a new token).
fn set_session_cookie(state: &AppState, jar: &CookieJar<'_>, token: SessionToken) {
    session::set_cookie(jar, &state.config, token.token, token.lifetime_minutes);
}
