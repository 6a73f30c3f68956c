//! Online backups and offline restores of the SQLite database. A backup is `VACUUM INTO`:
//! one consistent snapshot even while the server writes. A restore checks the file first and
//! keeps the previous database beside it. PostgreSQL has its own tools (pg_dump/pg_restore).

use std::path::{Path, PathBuf};

use sqlx::{AnyConnection, Connection};

use super::{Backend, Db};

/// Writes a consistent copy of the live database to `target` (which must not exist). The
/// file is made empty and private first (SQLite writes into an empty file), so the copy is
/// never readable by others, not even while it is being written.
pub async fn vacuum_into(db: &Db, target: &Path) -> Result<(), sqlx::Error> {
    crate::files::create_private_file(target)?;
    let result = sqlx::query("VACUUM INTO $1").bind(target.to_string_lossy().into_owned()).execute(db.pool()).await;
    if let Err(e) = result {
        let _ = std::fs::remove_file(target);
        return Err(e);
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("{0} is not a usable UMBRA database: {1}")]
    NotUmbra(String, String),
    #[error("{0}")]
    Io(String),
}

/// Checks that `candidate` is an intact UMBRA database of a schema this binary supports.
/// One plain connection, not a pool: a pool would keep retrying a file that is no database.
pub async fn verify(candidate: &Path, migrator: &sqlx::migrate::Migrator) -> Result<(), RestoreError> {
    let name = candidate.display().to_string();
    let not_umbra = |why: String| RestoreError::NotUmbra(name.clone(), why);
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=rw", candidate.display());
    let mut conn = AnyConnection::connect(&url).await.map_err(|e| not_umbra(e.to_string()))?;
    let result = async {
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| not_umbra(e.to_string()))?;
        if check != "ok" {
            return Err(not_umbra(format!("integrity check failed: {check}")));
        }
        let has_schema: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('_sqlx_migrations', 'users')",
        )
        .fetch_one(&mut conn)
        .await
        .map_err(|e| not_umbra(e.to_string()))?;
        if has_schema != 2 {
            return Err(not_umbra("it has no UMBRA schema".into()));
        }
        let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&mut conn)
            .await
            .map_err(|e| not_umbra(e.to_string()))?;
        let known: Vec<i64> = migrator.iter().map(|m| m.version).collect();
        match applied.iter().find(|v| !known.contains(v)) {
            Some(v) => Err(not_umbra(format!("its schema version {v} is newer than this umbra supports"))),
            None => Ok(()),
        }
    }
    .await;
    let _ = conn.close().await;
    result
}

/// The paths of a database file and its companions, which move together.
fn with_companions(file: &Path) -> Vec<(PathBuf, String)> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| (PathBuf::from(format!("{}{suffix}", file.display())), (*suffix).to_string()))
        .collect()
}

/// Replaces the database at `live` with the verified copy at `verified`, moving the old
/// database (and its WAL) aside as `<live>.before-restore-<stamp>`. Returns that path.
pub fn swap_in(live: &Path, verified: &Path, stamp: &str) -> Result<PathBuf, RestoreError> {
    let aside = PathBuf::from(format!("{}.before-restore-{stamp}", live.display()));
    let io = |what: &str, e: std::io::Error| RestoreError::Io(format!("{what}: {e}"));
    for (path, suffix) in with_companions(live) {
        if path.exists() {
            std::fs::rename(&path, format!("{}{suffix}", aside.display()))
                .map_err(|e| io("cannot move the old database aside", e))?;
        }
    }
    std::fs::rename(verified, live).map_err(|e| io("cannot put the restored database in place", e))?;
    Ok(aside)
}

impl Db {
    /// The database file, for SQLite.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        match self.backend() {
            Backend::Sqlite => sqlite_file_of(&self.url),
            Backend::Postgres => None,
        }
    }
}

/// The file behind a `sqlite://` URL (none for in-memory databases).
pub fn sqlite_file_of(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}
