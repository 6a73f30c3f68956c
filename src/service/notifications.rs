//! The notification centre's workflows, and `notify`: the one way any domain or job tells a
//! user something in-app. `notify` runs on a pool or inside the caller's transaction, so a
//! notification is written with the change it is about (or not at all), and it is idempotent
//! on its `source_key`, so a retried or raced delivery never shows it twice.

use sqlx::{Any, Executor};

use crate::db::error::DbError;
use crate::db::notifications::{self, NewNotificationRow, NotificationRow};
use crate::domain::id::{NotificationId, UserId};
use crate::domain::notifications::{NotificationKind, READ_RETENTION_DAYS};
use crate::domain::time::UtcMillis;
use crate::service::Context;

/// The longest title and body stored: a notification is a line and a short paragraph, and
/// callers pass user text (a reminder's title) that is bounded by its own domain anyway.
pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for NotificationError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::classify(error))
    }
}

pub type NotificationResult<T> = Result<T, NotificationError>;

/// What to tell a user.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    pub user_id: UserId,
    pub kind: NotificationKind,
    pub title: &'a str,
    pub body: &'a str,
    /// An app path the UI opens (e.g. `/reminders`); never an outside URL.
    pub link: Option<&'a str>,
    /// Delivered after downtime, later than it fell due.
    pub late: bool,
    /// What it is about and for which occurrence (`reminder:12:1764400000000`); a second
    /// notice with the same key for the same user is not written. `None`: no such guard.
    pub source_key: Option<&'a str>,
}

/// A notification as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: NotificationId,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub late: bool,
    pub created_at: UtcMillis,
    pub read_at: Option<UtcMillis>,
}

impl From<NotificationRow> for Notification {
    fn from(row: NotificationRow) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            title: row.title,
            body: row.body,
            link: row.link,
            late: row.late.get(),
            created_at: UtcMillis(row.created_at),
            read_at: row.read_at.map(UtcMillis),
        }
    }
}

/// `text` cut to at most `max` characters (on a character boundary).
pub(crate) fn bounded(text: &str, max: usize) -> &str {
    text.char_indices().nth(max).map_or(text, |(at, _)| &text[..at])
}

/// Only an app path is a link: anything else (a scheme, `//host`) would let a notification
/// send its reader elsewhere, so it is dropped.
fn app_path(link: Option<&str>) -> Option<&str> {
    link.filter(|path| path.starts_with('/') && !path.starts_with("//") && !path.contains('\\'))
}

/// Writes the notice for its user at `now`; `None` when its `source_key` was already written
/// for them. Runs on `db`: a pool, or the caller's transaction (`&mut *tx`).
pub async fn notify<'c>(
    db: impl Executor<'c, Database = Any>,
    notice: &Notice<'_>,
    now: UtcMillis,
) -> Result<Option<NotificationId>, sqlx::Error> {
    let row = NewNotificationRow {
        user_id: notice.user_id,
        kind: notice.kind.as_str(),
        title: bounded(notice.title, TITLE_MAX),
        body: bounded(notice.body, BODY_MAX),
        link: app_path(notice.link),
        late: notice.late,
        source_key: notice.source_key,
        created_at: now.0,
    };
    notifications::insert(db, &row).await
}

/// `notify` for many notices in one statement (each idempotent on its `source_key` as
/// there); how many were written. For the dispatcher's bursts.
pub async fn notify_many<'c>(
    db: impl Executor<'c, Database = Any>,
    notices: &[Notice<'_>],
    now: UtcMillis,
) -> Result<u64, sqlx::Error> {
    let rows: Vec<NewNotificationRow<'_>> = notices
        .iter()
        .map(|notice| NewNotificationRow {
            user_id: notice.user_id,
            kind: notice.kind.as_str(),
            title: bounded(notice.title, TITLE_MAX),
            body: bounded(notice.body, BODY_MAX),
            link: app_path(notice.link),
            late: notice.late,
            source_key: notice.source_key,
            created_at: now.0,
        })
        .collect();
    notifications::insert_many(db, &rows).await
}

pub async fn list(
    ctx: Context<'_>,
    owner: UserId,
    unread_only: bool,
    limit: i64,
    offset: i64,
) -> NotificationResult<(Vec<Notification>, i64)> {
    let (rows, total) = notifications::list(ctx.db.pool(), owner, unread_only, limit, offset).await?;
    Ok((rows.into_iter().map(Notification::from).collect(), total))
}

pub async fn unread_count(ctx: Context<'_>, owner: UserId) -> NotificationResult<i64> {
    Ok(notifications::unread_count(ctx.db.pool(), owner).await?)
}

/// Marks it read; reading it again keeps the first read time.
pub async fn mark_read(ctx: Context<'_>, owner: UserId, id: NotificationId) -> NotificationResult<Notification> {
    let row =
        notifications::mark_read(ctx.db.pool(), owner, id, ctx.now.0).await?.ok_or(NotificationError::NotFound)?;
    Ok(row.into())
}

/// Marks all of the owner's unread notifications read; how many there were.
pub async fn mark_all_read(ctx: Context<'_>, owner: UserId) -> NotificationResult<u64> {
    Ok(notifications::mark_all_read(ctx.db.pool(), owner, ctx.now.0).await?)
}

pub async fn delete(ctx: Context<'_>, owner: UserId, id: NotificationId) -> NotificationResult<()> {
    if notifications::delete(ctx.db.pool(), owner, id).await? { Ok(()) } else { Err(NotificationError::NotFound) }
}

/// Deletes read notifications created more than 90 days before `now` (every user's).
pub async fn prune<'c>(db: impl Executor<'c, Database = Any>, now: UtcMillis) -> Result<u64, sqlx::Error> {
    notifications::prune_read_before(db, now.plus_minutes(-READ_RETENTION_DAYS * 24 * 60).0).await
}

#[cfg(test)]
mod tests {
    use super::{app_path, bounded};

    #[test]
    fn only_app_paths_are_links() {
        assert_eq!(app_path(Some("/connections")), Some("/connections"));
        for outside in ["https://evil.example", "//evil.example/x", "javascript:alert(1)", "/\\evil.example", ""] {
            assert_eq!(app_path(Some(outside)), None, "{outside}");
        }
    }

    #[test]
    fn text_is_cut_on_character_boundaries() {
        assert_eq!(bounded("héllo", 2), "hé");
        assert_eq!(bounded("hi", 5), "hi");
    }
}
