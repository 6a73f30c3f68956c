//! Liveness and readiness. `/health` answers 200 while the process serves, whatever the
//! database does (a restart would not cure an outage of it); `/ready` answers 200 only while
//! the database answers, the migrations are exactly the binary's and the jobs run, and 503
//! naming the check that failed otherwise. A database that went away turns API requests into
//! 503 problem+json with Retry-After, never a 500.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::app;

async fn ready(app: &crate::harness::TestApp) -> (u16, Value) {
    let response = app.anonymous().get("/ready").await;
    (response.status, response.json())
}

#[tokio::test]
async fn ready_checks_the_database_the_migrations_and_the_jobs_while_health_stays_live() {
    let app = app().await;
    let alice = app.user("alice").await;
    let (status, body) = ready(&app).await;
    assert_eq!(
        (status, body),
        (200, json!({"status": "ready", "failed": [], "checks": {"database": "ok", "migrations": "ok", "jobs": "ok"}}))
    );

    // A migration this binary does not know (a newer UMBRA sharing the database): not ready.
    let future = "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
                  VALUES (99999, 'from the future', CURRENT_TIMESTAMP, $1, $2, 0)";
    sqlx::query(future).bind(true).bind(vec![0u8]).execute(app.db.pool()).await.unwrap();
    let (status, body) = ready(&app).await;
    assert_eq!((status, &body["failed"]), (503, &json!(["migrations"])), "{body}");
    assert_eq!(body["status"], "not ready");
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 99999").execute(app.db.pool()).await.unwrap();
    assert_eq!(ready(&app).await.0, 200);

    // The job runner stopped (as at shutdown): not ready, within a bounded wait for the loops
    // to notice; the process still serves, so /health is 200.
    app.client.rocket().shutdown().notify();
    let deadline = Instant::now() + Duration::from_secs(5);
    let body = loop {
        let (status, body) = ready(&app).await;
        if status == 503 {
            break body;
        }
        assert!(Instant::now() < deadline, "/ready still {status} after the jobs were stopped: {body}");
        tokio::task::yield_now().await;
    };
    assert_eq!(body["failed"], json!(["jobs"]), "{body}");
    assert!(body["checks"]["jobs"].as_str().unwrap().contains("stopped"), "{body}");
    let health = app.anonymous().get("/health").await;
    assert_eq!((health.status, health.json()), (200, json!({"status": "ok"})));

    // The database gone (its pool closed): /ready names it, /health is still 200, and an API
    // request is a 503 problem with Retry-After (a database condition, not a server bug).
    app.db.close().await;
    let (status, body) = ready(&app).await;
    assert_eq!(status, 503);
    assert_eq!(body["checks"]["database"], "unreachable", "{body}");
    assert!(body["failed"].as_array().unwrap().contains(&json!("database")), "{body}");
    let health = app.anonymous().get("/health").await;
    assert_eq!((health.status, health.json()), (200, json!({"status": "ok"})));
    let todos = alice.get("/api/todos").await;
    todos.problem(503);
    assert!(todos.header("retry-after").is_some_and(|s| s.parse::<u64>().is_ok()), "{:?}", todos.headers);
    alice.post("/api/todos", json!({"title": "while down"})).await.problem(503);
}

#[tokio::test]
async fn ready_and_health_are_public_and_documented() {
    let app = app().await;
    let document = app.anonymous().get("/api/openapi.json").await.json();
    for path in ["/health", "/ready"] {
        assert!(document["paths"][path]["get"].is_object(), "{path} documented");
    }
    let ready = &document["paths"]["/ready"]["get"]["responses"];
    assert!(ready["200"].is_object() && ready["503"].is_object(), "{ready}");
    // Liveness has one answer.
    assert!(document["paths"]["/health"]["get"]["responses"]["503"].is_null());
}

#[test]
fn unreachable_and_full_databases_are_classified_as_such() {
    use umbra::db::error::DbError;
    for error in [
        sqlx::Error::PoolTimedOut,
        sqlx::Error::PoolClosed,
        sqlx::Error::Io(std::io::ErrorKind::ConnectionReset.into()),
    ] {
        assert!(matches!(DbError::classify(error), DbError::Unavailable(_)));
    }
    assert!(matches!(DbError::classify(sqlx::Error::RowNotFound), DbError::Other(_)));
}
