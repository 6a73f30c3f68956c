//! First-run setup and registration.

use serde_json::json;

use crate::harness::{PASSWORD, app};

#[tokio::test]
async fn setup_requires_the_code_and_happens_once() {
    let app = app().await;
    let visitor = app.anonymous();
    let status = visitor.get("/api/auth/status").await.json();
    assert_eq!(status["setup_required"], true);
    assert_eq!(status["authenticated"], false);

    let wrong = visitor
        .post("/api/auth/setup", json!({"setup_code": "AAAA-BBBB-CCCC-DDDD", "username": "root", "password": PASSWORD}))
        .await;
    wrong.problem(403);
    let missing = visitor.post("/api/auth/setup", json!({"username": "root", "password": PASSWORD})).await;
    assert_eq!(missing.problem(422)["errors"][0]["field"], "setup_code");

    // The code is accepted however it is typed.
    let code = app.setup_code().await.to_lowercase().replace('-', " ");
    let created =
        visitor.post("/api/auth/setup", json!({"setup_code": code, "username": "Root", "password": PASSWORD})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["username"], "root");
    assert_eq!(created.json()["role"], "admin");

    let status = visitor.get("/api/auth/status").await.json();
    assert_eq!(status["setup_required"], false);
    assert_eq!(status["authenticated"], true);
    assert_eq!(status["user"]["username"], "root");

    let again = app
        .anonymous()
        .post("/api/auth/setup", json!({"setup_code": code, "username": "other", "password": PASSWORD}))
        .await;
    again.problem(409);
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|(action, target, _)| action == "setup" && target.as_deref() == Some("root"))
    );
}

#[tokio::test]
async fn setup_validates_username_and_password() {
    let app = app().await;
    let code = app.setup_code().await;
    let visitor = app.anonymous();
    let cases = [
        (json!({"setup_code": code, "username": "x", "password": PASSWORD}), "username"),
        (json!({"setup_code": code, "username": "root", "password": "too short"}), "password"),
        (json!({"setup_code": code, "username": "root", "password": "root-is-the-best-admin"}), "password"),
        (json!({"setup_code": code, "username": "root", "password": "q".repeat(1025)}), "password"),
        (json!({"setup_code": code, "username": "root", "password": PASSWORD, "role": "admin"}), "role"),
    ];
    for (body, field) in cases {
        let response = visitor.post("/api/auth/setup", body).await;
        assert_eq!(response.problem(422)["errors"][0]["field"], field, "{}", response.body);
    }
    // Nothing was created and the code still works.
    assert_eq!(visitor.get("/api/auth/status").await.json()["setup_required"], true);
    assert_eq!(app.setup_code().await, code);
}

#[tokio::test]
async fn registration_is_closed_until_opened() {
    let app = app().await;
    let _admin = app.admin().await;
    let visitor = app.persona("newbie", PASSWORD);
    let register = |name: &'static str| {
        let visitor = &visitor;
        async move { visitor.post("/api/auth/register", json!({"username": name, "password": PASSWORD})).await }
    };
    register("newbie").await.problem(403);
    assert_eq!(visitor.get("/api/auth/status").await.json()["registration_open"], false);

    let pool = app.db.pool();
    umbra::db::system_config::set(pool, umbra::db::system_config::REGISTRATION_OPEN, "true").await.unwrap();
    // Registration reads the database at once.
    let created = register("newbie").await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["role"], "standard");
    assert_eq!(visitor.get("/api/auth/status").await.json()["user"]["username"], "newbie");
    // The status hint for the sign-in page may lag by up to a second.
    app.clock.advance_minutes(1);
    assert_eq!(visitor.get("/api/auth/status").await.json()["registration_open"], true);

    let taken = app.anonymous().post("/api/auth/register", json!({"username": "NEWBIE", "password": PASSWORD})).await;
    assert_eq!(taken.problem(409)["errors"][0]["field"], "username");
}

#[tokio::test]
async fn of_setups_racing_with_the_right_code_exactly_one_wins() {
    let app = app().await;
    let code = app.setup_code().await;
    let racers: Vec<_> = ["ann", "ben", "cat", "dan"].iter().map(|name| app.persona(name, PASSWORD)).collect();
    let answers = futures::future::join_all(racers.iter().map(|racer| {
        racer.post("/api/auth/setup", json!({"setup_code": code, "username": racer.username, "password": PASSWORD}))
    }))
    .await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| [201, 403, 409].contains(s)), "{statuses:?}");
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(admins, 1);
}

#[tokio::test]
async fn bad_setup_bodies_are_refused_and_take_nothing() {
    let app = app().await;
    let code = app.setup_code().await;
    let visitor = app.anonymous();
    let send = |body: String| {
        let visitor = &visitor;
        async move {
            let headers = [("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")];
            visitor.request(rocket::http::Method::Post, "/api/auth/setup", Some(&body), &headers).await
        }
    };
    let unknown = json!({"setup_code": code, "username": "root", "password": PASSWORD, "role": "admin"});
    assert_eq!(send(unknown.to_string()).await.problem(422)["errors"][0]["field"], "role");
    send(format!("{{\"setup_code\": \"{code}\", ")).await.problem(400);
    let huge = json!({"setup_code": code, "username": "root", "password": "x".repeat(70 * 1024)});
    send(huge.to_string()).await.problem(413);
    // The code was not spent: the right request still sets up.
    assert_eq!(app.setup_code().await, code);
    let created = send(json!({"setup_code": code, "username": "root", "password": PASSWORD}).to_string()).await;
    assert_eq!(created.status, 201, "{}", created.body);
}
