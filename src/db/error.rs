//! `DbError`: what a failed query means to a caller, the same on SQLite and PostgreSQL.
//! A unique violation names the column that clashed (→ 409), a foreign-key violation the
//! reference that points nowhere (→ 422, or 404 when the caller says the referenced object is
//! one they may not see); a database that cannot be reached (→ 503) or whose disk is full
//! (→ 507) is a condition of the machine, not a bug, and says so once in the log; everything
//! else is a real failure (→ 500). `error.rs` maps it once.
//!
//! The column comes from the driver's own words: SQLite says `UNIQUE constraint failed:
//! users.username`, PostgreSQL's detail says `Key (username)=(alice) already exists.` For a
//! composite constraint the last column is named: owner-scoped uniques put the owner first
//! (`UNIQUE (user_id, name)`), and the column the user typed is the one worth naming.

use std::sync::atomic::{AtomicI64, Ordering};

use sqlx::error::{DatabaseError, ErrorKind};
use sqlx::postgres::PgDatabaseError;
use sqlx::sqlite::SqliteError;

use crate::domain::time::UtcMillis;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A unique constraint refused the row; `field` is the clashing column when known.
    #[error("unique violation on {}", field.as_deref().unwrap_or("an unnamed column"))]
    Unique { field: Option<String> },
    /// A foreign key points at a row that does not exist. `hidden` says the caller may not
    /// learn whether it exists (another user's object): answered 404, not 422.
    #[error("foreign-key violation on {}", field.as_deref().unwrap_or("an unnamed column"))]
    ForeignKey { field: Option<String>, hidden: bool },
    /// Text the database cannot store (PostgreSQL refuses U+0000, e.g. from a query string).
    #[error("text the database cannot store")]
    InvalidText,
    /// PostgreSQL gave up on the transaction because of other transactions (a deadlock,
    /// 40P01, or a serialization failure, 40001): nothing was written, and the same request
    /// may succeed when tried again, so it is a 503 with Retry-After, never a 500.
    #[error("transaction aborted by concurrent work")]
    Contention,
    /// The database cannot be reached: no connection within the pool's acquire timeout
    /// (PostgreSQL down or restarting, the network gone), a connection that broke under the
    /// query, or the pool closed at shutdown. Nothing was written; the same request succeeds
    /// once the database is back, so it is a 503 with Retry-After, never a 500.
    #[error("the database is unavailable: {0}")]
    Unavailable(sqlx::Error),
    /// The disk holding the database is full (SQLITE_FULL, PostgreSQL's disk_full 53100):
    /// the write was rolled back, reads still work. A 507 until space is freed.
    #[error("the disk holding the database is full: {0}")]
    StorageFull(sqlx::Error),
    #[error(transparent)]
    Other(sqlx::Error),
}

pub type DbResult<T> = Result<T, DbError>;

impl DbError {
    /// Classifies a driver error.
    pub fn classify(error: sqlx::Error) -> Self {
        let sqlx::Error::Database(db) = &error else {
            return if unreachable(&error) { Self::unavailable(error) } else { Self::Other(error) };
        };
        if let Some(pg) = db.try_downcast_ref::<PgDatabaseError>() {
            match pg.code() {
                // "character not in repertoire": a NUL in text.
                "22021" => return Self::InvalidText,
                "40P01" | "40001" => return Self::Contention,
                "53100" => return Self::storage_full(error),
                // Connection exceptions (08…), the server shutting down or starting up
                // (57P01–57P03), too many connections (53300).
                code if code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300") => {
                    return Self::unavailable(error);
                }
                _ => {}
            }
        }
        // SQLITE_FULL: the primary result code is the low byte of the extended one.
        if db.try_downcast_ref::<SqliteError>().is_some_and(|e| {
            e.code().and_then(|code| code.parse::<i32>().ok()).is_some_and(|code| (code & 0xff) == SQLITE_FULL)
        }) {
            return Self::storage_full(error);
        }
        match db.kind() {
            ErrorKind::UniqueViolation => Self::Unique { field: column_of(db.as_ref()) },
            ErrorKind::ForeignKeyViolation => Self::ForeignKey { field: column_of(db.as_ref()), hidden: false },
            _ => Self::Other(error),
        }
    }

    /// Marks a foreign-key violation as naming an object the caller cannot see (→ 404), so
    /// that an id of someone else's object answers exactly like an id that never existed.
    #[must_use]
    pub fn reference_hidden(self) -> Self {
        match self {
            Self::ForeignKey { field, .. } => Self::ForeignKey { field, hidden: true },
            other => other,
        }
    }

    /// Names the field of a constraint violation when the driver does not (SQLite's
    /// foreign-key message names no column).
    #[must_use]
    pub fn on_field(self, name: &str) -> Self {
        match self {
            Self::Unique { field: None } => Self::Unique { field: Some(name.to_string()) },
            Self::ForeignKey { field: None, hidden } => Self::ForeignKey { field: Some(name.to_string()), hidden },
            other => other,
        }
    }

    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Unique { .. })
    }

    fn unavailable(error: sqlx::Error) -> Self {
        static LOGGED: AtomicI64 = AtomicI64::new(0);
        if now_and_then(&LOGGED) {
            tracing::error!(
                "no database connection (the database is unreachable or overloaded): requests are answered 503 \
                 until it answers again ({error})"
            );
        }
        Self::Unavailable(error)
    }

    fn storage_full(error: sqlx::Error) -> Self {
        static LOGGED: AtomicI64 = AtomicI64::new(0);
        if now_and_then(&LOGGED) {
            tracing::error!(
                "the disk holding the database is full: writes are refused (507) until space is freed; \
                 reads still work ({error})"
            );
        }
        Self::StorageFull(error)
    }
}

