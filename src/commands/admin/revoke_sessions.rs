//! `umbra admin revoke-sessions USERNAME`

use super::{Admin, Failure};
use crate::service::Caller;
use crate::service::users as service;

pub async fn run(admin: &Admin, username: &str) -> Result<String, Failure> {
    let user = admin.user(username).await?;
    let revoked = service::revoke_sessions(admin.context().await?, &Caller::cli(), user.id)
        .await
        .map_err(|e| Failure(format!("{}: {e}", user.username)))?;
    Ok(format!("Ended {revoked} session(s) of {}.", user.username))
}
