//! `umbra admin revoke-sessions USERNAME`

use super::{Admin, Failure};
use crate::db::sessions;

pub async fn run(admin: &Admin, username: &str) -> Result<String, Failure> {
    let user = admin.user(username).await?;
    let revoked = sessions::delete_all_for_user(admin.db.pool(), user.id, None).await?;
    admin.audit("revoke_sessions", &user.username, Some(format!("{revoked} sessions revoked"))).await?;
    Ok(format!("Ended {revoked} session(s) of {}.", user.username))
}
