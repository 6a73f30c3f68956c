//! Faults (issue 14 §3): what UMBRA does when the machine under it misbehaves, proven against
//! the built `umbra` binary over a real HTTPS socket — the process a self-hoster runs, killed,
//! stopped and starved the way a real machine does it. One file per fault:
//!
//! - `ready`: `/health` is liveness only, `/ready` checks the database, the migrations and the
//!   jobs; a database that went away answers 503 problem+json, never 500;
//! - `refusal`: a damaged, a foreign and a newer database are refused at start with one line,
//!   exit code 3, and the file left byte for byte as it was;
//! - `kill9`: SIGKILL under a mixed write load loses no acknowledged write and leaves an
//!   intact database;
//! - `postgres_outage`: PostgreSQL stopped for 10 s under load: 503 within 5 s, `/ready` says
//!   so, service again within 5 s of its return, without a restart;
//! - `disk_full`: the data folder's disk full: writes 507, reads work, one log line, writes
//!   again once space returns, nothing corrupt;
//! - `sigterm`: requests in flight at SIGTERM complete, the process exits 0, the dispatcher's
//!   leases are released and every push is delivered exactly once across the restart.
//!
//! Faults that need privileges or tools the machine may lack (a tmpfs mount, a private
//! PostgreSQL cluster) skip with a message saying why, unless `UMBRA_REQUIRE_FAULTS=1` (CI),
//! where a missing prerequisite fails the test instead.

mod disk_full;
mod kill9;
mod postgres_outage;
mod ready;
mod refusal;
mod sigterm;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use umbra::auth::password::PasswordHasher;
use umbra::db::{Db, users};
use umbra::domain::id::UserId;
use umbra::domain::password_policy;
use umbra::domain::role::Role;
use umbra::domain::time::UtcMillis;
use umbra::domain::username::Username;

use crate::harness::{PASSWORD, TestDatabase, cheap_argon2};

/// Whether a fault whose prerequisites are missing must fail rather than skip (CI sets it).
pub fn faults_required() -> bool {
    std::env::var("UMBRA_REQUIRE_FAULTS").is_ok_and(|v| v == "1")
}

/// Skips the calling test with `why`, or fails it when faults are required. Returns so the
/// caller can `return` right after.
pub fn skip(test: &str, why: &str) {
    assert!(!faults_required(), "{test}: {why} (UMBRA_REQUIRE_FAULTS=1)");
    eprintln!("skipped {test}: {why} (set UMBRA_REQUIRE_FAULTS=1 to make this a failure)");
}

