//! Todos, their categories and the completion history of recurring todos. Every query names
//! the owner, so another user's id finds nothing; the list is filtered, counted and paged in
//! SQL along the `(user_id, completed, position, id)` index.
//!
//! Every write that changes what a CalDAV client sees of a todo (insert, update, delete, a
//! move in the manual order, since LAST-MODIFIED shows it, and a category renamed or deleted,
//! since CATEGORIES shows it) bumps the todo's `revision` (its ETag) and records the change
//! in the user's todo change log (`collection_changes`), in the same transaction: here, so
//! that no caller can forget it.

use sqlx::{Any, Executor, FromRow};

use super::collection_changes::{self as changes, ChangeKind, SyncCollection};
use super::dav_names::{self, Objects};
use super::{Backend, WriteTx};
use crate::domain::flag::Flag;
use crate::domain::id::{TodoCategoryId, TodoCompletionId, TodoId, UserId};

pub(super) const TODO_COLUMNS: &str = "id, title, notes, category_id, priority, due_date, due_at, timezone, completed, \
     completed_at, recurrence, recur_from, checklist, position, created_at, updated_at";

#[derive(Debug, Clone, FromRow)]
pub struct TodoRow {
    pub id: TodoId,
    pub title: String,
    pub notes: String,
    pub category_id: Option<TodoCategoryId>,
    pub priority: i64,
    pub due_date: Option<String>,
    pub due_at: Option<i64>,
    pub timezone: String,
    pub completed: Flag,
    pub completed_at: Option<i64>,
    pub recurrence: Option<String>,
    pub recur_from: String,
    /// JSON array of `{text, done}`.
    pub checklist: String,
    pub position: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The stored form of a todo's editable state (what insert and update write).
#[derive(Debug, Clone)]
pub struct TodoValues {
    pub title: String,
    pub notes: String,
    pub category_id: Option<TodoCategoryId>,
    pub priority: i64,
    pub due_date: Option<String>,
    pub due_at: Option<i64>,
    /// Sort key: `due_at`, or the start of `due_date` in the todo's zone.
    pub due_sort: Option<i64>,
    /// From when the todo is overdue: `due_at`, or the end of `due_date` in its zone.
    pub overdue_at: Option<i64>,
    pub timezone: String,
    pub completed: bool,
    pub completed_at: Option<i64>,
    pub recurrence: Option<String>,
    pub recur_from: &'static str,
    pub checklist: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Completed,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Position,
    Due,
    Priority,
    Created,
}

/// `GET /api/todos` filters, parsed.
#[derive(Debug, Clone)]
pub struct TodoFilter {
    pub status: Status,
    pub category_id: Option<TodoCategoryId>,
    pub priority: Option<i64>,
    /// Due at or before this instant (`due_sort`), inclusive.
    pub due_before: Option<i64>,
    /// Due at or after this instant, inclusive.
    pub due_after: Option<i64>,
    /// Open and overdue as of this instant.
    pub overdue_at: Option<i64>,
    /// Case-insensitive substring of the title or the notes.
    pub q: Option<String>,
    pub sort: Sort,
}

enum Bind {
    Int(i64),
    Text(String),
}

/// The WHERE clause of a list and its binds, numbered `$1…` (the same text on both databases).
fn where_clause(user_id: UserId, filter: &TodoFilter) -> (String, Vec<Bind>) {
    let mut binds = vec![Bind::Int(user_id.0)];
    let mut sql = String::from(" WHERE user_id = $1");
    let mut push = |sql: &mut String, text: &str, bind: Bind| {
        binds.push(bind);
        sql.push_str(&text.replace('#', &format!("${}", binds.len())));
    };
    match filter.status {
        Status::Open => sql.push_str(" AND completed = 0"),
        Status::Completed => sql.push_str(" AND completed = 1"),
        Status::All => {}
    }
    if let Some(category) = filter.category_id {
        push(&mut sql, " AND category_id = #", Bind::Int(category.0));
    }
    if let Some(priority) = filter.priority {
        push(&mut sql, " AND priority = #", Bind::Int(priority));
    }
    if let Some(before) = filter.due_before {
        push(&mut sql, " AND due_sort <= #", Bind::Int(before));
    }
    if let Some(after) = filter.due_after {
        push(&mut sql, " AND due_sort >= #", Bind::Int(after));
    }
    if let Some(now) = filter.overdue_at {
        push(&mut sql, " AND completed = 0 AND overdue_at <= #", Bind::Int(now));
    }
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        push(
            &mut sql,
            " AND (LOWER(title) LIKE LOWER(#) ESCAPE '\\' OR LOWER(notes) LIKE LOWER(#) ESCAPE '\\')",
            Bind::Text(pattern),
        );
    }
    (sql, binds)
}

