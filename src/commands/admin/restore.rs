//! `umbra admin restore --input FILE`: replace the SQLite database with a verified backup.
//! Refused while a server holds the database; the previous database is kept beside it.

use std::path::{Path, PathBuf};

use super::Failure;
use crate::db::Db;
use crate::db::audit::{self, AuditEntry};
use crate::db::backup::{self, sqlite_file_of};
use crate::domain::audit_action::AuditAction;
use crate::domain::time::UtcMillis;
use crate::files::DatabaseLock;

pub async fn run(database_url: &str, input: &Path) -> Result<String, Failure> {
    let Some(live) = sqlite_file_of(database_url) else {
        return Err(Failure("PostgreSQL databases are restored with pg_restore, not umbra".into()));
    };
    let _lock = DatabaseLock::acquire(&live)
        .map_err(|e| Failure(format!("{e}; stop the server first (systemctl stop umbra)")))?;
    if !input.is_file() {
        return Err(Failure(format!("{} is not a file", input.display())));
    }
    // Check a copy next to the database (same file system, so the final rename is atomic).
    let staged = PathBuf::from(format!("{}.restoring", live.display()));
    // A leftover from an interrupted restore is ours to replace; the copy is private from
    // its first byte (the input's own mode is not carried over).
    let _ = std::fs::remove_file(&staged);
    crate::files::copy_private(input, &staged).map_err(|e| Failure(format!("cannot copy {}: {e}", input.display())))?;
    let migrator = crate::db::Db::migrator_for(crate::db::Backend::Sqlite);
    if let Err(e) = backup::verify(&staged, migrator).await {
        let _ = std::fs::remove_file(&staged);
        return Err(Failure(format!("restore refused, nothing changed: {e}")));
    }
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let aside = backup::swap_in(&live, &staged, &stamp).map_err(|e| Failure(e.to_string()))?;

    // An older backup is migrated forward now (with its own pre-migration snapshot).
    let db = Db::open(database_url).await.map_err(|e| Failure(format!("the restored database does not open: {e}")))?;
    let entry =
        AuditEntry { target: Some(input.display().to_string()), ..AuditEntry::new("cli", AuditAction::Restore) };
    audit::record(db.pool(), UtcMillis::now(), entry).await?;
    db.close().await;
    let kept = if Path::new(&aside).exists() {
        format!(" The previous database is kept as {}.", aside.display())
    } else {
        String::new()
    };
    Ok(format!("Restored {}.{kept}", input.display()))
}
