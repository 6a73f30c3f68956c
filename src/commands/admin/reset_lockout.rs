//! `umbra admin reset-lockout USERNAME`: the same workflow as the admin API's unlock.

use super::{Admin, Failure};
use crate::service::Caller;
use crate::service::users as service;

pub async fn run(admin: &Admin, username: &str) -> Result<String, Failure> {
    let user = admin.user(username).await?;
    let ctx = admin.context().await?;
    let (user, before) =
        service::reset_lockout(ctx, &Caller::cli(), user.id).await.map_err(|e| Failure(format!("{username}: {e}")))?;
    let lock = if before.locked_until.is_some_and(|t| t > ctx.now) { "and the lock " } else { "" };
    Ok(format!("Cleared {} failed sign-in(s) {lock}for {}.", before.failures, user.username))
}
