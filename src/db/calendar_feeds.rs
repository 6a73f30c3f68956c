//! Secret ICS feeds: one per calendar, kept only as the SHA-256 (hex) of its token. A feed is
//! found by the hash of the token a request presents: an indexed equality lookup on a value
//! the requester cannot choose freely, so no secret is ever compared byte by byte.

use sqlx::{Any, Executor};

use crate::domain::id::CalendarId;

/// Makes (or replaces) the calendar's feed: the old token stops working in the same statement.
pub async fn replace<'c>(
    db: impl Executor<'c, Database = Any>,
    calendar: CalendarId,
    token_hash: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO calendar_feeds (calendar_id, token_hash, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (calendar_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
    )
    .bind(calendar)
    .bind(token_hash)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Revokes the calendar's feed; false when it had none.
pub async fn delete<'c>(db: impl Executor<'c, Database = Any>, calendar: CalendarId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM calendar_feeds WHERE calendar_id = $1").bind(calendar).execute(db).await?;
    Ok(done.rows_affected() > 0)
}

/// When the calendar's feed was made, if it has one.
pub async fn created_at<'c>(
    db: impl Executor<'c, Database = Any>,
    calendar: CalendarId,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT created_at FROM calendar_feeds WHERE calendar_id = $1")
        .bind(calendar)
        .fetch_optional(db)
        .await
}

/// The calendar whose feed token hashes to `token_hash`.
pub async fn calendar_of<'c>(
    db: impl Executor<'c, Database = Any>,
    token_hash: &str,
) -> Result<Option<CalendarId>, sqlx::Error> {
    let id: Option<i64> = sqlx::query_scalar("SELECT calendar_id FROM calendar_feeds WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(db)
        .await?;
    Ok(id.map(CalendarId))
}
