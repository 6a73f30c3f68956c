//! Soak benchmark (issue 14 §5): 50 simulated users drive a release `umbra` with mixed traffic
//! for `UMBRA_SOAK_MINUTES` (30 unless set) on SQLite, then on PostgreSQL when
//! `UMBRA_SOAK_POSTGRES_URL` (or `UMBRA_TEST_POSTGRES_URL`) names a server.
//!
//! Run: `cargo bench --bench soak` (e.g. `UMBRA_SOAK_MINUTES=5` for a short look;
//! `UMBRA_SOAK_DATABASES=sqlite` or `=postgres` soaks one of them, e.g. to run both at once in
//! two processes).
//!
//! Each user is connected to the next one and shares a project with them. A user's loop reads
//! their todo list, a month of events, the dashboard and their notifications; writes todos,
//! events and task comments that mention their partner (which raises notifications the
//! dispatcher delivers); and signs in again now and then. It pauses 100 ms between requests,
//! so the offered load is steady (about 500 requests a second) rather than whatever the
//! machine can take. Writes are balanced by deletes of the user's oldest objects, so the
//! database keeps its size and a slower read later means the server drifted, not the data.
//!
//! Every minute it prints req/s, p50 and p99 per operation, the server's RSS and its open file
//! descriptors. It fails (exit 1) when any request failed, when RSS or descriptors in the last
//! five minutes grew past the first five minutes' (RSS by more than half plus 16 MiB,
//! descriptors by more than 32), or when an operation's p99 in the last five minutes is more
//! than twice its p99 in the first five (with a 2 ms floor, below which a shared machine's
//! noise is larger than any drift).

#![allow(clippy::cast_precision_loss)]

mod support;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{PASSWORD, Server, set_up_admin, start_on};

const USERS: usize = 50;
const THINK: Duration = Duration::from_millis(100);
/// How many of each kind of object a user keeps before deleting the oldest.
const KEEP: usize = 20;
/// The windows compared: the first and the last this many minutes (fewer in a short run).
const WINDOW_MINUTES: usize = 5;
const P99_FLOOR_MS: f64 = 2.0;

/// One minute of measurements: latencies per operation, and failures.
#[derive(Default)]
struct Minute {
    latencies: BTreeMap<&'static str, Vec<Duration>>,
    failures: BTreeMap<&'static str, usize>,
}

/// What the monitor kept of each minute.
struct Sample {
    latencies: BTreeMap<&'static str, Vec<Duration>>,
    rss_kib: u64,
    fds: usize,
}

type Recorder = Arc<Mutex<Minute>>;

#[tokio::main]
async fn main() {
    let minutes: usize = std::env::var("UMBRA_SOAK_MINUTES").ok().and_then(|m| m.parse().ok()).unwrap_or(30);
    assert!(minutes >= 2, "UMBRA_SOAK_MINUTES must be at least 2");
    let databases = std::env::var("UMBRA_SOAK_DATABASES").unwrap_or_else(|_| "sqlite,postgres".into());
    let wanted = |name: &str| databases.split(',').any(|d| d.trim().eq_ignore_ascii_case(name));
    let mut failures = Vec::new();
    if wanted("sqlite") {
        failures.extend(soak("SQLite", None, minutes).await);
    }
    let postgres = std::env::var("UMBRA_SOAK_POSTGRES_URL").or_else(|_| std::env::var("UMBRA_TEST_POSTGRES_URL"));
    match postgres {
        Ok(server_url) if wanted("postgres") => {
            let database = fresh_postgres_database(&server_url).await;
            failures.extend(soak("PostgreSQL", Some(&database), minutes).await);
        }
        Ok(_) => {}
        Err(_) => println!("PostgreSQL skipped: set UMBRA_SOAK_POSTGRES_URL to a server to soak it too"),
    }
    if failures.is_empty() {
        println!("soak passed");
    } else {
        for failure in &failures {
            println!("FAILED: {failure}");
        }
        std::process::exit(1);
    }
}

/// A new, empty database on the PostgreSQL server at `server_url`, named for this run.
async fn fresh_postgres_database(server_url: &str) -> String {
    sqlx::any::install_default_drivers();
    let name = format!("umbra_soak_{}", std::process::id());
    let pool = sqlx::AnyPool::connect(server_url).await.expect("connect to PostgreSQL");
    for sql in [format!("DROP DATABASE IF EXISTS {name}"), format!("CREATE DATABASE {name}")] {
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&pool).await.expect("make the soak database");
    }
    pool.close().await;
    let (base, _) = server_url.rsplit_once('/').expect("a database URL ends in /<database>");
    format!("{base}/{name}")
}

