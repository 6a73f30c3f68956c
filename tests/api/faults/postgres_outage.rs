//! PostgreSQL stopped for 10 s under a small mixed load, then started again. On a private
//! cluster made for the test (initdb into a temp folder as the `postgres` user, its own port
//! and socket folder), so the shared server other tests use is never touched. During the
//! outage every request answers 503 problem+json with Retry-After in under 5 s (no hang, no
//! 500, no crash), `/ready` says 503 naming the database and `/health` stays 200; within 5 s of
//! the database's return a request succeeds again, without restarting UMBRA.
//!
//! Runs in the PostgreSQL run (`UMBRA_TEST_POSTGRES_URL` set); skips without `initdb` or
//! `runuser` unless `UMBRA_REQUIRE_FAULTS=1`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use super::{Umbra, free_port, json_request, postgres_run, seed_user, skip, write_config};

const OUTAGE: Duration = Duration::from_secs(10);
/// The longest any request may take, outage or not.
const FAIL_FAST: Duration = Duration::from_secs(5);
/// How soon after the database is back UMBRA must serve again.
const RECOVERY: Duration = Duration::from_secs(5);

/// A PostgreSQL cluster of the test's own, stopped (immediately) when dropped.
struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

fn postgres_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists() && bin.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions.pop()
}

fn runuser() -> Option<&'static str> {
    ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].into_iter().find(|p| Path::new(p).exists())
}

/// Runs a PostgreSQL tool as the `postgres` user.
fn as_postgres(bin: &Path, tool: &str, args: &[&str]) -> bool {
    Command::new(runuser().unwrap())
        .args(["-u", "postgres", "--"])
        .arg(bin.join(tool))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Cluster {
    fn create() -> Result<Cluster, String> {
        let bin = postgres_bin().ok_or("no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql")?;
        runuser().ok_or("no runuser to run initdb as the postgres user")?;
        let ids = |flag: &str| -> Option<u32> {
            let out = Command::new("id").args([flag, "postgres"]).output().ok()?;
            String::from_utf8_lossy(&out.stdout).trim().parse().ok()
        };
        let (uid, gid) = ids("-u").zip(ids("-g")).ok_or("no postgres user")?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).map_err(|e| format!("chown: {e}"))?;
        let data = dir.path().join("data");
        let init = as_postgres(
            &bin,
            "initdb",
            &["-D", data.to_str().unwrap(), "-U", "postgres", "-A", "trust", "--no-sync", "--no-instructions"],
        );
        if !init {
            return Err("initdb as the postgres user failed".into());
        }
        let cluster = Cluster { bin, data, port: free_port(), _dir: dir };
        cluster.start().then_some(()).ok_or("pg_ctl start failed")?;
        Ok(cluster)
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn start(&self) -> bool {
        let socket_dir = self.data.parent().unwrap();
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40",
            self.port,
            socket_dir.display()
        );
        let log = socket_dir.join("postgres.log");
        as_postgres(
            &self.bin,
            "pg_ctl",
            &[
                "-D",
                self.data.to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-o",
                &options,
                "-w",
                "-t",
                "30",
                "start",
            ],
        )
    }

    fn stop(&self, mode: &str) -> bool {
        as_postgres(&self.bin, "pg_ctl", &["-D", self.data.to_str().unwrap(), "-m", mode, "-w", "-t", "30", "stop"])
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop("immediate");
    }
}

/// What became of one request of the load.
#[derive(Debug)]
struct Outcome {
    what: &'static str,
    sent: Instant,
    took: Duration,
    /// Status, content type and Retry-After; `Err` for a transport failure.
    answer: Result<(u16, Option<String>, Option<String>), String>,
}

