//! `umbra admin backup --output FILE`: a consistent online copy of the SQLite database.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::{Admin, Failure};
use crate::db::Backend;
use crate::db::backup::vacuum_into;

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
    vacuum_into(&admin.db, output).await.map_err(|e| Failure(format!("backup failed: {e}")))?;
    // The copy holds password hashes: only its owner may read it.
    std::fs::set_permissions(output, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| Failure(format!("cannot restrict {}: {e}", output.display())))?;
    let size = std::fs::metadata(output).map_or(0, |m| m.len());
    admin.audit("backup", &output.display().to_string(), Some(format!("{size} bytes"))).await?;
    Ok(format!("Wrote a consistent backup to {} ({size} bytes).", output.display()))
}
