//! Data safety: online backups under write load, verified restores, snapshots before
//! migrations, and refusing a database from a newer binary.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use umbra::config::sqlite_url;
use umbra::db::Db;
use umbra::db::audit::{self, AuditEntry};
use umbra::domain::time::UtcMillis;

use crate::harness::app;
use crate::live::{stderr, stdout, umbra};

async fn count_rows(url: &str, actor: &str) -> i64 {
    let db = Db::connect(url).await.unwrap();
    let n = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE actor = $1")
        .bind(actor.to_string())
        .fetch_one(db.pool())
        .await
        .unwrap();
    db.close().await;
    n
}

#[tokio::test]
async fn a_backup_under_write_load_restores_everything_acknowledged_before_it() {
    let app = app().await;
    if app.db.sqlite_file().is_none() {
        // PostgreSQL: the command explains pg_dump instead of pretending.
        let out = umbra(&["admin", "backup", "--output", "/tmp/x.db", "--database-url", &app.database.url], None);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("pg_dump"), "{}", stderr(&out));
        return;
    }
    // A writer that counts the rows whose INSERT has returned.
    let acknowledged = Arc::new(AtomicI64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (db, acknowledged, stop) = (app.db.clone(), acknowledged.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let entry = AuditEntry::new("load", umbra::domain::audit_action::AuditAction::Backup);
                audit::record(db.pool(), UtcMillis::now(), entry).await.unwrap();
                acknowledged.fetch_add(1, Ordering::SeqCst);
                // A steady load, not a starving one: the backup's own writes get a turn.
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
        })
    };
    while acknowledged.load(Ordering::SeqCst) < 200 {
        tokio::task::yield_now().await;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("umbra-backup.db");
    let before = acknowledged.load(Ordering::SeqCst);
    let url = app.database.url.clone();
    let target = file.clone();
    let out = tokio::task::spawn_blocking(move || {
        umbra(&["admin", "backup", "--output", target.to_str().unwrap(), "--database-url", &url], None)
    })
    .await
    .unwrap();
    let during = acknowledged.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(during > before, "writes went on during the backup ({before} → {during})");
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);

    // Restore into a fresh data folder and look inside.
    let restored_dir = dir.path().join("restored");
    let restore = umbra(
        &["admin", "restore", "--input", file.to_str().unwrap(), "--data-dir", restored_dir.to_str().unwrap()],
        None,
    );
    assert!(restore.status.success(), "{}", stderr(&restore));
    let restored_url = sqlite_url(&restored_dir.join("umbra.db"));
    let db = Db::connect(&restored_url).await.unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(db.pool()).await.unwrap();
    assert_eq!(check, "ok");
    db.close().await;
    let rows = count_rows(&restored_url, "load").await;
    assert!(rows >= before, "{rows} rows restored, {before} acknowledged before the backup");
    assert!(rows <= during, "no row from after the backup finished");
}

#[tokio::test]
async fn restoring_garbage_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let url = sqlite_url(&data.join("umbra.db"));
    // Only `serve` creates a database; this is what it does first.
    Db::open(&url).await.unwrap().close().await;
    let created = umbra(
        &["admin", "create-user", "alice", "--password-stdin", "--data-dir", data.to_str().unwrap()],
        Some(crate::harness::PASSWORD),
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let original = std::fs::read(data.join("umbra.db")).unwrap();

    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, vec![0x42u8; 64 * 1024]).unwrap();
    let not_umbra = dir.path().join("other.db");
    let other = Db::connect(&sqlite_url(&not_umbra)).await.unwrap();
    sqlx::query("CREATE TABLE notes (body TEXT)").execute(other.pool()).await.unwrap();
    other.close().await;

    for (file, reason) in [(&garbage, "not a usable UMBRA database"), (&not_umbra, "no UMBRA schema")] {
        let out =
            umbra(&["admin", "restore", "--input", file.to_str().unwrap(), "--data-dir", data.to_str().unwrap()], None);
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        assert!(stderr(&out).contains(reason) && stderr(&out).contains("nothing changed"), "{}", stderr(&out));
    }
    assert_eq!(std::fs::read(data.join("umbra.db")).unwrap(), original, "database untouched");
    assert!(!Path::new(&format!("{}.restoring", data.join("umbra.db").display())).exists());
    assert!(stdout(&umbra(&["admin", "list-users", "--database-url", &url], None)).contains("alice"));
}

#[tokio::test]
async fn restore_is_refused_while_a_server_holds_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let backup_file = dir.path().join("b.db");
    Db::open(&sqlite_url(&data.join("umbra.db"))).await.unwrap().close().await;
    assert!(
        umbra(
            &["admin", "backup", "--output", backup_file.to_str().unwrap(), "--data-dir", data.to_str().unwrap()],
            None
        )
        .status
        .success()
    );
    // What `umbra serve` holds for its lifetime.
    let lock = umbra::files::DatabaseLock::acquire(&data.join("umbra.db")).unwrap();
    let refused = umbra(
        &["admin", "restore", "--input", backup_file.to_str().unwrap(), "--data-dir", data.to_str().unwrap()],
        None,
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("stop the server first"), "{}", stderr(&refused));
    drop(lock);
    let restored = umbra(
        &["admin", "restore", "--input", backup_file.to_str().unwrap(), "--data-dir", data.to_str().unwrap()],
        None,
    );
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert!(stdout(&restored).contains("previous database is kept"), "{}", stdout(&restored));
}

