//! `umbra admin reset-password USERNAME --password-stdin`: also signs the user out everywhere.

use super::create_user::hash_new_password;
use super::{Admin, Failure};
use crate::service::Caller;
use crate::service::users as service;

pub async fn run(admin: &Admin, username: &str) -> Result<String, Failure> {
    let user = admin.user(username).await?;
    let hash = hash_new_password(admin, &user.username).await?;
    let revoked = service::reset_password(admin.context().await?, &Caller::cli(), user.id, &hash, None)
        .await
        .map_err(|e| Failure(format!("{}: {e}", user.username)))?;
    Ok(format!("Set a new password for {} and ended {revoked} session(s).", user.username))
}
