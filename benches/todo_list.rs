//! Todo-list benchmark: authenticated `GET /api/todos?limit=50` for a user who holds 1,000 of
//! 100,000 todos spread over 100 users, 64 HTTPS keep-alive connections, set against an
//! embedded static asset of the same server in the same run and, side by side, against the
//! predecessor's FastAPI + SQLAlchemy stack on the same data (`../shared/perf-anchor`, started
//! by this benchmark when its `run.sh` is there; it needs Python and PyPI the first time).
//!
//! Run: `cargo bench --bench todo_list` (optional: `UMBRA_BENCH_SECONDS=10`,
//! `UMBRA_BENCH_ANCHOR=0` to skip the predecessor). Goals (issue 8): ≥ 20× the predecessor,
//! ≥ 50 % of the static asset, p99 < 20 ms.

#![allow(clippy::cast_precision_loss)]

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use support::{CONNECTIONS, drive, get, set_up_admin, start};

const USERS: i64 = 100;
const TODOS: i64 = 100_000;

#[tokio::main]
async fn main() {
    let duration = support::scenario_duration();
    let (server, _) = start(env!("CARGO_BIN_EXE_umbra")).await;
    let base = server.base.clone();
    let data = server.dir.path().join("data");

    set_up_admin(env!("CARGO_BIN_EXE_umbra"), &server).await;
    seed(&data).await;
    let check = server.client.get(format!("{base}/api/todos?limit=50")).send().await.unwrap();
    assert_eq!(check.status(), 200, "the todo list answers");
    let page: serde_json::Value = check.json().await.unwrap();
    assert_eq!(page["total"], 1_000, "the admin holds 1,000 open todos");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(50));

    println!(
        "UMBRA todo-list benchmark: {CONNECTIONS} HTTPS keep-alive connections, {} s per scenario",
        duration.as_secs()
    );
    let mut asset = drive(CONNECTIONS, duration, get(&server.client, format!("{base}/app.js"))).await;
    println!("{}", asset.line("static asset GET /app.js"));
    let mut list = drive(CONNECTIONS, duration, get(&server.client, format!("{base}/api/todos?limit=50"))).await;
    println!("{}", list.line("GET /api/todos?limit=50 (1,000 of 100,000)"));
    println!("list / static = {:.0} % (goal ≥ 50 %)", 100.0 * list.req_per_sec() / asset.req_per_sec());
    println!("list p99 = {:.2} ms (goal < 20 ms)", list.p99_ms());

    if std::env::var("UMBRA_BENCH_ANCHOR").as_deref() == Ok("0") {
        return;
    }
    let Some(anchor) = Anchor::start() else { return };
    let client = reqwest::Client::builder().pool_max_idle_per_host(CONNECTIONS).build().unwrap();
    let cookie = anchor.cookie.clone();
    let url = format!("http://127.0.0.1:{}/api/todos", anchor.port);
    let mut old = drive(CONNECTIONS, duration, move || {
        let (client, url, cookie) = (client.clone(), url.clone(), cookie.clone());
        async move {
            match client.get(&url).header("Cookie", cookie).send().await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            }
        }
    })
    .await;
    println!("{}", old.line("predecessor GET /api/todos (50 of 1,000)"));
    println!("UMBRA / predecessor = {:.1}× (goal ≥ 20×)", list.req_per_sec() / old.req_per_sec());
}

/// 99 more users and 100,000 open todos, 1,000 each, written straight into the database the
/// server uses (through the API it would take longer than the measurement).
async fn seed(data: &Path) {
    let url = format!("sqlite://{}", data.join("umbra.db").display());
    let db = umbra::db::Db::connect(&url).await.expect("open the benchmark database");
    let now = umbra::domain::time::UtcMillis::now().0;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
         INSERT INTO users (username, password_hash, role, active, created_at, updated_at) \
         SELECT 'user' || i, 'not-a-hash', 'standard', 1, $2, $2 FROM n",
    )
    .bind(USERS)
    .bind(now)
    .execute(db.pool())
    .await
    .expect("seed users");
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $1 - 1) \
         INSERT INTO todos (user_id, title, notes, priority, position, created_at, updated_at) \
         SELECT 1 + i % $2, 'Todo number ' || i, 'Some notes for todo ' || i, i % 4, i, $3 + i, $3 + i FROM n",
    )
    .bind(TODOS)
    .bind(USERS)
    .bind(now)
    .execute(db.pool())
    .await
    .expect("seed todos");
}

/// The predecessor's stack, started with its own script; stopped when dropped.
struct Anchor {
    pid: u32,
    port: u16,
    cookie: String,
}

impl Anchor {
    fn start() -> Option<Self> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/perf-anchor/run.sh");
        if !script.exists() {
            println!("predecessor not measured: {} is not there", script.display());
            return None;
        }
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/perf-anchor");
        println!("starting the predecessor's stack (the first time creates its venv and data)…");
        let mut child = Command::new("bash").arg(&script).arg(&data).stdout(Stdio::piped()).spawn().ok()?;
        let (mut pid, mut ready) = (None, None);
        for line in BufReader::new(child.stdout.take()?).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("pid ") {
                pid = rest.trim().parse::<u32>().ok();
            } else if let Some(rest) = line.strip_prefix("ready ") {
                ready = rest.split_once(' ').map(|(port, header)| (port.to_string(), header.to_string()));
            }
        }
        let _ = child.wait();
        let (port, header) = ready?;
        let cookie = header.strip_prefix("Cookie: ").unwrap_or(&header).to_string();
        Some(Self { pid: pid?, port: port.parse().ok()?, cookie })
    }
}

impl Drop for Anchor {
    fn drop(&mut self) {
        // run.sh starts uvicorn with setsid: its process group is its pid.
        let _ = Command::new("kill").args(["-TERM", "--", &format!("-{}", self.pid)]).status();
    }
}