/// Builds a database at an older schema: only the first migration applied.
async fn database_at_first_migration(url: &str) {
    let old = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite/0001_core.sql");
    std::fs::copy(source, old.path().join("0001_core.sql")).unwrap();
    let migrator = sqlx::migrate::Migrator::new(old.path()).await.unwrap();
    let db = Db::connect(url).await.unwrap();
    migrator.run(db.pool()).await.unwrap();
    db.close().await;
}

#[tokio::test]
async fn a_snapshot_is_taken_before_pending_migrations_and_five_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("umbra.db"));
    database_at_first_migration(&url).await;
    let backups = dir.path().join("backups");
    std::fs::create_dir_all(&backups).unwrap();
    for n in 0..5 {
        std::fs::write(backups.join(format!("pre-migrate-v1-2020010{n}T000000.000Z.db")), b"old").unwrap();
    }

    let db = Db::open(&url).await.unwrap();
    db.close().await;
    let mut names: Vec<String> =
        std::fs::read_dir(&backups).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(!names.contains(&"pre-migrate-v1-20200100T000000.000Z.db".to_string()), "the oldest went");
    let snapshot = backups.join(names.last().unwrap());
    assert!(!names.last().unwrap().starts_with("pre-migrate-v1-2020"), "a new snapshot: {names:?}");
    // The snapshot is the database as it was: schema version 1 only.
    let old = Db::connect(&sqlite_url(&snapshot)).await.unwrap();
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations").fetch_all(old.pool()).await.unwrap();
    assert_eq!(versions, vec![1]);
    old.close().await;

    // Nothing pending: no new snapshot.
    let again = Db::open(&url).await.unwrap();
    again.close().await;
    assert_eq!(std::fs::read_dir(&backups).unwrap().count(), 5);
}

/// Records a migration `version` this build does not have, as a newer UMBRA would have left it.
pub async fn mark_as_from_a_newer_umbra(url: &str, version: i64) {
    let db = Db::connect(url).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
         VALUES ($1, 'from the future', CURRENT_TIMESTAMP, 1, x'00', 0)",
    )
    .bind(version)
    .execute(db.pool())
    .await
    .unwrap();
    db.close().await;
}

#[tokio::test]
async fn a_database_from_a_newer_umbra_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("umbra.db"));
    Db::open(&url).await.unwrap().close().await;
    mark_as_from_a_newer_umbra(&url, 9999).await;
    let out = umbra(&["admin", "list-users", "--database-url", &url], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("schema version 9999") && stderr(&out).contains("never downgrade"),
        "{}",
        stderr(&out)
    );
    let served =
        umbra(&["serve", "--listen", "127.0.0.1:0", "--no-tls", "--data-dir", dir.path().to_str().unwrap()], None);
    // Exit code 3: the database refused (README "Exit codes").
    assert_eq!(served.status.code(), Some(3));
    assert!(stderr(&served).contains("newer"), "{}", stderr(&served));
}

#[test]
fn admin_commands_refuse_a_missing_data_folder_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("mistyped");
    let output = dir.path().join("x.db");
    let data = missing.to_str().unwrap();
    let commands: [&[&str]; 4] = [
        &["admin", "backup", "--data-dir", data, "--output", output.to_str().unwrap()],
        &["admin", "list-users", "--data-dir", data],
        &["admin", "setup-code", "--data-dir", data],
        &["admin", "revoke-sessions", "alice", "--data-dir", data],
    ];
    for args in commands {
        let out = umbra(args, None);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stdout(&out));
        assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
        assert!(stderr(&out).contains("no UMBRA database"), "{}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    }
    assert!(!missing.exists(), "no data folder was created");
    assert!(!output.exists(), "no backup was written");
    // An existing folder without a database is refused the same way.
    std::fs::create_dir(&missing).unwrap();
    let out = umbra(&["admin", "list-users", "--data-dir", data], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_dir(&missing).unwrap().count(), 0, "nothing created inside it");
}

#[tokio::test]
async fn snapshots_and_restored_databases_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("umbra.db"));
    database_at_first_migration(&url).await;
    Db::open(&url).await.unwrap().close().await;
    let snapshots: Vec<_> = std::fs::read_dir(dir.path().join("backups")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(snapshots.len(), 1);
    assert_eq!(std::fs::metadata(&snapshots[0]).unwrap().permissions().mode() & 0o777, 0o600, "snapshot");

    // A backup that others may read is restored as a database only its owner may read.
    let readable = dir.path().join("readable.db");
    std::fs::copy(&snapshots[0], &readable).unwrap();
    std::fs::set_permissions(&readable, std::fs::Permissions::from_mode(0o644)).unwrap();
    let data = dir.path().join("data");
    let restored =
        umbra(&["admin", "restore", "--input", readable.to_str().unwrap(), "--data-dir", data.to_str().unwrap()], None);
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert_eq!(std::fs::metadata(data.join("umbra.db")).unwrap().permissions().mode() & 0o777, 0o600, "restored");
}

#[test]
fn serve_refuses_a_secret_key_others_can_read() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("secret.key");
    std::fs::write(&key, hex::encode([7u8; 64])).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let data = dir.path().to_str().unwrap();
    let out = umbra(&["serve", "--data-dir", data, "--listen", "127.0.0.1:0", "--no-tls"], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("secret.key") && stderr(&out).contains("chmod 600"), "{}", stderr(&out));
    assert!(!dir.path().join("umbra.db").exists(), "refused before anything else");

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(umbra::files::load_or_create_secret_key(dir.path()).unwrap(), [7u8; 64]);
}