/// Runs one soak on a fresh server; returns what failed.
async fn soak(backend: &str, database_url: Option<&str>, minutes: usize) -> Vec<String> {
    let binary = env!("CARGO_BIN_EXE_umbra");
    let (server, _) = start_on(binary, database_url).await;
    set_up_admin(binary, &server).await;
    let users = set_up_users(&server).await;
    println!(
        "== soak on {backend}: {USERS} users, {minutes} minutes, {} ms between a user's requests",
        THINK.as_millis()
    );

    let recorder: Recorder = Arc::default();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(60 * minutes as u64);
    let workers: Vec<_> = users
        .into_iter()
        .enumerate()
        .map(|(n, user)| tokio::spawn(user.run(n, server.base.clone(), Arc::clone(&recorder), deadline)))
        .collect();

    let pid = server.child.id();
    let mut samples = Vec::new();
    let mut failed_requests = BTreeMap::new();
    for minute in 1..=minutes {
        tokio::time::sleep_until((started + Duration::from_secs(60 * minute as u64)).into()).await;
        let taken = std::mem::take(&mut *recorder.lock().unwrap());
        let sample =
            Sample { latencies: taken.latencies, rss_kib: support::rss_kib(pid, "VmRSS:"), fds: open_fds(pid) };
        print_minute(minute, &sample, &taken.failures);
        for (op, count) in taken.failures {
            *failed_requests.entry(op).or_insert(0) += count;
        }
        samples.push(sample);
    }
    for worker in workers {
        worker.await.unwrap();
    }
    judge(backend, &samples, &failed_requests)
}

/// Creates the users (through the admin API), connects each to the next, and gives each a
/// project shared with that partner holding one task assigned to both.
async fn set_up_users(server: &Server) -> Vec<User> {
    let mut users = Vec::new();
    for n in 0..USERS {
        let name = format!("soak{n:02}");
        let body = json!({"username": name, "password": PASSWORD, "role": "standard"});
        expect(&server.client, "POST", &format!("{}/api/admin/users", server.base), Some(body)).await;
        let client = client_for(server);
        let login = json!({"username": name, "password": PASSWORD});
        let session = expect(&client, "POST", &format!("{}/api/auth/login", server.base), Some(login)).await;
        let id = id_of(&session);
        users.push(User { name, id, client, project: 0, task: 0, partner: String::new(), kept: Kept::default() });
    }
    let base = &server.base;
    for n in 0..USERS {
        let partner = (n + 1) % USERS;
        let to = json!({"username": users[partner].name});
        expect(&users[n].client, "POST", &format!("{base}/api/connections"), Some(to)).await;
        let incoming =
            expect(&users[partner].client, "GET", &format!("{base}/api/connections/requests?direction=incoming"), None)
                .await;
        let request = incoming["items"][0]["id"].as_i64().expect("a connection request");
        let accept = format!("{base}/api/connections/requests/{request}/accept");
        expect(&users[partner].client, "POST", &accept, None).await;
    }
    for n in 0..USERS {
        let partner = (n + 1) % USERS;
        let (partner_name, partner_id) = (users[partner].name.clone(), users[partner].id);
        let user = &mut users[n];
        let project = json!({"name": format!("{}'s soak project", user.name)});
        user.project = id_of(&expect(&user.client, "POST", &format!("{base}/api/projects"), Some(project)).await);
        let member = json!({"username": partner_name, "role": "editor"});
        expect(&user.client, "POST", &format!("{base}/api/projects/{}/members", user.project), Some(member)).await;
        let task = json!({"title": "keep talking", "assignee_ids": [user.id, partner_id]});
        let tasks = format!("{base}/api/projects/{}/tasks", user.project);
        user.task = id_of(&expect(&user.client, "POST", &tasks, Some(task)).await);
        user.partner = partner_name;
    }
    users
}

fn client_for(server: &Server) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&server.cert).unwrap()])
        .cookie_store(true)
        .build()
        .unwrap()
}

/// A set-up request that must succeed; its JSON answer.
async fn expect(client: &reqwest::Client, method: &str, url: &str, body: Option<Value>) -> Value {
    let response = send(client, method, url, body).await.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    assert!(response.0 < 300, "{method} {url}: {} {}", response.0, response.1);
    response.1
}

async fn send(client: &reqwest::Client, method: &str, url: &str, body: Option<Value>) -> Result<(u16, Value), String> {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = client.request(method, url).header("X-Requested-With", "XMLHttpRequest");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| e.to_string())?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

