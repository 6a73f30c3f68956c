//! What the benchmarks share: start a release `umbra` on loopback with its rate limits out of the
//! way, drive it with N keep-alive HTTPS connections, and report req/s with p50/p99.

// Request counts stay far below 2^52, so counting in f64 loses nothing.
#![allow(clippy::cast_precision_loss, dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const CONNECTIONS: usize = 64;
pub const PASSWORD: &str = "correct horse battery staple";

pub struct Server {
    pub child: Child,
    pub base: String,
    pub client: reqwest::Client,
    pub cert: Vec<u8>,
    pub dir: tempfile::TempDir,
    /// The database it runs on when not the data folder's SQLite file.
    pub database_url: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

pub fn rss_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// How long each scenario runs: `UMBRA_BENCH_SECONDS`, 5 s unless set.
pub fn scenario_duration() -> Duration {
    Duration::from_secs(std::env::var("UMBRA_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5))
}

pub async fn start(binary: &str) -> (Server, Duration) {
    start_on(binary, None).await
}

/// Starts `binary` on `database_url` (a PostgreSQL database), or on SQLite in its data folder.
pub async fn start_on(binary: &str, database_url: Option<&str>) -> (Server, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bench.toml");
    // The benchmark measures the server, not its per-IP limits: every request comes from 127.0.0.1.
    // (An older binary, measured as the baseline, may not know the per-user budget.)
    let buckets: &[&str] = if binary == env!("CARGO_BIN_EXE_umbra") {
        &["auth", "register", "admin", "general", "user"]
    } else {
        &["auth", "register", "admin", "general"]
    };
    let limits = buckets
        .iter()
        .map(|b| format!("{b}_per_minute = 100000000\n{b}_burst = 100000000\n"))
        .collect::<Vec<_>>()
        .concat();
    std::fs::write(&config, format!("[rate_limits]\n{limits}")).unwrap();
    // A known port, so that the passkey origin (https://localhost:<port>) is known too.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let started = Instant::now();
    let mut command = Command::new(binary);
    command
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--config", config.to_str().unwrap()])
        .arg("--data-dir")
        .arg(dir.path().join("data"));
    if let Some(url) = database_url {
        command.args(["--database-url", url]);
    }
    let mut child = command
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run the umbra binary");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("UMBRA is listening on ").map(|u| u.trim_end_matches('/').to_string()))
        .expect("listening line");
    std::thread::spawn(move || lines.for_each(drop));
    // The local CA: what a client trusts to reach the server by any of its names.
    let cert = std::fs::read(dir.path().join("data/tls/ca.pem")).unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&cert).unwrap()])
        .pool_max_idle_per_host(CONNECTIONS)
        .cookie_store(true)
        .build()
        .unwrap();
    let first = client.get(format!("{url}/health")).send().await.expect("first request");
    assert!(first.status().is_success());
    let startup = started.elapsed();
    let database_url = database_url.map(str::to_string);
    (Server { child, base: url, client, cert, dir, database_url }, startup)
}

#[derive(Default)]
pub struct Stats {
    pub latencies: Vec<Duration>,
    pub errors: usize,
    pub elapsed: Duration,
}

impl Stats {
    pub fn line(&mut self, name: &str) -> String {
        self.latencies.sort();
        let at = |q: f64| {
            let i = ((self.latencies.len() as f64 * q) as usize).min(self.latencies.len().saturating_sub(1));
            self.latencies.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        format!(
            "{name:<46} {:>9.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   ({} requests, {} errors)",
            self.latencies.len() as f64 / self.elapsed.as_secs_f64(),
            at(0.50),
            at(0.99),
            self.latencies.len(),
            self.errors
        )
    }

    /// The 99th percentile latency in milliseconds (the figure the issues' goals name).
    pub fn p99_ms(&self) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        sorted.get(sorted.len() * 99 / 100).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }

    pub fn req_per_sec(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }
}

/// `connections` workers send `make()` requests back to back until `duration` has passed.
pub async fn drive<F, Fut>(connections: usize, duration: Duration, make: F) -> Stats
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let make = Arc::new(make);
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let make = make.clone();
            tokio::spawn(async move {
                let mut stats = Stats::default();
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    if make().await {
                        stats.latencies.push(sent.elapsed());
                    } else {
                        stats.errors += 1;
                    }
                }
                stats
            })
        })
        .collect();
    let mut total = Stats::default();
    for worker in workers {
        let stats = worker.await.unwrap();
        total.latencies.extend(stats.latencies);
        total.errors += stats.errors;
    }
    total.elapsed = started.elapsed();
    total
}

pub fn get(
    client: &reqwest::Client,
    url: String,
) -> impl Fn() -> std::pin::Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync + 'static + use<> {
    let client = client.clone();
    move || {
        let (client, url) = (client.clone(), url.clone());
        Box::pin(async move {
            match client.get(&url).send().await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            }
        })
    }
}

/// Creates the first admin through the setup API with the binary's one-time code, signed in
/// on the server's shared client (its cookie goes with every later request).
pub async fn set_up_admin(binary: &str, server: &Server) {
    let mut command = Command::new(binary);
    command.args(["admin", "setup-code", "--data-dir"]).arg(server.dir.path().join("data"));
    if let Some(url) = &server.database_url {
        command.args(["--database-url", url]);
    }
    let output = command.output().expect("umbra admin setup-code");
    let code = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let setup = server
        .client
        .post(format!("{}/api/auth/setup", server.base))
        .header("X-Requested-With", "XMLHttpRequest")
        .json(&serde_json::json!({"setup_code": code, "username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(setup.status(), 201, "setup on {binary}");
}
