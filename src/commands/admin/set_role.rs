//! `umbra admin set-role USERNAME admin|standard`: the same workflow as the admin API, so the
//! last active admin cannot be demoted here either; the user's sessions end.

use super::{Admin, Failure};
use crate::domain::role::Role;
use crate::service::Caller;
use crate::service::users as service;

pub async fn run(admin: &Admin, username: &str, role: &str) -> Result<String, Failure> {
    let role = Role::parse(role).ok_or_else(|| Failure(format!("unknown role '{role}' (use admin or standard)")))?;
    let user = admin.user(username).await?;
    let changed = service::set_role(admin.context().await?, &Caller::cli(), user.id, role)
        .await
        .map_err(|e| Failure(format!("{}: {e}", user.username)))?;
    Ok(format!("{} is now {}; {} session(s) ended.", user.username, role.as_str(), changed.sessions_ended))
}
