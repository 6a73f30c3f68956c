//! `kill -9` under a mixed write load, on the database of the run (SQLite, or a fresh
//! PostgreSQL database when `UMBRA_TEST_POSTGRES_URL` is set): eight clients create and rename
//! todos, events, task comments and people over HTTPS; the process is killed mid-load; it is
//! started again on the same data. Every write answered 2xx before the kill is there (an
//! update in flight at the kill may or may not have landed, but nothing older than the last
//! acknowledged value), the restarted server is ready, and the database is intact: SQLite's
//! `integrity_check` says ok and `foreign_key_check` finds nothing; on PostgreSQL every
//! foreign key is a validated constraint (so the server enforces it) and the main ones are
//! checked for orphans anyway.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::{Connection, SqliteConnection};
use umbra::db::Db;

use super::{Setting, json_request, post_json};

const WORKERS: usize = 8;
/// Acknowledged writes to wait for before the kill (bounded by `LOAD_DEADLINE`).
const ACKED_BEFORE_KILL: usize = 200;
const LOAD_DEADLINE: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy)]
enum Kind {
    Todo,
    Event,
    Comment,
    Person,
}

impl Kind {
    fn table_and_column(self) -> (&'static str, &'static str) {
        match self {
            Kind::Todo => ("todos", "title"),
            Kind::Event => ("events", "title"),
            Kind::Comment => ("task_comments", "body"),
            Kind::Person => ("people", "name"),
        }
    }

    fn collection(self, task: &str) -> String {
        match self {
            Kind::Todo => "/api/todos".into(),
            Kind::Event => "/api/events".into(),
            Kind::Comment => format!("{task}/comments"),
            Kind::Person => "/api/people".into(),
        }
    }

    fn body(self, text: &str) -> Value {
        match self {
            Kind::Todo => json!({"title": text}),
            Kind::Event => json!({"title": text, "start": "2027-01-01T09:00:00Z", "end": "2027-01-01T10:00:00Z"}),
            Kind::Comment => json!({"body": text}),
            Kind::Person => json!({"name": text}),
        }
    }

    fn patch(self, text: &str) -> Value {
        match self {
            Kind::Event => json!({"title": text}),
            other => other.body(text),
        }
    }
}

/// One object a worker made: its last acknowledged text, and the text of an update that was
/// sent but not answered (in flight at the kill).
#[derive(Debug)]
struct Written {
    kind: Kind,
    id: i64,
    acked: String,
    in_flight: Option<String>,
}

/// A 503 problem: the write was refused as a whole (on PostgreSQL a deadlock between two
/// writers of one user, `DbError::Contention`) and may be sent again; not acknowledged, and
/// counted.
fn retry_later(status: reqwest::StatusCode, body: &str, busy: &AtomicUsize) -> bool {
    let refused = status == 503 && body.contains("\"status\":503");
    if refused {
        busy.fetch_add(1, Ordering::Relaxed);
    }
    refused
}