pub fn postgres_run() -> bool {
    std::env::var("UMBRA_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty())
}

/// A port free at the time of asking (the server binds it a moment later).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn sha256_of(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

/// RFC 3339 with `Z` for a unix-millisecond instant.
pub fn iso(millis: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(millis)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A config file outside the data folder: rate limits out of the way (all the load comes from
/// 127.0.0.1) and cheap Argon2, so the fault is what the test measures.
pub fn write_config(dir: &Path) -> PathBuf {
    let mut limits = String::new();
    for bucket in ["auth", "register", "admin", "general", "user"] {
        limits.push_str(&[bucket, "_per_minute = 100000000\n", bucket, "_burst = 100000000\n"].concat());
    }
    let path = dir.join("umbra.toml");
    std::fs::write(
        &path,
        format!(
            "[rate_limits]\n{limits}\n[argon2]\nmemory_kib = 32\niterations = 1\nparallelism = 1\nqueue_capacity = 64\n"
        ),
    )
    .unwrap();
    path
}

/// A standard user made directly in the database (migrating it first when new).
pub async fn seed_user(database_url: &str, username: &str) -> UserId {
    let db = Db::open(database_url).await.expect("open the database");
    let hasher = PasswordHasher::new(cheap_argon2()).unwrap();
    let hash = hasher.hash(&password_policy::check(PASSWORD, username).unwrap()).await.unwrap();
    let id = users::create(db.pool(), &Username::parse(username).unwrap(), &hash, Role::Standard, UtcMillis::now())
        .await
        .unwrap()
        .id;
    db.close().await;
    id
}

/// What a fault test runs `umbra serve` on: the run's test database (a fresh SQLite file or
/// PostgreSQL database) with one standard user in it, a data folder and a config file.
pub struct Setting {
    pub database: TestDatabase,
    pub data: PathBuf,
    pub config: PathBuf,
    pub user: UserId,
}

impl Setting {
    pub async fn with_user(username: &str) -> Setting {
        let database = TestDatabase::new().await;
        let data = database.dir.path().join("data");
        let config = write_config(database.dir.path());
        let user = seed_user(&database.url, username).await;
        Setting { database, data, config, user }
    }

    /// `umbra serve` on this setting (again, after a kill or a stop).
    pub fn start(&self) -> Umbra {
        Umbra::start(&self.data, &self.database.url, &self.config)
    }
}

/// `umbra serve` as a child process on 127.0.0.1 with its own local CA.
pub struct Umbra {
    child: Child,
    pub base: String,
    cert: Vec<u8>,
    /// Everything it wrote to stderr (its log), collected as it comes.
    log: Arc<Mutex<String>>,
}

impl Umbra {
    /// Starts the binary on `database_url` with `data_dir` and waits (bounded) until it listens.
    pub fn start(data_dir: &Path, database_url: &str, config: &Path) -> Umbra {
        let port = free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_umbra"));
        command
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--database-url", database_url])
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--config")
            .arg(config)
            .env("RUST_LOG", "info,sqlx=warn,rocket=error")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("UMBRA_")) {
            command.env_remove(key);
        }
        let mut child = command.spawn().expect("run umbra");
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(read) = stderr.read(&mut chunk) {
                if read == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&chunk[..read]));
            }
        });
        let (found, listening) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("UMBRA is listening on ") {
                    let _ = found.send(url.trim_end_matches('/').to_string());
                }
            }
        });
        let Ok(base) = listening.recv_timeout(Duration::from_mins(1)) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("umbra did not start listening: {}", log.lock().unwrap());
        };
        let cert = std::fs::read(data_dir.join("tls/ca.pem")).expect("the local CA's certificate");
        Umbra { child, base, cert, log }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A new client that trusts this server's CA and keeps its own cookies.
    pub fn client(&self) -> reqwest::Client {
        crate::live::install_crypto();
        reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&self.cert).unwrap()])
            .cookie_store(true)
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap()
    }

    /// A client signed in as `username`.
    pub async fn signed_in(&self, username: &str) -> reqwest::Client {
        let client = self.client();
        let response = client
            .post(self.url("/api/auth/login"))
            .header("X-Requested-With", "XMLHttpRequest")
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{username} signs in: {}", response.text().await.unwrap_or_default());
        client
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// SIGKILL: no chance to finish anything.
    pub fn kill9(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// SIGTERM, as systemd stops the service.
    pub fn sigterm(&self) {
        let sent = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status().unwrap();
        assert!(sent.success());
    }

    /// Waits for the process to end, polling until `deadline`.
    pub fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "umbra still running {within:?} after it was asked to stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Umbra {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Asserts an RFC 9457 problem document with this status (the body read).
pub async fn assert_problem(response: reqwest::Response, status: u16, what: &str) -> reqwest::header::HeaderMap {
    let headers = response.headers().clone();
    let got = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    assert_eq!(got, status, "{what}: {body}");
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
        "{what}: {body}"
    );
    let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["status"], status, "{what}: {body}");
    headers
}

/// POSTs `body` as the web UI does and returns the JSON answer, which must be a success.
pub async fn post_json(client: &reqwest::Client, url: String, body: &serde_json::Value) -> serde_json::Value {
    let response = json_request(client, reqwest::Method::POST, url, body).send().await.unwrap();
    assert!(response.status().is_success(), "POST answered {}", response.status());
    response.json().await.unwrap()
}

/// A JSON request as the web UI sends it (with the CSRF header).
pub fn json_request(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: &serde_json::Value,
) -> reqwest::RequestBuilder {
    client.request(method, url).header("X-Requested-With", "XMLHttpRequest").json(body)
}