fn order_by(sort: Sort) -> &'static str {
    match sort {
        Sort::Position => " ORDER BY position, id",
        Sort::Due => " ORDER BY (due_sort IS NULL), due_sort, id",
        Sort::Priority => " ORDER BY priority DESC, id",
        Sort::Created => " ORDER BY created_at DESC, id DESC",
    }
}

/// One page of the caller's todos and how many match in all.
pub async fn list<'c, E>(
    db: E,
    user_id: UserId,
    filter: &TodoFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<TodoRow>, i64), sqlx::Error>
where
    E: Executor<'c, Database = Any> + Copy,
{
    let (clause, binds) = where_clause(user_id, filter);
    let count_sql = format!("SELECT COUNT(*) FROM todos{clause}");
    let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql));
    for bind in &binds {
        count = match bind {
            Bind::Int(value) => count.bind(*value),
            Bind::Text(value) => count.bind(value.clone()),
        };
    }
    let total = count.fetch_one(db).await?;
    if total <= offset {
        return Ok((Vec::new(), total));
    }
    let n = binds.len();
    let list_sql =
        format!("SELECT {TODO_COLUMNS} FROM todos{clause}{} LIMIT ${} OFFSET ${}", order_by(filter.sort), n + 1, n + 2);
    let mut query = sqlx::query_as::<_, TodoRow>(sqlx::AssertSqlSafe(list_sql));
    for bind in binds {
        query = match bind {
            Bind::Int(value) => query.bind(value),
            Bind::Text(value) => query.bind(value),
        };
    }
    let rows = query.bind(limit).bind(offset).fetch_all(db).await?;
    Ok((rows, total))
}

pub async fn get<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    id: TodoId,
) -> Result<Option<TodoRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {TODO_COLUMNS} FROM todos WHERE id = $1 AND user_id = $2")))
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// The todo, locked for the rest of the transaction on PostgreSQL (SQLite's write
/// transaction already holds the database's write lock).
pub async fn get_for_update(tx: &mut WriteTx, user_id: UserId, id: TodoId) -> Result<Option<TodoRow>, sqlx::Error> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {TODO_COLUMNS} FROM todos WHERE id = $1 AND user_id = $2{lock}"
    )))
    .bind(id)
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await
}

/// Binds a todo's editable values as `$1…$14`, in the column order insert and update share.
/// (A macro: `query` and `query_scalar` are different types with the same `bind`.)
macro_rules! bind_values {
    ($query:expr, $values:expr) => {
        $query
            .bind(&$values.title)
            .bind(&$values.notes)
            .bind($values.category_id)
            .bind($values.priority)
            .bind($values.due_date.clone())
            .bind($values.due_at)
            .bind($values.due_sort)
            .bind($values.overdue_at)
            .bind(&$values.timezone)
            .bind(Flag($values.completed))
            .bind($values.completed_at)
            .bind($values.recurrence.clone())
            .bind($values.recur_from)
            .bind(&$values.checklist)
    };
}

/// What a CalDAV client gave a todo beyond its fields.
#[derive(Debug, Clone, Copy, Default)]
pub struct DavParts<'a> {
    /// The resource name it chose; `None`: `<uid>.ics`.
    pub name: Option<&'a str>,
    /// Its lines UMBRA keeps for it (`dav_extra`).
    pub extra: &'a str,
}

