//! Reminders: rows and queries. Every query names the owner, so another user's id finds
//! nothing. `fire_at` is written with every change of `remind_at` or `snoozed_until`, and a
//! change of `fire_at` drops a dispatcher's claim (see the migration's notes).

use sqlx::any::AnyArguments;
use sqlx::query::QueryAs;
use sqlx::{Any, Executor, FromRow};

use super::{Backend, WriteTx};
use crate::domain::id::{ReminderId, TodoId, UserId};

// The columns of a `ReminderRow`, as a macro so every SQL text is one static string.
macro_rules! columns {
    () => {
        "id, title, notes, remind_at, timezone, recurrence, series_start, status, snoozed_until, todo_id, \
         created_at, updated_at"
    };
}

/// Which of the owner's reminders the list shows (`$1` owner, `$2`–`$4` statuses, `$5`/`$6`
/// the fire-time window).
macro_rules! matching {
    () => {
        "FROM reminders WHERE user_id = $1 AND status IN ($2, $3, $4) AND fire_at >= $5 AND fire_at < $6"
    };
}

#[derive(Debug, Clone, FromRow)]
pub struct ReminderRow {
    pub id: ReminderId,
    pub title: String,
    pub notes: String,
    pub remind_at: i64,
    pub timezone: String,
    pub recurrence: Option<String>,
    pub series_start: i64,
    pub status: String,
    pub snoozed_until: Option<i64>,
    pub todo_id: Option<TodoId>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Everything a write sets (the owner and `created_at` never change).
#[derive(Debug, Clone)]
pub struct ReminderValues<'a> {
    pub title: &'a str,
    pub notes: &'a str,
    pub remind_at: i64,
    pub timezone: &'a str,
    pub recurrence: Option<&'a str>,
    pub series_start: i64,
    pub status: &'a str,
    pub snoozed_until: Option<i64>,
    pub todo_id: Option<TodoId>,
    pub now: i64,
}

impl ReminderValues<'_> {
    fn fire_at(&self) -> i64 {
        self.snoozed_until.unwrap_or(self.remind_at)
    }
}

/// The list's filters: the statuses (one to three) and `from <= fire_at < to`.
#[derive(Debug, Clone)]
pub struct ReminderFilter<'a> {
    pub statuses: &'a [&'a str],
    pub from: i64,
    pub to: i64,
}

/// Whether `todo_id` is one of `user_id`'s todos.
pub async fn todo_is_owned<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    todo_id: TodoId,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM todos WHERE id = $1 AND user_id = $2")
        .bind(todo_id)
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}

pub async fn insert(
    tx: &mut WriteTx,
    user_id: UserId,
    values: &ReminderValues<'_>,
) -> Result<ReminderRow, sqlx::Error> {
    let sql = concat!(
        "INSERT INTO reminders (user_id, title, notes, remind_at, timezone, recurrence, series_start, status, \
                                snoozed_until, fire_at, todo_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING ",
        columns!()
    );
    bind_values(sqlx::query_as(sql).bind(user_id), values).fetch_one(&mut **tx).await
}

/// Binds a reminder's values after the statement's leading keys, in the order insert and
/// update share (title … now).
fn bind_values<'q>(
    query: QueryAs<'q, Any, ReminderRow, AnyArguments>,
    values: &ReminderValues<'q>,
) -> QueryAs<'q, Any, ReminderRow, AnyArguments> {
    query
        .bind(values.title)
        .bind(values.notes)
        .bind(values.remind_at)
        .bind(values.timezone)
        .bind(values.recurrence)
        .bind(values.series_start)
        .bind(values.status)
        .bind(values.snoozed_until)
        .bind(values.fire_at())
        .bind(values.todo_id)
        .bind(values.now)
}

pub async fn find<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    id: ReminderId,
) -> Result<Option<ReminderRow>, sqlx::Error> {
    let sql = concat!("SELECT ", columns!(), " FROM reminders WHERE id = $1 AND user_id = $2");
    sqlx::query_as(sql).bind(id).bind(user_id).fetch_optional(db).await
}

/// The row, locked for the rest of the transaction (SQLite's write transaction already
/// holds the database lock; PostgreSQL locks the row), so concurrent actions apply in turn.
pub async fn find_for_update(
    tx: &mut WriteTx,
    user_id: UserId,
    id: ReminderId,
) -> Result<Option<ReminderRow>, sqlx::Error> {
    let sql = if tx.backend() == Backend::Postgres {
        concat!("SELECT ", columns!(), " FROM reminders WHERE id = $1 AND user_id = $2 FOR UPDATE")
    } else {
        concat!("SELECT ", columns!(), " FROM reminders WHERE id = $1 AND user_id = $2")
    };
    sqlx::query_as(sql).bind(id).bind(user_id).fetch_optional(&mut **tx).await
}

pub async fn update(
    tx: &mut WriteTx,
    user_id: UserId,
    id: ReminderId,
    values: &ReminderValues<'_>,
) -> Result<Option<ReminderRow>, sqlx::Error> {
    let sql = concat!(
        "UPDATE reminders SET title = $3, notes = $4, remind_at = $5, timezone = $6, recurrence = $7, \
                series_start = $8, status = $9, snoozed_until = $10, \
                claimed_at = CASE WHEN fire_at = $11 THEN claimed_at ELSE NULL END, fire_at = $11, \
                todo_id = $12, updated_at = $13 \
         WHERE id = $1 AND user_id = $2 RETURNING ",
        columns!()
    );
    bind_values(sqlx::query_as(sql).bind(id).bind(user_id), values).fetch_optional(&mut **tx).await
}

pub async fn delete<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    id: ReminderId,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM reminders WHERE id = $1 AND user_id = $2").bind(id).bind(user_id).execute(db).await?;
    Ok(done.rows_affected() > 0)
}

/// One page of the owner's reminders in firing order, and how many match in all. One SQL
/// text whatever the filter: the status list is always three values (repeated to fill).
pub async fn list(
    pool: &sqlx::AnyPool,
    user_id: UserId,
    filter: &ReminderFilter<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ReminderRow>, i64), sqlx::Error> {
    let first = filter.statuses.first().copied().unwrap_or("active");
    let status = |i: usize| filter.statuses.get(i).copied().unwrap_or(first);
    let sql = concat!("SELECT ", columns!(), " ", matching!(), " ORDER BY fire_at, id LIMIT $7 OFFSET $8");
    let rows = sqlx::query_as(sql)
        .bind(user_id)
        .bind(status(0))
        .bind(status(1))
        .bind(status(2))
        .bind(filter.from)
        .bind(filter.to)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?;
    let total: i64 = sqlx::query_scalar(concat!("SELECT COUNT(*) ", matching!()))
        .bind(user_id)
        .bind(status(0))
        .bind(status(1))
        .bind(status(2))
        .bind(filter.from)
        .bind(filter.to)
        .fetch_one(pool)
        .await?;
    Ok((rows, total))
}
