//! The identities linked to an account: listed and unlinked by their owner, linked and
//! unlinked for anyone by an admin (API or `umbra admin oidc`). Linking by the owner goes
//! through the provider (`flow`), so nobody can claim an identity they cannot sign in as.

use super::{OidcError, settings};
use crate::db::oidc_identities::{self, IdentityRow};
use crate::db::{passkeys, sessions, users};
use crate::domain::audit_action::AuditAction;
use crate::domain::id::{OidcIdentityId, UserId};
use crate::domain::oidc::password_allowed;
use crate::service::{Caller, Context};

pub async fn list(ctx: Context<'_>, user_id: UserId) -> Result<Vec<IdentityRow>, OidcError> {
    Ok(oidc_identities::list_for_user(ctx.db.pool(), user_id).await?)
}

/// Links (issuer, subject) to an account on an admin's word: the "pre-link" that lets a
/// person's first single sign-on land in the account they already have.
pub async fn admin_link(
    ctx: Context<'_>,
    caller: &Caller,
    user_id: UserId,
    issuer: &str,
    subject: &str,
) -> Result<IdentityRow, OidcError> {
    // Exactly as the provider names itself (some issuers end in a slash).
    let issuer = issuer.trim();
    let mut problems = Vec::new();
    if let Err(why) = crate::domain::oidc::check_issuer(issuer, true) {
        problems.push(("issuer", why));
    }
    if subject.is_empty() || subject.len() > 255 || subject.chars().any(char::is_control) {
        problems.push(("subject", "must be 1 to 255 characters, without control characters".into()));
    }
    if !problems.is_empty() {
        return Err(OidcError::Invalid(problems));
    }
    let user = users::find_by_id(ctx.db.pool(), user_id).await?.ok_or(OidcError::NotFound)?;
    let row = oidc_identities::link(ctx.db.pool(), user_id, issuer, subject, ctx.now)
        .await
        .map_err(|e| if e.is_unique_violation() { OidcError::Taken } else { OidcError::Db(e) })?;
    caller.audit(ctx, AuditAction::OidcLink, &user.username, Some(format!("{issuer} {subject}"))).await?;
    Ok(row)
}

/// Removes an identity of `user_id`'s. The owner may not remove their last way in; an admin
/// may (`by_admin`: an admin removes a link made in error, and can reset the password).
pub async fn unlink(
    ctx: Context<'_>,
    caller: &Caller,
    user_id: UserId,
    id: OidcIdentityId,
    by_admin: bool,
) -> Result<(), OidcError> {
    let user = users::find_by_id(ctx.db.pool(), user_id).await?.ok_or(OidcError::NotFound)?;
    let mine = oidc_identities::list_for_user(ctx.db.pool(), user_id).await?;
    let target = mine.iter().find(|row| row.id == id).ok_or(OidcError::NotFound)?;
    if !by_admin && mine.len() == 1 {
        let settings = settings::load(ctx.db.pool()).await?;
        let has_passkey = !passkeys::for_user(ctx.db.pool(), user_id).await?.is_empty();
        let password_works = password_allowed(settings.password_login, settings.enabled, user.role(), true);
        if !has_passkey && !password_works {
            return Err(OidcError::LastWayIn);
        }
    }
    // The sessions that identity opened end with it (a link made in error must not leave its
    // sessions running).
    let mut tx = ctx.db.write().await?;
    let ended = sessions::delete_for_identity(&mut *tx, id).await?;
    oidc_identities::unlink(&mut *tx, user_id, id).await?.ok_or(OidcError::NotFound)?;
    tx.commit().await?;
    let detail = format!("{} {}; {ended} sessions ended", target.issuer, target.subject);
    caller.audit(ctx, AuditAction::OidcUnlink, &user.username, Some(detail)).await?;
    Ok(())
}

/// Whether the account has a way in besides its password: an identity at the provider in
/// use now (one under an issuer the admin replaced signs nobody in), or a passkey.
pub async fn other_way_in(ctx: Context<'_>, user_id: UserId, issuer: &str) -> Result<bool, sqlx::Error> {
    let linked = oidc_identities::list_for_user(ctx.db.pool(), user_id).await?;
    Ok(linked.iter().any(|row| row.issuer == issuer) || !passkeys::for_user(ctx.db.pool(), user_id).await?.is_empty())
}
