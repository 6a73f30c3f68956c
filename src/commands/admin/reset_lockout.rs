//! `umbra admin reset-lockout USERNAME`

use super::{Admin, Failure};
use crate::db::login_failures::{self, Counter};
use crate::domain::audit_action::AuditAction;
use crate::domain::username::Username;

pub async fn run(admin: &Admin, username: &str) -> Result<String, Failure> {
    let user = admin.user(username).await?;
    let key = Username::lockout_key(&user.username);
    let state = login_failures::get(admin.db.pool(), Counter::Password(&key)).await?;
    login_failures::clear(admin.db.pool(), Counter::Password(&key)).await?;
    login_failures::clear(admin.db.pool(), Counter::SecondFactor(user.id)).await?;
    admin.audit(AuditAction::ResetLockout, &user.username, None).await?;
    let lock = if state.locked_until.is_some_and(|t| t > crate::domain::time::UtcMillis::now()) {
        "and the lock "
    } else {
        ""
    };
    Ok(format!("Cleared {} failed sign-in(s) {lock}for {}.", state.failures, user.username))
}
