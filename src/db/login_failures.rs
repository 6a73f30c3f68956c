//! Failed-login counters per submitted username (lower case), kept whether or not the user
//! exists, so that responses for real and made-up names cannot be told apart. They live in the
//! database so that a lock holds across restarts and across processes sharing PostgreSQL.

use sqlx::AnyPool;

use crate::domain::time::UtcMillis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureState {
    /// Failures since the last success or the last lock.
    pub failures: i64,
    pub locked_until: Option<UtcMillis>,
}

pub async fn get(pool: &AnyPool, key: &str) -> Result<FailureState, sqlx::Error> {
    let row: Option<(i64, Option<i64>)> =
        sqlx::query_as("SELECT failures, locked_until FROM login_failures WHERE username_key = $1")
            .bind(key)
            .fetch_optional(pool)
            .await?;
    Ok(row.map_or(FailureState { failures: 0, locked_until: None }, |(failures, until)| FailureState {
        failures,
        locked_until: until.map(UtcMillis),
    }))
}

/// Counts one failure atomically. Reaching `threshold` locks the name until `lock_until` and
/// starts the count again from zero, so the first attempt after the lock is a fresh start.
pub async fn record_failure(
    pool: &AnyPool,
    key: &str,
    now: UtcMillis,
    threshold: i64,
    lock_until: UtcMillis,
) -> Result<FailureState, sqlx::Error> {
    let (first_failures, first_lock) = if threshold <= 1 { (0, Some(lock_until.0)) } else { (1, None) };
    let (failures, locked_until): (i64, Option<i64>) = sqlx::query_as(
        "INSERT INTO login_failures (username_key, failures, locked_until, updated_at) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (username_key) DO UPDATE SET \
           failures = CASE WHEN login_failures.failures + 1 >= $5 THEN 0 ELSE login_failures.failures + 1 END, \
           locked_until = CASE WHEN login_failures.failures + 1 >= $5 THEN $6 ELSE login_failures.locked_until END, \
           updated_at = excluded.updated_at \
         RETURNING failures, locked_until",
    )
    .bind(key)
    .bind(first_failures)
    .bind(first_lock)
    .bind(now.0)
    .bind(threshold)
    .bind(lock_until.0)
    .fetch_one(pool)
    .await?;
    Ok(FailureState { failures, locked_until: locked_until.map(UtcMillis) })
}

/// Forgets failures and any lock for the name (after a success, or by an admin).
pub async fn clear(pool: &AnyPool, key: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM login_failures WHERE username_key = $1").bind(key).execute(pool).await?;
    Ok(done.rows_affected() > 0)
}

/// Drops counters that are neither locked nor recent, so spraying names cannot grow the
/// table without bound; a day without failures forgives earlier ones.
pub async fn prune(pool: &AnyPool, now: UtcMillis) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM login_failures WHERE (locked_until IS NULL OR locked_until < $1) AND updated_at < $2")
            .bind(now.0)
            .bind(now.plus_minutes(-24 * 60).0)
            .execute(pool)
            .await?;
    Ok(done.rows_affected())
}
