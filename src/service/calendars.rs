//! The calendar workflows: list, create, read, change (owner and managers; the default only by
//! the owner), delete (owner only, never the default; invitees of its events hear that they
//! are cancelled) and the caller's own view preferences. The caller's level comes from
//! `db::calendar_access` on every call: not visible is `NotFound` (404), visible but not
//! allowed is `Forbidden` (403: a member knows the calendar exists).
//!
//! `CalendarError` is also the error of the share and invitation workflows.

use super::Context;
use crate::db::WriteTx;
use crate::db::calendar_access;
use crate::db::calendars::{self as db, CalendarRow};
use crate::db::error::DbError;
use crate::domain::calendars::{self as rules, CalendarLevel, CalendarPatch, NewCalendar, PreferencesPatch, Problems};
use crate::domain::id::{CalendarId, UserId};
use crate::domain::patch::Patch;
use crate::domain::time::UtcMillis;
use crate::service::event_invitations::{EventChange, notify_invitees};

#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error("not found")]
    NotFound,
    /// The caller can see the object but may not do this to it.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The request contradicts the current state (e.g. deleting the default calendar).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("invalid")]
    Invalid(Problems),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for CalendarError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::classify(error))
    }
}

impl From<Problems> for CalendarError {
    fn from(problems: Problems) -> Self {
        Self::Invalid(problems)
    }
}

pub type CalendarResult<T> = Result<T, CalendarError>;

/// The caller's level on a calendar, or `NotFound`.
pub async fn level_of<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user: UserId,
    id: CalendarId,
) -> CalendarResult<CalendarLevel> {
    calendar_access::calendar_level(db, user, id).await?.ok_or(CalendarError::NotFound)
}

pub async fn list(ctx: Context<'_>, user: UserId, limit: i64, offset: i64) -> CalendarResult<(Vec<CalendarRow>, i64)> {
    Ok(db::list(ctx.db.pool(), user, limit, offset).await?)
}

pub async fn get(ctx: Context<'_>, user: UserId, id: CalendarId) -> CalendarResult<CalendarRow> {
    db::get(ctx.db.pool(), user, id).await?.ok_or(CalendarError::NotFound)
}

pub async fn create(ctx: Context<'_>, owner: UserId, body: NewCalendar) -> CalendarResult<CalendarRow> {
    let values = rules::new_values(&body)?;
    let is_default = body.is_default.unwrap_or(false);
    let mut tx = ctx.db.write().await?;
    if is_default {
        db::lock_owner(&mut tx, owner).await?;
        db::clear_default(&mut tx, owner, ctx.now.0).await?;
    }
    let id = db::insert(&mut tx, owner, &values, is_default, ctx.now.0).await?;
    let row = db::get(&mut *tx, owner, id).await?.ok_or(CalendarError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// Applies a patch: managers and the owner change name, colour, description and zone; only
/// the owner moves the default here (`is_default: true`); `false` cannot be set (another
/// calendar becomes the default instead, so there is always one).
pub async fn update(
    ctx: Context<'_>,
    user: UserId,
    id: CalendarId,
    patch: CalendarPatch,
) -> CalendarResult<CalendarRow> {
    let mut tx = ctx.db.write().await?;
    let row = update_in(&mut tx, ctx.now, user, id, patch).await?;
    tx.commit().await?;
    Ok(row)
}

/// `update` inside the caller's transaction (a DAV PROPPATCH applies it together with a
/// preference change, or neither).
pub async fn update_in(
    tx: &mut WriteTx,
    now: UtcMillis,
    user: UserId,
    id: CalendarId,
    patch: CalendarPatch,
) -> CalendarResult<CalendarRow> {
    let level = level_of(&mut **tx, user, id).await?;
    if !level.can_manage() {
        return Err(CalendarError::Forbidden("Only the owner and managers may change this calendar."));
    }
    if patch.touches_owner_fields() && level != CalendarLevel::Owner {
        return Err(CalendarError::Forbidden("Only the owner may choose their default calendar."));
    }
    let (current, is_default, owner) = db::values(&mut **tx, id).await?.ok_or(CalendarError::NotFound)?;
    let next = rules::patched_values(&current, &patch)?;
    if let Patch::Set(wanted) = patch.is_default {
        if !wanted && is_default {
            let mut problems = Problems::default();
            problems.add("is_default", "make another calendar the default instead");
            return Err(problems.into());
        }
        if wanted && !is_default {
            db::lock_owner(tx, owner).await?;
            db::clear_default(tx, owner, now.0).await?;
            db::set_default(tx, id, now.0).await?;
        }
    }
    if next != current {
        db::update(tx, id, &next, now.0).await?;
    }
    db::get(&mut **tx, user, id).await?.ok_or(CalendarError::NotFound)
}

/// Deletes a calendar with its events: the owner only, never the default. Invitees of its
/// events who had not declined are told the events are cancelled, in the same transaction.
pub async fn delete(ctx: Context<'_>, user: UserId, id: CalendarId) -> CalendarResult<()> {
    let mut tx = ctx.db.write().await?;
    let level = level_of(&mut *tx, user, id).await?;
    if level != CalendarLevel::Owner {
        return Err(CalendarError::Forbidden("Only the owner may delete this calendar."));
    }
    let (_, is_default, _) = db::values(&mut *tx, id).await?.ok_or(CalendarError::NotFound)?;
    if is_default {
        return Err(CalendarError::Conflict("The default calendar cannot be deleted. Make another the default first."));
    }
    for (event, title) in db::events_with_invitees(&mut tx, id).await? {
        notify_invitees(&mut tx, event, &title, EventChange::Cancelled, ctx.now).await?;
    }
    if !db::delete(&mut tx, user, id).await? {
        return Err(CalendarError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Changes the caller's own view of any calendar they can see.
pub async fn set_preferences(
    ctx: Context<'_>,
    user: UserId,
    id: CalendarId,
    patch: PreferencesPatch,
) -> CalendarResult<CalendarRow> {
    let mut tx = ctx.db.write().await?;
    let row = set_preferences_in(&mut tx, user, id, patch).await?;
    tx.commit().await?;
    Ok(row)
}

/// `set_preferences` inside the caller's transaction.
pub async fn set_preferences_in(
    tx: &mut WriteTx,
    user: UserId,
    id: CalendarId,
    patch: PreferencesPatch,
) -> CalendarResult<CalendarRow> {
    let current = db::get(&mut **tx, user, id).await?.ok_or(CalendarError::NotFound)?;
    let mut problems = Problems::default();
    let hidden = match patch.hidden {
        Patch::Unchanged => current.hidden.get(),
        Patch::Clear => {
            problems.add("hidden", "cannot be null");
            false
        }
        Patch::Set(hidden) => hidden,
    };
    let colour_override = patch.colour_override.apply(current.colour_override.clone());
    if let Some(colour) = &colour_override {
        rules::check_colour("colour_override", colour, &mut problems);
    }
    problems.into_result()?;
    db::upsert_preferences(&mut **tx, user, id, hidden, colour_override.as_deref()).await?;
    db::get(&mut **tx, user, id).await?.ok_or(CalendarError::NotFound)
}