/// Records a change of the todo `uid` (named `name`) in the user's todo change log.
async fn record(
    tx: &mut WriteTx,
    user_id: UserId,
    (uid, name): (String, Option<String>),
    kind: ChangeKind,
    now: i64,
) -> Result<(), sqlx::Error> {
    changes::record(tx, user_id, SyncCollection::Todos, &uid, name.as_deref(), kind, now).await?;
    Ok(())
}

/// Inserts a todo at the end of the caller's manual order. `uid` is its iCalendar UID (the
/// CalDAV resource name): new for a todo made here, the client's for one a DAV client PUT.
pub async fn insert(
    tx: &mut WriteTx,
    user_id: UserId,
    uid: &str,
    values: &TodoValues,
    dav: DavParts<'_>,
    now: i64,
) -> Result<TodoId, sqlx::Error> {
    if tx.backend() == Backend::Postgres {
        // Serialises concurrent inserts of one user, so two todos never share a position.
        // `FOR NO KEY UPDATE`: a concurrent update's change-log row checks its foreign key to
        // this user with `FOR KEY SHARE`, which `FOR UPDATE` would block — a deadlock when
        // that update already holds the collection's sync row this insert goes on to write.
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE")
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
    }
    let position: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM todos WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&mut **tx)
        .await?;
    // Without a chosen name it answers to `<uid>.ics`, unless a client chose that for another.
    let name = match dav.name {
        Some(name) => Some(name.to_string()),
        None => dav_names::name_for(tx, Objects::Todos(user_id), uid, 0).await?,
    };
    let insert = sqlx::query_scalar(
        "INSERT INTO todos (title, notes, category_id, priority, due_date, due_at, due_sort, overdue_at, timezone, \
         completed, completed_at, recurrence, recur_from, checklist, user_id, position, created_at, updated_at, uid, \
         dav_name, dav_extra) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18, $19, $20) \
         RETURNING id",
    );
    let id = bind_values!(insert, values)
        .bind(user_id)
        .bind(position)
        .bind(now)
        .bind(uid)
        .bind(name.as_deref())
        .bind(dav.extra)
        .fetch_one(&mut **tx)
        .await?;
    record(tx, user_id, (uid.to_string(), name), ChangeKind::Created, now).await?;
    Ok(id)
}

/// Replaces a todo's values; `extra` replaces the lines kept for a CalDAV client (`None`:
/// kept as they are, as for a change made in the app).
pub async fn update(
    tx: &mut WriteTx,
    user_id: UserId,
    id: TodoId,
    values: &TodoValues,
    extra: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let update = sqlx::query_as(
        "UPDATE todos SET title = $1, notes = $2, category_id = $3, priority = $4, due_date = $5, due_at = $6, \
         due_sort = $7, overdue_at = $8, timezone = $9, completed = $10, completed_at = $11, recurrence = $12, \
         recur_from = $13, checklist = $14, updated_at = $15, dav_extra = COALESCE($16, dav_extra), \
         revision = revision + 1 WHERE id = $17 AND user_id = $18 RETURNING uid, dav_name",
    );
    let done: Option<(String, Option<String>)> =
        bind_values!(update, values).bind(now).bind(extra).bind(id).bind(user_id).fetch_optional(&mut **tx).await?;
    let Some(names) = done else { return Ok(false) };
    record(tx, user_id, names, ChangeKind::Changed, now).await?;
    Ok(true)
}

pub async fn delete(tx: &mut WriteTx, user_id: UserId, id: TodoId, now: i64) -> Result<bool, sqlx::Error> {
    let done: Option<(String, Option<String>)> =
        sqlx::query_as("DELETE FROM todos WHERE id = $1 AND user_id = $2 RETURNING uid, dav_name")
            .bind(id)
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(names) = done else { return Ok(false) };
    record(tx, user_id, names, ChangeKind::Deleted, now).await?;
    Ok(true)
}

/// The current positions of those of `ids` that are the caller's, as `(id, position)`.
pub async fn positions(tx: &mut WriteTx, user_id: UserId, ids: &[TodoId]) -> Result<Vec<(TodoId, i64)>, sqlx::Error> {
    let mut found = Vec::with_capacity(ids.len());
    // In chunks: one statement's bind count stays far below both databases' limits.
    for chunk in ids.chunks(200) {
        let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!("SELECT id, position FROM todos WHERE user_id = $1 AND id IN ({})", list.join(", "));
        let mut query = sqlx::query_as::<_, (TodoId, i64)>(sqlx::AssertSqlSafe(sql)).bind(user_id);
        for id in chunk {
            query = query.bind(*id);
        }
        found.extend(query.fetch_all(&mut **tx).await?);
    }
    Ok(found)
}