fn id_of(value: &Value) -> i64 {
    value["id"].as_i64().unwrap_or_else(|| panic!("an id in {value}"))
}

/// The objects a user made during the soak, oldest first.
#[derive(Default)]
struct Kept {
    todos: VecDeque<i64>,
    events: VecDeque<i64>,
    comments: VecDeque<i64>,
}

struct User {
    name: String,
    id: i64,
    client: reqwest::Client,
    project: i64,
    task: i64,
    partner: String,
    kept: Kept,
}

/// A user's day, repeated: mostly reads, a write every few requests, a sign-in now and then.
const PLAN: [&str; 20] = [
    "todos: list",
    "events: month",
    "dashboard",
    "todo: create",
    "notifications: list",
    "events: month",
    "event: create",
    "todos: list",
    "comment: create",
    "dashboard",
    "notifications: list",
    "todos: list",
    "todo: create",
    "events: month",
    "dashboard",
    "comment: create",
    "notifications: list",
    "event: create",
    "todos: list",
    "sign-in",
];

impl User {
    async fn run(mut self, n: usize, base: String, recorder: Recorder, deadline: Instant) {
        // Users start at different points of the plan, spread over one pause.
        tokio::time::sleep(THINK * n as u32 / USERS as u32).await;
        let mut step = n;
        while Instant::now() < deadline {
            let op = PLAN[step % PLAN.len()];
            step += 1;
            self.act(op, &base, &recorder).await;
            tokio::time::sleep(THINK).await;
        }
    }

    async fn act(&mut self, op: &'static str, base: &str, recorder: &Recorder) {
        let now = chrono::Utc::now();
        let (method, url, body) = match op {
            "todos: list" => ("GET", format!("{base}/api/todos"), None),
            "events: month" => {
                let start = now.format("%Y-%m-01T00:00:00Z");
                let end = (now + chrono::Duration::days(35)).format("%Y-%m-01T00:00:00Z");
                ("GET", format!("{base}/api/events?start={start}&end={end}"), None)
            }
            "dashboard" => ("GET", format!("{base}/api/dashboard"), None),
            "notifications: list" => ("GET", format!("{base}/api/notifications?limit=20&offset={KEEP}"), None),
            "todo: create" => {
                let due = (now + chrono::Duration::days(2)).format("%Y-%m-%d").to_string();
                ("POST", format!("{base}/api/todos"), Some(json!({"title": "soak todo", "due_date": due})))
            }
            "event: create" => {
                let start = now + chrono::Duration::hours(3);
                let end = start + chrono::Duration::hours(1);
                let body = json!({"title": "soak event", "start": start.to_rfc3339(), "end": end.to_rfc3339()});
                ("POST", format!("{base}/api/events"), Some(body))
            }
            "comment: create" => {
                let url = format!("{base}/api/projects/{}/tasks/{}/comments", self.project, self.task);
                ("POST", url, Some(json!({"body": format!("@{} how is it going?", self.partner)})))
            }
            "sign-in" => {
                ("POST", format!("{base}/api/auth/login"), Some(json!({"username": self.name, "password": PASSWORD})))
            }
            _ => unreachable!("an operation of the plan"),
        };
        let Some(answer) = timed(recorder, op, &self.client, method, &url, body).await else { return };
        match op {
            "todo: create" => self.keep(base, recorder, Kind::Todo, id_of(&answer)).await,
            "event: create" => self.keep(base, recorder, Kind::Event, id_of(&answer)).await,
            "comment: create" => self.keep(base, recorder, Kind::Comment, id_of(&answer)).await,
            "notifications: list" => {
                // Notifications past the newest KEEP are read and dealt with: deleted.
                for old in answer["items"].as_array().into_iter().flatten() {
                    let url = format!("{base}/api/notifications/{}", id_of(old));
                    timed(recorder, "notification: delete", &self.client, "DELETE", &url, None).await;
                }
            }
            _ => {}
        }
    }

    /// Remembers a new object and deletes the oldest of its kind past KEEP.
    async fn keep(&mut self, base: &str, recorder: &Recorder, kind: Kind, id: i64) {
        let list = match kind {
            Kind::Todo => &mut self.kept.todos,
            Kind::Event => &mut self.kept.events,
            Kind::Comment => &mut self.kept.comments,
        };
        list.push_back(id);
        if list.len() <= KEEP {
            return;
        }
        let oldest = list.pop_front().unwrap();
        let (op, url) = match kind {
            Kind::Todo => ("todo: delete", format!("{base}/api/todos/{oldest}")),
            Kind::Event => ("event: delete", format!("{base}/api/events/{oldest}")),
            Kind::Comment => {
                let (project, task) = (self.project, self.task);
                ("comment: delete", format!("{base}/api/projects/{project}/tasks/{task}/comments/{oldest}"))
            }
        };
        timed(recorder, op, &self.client, "DELETE", &url, None).await;
    }
}

