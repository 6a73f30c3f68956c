//! Startup refusal: `umbra serve` on a database file it must not use — random bytes, an UMBRA
//! database cut short, a valid SQLite file of another program, an UMBRA database from a newer
//! UMBRA — prints one line saying why, exits with code 3 (README "Exit codes"), and leaves the
//! file byte for byte as it was: no switch to WAL, no migration, no pre-migration snapshot.

use std::path::Path;

use sqlx::{Connection, SqliteConnection};
use umbra::config::sqlite_url;

use super::{sha256_of, write_config};
use crate::live::{stderr, umbra_with_env};

/// What `serve` makes of the database at `<dir>/data/umbra.db`: its exit code and stderr, after
/// asserting that the file was not changed and no snapshot was written.
fn serve_on(dir: &Path) -> (Option<i32>, String) {
    let data = dir.join("data");
    let file = data.join("umbra.db");
    let before = sha256_of(&file);
    let config = write_config(dir);
    let output = umbra_with_env(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            data.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ],
        None,
        &[],
    );
    assert_eq!(sha256_of(&file), before, "the refused file was changed: {}", stderr(&output));
    assert!(!data.join("backups").exists(), "a snapshot was written of a refused database");
    // Refused before anything else was made in the data folder.
    assert!(!data.join("secret.key").exists() && !data.join("tls").exists());
    (output.status.code(), stderr(&output))
}

/// Exactly one line, the refusal, naming `why`.
fn assert_one_line_refusal(code: Option<i32>, stderr: &str, why: &str) {
    assert_eq!(code, Some(3), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    assert!(lines[0].starts_with("umbra: refusing to start: "), "{stderr}");
    assert!(lines[0].contains(why), "names {why:?}: {stderr}");
    assert!(lines[0].contains("left untouched"), "{stderr}");
}

fn data_dir(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    data
}

/// A real UMBRA database with some rows, closed cleanly (its WAL checkpointed away).
async fn umbra_database(data: &Path) -> String {
    let url = sqlite_url(&data.join("umbra.db"));
    for n in 0..3 {
        super::seed_user(&url, &format!("user{n}")).await;
    }
    url
}

#[tokio::test]
async fn random_bytes_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_dir(dir.path());
    let noise: Vec<u8> = (0..64 * 1024).map(|_| rand::random::<u8>()).collect();
    std::fs::write(data.join("umbra.db"), noise).unwrap();
    let (code, stderr) = serve_on(dir.path());
    assert_one_line_refusal(code, &stderr, "is damaged");
}

#[tokio::test]
async fn a_truncated_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_dir(dir.path());
    umbra_database(&data).await;
    let file = data.join("umbra.db");
    let length = std::fs::metadata(&file).unwrap().len();
    let whole = std::fs::read(&file).unwrap();
    std::fs::write(&file, &whole[..usize::try_from(length / 2).unwrap()]).unwrap();
    let (code, stderr) = serve_on(dir.path());
    assert_one_line_refusal(code, &stderr, "is damaged");
}

#[tokio::test]
async fn another_programs_sqlite_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_dir(dir.path());
    // A rollback-journal database, as most programs leave them: switching it to WAL (what
    // UMBRA's pool does to its own) would already change its header.
    let mut conn =
        SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", data.join("umbra.db").display())).await.unwrap();
    sqlx::query("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT NOT NULL)").execute(&mut conn).await.unwrap();
    sqlx::query("INSERT INTO recipes (name) VALUES ('bread')").execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    let (code, stderr) = serve_on(dir.path());
    assert_one_line_refusal(code, &stderr, "not UMBRA's");
    assert!(stderr.contains("recipes"), "{stderr}");
}

#[tokio::test]
async fn a_database_of_a_newer_umbra_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_dir(dir.path());
    let url = umbra_database(&data).await;
    crate::backup::mark_as_from_a_newer_umbra(&url, 99_999).await;
    let (code, stderr) = serve_on(dir.path());
    assert_one_line_refusal(code, &stderr, "newer than this umbra");
    assert!(stderr.contains("99999"), "{stderr}");
}

#[tokio::test]
async fn an_intact_database_still_starts() {
    // The refusals above are not a refusal of everything: the same kind of file, intact and
    // of this version, serves (and keeps its rows).
    let dir = tempfile::tempdir().unwrap();
    let data = data_dir(dir.path());
    let url = umbra_database(&data).await;
    let config = write_config(dir.path());
    let umbra = super::Umbra::start(&data, &url, &config);
    let ready = umbra.client().get(umbra.url("/ready")).send().await.unwrap();
    assert_eq!(ready.status(), 200, "{}", ready.text().await.unwrap());
    umbra.signed_in("user2").await;
}
