//! Calendars and the per-user view preferences: rows and queries. Every read joins the
//! `calendar_members` view for the caller, so a calendar they cannot see is never read, and
//! reports the caller's level with the row; writes take the level the service checked.

use sqlx::{Any, Executor, FromRow};

use super::{Backend, WriteTx};
use crate::domain::calendars::CalendarValues;
use crate::domain::flag::Flag;
use crate::domain::id::{CalendarId, EventId, UserId};

/// A calendar as one caller sees it: with their level, their preferences, its owner and how
/// many events it holds (what deleting it takes with it).
#[derive(Debug, Clone, FromRow)]
pub struct CalendarRow {
    pub id: CalendarId,
    pub owner_id: UserId,
    pub owner_username: String,
    pub owner_display_name: String,
    pub name: String,
    pub colour: String,
    pub description: String,
    /// As stored: `None` follows the owner's zone.
    pub timezone: Option<String>,
    /// The zone in force: the calendar's, else the owner's setting, else UTC.
    pub effective_timezone: String,
    pub is_default: Flag,
    pub level_rank: i64,
    pub hidden: Flag,
    pub colour_override: Option<String>,
    pub event_count: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

// `$1` is the caller throughout; `m` is their best level per calendar.
const SELECT: &str = "SELECT c.id, c.owner_id, u.username AS owner_username, \
     COALESCE(us.display_name, '') AS owner_display_name, c.name, c.colour, c.description, c.timezone, \
     COALESCE(c.timezone, us.timezone, 'UTC') AS effective_timezone, c.is_default, m.level_rank, \
     COALESCE(p.hidden, 0) AS hidden, p.colour_override, \
     (SELECT COUNT(*) FROM events e WHERE e.calendar_id = c.id) AS event_count, c.created_at, c.updated_at \
     FROM (SELECT calendar_id, MAX(level_rank) AS level_rank FROM calendar_members WHERE user_id = $1 \
           GROUP BY calendar_id) m \
     JOIN calendars c ON c.id = m.calendar_id \
     JOIN users u ON u.id = c.owner_id \
     LEFT JOIN user_settings us ON us.user_id = c.owner_id \
     LEFT JOIN calendar_preferences p ON p.calendar_id = c.id AND p.user_id = $1";

/// One page of the calendars the caller can see: their own first (the default leading), then
/// shared ones, by name.
pub async fn list(
    pool: &sqlx::AnyPool,
    user: UserId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CalendarRow>, i64), sqlx::Error> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT calendar_id) FROM calendar_members WHERE user_id = $1")
        .bind(user)
        .fetch_one(pool)
        .await?;
    if total <= offset {
        return Ok((Vec::new(), total));
    }
    let sql = format!(
        "{SELECT} ORDER BY CASE WHEN c.owner_id = $1 THEN 0 ELSE 1 END, c.is_default DESC, LOWER(c.name), c.id \
         LIMIT $2 OFFSET $3"
    );
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(user).bind(limit).bind(offset).fetch_all(pool).await?;
    Ok((rows, total))
}

/// The calendar as the caller sees it; `None` when they cannot see it.
pub async fn get<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    id: CalendarId,
) -> Result<Option<CalendarRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE c.id = $2")))
        .bind(user)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The stored editable values of a calendar (the service checked the caller's level).
pub async fn values<'c>(
    db: impl Executor<'c, Database = Any>,
    id: CalendarId,
) -> Result<Option<(CalendarValues, bool, UserId)>, sqlx::Error> {
    let row: Option<(String, String, String, Option<String>, Flag, UserId)> =
        sqlx::query_as("SELECT name, colour, description, timezone, is_default, owner_id FROM calendars WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(name, colour, description, timezone, is_default, owner)| {
        (CalendarValues { name, colour, description, timezone }, is_default.get(), owner)
    }))
}

/// Serialises the owner's calendar changes that touch the default (PostgreSQL; SQLite's write
/// transaction already holds the one write lock), so two "make this the default" requests
/// run one after the other instead of one failing on the unique index.
pub async fn lock_owner(tx: &mut WriteTx, owner: UserId) -> Result<(), sqlx::Error> {
    if tx.backend() == Backend::Postgres {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE")
            .bind(owner)
            .fetch_optional(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The owner's default calendar stops being the default (before another becomes it).
pub async fn clear_default(tx: &mut WriteTx, owner: UserId, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE calendars SET is_default = 0, updated_at = $2 WHERE owner_id = $1 AND is_default = 1")
        .bind(owner)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn insert(
    tx: &mut WriteTx,
    owner: UserId,
    values: &CalendarValues,
    is_default: bool,
    now: i64,
) -> Result<CalendarId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO calendars (owner_id, name, colour, description, timezone, is_default, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(owner)
    .bind(&values.name)
    .bind(&values.colour)
    .bind(&values.description)
    .bind(values.timezone.clone())
    .bind(Flag(is_default))
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

pub async fn update(tx: &mut WriteTx, id: CalendarId, values: &CalendarValues, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE calendars SET name = $2, colour = $3, description = $4, timezone = $5, updated_at = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(&values.name)
    .bind(&values.colour)
    .bind(&values.description)
    .bind(values.timezone.clone())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn set_default(tx: &mut WriteTx, id: CalendarId, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE calendars SET is_default = 1, updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The events of a calendar that have invitees to tell when it goes (id and title).
pub async fn events_with_invitees(tx: &mut WriteTx, id: CalendarId) -> Result<Vec<(EventId, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.id, e.title FROM events e WHERE e.calendar_id = $1 \
         AND EXISTS (SELECT 1 FROM event_invitations i WHERE i.event_id = e.id AND i.status <> 'declined') \
         ORDER BY e.id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await
}

/// Deletes a calendar that is not its owner's default; its events, shares, preferences,
/// feed and change log go with it (foreign keys cascade). False when nothing was deleted.
pub async fn delete(tx: &mut WriteTx, owner: UserId, id: CalendarId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM calendars WHERE id = $1 AND owner_id = $2 AND is_default = 0")
        .bind(id)
        .bind(owner)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Writes the caller's whole preference row for a calendar.
pub async fn upsert_preferences<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    id: CalendarId,
    hidden: bool,
    colour_override: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO calendar_preferences (calendar_id, user_id, hidden, colour_override) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (calendar_id, user_id) DO UPDATE SET hidden = excluded.hidden, \
         colour_override = excluded.colour_override",
    )
    .bind(id)
    .bind(user)
    .bind(Flag(hidden))
    .bind(colour_override)
    .execute(db)
    .await?;
    Ok(())
}
