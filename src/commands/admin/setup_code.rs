//! `umbra admin setup-code`: prints the one-time setup code while no user exists.

use super::{Admin, Failure};
use crate::auth::setup_code;
use crate::domain::audit_action::AuditAction;

pub async fn run(admin: &Admin) -> Result<String, Failure> {
    match setup_code::current(admin.db.pool()).await? {
        Some(code) => {
            admin.audit(AuditAction::ShowSetupCode, "setup", None).await?;
            Ok(code)
        }
        None => Err(Failure("setup is already done: users exist, so there is no setup code".into())),
    }
}
