//! Key/value system settings shared by every server process (registration, setup code, …).

use sqlx::{Acquire, Any, Executor};

pub const SETUP_CODE: &str = "setup_code";
pub const REGISTRATION_OPEN: &str = "registration_open";

pub async fn get<'c>(db: impl Executor<'c, Database = Any>, key: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT value FROM system_config WHERE key = $1").bind(key).fetch_optional(db).await
}

pub async fn set<'c>(db: impl Executor<'c, Database = Any>, key: &str, value: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO system_config (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(db)
    .await?;
    Ok(())
}

/// Stores `value` unless the key already has one, and returns whichever value won, so that
/// several processes starting at once agree on one setup code.
pub async fn get_or_insert<'c>(
    db: impl Acquire<'c, Database = Any>,
    key: &str,
    value: &str,
) -> Result<String, sqlx::Error> {
    let mut conn = db.acquire().await?;
    sqlx::query("INSERT INTO system_config (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(key)
        .bind(value)
        .execute(&mut *conn)
        .await?;
    Ok(get(&mut *conn, key).await?.unwrap_or_else(|| value.to_string()))
}

/// Deletes the key if it holds exactly `value`; true when this call consumed it.
pub async fn take_if_equals(conn: &mut sqlx::AnyConnection, key: &str, value: &str) -> Result<bool, sqlx::Error> {
    let taken = sqlx::query("DELETE FROM system_config WHERE key = $1 AND value = $2")
        .bind(key)
        .bind(value)
        .execute(conn)
        .await?;
    Ok(taken.rows_affected() == 1)
}

pub async fn delete<'c>(db: impl Executor<'c, Database = Any>, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM system_config WHERE key = $1").bind(key).execute(db).await?;
    Ok(())
}

pub async fn flag<'c>(db: impl Executor<'c, Database = Any>, key: &str) -> Result<bool, sqlx::Error> {
    Ok(get(db, key).await?.as_deref() == Some("true"))
}