/// A todo's UID and the resource name its client chose (what the change log records).
pub type LogNames = (String, Option<String>);

/// Moves a todo in the manual order. The move is a change (LAST-MODIFIED shows it) but it is
/// not recorded here: a reorder moves many todos, and records them all at its end with
/// `record_moves`, so that the change-log counter is always the last lock a writer takes
/// (on PostgreSQL, taking it between row locks could deadlock with another writer).
pub async fn set_position(
    tx: &mut WriteTx,
    user_id: UserId,
    id: TodoId,
    position: i64,
    now: i64,
) -> Result<Option<LogNames>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE todos SET position = $1, updated_at = $2, revision = revision + 1 WHERE id = $3 AND user_id = $4 \
         RETURNING uid, dav_name",
    )
    .bind(position)
    .bind(now)
    .bind(id)
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await
}

/// Records the todos a reorder moved.
pub async fn record_moves(
    tx: &mut WriteTx,
    user_id: UserId,
    moved: Vec<LogNames>,
    now: i64,
) -> Result<(), sqlx::Error> {
    for names in moved {
        record(tx, user_id, names, ChangeKind::Changed, now).await?;
    }
    Ok(())
}

/// Marks every todo of a category changed (its name, which CATEGORIES shows, is changing or
/// going away).
async fn touch_category_todos(
    tx: &mut WriteTx,
    user_id: UserId,
    category: TodoCategoryId,
    now: i64,
) -> Result<(), sqlx::Error> {
    let touched: Vec<(String, Option<String>)> = sqlx::query_as(
        "UPDATE todos SET updated_at = $1, revision = revision + 1 WHERE user_id = $2 AND category_id = $3 \
         RETURNING uid, dav_name",
    )
    .bind(now)
    .bind(user_id)
    .bind(category)
    .fetch_all(&mut **tx)
    .await?;
    for names in touched {
        record(tx, user_id, names, ChangeKind::Changed, now).await?;
    }
    Ok(())
}

// ---- completions ----

#[derive(Debug, Clone, FromRow)]
pub struct CompletionRow {
    pub id: TodoCompletionId,
    pub completed_at: i64,
    pub due_date: Option<String>,
    pub due_at: Option<i64>,
}

