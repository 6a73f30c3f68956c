//! `DbError`: what a failed query means to a caller, the same on SQLite and PostgreSQL.
//! A unique violation names the column that clashed (→ 409), a foreign-key violation the
//! reference that points nowhere (→ 422, or 404 when the caller says the referenced object is
//! one they may not see); everything else is a real failure (→ 500). `error.rs` maps it once.
//!
//! The column comes from the driver's own words: SQLite says `UNIQUE constraint failed:
//! users.username`, PostgreSQL's detail says `Key (username)=(alice) already exists.` For a
//! composite constraint the last column is named: owner-scoped uniques put the owner first
//! (`UNIQUE (user_id, name)`), and the column the user typed is the one worth naming.

use sqlx::error::{DatabaseError, ErrorKind};
use sqlx::postgres::PgDatabaseError;

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
    #[error(transparent)]
    Other(sqlx::Error),
}

pub type DbResult<T> = Result<T, DbError>;

impl DbError {
    /// Classifies a driver error.
    pub fn classify(error: sqlx::Error) -> Self {
        let sqlx::Error::Database(db) = &error else { return Self::Other(error) };
        // PostgreSQL's "character not in repertoire" (22021): a NUL in text.
        if db.try_downcast_ref::<PgDatabaseError>().is_some_and(|pg| pg.code() == "22021") {
            return Self::InvalidText;
        }
        if db.try_downcast_ref::<PgDatabaseError>().is_some_and(|pg| matches!(pg.code(), "40P01" | "40001")) {
            return Self::Contention;
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
