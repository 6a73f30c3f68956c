//! The disk holding the data folder fills up. The data folder (SQLite database, secret key,
//! CA) is on a small tmpfs the test mounts; once it is running, a filler file takes every
//! byte left. Writes then answer 507 (or 503) problem+json — never 500 — the log says once,
//! in one line, that the disk holding the database is full, and reads still work. Once the
//! filler is deleted, writes succeed again without a restart, and the database passes
//! `PRAGMA integrity_check`.
//!
//! Needs root to mount; skips with a message when the mount fails, unless
//! `UMBRA_REQUIRE_FAULTS=1`. SQLite only (the disk under PostgreSQL is PostgreSQL's), so it
//! runs the same in both runs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::{Connection, SqliteConnection};
use umbra::config::sqlite_url;

use super::{Umbra, json_request, seed_user, skip, write_config};

const LOG_LINE: &str = "the disk holding the database is full";

/// A tmpfs of `size` mounted on a temp folder, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Result<Tmpfs, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(format!("cannot mount a tmpfs: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
        Ok(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.dir.path()).status();
    }
}

/// Writes zeros to `path` until the disk refuses: everything left is taken.
fn fill(path: &Path) -> u64 {
    let mut file = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    let mut written = 0u64;
    loop {
        match file.write(&chunk) {
            Ok(0) => break,
            Ok(n) => written += n as u64,
            Err(e) => {
                assert_eq!(e.raw_os_error(), Some(28), "ENOSPC expected: {e}");
                break;
            }
        }
    }
    // A last partial block: single bytes until nothing fits.
    while file.write(&[0]).is_ok_and(|n| n == 1) {
        written += 1;
    }
    written
}

async fn create_todo(umbra: &Umbra, client: &reqwest::Client, title: &str) -> reqwest::Response {
    // Notes make each write need fresh pages, so a full disk cannot hide in free space.
    let body = json!({"title": title, "notes": "n".repeat(4000)});
    json_request(client, Method::POST, umbra.url("/api/todos"), &body).send().await.unwrap()
}

async fn titles(umbra: &Umbra, client: &reqwest::Client) -> (u16, Vec<String>) {
    let response = client.get(umbra.url("/api/todos?limit=500")).send().await.unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    let titles = body["items"]
        .as_array()
        .map_or_else(Vec::new, |items| items.iter().map(|t| t["title"].as_str().unwrap().to_string()).collect());
    (status, titles)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_with_507_keeps_reads_and_recovers_when_space_returns() {
    const TEST: &str = "faults::disk_full";
    let disk = match Tmpfs::mount("16m") {
        Ok(disk) => disk,
        Err(why) => return skip(TEST, &why),
    };
    let outside = tempfile::tempdir().unwrap();
    let config = write_config(outside.path());
    let data: PathBuf = disk.path().join("data");
    let url = sqlite_url(&data.join("umbra.db"));
    seed_user(&url, "alice").await;
    let umbra = Umbra::start(&data, &url, &config);
    let client = umbra.signed_in("alice").await;
    for n in 0..3 {
        assert_eq!(create_todo(&umbra, &client, &format!("before {n}")).await.status(), 201);
    }

    let filler = disk.path().join("filler");
    assert!(fill(&filler) > 0);
    let mut refused = 0;
    for n in 0..200 {
        let response = create_todo(&umbra, &client, &format!("while full {n}")).await;
        match response.status().as_u16() {
            201 => {}
            status => {
                assert!(status == 507 || status == 503, "a write on a full disk answered {status}: {}", umbra.log());
                let headers = super::assert_problem(response, status, "a write on a full disk").await;
                drop(headers);
                refused += 1;
                if refused == 5 {
                    break;
                }
            }
        }
    }
    assert!(refused == 5, "writes kept succeeding on a full disk");
    let (status, seen) = titles(&umbra, &client).await;
    assert_eq!(status, 200, "reads work on a full disk");
    assert!((0..3).all(|n| seen.contains(&format!("before {n}"))), "{seen:?}");
    let log = umbra.log();
    assert_eq!(log.matches(LOG_LINE).count(), 1, "one clear line, not one per request: {log}");
    assert_eq!(log.lines().filter(|l| l.contains(LOG_LINE)).count(), 1);

    std::fs::remove_file(&filler).unwrap();
    let response = create_todo(&umbra, &client, "after").await;
    assert_eq!(response.status(), 201, "writes succeed again once space returns: {}", umbra.log());
    let (_, seen) = titles(&umbra, &client).await;
    assert!(seen.contains(&"after".to_string()));

    umbra.sigterm();
    let mut umbra = umbra;
    assert!(umbra.wait_exit(Duration::from_secs(30)).success(), "{}", umbra.log());
    let mut conn = SqliteConnection::connect(&url).await.unwrap();
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&mut conn).await.unwrap();
    assert_eq!(integrity, ["ok"]);
    conn.close().await.unwrap();
}