pub async fn add_completion(
    tx: &mut WriteTx,
    todo_id: TodoId,
    completed_at: i64,
    due_date: Option<String>,
    due_at: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO todo_completions (todo_id, completed_at, due_date, due_at) VALUES ($1, $2, $3, $4)")
        .bind(todo_id)
        .bind(completed_at)
        .bind(due_date)
        .bind(due_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn count_completions(tx: &mut WriteTx, todo_id: TodoId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM todo_completions WHERE todo_id = $1")
        .bind(todo_id)
        .fetch_one(&mut **tx)
        .await
}

/// The due time of the todo's latest recorded completion (`None` without one, or when it had
/// no due time): the occurrence before the current one.
pub async fn last_completion_due(tx: &mut WriteTx, todo_id: TodoId) -> Result<Option<i64>, sqlx::Error> {
    let due: Option<Option<i64>> =
        sqlx::query_scalar("SELECT due_at FROM todo_completions WHERE todo_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(todo_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(due.flatten())
}

/// The completions of the caller's todo, newest first; `None` when the todo is not theirs.
pub async fn list_completions<'c, E>(
    db: E,
    user_id: UserId,
    todo_id: TodoId,
    limit: i64,
    offset: i64,
) -> Result<Option<(Vec<CompletionRow>, i64)>, sqlx::Error>
where
    E: Executor<'c, Database = Any> + Copy,
{
    if get(db, user_id, todo_id).await?.is_none() {
        return Ok(None);
    }
    let total = sqlx::query_scalar("SELECT COUNT(*) FROM todo_completions WHERE todo_id = $1")
        .bind(todo_id)
        .fetch_one(db)
        .await?;
    let rows = sqlx::query_as(
        "SELECT c.id, c.completed_at, c.due_date, c.due_at FROM todo_completions c JOIN todos t ON t.id = c.todo_id \
         WHERE c.todo_id = $1 AND t.user_id = $2 ORDER BY c.completed_at DESC, c.id DESC LIMIT $3 OFFSET $4",
    )
    .bind(todo_id)
    .bind(user_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    Ok(Some((rows, total)))
}

// ---- categories ----

#[derive(Debug, Clone, FromRow)]
pub struct CategoryRow {
    pub id: TodoCategoryId,
    pub name: String,
    pub colour: String,
    pub created_at: i64,
}

pub async fn list_categories<'c, E>(
    db: E,
    user_id: UserId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CategoryRow>, i64), sqlx::Error>
where
    E: Executor<'c, Database = Any> + Copy,
{
    let total = sqlx::query_scalar("SELECT COUNT(*) FROM todo_categories WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(db)
        .await?;
    let rows = sqlx::query_as(
        "SELECT id, name, colour, created_at FROM todo_categories WHERE user_id = $1 \
         ORDER BY name_key, id LIMIT $2 OFFSET $3",
    )
    .bind(user_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    Ok((rows, total))
}

pub async fn get_category<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    id: TodoCategoryId,
) -> Result<Option<CategoryRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, name, colour, created_at FROM todo_categories WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await
}

pub async fn insert_category<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    name: &str,
    key: &str,
    colour: &str,
    now: i64,
) -> Result<CategoryRow, sqlx::Error> {
    sqlx::query_as(
        "INSERT INTO todo_categories (user_id, name, name_key, colour, created_at) VALUES ($1, $2, $3, $4, $5) \
         RETURNING id, name, colour, created_at",
    )
    .bind(user_id)
    .bind(name)
    .bind(key)
    .bind(colour)
    .bind(now)
    .fetch_one(db)
    .await
}

/// Renames or recolours a category; a new name marks its todos changed.
pub async fn update_category(
    tx: &mut WriteTx,
    user_id: UserId,
    id: TodoCategoryId,
    name: &str,
    key: &str,
    colour: &str,
    now: i64,
) -> Result<Option<CategoryRow>, sqlx::Error> {
    let Some(before) = get_category(&mut **tx, user_id, id).await? else { return Ok(None) };
    let row = sqlx::query_as(
        "UPDATE todo_categories SET name = $1, name_key = $2, colour = $3 WHERE id = $4 AND user_id = $5 \
         RETURNING id, name, colour, created_at",
    )
    .bind(name)
    .bind(key)
    .bind(colour)
    .bind(id)
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    if before.name != name {
        touch_category_todos(tx, user_id, id, now).await?;
    }
    Ok(row)
}

/// Deletes the category; its todos become uncategorised (`ON DELETE SET NULL`) and changed.
pub async fn delete_category(
    tx: &mut WriteTx,
    user_id: UserId,
    id: TodoCategoryId,
    now: i64,
) -> Result<bool, sqlx::Error> {
    touch_category_todos(tx, user_id, id, now).await?;
    let done = sqlx::query("DELETE FROM todo_categories WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The user's category of this name (`key` is its `category_key`), made if there is none.
/// `ON CONFLICT DO NOTHING`: two writers making the same category at once both get it.
pub async fn category_named(
    tx: &mut WriteTx,
    user_id: UserId,
    name: &str,
    key: &str,
    colour: &str,
    now: i64,
) -> Result<TodoCategoryId, sqlx::Error> {
    sqlx::query(
        "INSERT INTO todo_categories (user_id, name, name_key, colour, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (user_id, name_key) DO NOTHING",
    )
    .bind(user_id)
    .bind(name)
    .bind(key)
    .bind(colour)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query_scalar("SELECT id FROM todo_categories WHERE user_id = $1 AND name_key = $2")
        .bind(user_id)
        .bind(key)
        .fetch_one(&mut **tx)
        .await
}
