//! Schema versions: what the database has applied against what this binary knows. A binary
//! older than its database refuses to start (it would not understand the data), and before
//! migrating an existing SQLite database a consistent snapshot is written to `backups/`.

use std::path::{Path, PathBuf};

use sqlx::migrate::Migrator;

use super::{Backend, Db};
use crate::domain::time::UtcMillis;

/// How many pre-migration snapshots are kept.
const KEEP_SNAPSHOTS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(
        "the database has schema version {found}, newer than this umbra {version} understands \
         (up to {known}); install the newer umbra again, never downgrade"
    )]
    TooNew { found: i64, known: i64, version: &'static str },
    #[error("cannot snapshot the database before migrating it: {0}")]
    Snapshot(String),
    #[error("cannot read the schema version: {0}")]
    Read(#[from] sqlx::Error),
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

/// Refuses a database from the future; snapshots an existing SQLite database that is about
/// to be migrated. Returns the snapshot's path when one was written.
pub async fn prepare(db: &Db, migrator: &Migrator) -> Result<Option<PathBuf>, SchemaError> {
    let applied = applied_versions(db).await?;
    let known: Vec<i64> = migrator.iter().map(|m| m.version).collect();
    let newest_known = known.iter().copied().max().unwrap_or(0);
    if let Some(&found) = applied.iter().find(|v| !known.contains(v)) {
        return Err(SchemaError::TooNew { found, known: newest_known, version: env!("CARGO_PKG_VERSION") });
    }
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