const SQLITE_FULL: i32 = 13;

/// A condition of the machine is logged once a minute, not once per request that meets it: one
/// clear line for the operator instead of a flood that buries it.
const LOG_EVERY_MS: i64 = UtcMillis::MINUTE;

/// Whether the last line of this kind is a minute old (and then it counts as written now).
fn now_and_then(last: &AtomicI64) -> bool {
    let now = UtcMillis::now().0;
    let before = last.load(Ordering::Relaxed);
    now - before >= LOG_EVERY_MS && last.compare_exchange(before, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
}

/// Errors that mean the database could not be reached or the connection to it broke: no
/// connection within the acquire timeout (the pool retries refused connections until then),
/// a socket or TLS failure under a query, the pool closed at shutdown.
fn unreachable(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed
    )
}

impl From<sqlx::Error> for DbError {
    fn from(error: sqlx::Error) -> Self {
        Self::classify(error)
    }
}

/// The column a constraint violation is about, from whichever words the driver offers.
fn column_of(error: &dyn DatabaseError) -> Option<String> {
    if let Some(pg) = error.try_downcast_ref::<PgDatabaseError>() {
        return pg.detail().and_then(postgres_key_column).or_else(|| pg.column().map(str::to_string));
    }
    sqlite_column(error.message())
}

/// `Key (user_id, name)=(1, x) already exists.` → `name`; `Key (lower(name))=…` → `name`.
fn postgres_key_column(detail: &str) -> Option<String> {
    let inner = detail.strip_prefix("Key (")?;
    let columns = &inner[..inner.find(")=(")?];
    last_column(columns.rsplit(',').next()?.trim().trim_end_matches(')').rsplit('(').next()?)
}

/// `UNIQUE constraint failed: todos.user_id, todos.name` → `name`.
fn sqlite_column(message: &str) -> Option<String> {
    let (_, columns) = message.split_once("constraint failed: ")?;
    last_column(columns.rsplit(',').next()?.trim().rsplit('.').next()?)
}

fn last_column(name: &str) -> Option<String> {
    let name = name.trim().trim_matches('"');
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::{postgres_key_column, sqlite_column};

    #[test]
    fn sqlite_messages_name_the_last_column() {
        assert_eq!(sqlite_column("UNIQUE constraint failed: users.username").as_deref(), Some("username"));
        assert_eq!(sqlite_column("UNIQUE constraint failed: todos.user_id, todos.name").as_deref(), Some("name"));
        assert_eq!(sqlite_column("FOREIGN KEY constraint failed"), None);
    }

    #[test]
    fn postgres_details_name_the_last_column() {
        assert_eq!(postgres_key_column("Key (username)=(alice) already exists.").as_deref(), Some("username"));
        assert_eq!(postgres_key_column("Key (user_id, name)=(1, a) already exists.").as_deref(), Some("name"));
        assert_eq!(postgres_key_column("Key (lower(name))=(a) already exists.").as_deref(), Some("name"));
        assert_eq!(
            postgres_key_column("Key (user_id)=(9) is not present in table \"users\".").as_deref(),
            Some("user_id")
        );
        assert_eq!(postgres_key_column("something else"), None);
    }
}
