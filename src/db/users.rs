//! Users: accounts, their password hashes and roles.

use sqlx::{Acquire, Any, Executor};

use super::error::{DbError, DbResult};
use super::{Backend, WriteTx};

use crate::domain::flag::Flag;
use crate::domain::id::UserId;
use crate::domain::role::Role;
use crate::domain::time::UtcMillis;
use crate::domain::username::Username;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub active: Flag,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
    pub must_change_password: Flag,
}

impl UserRow {
    pub fn role(&self) -> Role {
        Role::from_stored(&self.role)
    }

    pub fn is_active(&self) -> bool {
        self.active.get()
    }
}

macro_rules! columns {
    () => {
        "id, username, password_hash, role, active, created_at, last_login_at, must_change_password"
    };
}

pub async fn count<'c>(db: impl Executor<'c, Database = Any>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(db).await
}

pub async fn create<'c>(
    db: impl Executor<'c, Database = Any>,
    username: &Username,
    password_hash: &str,
    role: Role,
    now: UtcMillis,
) -> DbResult<UserRow> {
    sqlx::query_as(concat!(
        "INSERT INTO users (username, password_hash, role, active, created_at, updated_at) ",
        "VALUES ($1, $2, $3, 1, $4, $4) RETURNING ",
        columns!()
    ))
    .bind(username.as_str())
    .bind(password_hash)
    .bind(role.as_str())
    .bind(now.0)
    .fetch_one(db)
    .await
    .map_err(DbError::from)
}

pub async fn find_by_username<'c>(
    db: impl Executor<'c, Database = Any>,
    username: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as(concat!("SELECT ", columns!(), " FROM users WHERE username = $1"))
        .bind(username.to_lowercase())
        .fetch_optional(db)
        .await
}

pub async fn find_by_id<'c>(db: impl Executor<'c, Database = Any>, id: UserId) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as(concat!("SELECT ", columns!(), " FROM users WHERE id = $1")).bind(id).fetch_optional(db).await
}

pub async fn set_password_hash<'c>(
    db: impl Executor<'c, Database = Any>,
    id: UserId,
    password_hash: &str,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(now.0)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn record_login<'c>(
    db: impl Executor<'c, Database = Any>,
    id: UserId,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2").bind(now.0).bind(id).execute(db).await?;
    Ok(())
}

/// A user as the admin listing shows it, with the lockout state of their name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserListRow {
    pub id: UserId,
    pub username: String,
    pub role: String,
    pub active: Flag,
    pub locked_until: Option<i64>,
    pub last_login_at: Option<i64>,
}

pub async fn list<'c>(db: impl Acquire<'c, Database = Any>) -> Result<Vec<UserListRow>, sqlx::Error> {
    Ok(search(db, None, i64::MAX, 0).await?.0)
}

/// One page of users whose name contains `search` (any case), and how many match in all.
pub async fn search<'c>(
    db: impl Acquire<'c, Database = Any>,
    search: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<UserListRow>, i64), sqlx::Error> {
    let mut conn = db.acquire().await?;
    let pattern = search.map_or_else(|| "%".to_string(), |s| format!("%{}%", escape_like(&s.to_lowercase())));
    let rows = sqlx::query_as(
        "SELECT u.id, u.username, u.role, u.active, f.locked_until, u.last_login_at \
         FROM users u LEFT JOIN login_failures f ON f.username_key = u.username \
         WHERE u.username LIKE $1 ESCAPE '\\' ORDER BY u.id LIMIT $2 OFFSET $3",
    )
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username LIKE $1 ESCAPE '\\'")
        .bind(&pattern)
        .fetch_one(&mut *conn)
        .await?;
    Ok((rows, total))
}

/// Makes `%`, `_` and the escape character match themselves in a LIKE pattern.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// The ids of the active admins, locked until the transaction ends, so that a rule about
/// them (the last admin stays) holds against concurrent changes. SQLite's write transaction
/// already excludes every other writer; on PostgreSQL the rows are locked `FOR UPDATE`, in
/// id order (no deadlock between two such transactions), and a transaction that waited for
/// the lock re-reads the rows, so it sees a concurrent demotion that committed meanwhile.
pub async fn lock_active_admins(tx: &mut WriteTx) -> Result<Vec<UserId>, sqlx::Error> {
    let sql = match tx.backend() {
        Backend::Sqlite => "SELECT id FROM users WHERE role = 'admin' AND active = 1 ORDER BY id",
        Backend::Postgres => "SELECT id FROM users WHERE role = 'admin' AND active = 1 ORDER BY id FOR UPDATE",
    };
    sqlx::query_scalar(sql).fetch_all(&mut **tx).await
}

pub async fn update_role_and_active<'c>(
    db: impl Executor<'c, Database = Any>,
    id: UserId,
    role: Role,
    active: bool,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET role = $1, active = $2, updated_at = $3 WHERE id = $4")
        .bind(role.as_str())
        .bind(i64::from(active))
        .bind(now.0)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_must_change_password<'c>(
    db: impl Executor<'c, Database = Any>,
    id: UserId,
    must: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET must_change_password = $1 WHERE id = $2")
        .bind(i64::from(must))
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes the user; their sessions (and everything else they own) go with them.
pub async fn delete<'c>(db: impl Executor<'c, Database = Any>, id: UserId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM users WHERE id = $1").bind(id).execute(db).await?;
    Ok(done.rows_affected() == 1)
}
