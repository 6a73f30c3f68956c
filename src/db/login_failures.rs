//! Failed-attempt counters: wrong passwords per submitted username (lower case, kept whether
//! or not the user exists, so that responses for real and made-up names cannot be told
//! apart), and wrong second-factor codes per user. They live in the database so that a lock
//! holds across restarts and across processes sharing PostgreSQL.
//!
//! An attempt is *reserved* before the secret is checked, in one statement that counts it
//! and refuses it while the counter is locked: the check (an Argon2 verification, a code
//! comparison) happens only for attempts that got a reservation, so no amount of
//! parallelism gets more than `threshold` checks per lockout window. A success gives the
//! counter back ([`forgive`]); a failure needs no second write, it was counted up front.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Acquire, Any, Executor};

use crate::domain::id::UserId;
use crate::domain::time::UtcMillis;

/// Which counter an attempt is counted on.
#[derive(Debug, Clone, Copy)]
pub enum Counter<'a> {
    /// Wrong passwords for a submitted name (see `Username::lockout_key`).
    Password(&'a str),
    /// Wrong TOTP or recovery codes for a user: a correct password does not forgive these.
    SecondFactor(UserId),
}

impl Counter<'_> {
    /// Table and key column: fixed names, never input.
    fn table(self) -> (&'static str, &'static str) {
        match self {
            Counter::Password(_) => ("login_failures", "username_key"),
            Counter::SecondFactor(_) => ("second_factor_failures", "user_id"),
        }
    }

    fn bind_key(self, query: Query<'_, sqlx::Any, AnyArguments>) -> Query<'_, sqlx::Any, AnyArguments> {
        match self {
            Counter::Password(key) => query.bind(key.to_owned()),
            Counter::SecondFactor(user_id) => query.bind(user_id),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureState {
    /// Attempts since the last success or the last lock, counting those still being checked.
    pub failures: i64,
    pub locked_until: Option<UtcMillis>,
}

const NONE: FailureState = FailureState { failures: 0, locked_until: None };

pub async fn get<'c>(db: impl Executor<'c, Database = Any>, counter: Counter<'_>) -> Result<FailureState, sqlx::Error> {
    let (table, key) = counter.table();
    let sql = format!("SELECT failures, locked_until FROM {table} WHERE {key} = $1");
    let row: Option<(i64, Option<i64>)> = counter
        .bind_key(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .try_map(|row| sqlx::FromRow::from_row(&row))
        .fetch_optional(db)
        .await?;
    Ok(row.map_or(NONE, |(failures, until)| FailureState { failures, locked_until: until.map(UtcMillis) }))
}

/// Reserves one attempt: `None` while the counter is locked (the attempt must not be checked),
/// else the state with this attempt counted. The attempt that brings the count to
/// `threshold` locks the counter until `lock_until` as it is reserved, so that no other
/// attempt starts while it is being checked; an expired lock starts the count afresh.
pub async fn reserve<'c>(
    db: impl Executor<'c, Database = Any>,
    counter: Counter<'_>,
    now: UtcMillis,
    threshold: i64,
    lock_until: UtcMillis,
) -> Result<Option<FailureState>, sqlx::Error> {
    let (table, key) = counter.table();
    let first_lock = (threshold <= 1).then_some(lock_until.0);
    // One statement: the row lock (PostgreSQL) or the write lock (SQLite) makes the test and
    // the increment atomic, even between processes. An upsert whose WHERE is false returns
    // no row: that is the refusal.
    let sql = format!(
        "INSERT INTO {table} ({key}, failures, locked_until, updated_at) VALUES ($1, 1, $2, $3) \
         ON CONFLICT ({key}) DO UPDATE SET \
           failures = CASE WHEN {table}.locked_until IS NULL THEN {table}.failures + 1 ELSE 1 END, \
           locked_until = CASE WHEN (CASE WHEN {table}.locked_until IS NULL THEN {table}.failures + 1 ELSE 1 END) >= $4 \
                          THEN $5 ELSE NULL END, \
           updated_at = excluded.updated_at \
         WHERE {table}.locked_until IS NULL OR {table}.locked_until <= $3 \
         RETURNING failures, locked_until"
    );
    let row: Option<(i64, Option<i64>)> = counter
        .bind_key(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .bind(first_lock)
        .bind(now.0)
        .bind(threshold)
        .bind(lock_until.0)
        .try_map(|row| sqlx::FromRow::from_row(&row))
        .fetch_optional(db)
        .await?;
    Ok(row.map(|(failures, until)| FailureState { failures, locked_until: until.map(UtcMillis) }))
}

/// A reserved attempt succeeded: forgets the counter, unless another attempt locked it
/// meanwhile (`locked_by_this` says whether this attempt's own reservation set the lock).
/// Someone who knows the secret gets in either way; guesses made beside them stay counted.
pub async fn forgive<'c>(
    db: impl Executor<'c, Database = Any>,
    counter: Counter<'_>,
    now: UtcMillis,
    locked_by_this: bool,
) -> Result<(), sqlx::Error> {
    let (table, key) = counter.table();
    let sql =
        format!("DELETE FROM {table} WHERE {key} = $1 AND (locked_until IS NULL OR locked_until <= $2 OR $3 = 1)");
    counter
        .bind_key(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .bind(now.0)
        .bind(i64::from(locked_by_this))
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets failures and any lock (an admin's reset, a deleted user).
pub async fn clear<'c>(db: impl Executor<'c, Database = Any>, counter: Counter<'_>) -> Result<bool, sqlx::Error> {
    let (table, key) = counter.table();
    let sql = format!("DELETE FROM {table} WHERE {key} = $1");
    let done = counter.bind_key(sqlx::query(sqlx::AssertSqlSafe(sql))).execute(db).await?;
    Ok(done.rows_affected() > 0)
}

/// Drops counters that are neither locked nor recent, so spraying names cannot grow the
/// table without bound; a day without failures forgives earlier ones.
pub async fn prune<'c>(db: impl Acquire<'c, Database = Any>, now: UtcMillis) -> Result<u64, sqlx::Error> {
    let mut conn = db.acquire().await?;
    let mut pruned = 0;
    for table in ["login_failures", "second_factor_failures"] {
        let sql = format!("DELETE FROM {table} WHERE (locked_until IS NULL OR locked_until < $1) AND updated_at < $2");
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now.0)
            .bind(now.plus_minutes(-24 * 60).0)
            .execute(&mut *conn)
            .await?;
        pruned += done.rows_affected();
    }
    Ok(pruned)
}
