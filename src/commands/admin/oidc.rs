//! `umbra admin oidc link|unlink USERNAME ISSUER SUBJECT` and
//! `umbra admin oidc password-login allowed|admins_only|disabled`: the same workflows as the
//! admin API. The last is the documented way back in for an admin whose identity provider is
//! down after passwords were switched off.

use super::{Admin, Failure};
use crate::cli::OidcCommand;
use crate::db::oidc_identities;
use crate::domain::oidc::PasswordLogin;
use crate::service::Caller;
use crate::service::oidc::{identities, settings};

pub async fn run(admin: &Admin, command: OidcCommand) -> Result<String, Failure> {
    let ctx = admin.context().await?;
    let caller = Caller::cli();
    match command {
        OidcCommand::Link(a) => {
            let user = admin.user(&a.username).await?;
            identities::admin_link(ctx, &caller, user.id, &a.issuer, &a.subject)
                .await
                .map_err(|e| Failure(format!("{}: {e}", user.username)))?;
            Ok(format!("{} is linked to {} {}.", user.username, a.issuer, a.subject))
        }
        OidcCommand::Unlink(a) => {
            let user = admin.user(&a.username).await?;
            let issuer = a.issuer.trim();
            let row = oidc_identities::find(admin.db.pool(), issuer, &a.subject)
                .await?
                .filter(|row| row.user_id == user.id)
                .ok_or_else(|| Failure(format!("{} has no identity {issuer} {}", user.username, a.subject)))?;
            identities::unlink(ctx, &caller, user.id, row.id, true)
                .await
                .map_err(|e| Failure(format!("{}: {e}", user.username)))?;
            Ok(format!("{} is no longer linked to {issuer} {}.", user.username, a.subject))
        }
        OidcCommand::PasswordLogin(a) => {
            let mode = PasswordLogin::parse(&a.mode).ok_or_else(|| Failure(format!("unknown mode '{}'", a.mode)))?;
            settings::set_password_login(ctx, &caller, mode).await.map_err(|e| Failure(e.to_string()))?;
            Ok(format!("Password sign-in is now {}.", mode.as_str()))
        }
    }
}
