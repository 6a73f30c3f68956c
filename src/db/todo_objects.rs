//! The todos as CalDAV resources: found by resource name (the one a client chose, kept in
//! `dav_name`, else `<uid>.ics`) or by UID, with what a VTODO needs beyond the todo row: its
//! UID, revision (the ETag), category name and the lines kept for the client. Writes go
//! through `db::todos`, which keeps the change log.

use sqlx::{Any, Executor, FromRow};

use super::todos::{TODO_COLUMNS, TodoRow};
use super::{Backend, WriteTx};
use crate::domain::id::{TodoId, UserId};

/// The resource name suffix of a todo whose client chose no name.
pub const SUFFIX: &str = ".ics";

/// A todo with what its VTODO needs.
#[derive(Debug, Clone, FromRow)]
pub struct TodoObjectRow {
    #[sqlx(flatten)]
    pub todo: TodoRow,
    pub uid: String,
    pub revision: i64,
    pub dav_name: Option<String>,
    pub dav_extra: String,
    pub category_name: Option<String>,
}

/// What a listing needs: the name and the ETag's parts.
#[derive(Debug, Clone, FromRow)]
pub struct TodoMetaRow {
    pub id: TodoId,
    pub uid: String,
    pub dav_name: Option<String>,
    pub revision: i64,
}

fn object_columns() -> String {
    format!(
        "{TODO_COLUMNS}, uid, revision, dav_name, dav_extra, \
         (SELECT c.name FROM todo_categories c WHERE c.id = todos.category_id) AS category_name"
    )
}

/// The UID a name derived from it stands for (`abc.ics` → `abc`).
fn uid_in(name: &str) -> Option<&str> {
    name.strip_suffix(SUFFIX).filter(|uid| !uid.is_empty())
}

/// Every todo of the user, oldest first.
pub async fn list<'c>(db: impl Executor<'c, Database = Any>, user_id: UserId) -> Result<Vec<TodoMetaRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, uid, dav_name, revision FROM todos WHERE user_id = $1 ORDER BY id")
        .bind(user_id)
        .fetch_all(db)
        .await
}

/// The user's todos with these resource names (names that name none are left out).
pub async fn by_names<'c, E>(db: E, user_id: UserId, names: &[String]) -> Result<Vec<TodoObjectRow>, sqlx::Error>
where
    E: Executor<'c, Database = Any> + Copy,
{
    let mut found = Vec::with_capacity(names.len());
    // In chunks: one statement's bind count stays far below both databases' limits.
    for chunk in names.chunks(100) {
        let chosen: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let derived: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2 + chunk.len())).collect();
        let sql = format!(
            "SELECT {} FROM todos WHERE user_id = $1 AND (dav_name IN ({}) OR (dav_name IS NULL AND uid IN ({})))",
            object_columns(),
            chosen.join(", "),
            derived.join(", ")
        );
        let mut query = sqlx::query_as::<_, TodoObjectRow>(sqlx::AssertSqlSafe(sql)).bind(user_id);
        for name in chunk {
            query = query.bind(name.as_str());
        }
        for name in chunk {
            query = query.bind(uid_in(name));
        }
        found.extend(query.fetch_all(db).await?);
    }
    Ok(found)
}

/// The user's todo with this resource name, locked for the rest of the transaction on
/// PostgreSQL (SQLite's write transaction holds the database's write lock already).
pub async fn by_name_for_update(
    tx: &mut WriteTx,
    user_id: UserId,
    name: &str,
) -> Result<Option<TodoObjectRow>, sqlx::Error> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
    let sql = format!(
        "SELECT {} FROM todos WHERE user_id = $1 AND (dav_name = $2 OR (dav_name IS NULL AND uid = $3)){lock}",
        object_columns()
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(user_id).bind(name).bind(uid_in(name)).fetch_optional(&mut **tx).await
}

/// The user's todo with this UID, whatever its name.
pub async fn by_uid(tx: &mut WriteTx, user_id: UserId, uid: &str) -> Result<Option<TodoMetaRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, uid, dav_name, revision FROM todos WHERE user_id = $1 AND uid = $2")
        .bind(user_id)
        .bind(uid)
        .fetch_optional(&mut **tx)
        .await
}

/// The revision a write left the todo at.
pub async fn revision(tx: &mut WriteTx, user_id: UserId, id: TodoId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT revision FROM todos WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .fetch_one(&mut **tx)
        .await
}
