//! `/api/admin`: the admin console's API. Every route takes `AdminUser`, so standard users
//! get 403 before any handler code runs; every change is audited.

pub mod audit_logs;
pub mod config;
pub mod user_actions;
pub mod users;

use crate::auth::guards::AdminUser;
use crate::auth::session::RequestOrigin;
use crate::db::audit::{self, AuditEntry};
use crate::domain::audit_action::AuditAction;
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::service::Context;
use crate::service::users::UserError;

api_module![
    users::list_users,
    users::create_user,
    users::update_user,
    users::delete_user,
    user_actions::reset_password,
    user_actions::unlock_user,
    user_actions::reset_mfa,
    config::get_config,
    config::put_config,
    audit_logs::list_audit_logs,
];

/// The context the account workflows run in, from the app state.
fn context(state: &AppState) -> Context<'_> {
    Context { db: &state.db, now: state.clock.now() }
}

async fn audit_admin(
    state: &AppState,
    admin: &AdminUser,
    action: AuditAction,
    target: &str,
    origin: &RequestOrigin,
    detail: Option<String>,
) -> ApiResult<()> {
    let entry = AuditEntry {
        actor: admin.0.username.clone(),
        actor_user_id: Some(admin.0.user_id),
        action,
        target: Some(target.to_string()),
        ip: Some(origin.ip.clone()),
        user_agent: origin.user_agent.clone(),
        detail,
    };
    audit::record(state.db.pool(), state.clock.now(), entry).await?;
    Ok(())
}

impl From<UserError> for ApiError {
    fn from(error: UserError) -> Self {
        match error {
            UserError::NotFound => ApiError::not_found(),
            UserError::LastAdmin => {
                ApiError::conflict("This is the last active admin: make another user an admin first.")
            }
            UserError::Db(e) => e.into(),
        }
    }
}
