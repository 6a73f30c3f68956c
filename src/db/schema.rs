//! Schema versions: what the database has applied against what this binary knows. A binary
//! older than its database refuses to start (it would not understand the data), a database
//! that holds tables but no UMBRA schema is refused (it is someone else's), and before
//! migrating an existing SQLite database a consistent snapshot is written to `backups/`.
//! An existing SQLite file is judged through a read-only connection before the pool opens it
//! (the pool's first statement switches the file to WAL, which would already change it), and
//! a damaged one is refused there too: a refused file is left byte for byte as it was.

use std::path::{Path, PathBuf};

use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, Connection};

use super::{Backend, Db};
use crate::domain::time::UtcMillis;

/// How many pre-migration snapshots are kept.
const KEEP_SNAPSHOTS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(
        "the database has schema version {found}, newer than this umbra {version} understands \
         (up to {known}), so it was left untouched; install the newer umbra again, never downgrade"
    )]
    TooNew { found: i64, known: i64, version: &'static str },
    #[error(
        "the database holds {what}: it is not UMBRA's, so it was left untouched; point \
         database_url at UMBRA's own database or at a new one"
    )]
    Foreign { what: String },
    #[error(
        "the database file {file} is damaged ({why}), so it was left untouched; restore a backup \
         (umbra admin restore) or move the file away"
    )]
    Damaged { file: String, why: String },
    #[error("cannot snapshot the database before migrating it: {0}")]
    Snapshot(String),
    #[error("cannot read the schema version: {0}")]
    Read(#[from] sqlx::Error),
}

impl SchemaError {
    /// Whether the database itself is refused (as opposed to a failure to read or snapshot it).
    pub fn is_refusal(&self) -> bool {
        matches!(self, Self::TooNew { .. } | Self::Foreign { .. } | Self::Damaged { .. })
    }
}

/// Refuses a database that has tables but no migration ledger, a ledger of some other
/// program's migrations, or migrations this binary does not know. `tables` is empty where
/// tables do not count (PostgreSQL, see `telling_tables`).
fn judge(tables: &[String], applied: &[i64], migrator: &Migrator) -> Result<(), SchemaError> {
    let known: Vec<i64> = migrator.iter().map(|m| m.version).collect();
    if !tables.is_empty() && !tables.iter().any(|t| t == "_sqlx_migrations") {
        let names = tables.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
        let more = match tables.len() {
            0..=5 => String::new(),
            n => format!(" and {} more", n - 5),
        };
        return Err(SchemaError::Foreign { what: format!("tables ({names}{more}) but no UMBRA schema") });
    }
    if !applied.is_empty() && !applied.iter().any(|v| known.contains(v)) {
        return Err(SchemaError::Foreign { what: "another program's migrations, none of UMBRA's".into() });
    }
    if let Some(&found) = applied.iter().find(|v| !known.contains(v)) {
        let newest_known = known.iter().copied().max().unwrap_or(0);
        return Err(SchemaError::TooNew { found, known: newest_known, version: env!("CARGO_PKG_VERSION") });
    }
    Ok(())
}

/// Judges an existing SQLite file before anything opens it for writing: through one read-only
/// connection, it must pass `PRAGMA quick_check` and hold UMBRA's schema of a version this
/// binary knows (or nothing at all: a new database). A missing or empty file is a new database.
pub async fn check_sqlite_file(file: &Path, migrator: &Migrator) -> Result<(), SchemaError> {
    if std::fs::metadata(file).map_or(true, |m| m.len() == 0) {
        return Ok(());
    }
    let damaged = |why: String| SchemaError::Damaged { file: file.display().to_string(), why };
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", file.display());
    let mut conn = AnyConnection::connect(&url).await.map_err(|e| damaged(sqlite_words(&e)))?;
    let verdict = async {
        // The first problem is enough to refuse; quick_check reads every page once, without
        // the index cross-checks of integrity_check.
        let check: String = sqlx::query_scalar("PRAGMA quick_check(1)")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| damaged(sqlite_words(&e)))?;
        if check != "ok" {
            return Err(damaged(check));
        }
        let tables: Vec<String> = sqlx::query_scalar(SQLITE_TABLES).fetch_all(&mut conn).await?;
        let applied: Vec<i64> = if tables.iter().any(|t| t == "_sqlx_migrations") {
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
                .fetch_all(&mut conn)
                .await?
        } else {
            Vec::new()
        };
        judge(&tables, &applied, migrator)
    }
    .await;
    let _ = conn.close().await;
    verdict
}

