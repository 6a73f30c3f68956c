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
use crate::error::ApiResult;
use crate::server::AppState;
use crate::service::Context;

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
async fn context(state: &AppState) -> ApiResult<Context<'_>> {
    Ok(Context { db: &state.db, now: state.clock.now(), settings: state.system_settings().await? })
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
