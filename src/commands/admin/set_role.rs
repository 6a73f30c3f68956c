//! `umbra admin set-role USERNAME admin|standard`

use super::{Admin, Failure};
use crate::db::users;
use crate::domain::role::Role;
use crate::domain::time::UtcMillis;

pub async fn run(admin: &Admin, username: &str, role: &str) -> Result<String, Failure> {
    let role = Role::parse(role).ok_or_else(|| Failure(format!("unknown role '{role}' (use admin or standard)")))?;
    let user = admin.user(username).await?;
    users::set_role(admin.db.pool(), user.id, role, UtcMillis::now()).await?;
    admin.audit("set_role", &user.username, Some(format!("{} -> {}", user.role, role.as_str()))).await?;
    Ok(format!("{} is now {}.", user.username, role.as_str()))
}