/// SQLite's own words for what is wrong ("file is not a database"), without the driver's
/// decoration.
fn sqlite_words(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(db) => db.message().to_string(),
        other => other.to_string(),
    }
}

/// Versions applied to the database, ascending; empty for a new database.
pub async fn applied_versions(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    let exists_sql = match db.backend() {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = '_sqlx_migrations' AND table_schema = current_schema()"
        }
    };
    let exists: i64 = sqlx::query_scalar(exists_sql).fetch_one(db.pool()).await?;
    if exists == 0 {
        return Ok(Vec::new());
    }
    sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version").fetch_all(db.pool()).await
}

/// The tables a SQLite database holds (SQLite's own internal tables left out).
const SQLITE_TABLES: &str =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";

/// The tables that speak for whose database this is. On PostgreSQL none: a schema may hold an
/// extension's tables (PostGIS's `spatial_ref_sys`) beside UMBRA's, so only the migration
/// ledger is judged there.
async fn telling_tables(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    match db.backend() {
        Backend::Sqlite => sqlx::query_scalar(SQLITE_TABLES).fetch_all(db.pool()).await,
        Backend::Postgres => Ok(Vec::new()),
    }
}

/// Whether the database has every migration this binary embeds and none it does not know:
/// what `/ready` calls "migrations current".
pub async fn is_current(db: &Db) -> Result<bool, sqlx::Error> {
    let applied = applied_versions(db).await?;
    let mut known: Vec<i64> = db.migrator().iter().map(|m| m.version).collect();
    known.sort_unstable();
    Ok(applied == known)
}

/// Refuses a database from the future or someone else's; snapshots an existing SQLite
/// database that is about to be migrated. Returns the snapshot's path when one was written.
pub async fn prepare(db: &Db, migrator: &Migrator) -> Result<Option<PathBuf>, SchemaError> {
    let applied = applied_versions(db).await?;
    judge(&telling_tables(db).await?, &applied, migrator)?;
    let known: Vec<i64> = migrator.iter().map(|m| m.version).collect();
    let pending = known.iter().any(|v| !applied.contains(v));
    let (Some(&current), true, Some(file)) = (applied.last(), pending, db.sqlite_file()) else {
        return Ok(None);
    };
    let dir = file.parent().unwrap_or(Path::new(".")).join("backups");
    let stamp = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(UtcMillis::now().0)
        .unwrap_or_default()
        .format("%Y%m%dT%H%M%S%.3fZ");
    let snapshot = dir.join(format!("pre-migrate-v{current}-{stamp}.db"));
    crate::files::create_private_dir(&dir).map_err(|e| SchemaError::Snapshot(e.to_string()))?;
    super::backup::vacuum_into(db, &snapshot).await.map_err(|e| SchemaError::Snapshot(e.to_string()))?;
    prune_snapshots(&dir);
    tracing::info!(snapshot = %snapshot.display(), "snapshot written before migrating the database");
    Ok(Some(snapshot))
}

/// Keeps the newest snapshots; their names end in a sortable timestamp.
fn prune_snapshots(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut snapshots: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.to_string();
            let stamp = name.strip_prefix("pre-migrate-")?.split_once('-')?.1.to_string();
            Some((stamp, path))
        })
        .collect();
    snapshots.sort();
    let excess = snapshots.len().saturating_sub(KEEP_SNAPSHOTS);
    for (_, old) in snapshots.into_iter().take(excess) {
        if let Err(e) = std::fs::remove_file(&old) {
            tracing::warn!("cannot remove old snapshot {}: {e}", old.display());
        }
    }
}
