//! `umbra admin backup --output FILE`: a consistent online copy of the SQLite database.

use std::path::Path;

use super::{Admin, Failure};
use crate::db::Backend;
use crate::db::backup::vacuum_into;
use crate::domain::audit_action::AuditAction;

pub async fn run(admin: &Admin, output: &Path) -> Result<String, Failure> {
    if admin.db.backend() == Backend::Postgres {
        return Err(Failure(
            "PostgreSQL databases are backed up with PostgreSQL's own tools: \
             pg_dump --format=custom --file=umbra.dump DATABASE (restore with pg_restore)"
                .into(),
        ));
    }
    if output.exists() {
        return Err(Failure(format!("{} exists; choose a new file name", output.display())));
    }
    // The copy holds password hashes: `vacuum_into` makes it private from the first byte.
    vacuum_into(&admin.db, output).await.map_err(|e| Failure(format!("backup failed: {e}")))?;
    let size = std::fs::metadata(output).map_or(0, |m| m.len());
    admin.audit(AuditAction::Backup, &output.display().to_string(), Some(format!("{size} bytes"))).await?;
    Ok(format!("Wrote a consistent backup to {} ({size} bytes).", output.display()))
}