enum Kind {
    Todo,
    Event,
    Comment,
}

/// Sends one request and records its latency, or its failure; the JSON answer on success.
async fn timed(
    recorder: &Recorder,
    op: &'static str,
    client: &reqwest::Client,
    method: &str,
    url: &str,
    body: Option<Value>,
) -> Option<Value> {
    let sent = Instant::now();
    let answer = send(client, method, url, body).await;
    let took = sent.elapsed();
    let mut minute = recorder.lock().unwrap();
    match answer {
        Ok((status, value)) if status < 300 => {
            minute.latencies.entry(op).or_default().push(took);
            Some(value)
        }
        other => {
            *minute.failures.entry(op).or_insert(0) += 1;
            if minute.failures[op] == 1 {
                eprintln!("{op}: {method} {url} failed: {other:?}");
            }
            None
        }
    }
}

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, Iterator::count)
}

fn percentile_ms(latencies: &[Duration], q: f64) -> f64 {
    let mut sorted = latencies.to_vec();
    sorted.sort();
    let i = ((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1));
    sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn print_minute(minute: usize, sample: &Sample, failures: &BTreeMap<&'static str, usize>) {
    let total: usize = sample.latencies.values().map(Vec::len).sum();
    println!(
        "minute {minute:>2}: {:>6.0} req/s   RSS {:>6.1} MiB   open fds {:>4}   failures {}",
        total as f64 / 60.0,
        sample.rss_kib as f64 / 1024.0,
        sample.fds,
        failures.values().sum::<usize>()
    );
    for (op, latencies) in &sample.latencies {
        println!(
            "    {op:<22} {:>6.1} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms",
            latencies.len() as f64 / 60.0,
            percentile_ms(latencies, 0.50),
            percentile_ms(latencies, 0.99)
        );
    }
}

/// Compares the first and the last window of minutes; returns what drifted.
fn judge(backend: &str, samples: &[Sample], failed_requests: &BTreeMap<&'static str, usize>) -> Vec<String> {
    let window = WINDOW_MINUTES.min(samples.len() / 2).max(1);
    let (first, last) = (&samples[..window], &samples[samples.len() - window..]);
    let mut failures = Vec::new();
    for (op, count) in failed_requests {
        failures.push(format!("{backend}: {count} failed requests of {op}"));
    }
    let peak = |window: &[Sample], of: fn(&Sample) -> u64| window.iter().map(of).max().unwrap_or(0);
    let (rss_first, rss_last) = (peak(first, |s| s.rss_kib), peak(last, |s| s.rss_kib));
    println!(
        "{backend}: RSS peak {:.1} MiB in the first {window} minutes, {:.1} MiB in the last",
        rss_first as f64 / 1024.0,
        rss_last as f64 / 1024.0
    );
    if rss_last > rss_first + rss_first / 2 + 16 * 1024 {
        failures.push(format!("{backend}: RSS grew from {rss_first} KiB to {rss_last} KiB"));
    }
    let (fds_first, fds_last) = (peak(first, |s| s.fds as u64), peak(last, |s| s.fds as u64));
    println!("{backend}: open descriptors peak {fds_first} in the first {window} minutes, {fds_last} in the last");
    if fds_last > fds_first + 32 {
        failures.push(format!("{backend}: open descriptors grew from {fds_first} to {fds_last}"));
    }
    let pooled = |window: &[Sample], op: &str| -> Vec<Duration> {
        window.iter().flat_map(|s| s.latencies.get(op).cloned().unwrap_or_default()).collect()
    };
    let ops: Vec<&str> = samples.iter().flat_map(|s| s.latencies.keys().copied()).collect();
    let mut seen = std::collections::BTreeSet::new();
    for op in ops.into_iter().filter(|op| seen.insert(*op)) {
        let (before, after) = (percentile_ms(&pooled(first, op), 0.99), percentile_ms(&pooled(last, op), 0.99));
        println!("{backend}: {op:<22} p99 {before:>7.2} ms in the first {window} minutes, {after:>7.2} ms in the last");
        if after > 2.0 * before.max(P99_FLOOR_MS) {
            failures.push(format!("{backend}: p99 of {op} drifted from {before:.2} ms to {after:.2} ms"));
        }
    }
    failures
}
