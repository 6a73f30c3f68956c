//! The DAV names of calendars (`calendars.dav_name`): the segment a client chose when it made
//! a calendar with MKCALENDAR. Only the owner's own calendars are found by name; everyone
//! else (and every calendar made elsewhere) is addressed by id.

use sqlx::{Any, Executor};

use crate::domain::id::{CalendarId, UserId};

/// The owner's calendar with this DAV name.
pub async fn by_name<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: UserId,
    name: &str,
) -> Result<Option<CalendarId>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM calendars WHERE owner_id = $1 AND dav_name = $2")
        .bind(owner)
        .bind(name)
        .fetch_optional(db)
        .await
}

/// Every named calendar of the owner, as (id, name).
pub async fn names<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: UserId,
) -> Result<Vec<(CalendarId, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, dav_name FROM calendars WHERE owner_id = $1 AND dav_name IS NOT NULL")
        .bind(owner)
        .fetch_all(db)
        .await
}

/// Names a calendar of `owner` (a unique violation when the owner has that name already).
pub async fn set_name<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: UserId,
    calendar: CalendarId,
    name: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE calendars SET dav_name = $3 WHERE id = $2 AND owner_id = $1")
        .bind(owner)
        .bind(calendar)
        .bind(name)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}
