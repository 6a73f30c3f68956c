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
