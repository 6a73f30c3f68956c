//! `GET /api/auth/status`: what the UI needs to decide which page to show.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, get};
use serde::Serialize;
use utoipa::ToSchema;

use super::UserInfo;
use crate::auth::guards::AuthUser;
use crate::domain::oidc::PasswordLogin;
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AuthStatus {
    pub setup_required: bool,
    pub authenticated: bool,
    pub locked: bool,
    pub registration_open: bool,
    /// An admin reset the password: the UI must ask for a new one before anything else.
    pub must_change_password: bool,
    /// The signed-in user has an authenticator app set up.
    pub totp_enabled: bool,
    /// The system requires a second factor this user lacks: the UI must lead them to enrol.
    pub second_factor_missing: bool,
    pub user: Option<UserInfo>,
    /// The single sign-on button's label; null when single sign-on is off.
    pub oidc_button: Option<String>,
    /// Who may sign in with a password (`allowed`, `admins_only`, `disabled`).
    pub password_login: PasswordLogin,
}

#[utoipa::path(tag = "auth", responses((status = 200, body = AuthStatus)))]
#[get("/api/auth/status")]
pub async fn status(state: &State<AppState>, user: Result<AuthUser, ApiError>) -> ApiResult<Json<AuthStatus>> {
    // A signed-in user over their request budget must not look signed out.
    let user = match user {
        Ok(user) => Some(user),
        Err(error) if error.status == Status::TooManyRequests => return Err(error),
        Err(_) => None,
    };
    let setup_required = if user.is_some() { false } else { state.setup_required().await? };
    let registration_open = state.system_settings().await?.registration_open;
    let oidc = crate::service::oidc::settings::load(state.db.pool()).await?;
    let password_login = if oidc.enabled { oidc.password_login } else { PasswordLogin::Allowed };
    Ok(Json(AuthStatus {
        setup_required,
        authenticated: user.is_some(),
        locked: user.as_ref().is_some_and(|u| u.locked),
        registration_open,
        must_change_password: user.as_ref().is_some_and(|u| u.must_change_password),
        totp_enabled: user.as_ref().is_some_and(|u| u.has_second_factor),
        second_factor_missing: user.as_ref().is_some_and(|u| u.second_factor_required && !u.has_second_factor),
        user: user.map(|u| UserInfo { id: u.user_id, username: u.username, role: u.role }),
        oidc_button: oidc.enabled.then_some(oidc.button_label),
        password_login,
    }))
}