/// Sends requests back to back until `stop` is set and a request sent after it succeeded:
/// each worker's last outcome shows that it, too, is served again.
async fn load(client: reqwest::Client, base: String, stop: Arc<AtomicBool>) -> Vec<Outcome> {
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut n = 0;
    let mut stopping = false;
    while !(stopping && outcomes.last().is_some_and(|o| matches!(o.answer, Ok((200 | 201, _, _))))) {
        stopping = stop.load(Ordering::Relaxed);
        n += 1;
        let (what, request) = if n % 2 == 0 {
            ("GET /api/todos", client.get(format!("{base}/api/todos")))
        } else {
            (
                "POST /api/todos",
                json_request(&client, Method::POST, format!("{base}/api/todos"), &json!({"title": format!("t{n}")})),
            )
        };
        let sent = Instant::now();
        let answer = match request.send().await {
            Ok(response) => {
                let header =
                    |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
                let answer = (response.status().as_u16(), header("content-type"), header("retry-after"));
                let _ = response.bytes().await;
                Ok(answer)
            }
            Err(e) => Err(e.to_string()),
        };
        outcomes.push(Outcome { what, sent, took: sent.elapsed(), answer });
    }
    outcomes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_for_ten_seconds_fails_fast_with_503_and_recovers_without_a_restart() {
    const TEST: &str = "faults::postgres_outage";
    if !postgres_run() {
        eprintln!("skipped {TEST}: runs in the PostgreSQL run (set UMBRA_TEST_POSTGRES_URL)");
        return;
    }
    let cluster = match Cluster::create() {
        Ok(cluster) => cluster,
        Err(why) => return skip(TEST, &why),
    };
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    seed_user(&cluster.url(), "alice").await;
    let umbra = Umbra::start(&dir.path().join("data"), &cluster.url(), &config);
    let client = umbra.signed_in("alice").await;
    let anonymous = umbra.client();

    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> =
        (0..4).map(|_| tokio::spawn(load(client.clone(), umbra.base.clone(), stop.clone()))).collect();
    // Some load before the outage.
    tokio::time::sleep(Duration::from_millis(800)).await;

    assert!(cluster.stop("fast"), "pg_ctl stop");
    let stopped = Instant::now();
    let ready = anonymous.get(umbra.url("/ready")).send().await.unwrap();
    let asked = Instant::now();
    let status = ready.status().as_u16();
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(body["failed"].as_array().unwrap().contains(&json!("database")), "{body}");
    assert!(asked.duration_since(stopped) < FAIL_FAST, "/ready took {:?}", asked.duration_since(stopped));
    let health = anonymous.get(umbra.url("/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);

    tokio::time::sleep_until((stopped + OUTAGE).into()).await;
    let restarting = Instant::now();
    assert!(cluster.start(), "pg_ctl start");
    let back = Instant::now();
    let recovered = loop {
        let response = client.get(umbra.url("/api/todos")).send().await.unwrap();
        if response.status() == 200 {
            break back.elapsed();
        }
        assert!(
            back.elapsed() < RECOVERY,
            "still {} {:?} after PostgreSQL returned",
            response.status(),
            back.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let ready = anonymous.get(umbra.url("/ready")).send().await.unwrap();
    assert_eq!(ready.status(), 200, "{}", ready.text().await.unwrap());
    stop.store(true, Ordering::Relaxed);
    let mut outcomes = Vec::new();
    let mut lasts = Vec::new();
    for worker in workers {
        let mut done = worker.await.unwrap();
        lasts.push(done.pop().expect("a last request"));
        outcomes.extend(done);
    }
    outcomes.extend(lasts.iter().map(|o| Outcome {
        what: o.what,
        sent: o.sent,
        took: o.took,
        answer: o.answer.clone(),
    }));

    let mut during = 0;
    for outcome in &outcomes {
        assert!(outcome.took < FAIL_FAST, "{outcome:?} took {:?}", outcome.took);
        let (status, content_type, retry_after) =
            outcome.answer.clone().unwrap_or_else(|e| panic!("{} failed without an answer: {e}", outcome.what));
        assert!(status < 500 || status == 503, "{outcome:?}");
        let within_outage = outcome.sent >= stopped && outcome.sent + outcome.took <= restarting;
        if within_outage {
            during += 1;
            assert_eq!(status, 503, "{outcome:?}");
            assert_eq!(content_type.as_deref(), Some("application/problem+json"), "{outcome:?}");
            assert!(retry_after.is_some_and(|s| s.parse::<u64>().is_ok()), "{outcome:?}");
        }
    }
    assert!(during >= 4, "only {during} requests fell inside the outage");
    assert!(outcomes.iter().any(|o| o.sent >= back && matches!(o.answer, Ok((200 | 201, _, _)))), "served again");
    assert!(lasts.iter().all(|o| o.sent >= back), "each worker served again after the return: {lasts:?}");
    eprintln!(
        "{TEST}: {} requests, {during} during the 10 s outage (all 503 in < 5 s), served again {recovered:?} after \
         PostgreSQL returned",
        outcomes.len()
    );
    drop(umbra);
}
