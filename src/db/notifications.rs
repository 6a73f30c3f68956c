//! Notifications: rows and queries. Every read and change names the owner, so another user's
//! id finds nothing. Writes are idempotent on `(user_id, source_key)` (see the migration).

use sqlx::{Any, Executor, FromRow};

use crate::domain::flag::Flag;
use crate::domain::id::{NotificationId, UserId};

#[derive(Debug, Clone, FromRow)]
pub struct NotificationRow {
    pub id: NotificationId,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub late: Flag,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// A notification to write.
#[derive(Debug, Clone)]
pub struct NewNotificationRow<'a> {
    pub user_id: UserId,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub link: Option<&'a str>,
    pub late: bool,
    /// What it is about and for which occurrence; a second write with the same key is a no-op.
    pub source_key: Option<&'a str>,
    pub created_at: i64,
}

/// Writes a notification; `None` when one with the same `source_key` already exists for the
/// user (a retried or raced delivery), so callers never show it twice.
pub async fn insert<'c>(
    db: impl Executor<'c, Database = Any>,
    new: &NewNotificationRow<'_>,
) -> Result<Option<NotificationId>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO notifications (user_id, kind, title, body, link, late, source_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (user_id, source_key) DO NOTHING RETURNING id",
    )
    .bind(new.user_id)
    .bind(new.kind)
    .bind(new.title)
    .bind(new.body)
    .bind(new.link)
    .bind(Flag(new.late))
    .bind(new.source_key)
    .bind(new.created_at)
    .fetch_optional(db)
    .await
}

/// Writes many notifications in one statement, each skipped when its `(user_id, source_key)`
/// was already written (as `insert`); how many were written. A burst of deliveries (thousands
/// of reminders due in one minute) should not pay a round trip per notification.
pub async fn insert_many<'c>(
    db: impl Executor<'c, Database = Any>,
    rows: &[NewNotificationRow<'_>],
) -> Result<u64, sqlx::Error> {
    if rows.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "INSERT INTO notifications (user_id, kind, title, body, link, late, source_key, created_at) \
         VALUES {} ON CONFLICT (user_id, source_key) DO NOTHING",
        super::dispatch::values_list(1, rows.len(), &[""; 8])
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for new in rows {
        query = query
            .bind(new.user_id)
            .bind(new.kind)
            .bind(new.title)
            .bind(new.body)
            .bind(new.link)
            .bind(Flag(new.late))
            .bind(new.source_key)
            .bind(new.created_at);
    }
    Ok(query.execute(db).await?.rows_affected())
}

// The columns of a `NotificationRow`, as a macro so every SQL text is one static string.
macro_rules! columns {
    () => {
        "id, kind, title, body, link, late, created_at, read_at"
    };
}

/// One page of the owner's notifications, newest first, and how many match in all; with
/// `unread_only` only those not yet read. One SQL text for both (`$2` is 0 or 1).
pub async fn list(
    pool: &sqlx::AnyPool,
    user_id: UserId,
    unread_only: bool,
    limit: i64,
    offset: i64,
) -> Result<(Vec<NotificationRow>, i64), sqlx::Error> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM notifications WHERE user_id = $1 AND ($2 = 0 OR read_at IS NULL) \
         ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4"
    );
    let rows =
        sqlx::query_as(sql).bind(user_id).bind(i64::from(unread_only)).bind(limit).bind(offset).fetch_all(pool).await?;
    let total =
        sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND ($2 = 0 OR read_at IS NULL)")
            .bind(user_id)
            .bind(i64::from(unread_only))
            .fetch_one(pool)
            .await?;
    Ok((rows, total))
}

/// How many of the owner's notifications are unread (the bell).
pub async fn unread_count<'c>(db: impl Executor<'c, Database = Any>, user_id: UserId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
        .bind(user_id)
        .fetch_one(db)
        .await
}

/// Marks one of the owner's notifications read (keeping the first read time); `None` when it
/// is not theirs.
pub async fn mark_read<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    id: NotificationId,
    now: i64,
) -> Result<Option<NotificationRow>, sqlx::Error> {
    let sql = concat!(
        "UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND user_id = $2 RETURNING ",
        columns!()
    );
    sqlx::query_as(sql).bind(id).bind(user_id).bind(now).fetch_optional(db).await
}

/// Marks every unread notification of the owner read; how many were.
pub async fn mark_all_read<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL")
        .bind(user_id)
        .bind(now)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// Marks the owner's notification about `source_key` read (e.g. a request once answered).
pub async fn mark_read_by_source<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    source_key: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE notifications SET read_at = $3 WHERE user_id = $1 AND source_key = $2 AND read_at IS NULL")
        .bind(user_id)
        .bind(source_key)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn delete<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    id: NotificationId,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM notifications WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes the owner's notification about `source_key` (e.g. a request that was withdrawn).
pub async fn delete_by_source<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    source_key: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM notifications WHERE user_id = $1 AND source_key = $2")
        .bind(user_id)
        .bind(source_key)
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes every user's read notifications created before `before`; how many went.
pub async fn prune_read_before<'c>(db: impl Executor<'c, Database = Any>, before: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM notifications WHERE read_at IS NOT NULL AND created_at < $1")
        .bind(before)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