/// Creates and renames objects of `kind` until the server stops answering; every 2xx is
/// recorded. Any answer other than 2xx or a 503 problem before the kill is a failure of its
/// own.
async fn worker(
    client: reqwest::Client,
    base: String,
    task: String,
    kind: Kind,
    n: usize,
    acked: Arc<AtomicUsize>,
    busy: Arc<AtomicUsize>,
) -> Vec<Written> {
    let mut written = Vec::new();
    for i in 0.. {
        let text = format!("w{n}-{i}");
        let created =
            json_request(&client, Method::POST, format!("{base}{}", kind.collection(&task)), &kind.body(&text))
                .send()
                .await;
        let Ok(created) = created else { break };
        let status = created.status();
        let Ok(body) = created.json::<Value>().await else { break };
        if retry_later(status, &body.to_string(), &busy) {
            continue;
        }
        assert!(status.is_success(), "{kind:?} create answered {status}: {body}");
        acked.fetch_add(1, Ordering::Relaxed);
        let id = body["id"].as_i64().unwrap();
        written.push(Written { kind, id, acked: text.clone(), in_flight: Some(format!("{text}-renamed")) });
        let renamed = format!("{text}-renamed");
        let path = format!("{base}{}/{id}", kind.collection(&task));
        let Ok(patched) = json_request(&client, Method::PATCH, path, &kind.patch(&renamed)).send().await else { break };
        let status = patched.status();
        let Ok(body) = patched.text().await else { break };
        if retry_later(status, &body, &busy) {
            continue;
        }
        assert!(status.is_success(), "{kind:?} update answered {status}: {body}");
        acked.fetch_add(1, Ordering::Relaxed);
        let last = written.last_mut().unwrap();
        last.acked = renamed;
        last.in_flight = None;
    }
    written
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_a_write_load_loses_no_acknowledged_write_and_leaves_an_intact_database() {
    let setting = Setting::with_user("alice").await;
    let mut umbra = setting.start();
    let client = umbra.signed_in("alice").await;
    let project = post_json(&client, umbra.url("/api/projects"), &json!({"name": "House"})).await;
    let tasks = format!("/api/projects/{}/tasks", project["id"]);
    let task = post_json(&client, umbra.url(&tasks), &json!({"title": "Paint"})).await;
    let task_path = format!("{tasks}/{}", task["id"].as_i64().expect("a task"));

    let acked = Arc::new(AtomicUsize::new(0));
    let busy = Arc::new(AtomicUsize::new(0));
    let kinds = [Kind::Todo, Kind::Event, Kind::Comment, Kind::Person];
    let workers: Vec<_> = (0..WORKERS)
        .map(|n| {
            let worker = worker(
                client.clone(),
                umbra.base.clone(),
                task_path.clone(),
                kinds[n % 4],
                n,
                acked.clone(),
                busy.clone(),
            );
            tokio::spawn(worker)
        })
        .collect();
    let started = Instant::now();
    while acked.load(Ordering::Relaxed) < ACKED_BEFORE_KILL {
        assert!(started.elapsed() < LOAD_DEADLINE, "only {} writes acknowledged", acked.load(Ordering::Relaxed));
        assert!(workers.iter().all(|w| !w.is_finished()), "a worker stopped before the kill");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    umbra.kill9();
    let mut written = Vec::new();
    for worker in workers {
        written.extend(worker.await.expect("worker"));
    }
    assert!(written.len() >= ACKED_BEFORE_KILL / 2, "{} objects", written.len());
    eprintln!(
        "faults::kill9: {} objects, {} acknowledged writes before SIGKILL, {} answered 503 (retry later)",
        written.len(),
        acked.load(Ordering::Relaxed),
        busy.load(Ordering::Relaxed)
    );

    // The same data, a new process: it starts (the crashed database is not refused) and is ready.
    let mut umbra = setting.start();
    let ready = umbra.client().get(umbra.url("/ready")).send().await.unwrap();
    assert_eq!(ready.status(), 200, "{}", ready.text().await.unwrap());
    umbra.signed_in("alice").await;

    assert_acknowledged_writes_present(&setting.database.url, &written).await;
    umbra.sigterm();
    assert!(umbra.wait_exit(Duration::from_secs(30)).success());

    assert_intact(&setting.database.url).await;
}

/// Every acknowledged write is there, no older than its last acknowledged value.
async fn assert_acknowledged_writes_present(url: &str, written: &[Written]) {
    let db = Db::connect(url).await.unwrap();
    for object in written {
        let (table, column) = object.kind.table_and_column();
        let sql = format!("SELECT {column} FROM {table} WHERE id = $1");
        let found: Option<String> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(object.id).fetch_optional(db.pool()).await.unwrap();
        let found = found.unwrap_or_else(|| panic!("acknowledged {object:?} is gone"));
        assert!(
            found == object.acked || Some(&found) == object.in_flight.as_ref(),
            "{object:?} reads {found:?}: older than its last acknowledged write"
        );
    }
    db.close().await;
}

/// SQLite: integrity_check ok, foreign_key_check empty. PostgreSQL: every foreign key a
/// validated (enforced) constraint, and no orphans on the main ones.
async fn assert_intact(url: &str) {
    if url.starts_with("sqlite:") {
        let mut conn = SqliteConnection::connect(url).await.unwrap();
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&mut conn).await.unwrap();
        assert_eq!(integrity, ["ok"]);
        let broken = sqlx::query("PRAGMA foreign_key_check").fetch_all(&mut conn).await.unwrap();
        assert!(broken.is_empty(), "{} broken references", broken.len());
        conn.close().await.unwrap();
    } else {
        let db = Db::connect(url).await.unwrap();
        let count = |sql: &'static str| {
            let pool = db.pool().clone();
            async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.unwrap() }
        };
        let foreign_keys = count(
            "SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = CAST(current_schema() AS regnamespace)",
        )
        .await;
        assert!(foreign_keys > 20, "{foreign_keys} foreign keys");
        let unvalidated = count(
            "SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f' AND NOT convalidated \
             AND connamespace = CAST(current_schema() AS regnamespace)",
        )
        .await;
        assert_eq!(unvalidated, 0, "every foreign key is enforced");
        for orphans in [
            "SELECT COUNT(*) FROM todos WHERE user_id NOT IN (SELECT id FROM users)",
            "SELECT COUNT(*) FROM events WHERE calendar_id NOT IN (SELECT id FROM calendars)",
            "SELECT COUNT(*) FROM task_comments WHERE task_id NOT IN (SELECT id FROM project_tasks)",
            "SELECT COUNT(*) FROM people WHERE user_id NOT IN (SELECT id FROM users)",
        ] {
            assert_eq!(count(orphans).await, 0, "{orphans}");
        }
        db.close().await;
    }
}
