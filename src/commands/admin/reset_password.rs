//! `umbra admin reset-password USERNAME --password-stdin`: also signs the user out everywhere.

use super::create_user::hash_new_password;
use super::{Admin, Failure};
use crate::db::{sessions, users};
use crate::domain::time::UtcMillis;

pub async fn run(admin: &Admin, username: &str) -> Result<String, Failure> {
    let user = admin.user(username).await?;
    let hash = hash_new_password(admin, &user.username).await?;
    users::set_password_hash(admin.db.pool(), user.id, &hash, UtcMillis::now()).await?;
    let revoked = sessions::delete_all_for_user(admin.db.pool(), user.id, None).await?;
    admin.audit("reset_password", &user.username, Some(format!("{revoked} sessions revoked"))).await?;
    Ok(format!("Set a new password for {} and ended {revoked} session(s).", user.username))
}
