//! Password strength (NIST SP 800-63B-4 length plus zxcvbn): repeats of common words, the
//! username and the site name are weak, and the 422 says why in plain words.

use serde_json::json;

use crate::harness::app;

#[tokio::test]
async fn guessable_passwords_are_refused_with_a_reason() {
    let app = app().await;
    let code = app.setup_code().await;
    let visitor = app.anonymous();
    let weak = [
        ("admin", "password password"),
        ("admin", "password password password"),
        ("bartholomew", "bartholomewbartholomew"),
        ("admin", "umbraumbraumbraumbra"),
        ("admin", "qwertyuiopasdfghjkl"),
    ];
    for (username, password) in weak {
        let refused = visitor
            .post("/api/auth/setup", json!({"setup_code": code, "username": username, "password": password}))
            .await;
        let problem = refused.problem(422);
        assert_eq!(problem["errors"][0]["field"], "password", "{password}");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(message.starts_with("The password "), "{password}: {message}");
        assert!(message.len() > "The password is too easy to guess.".len() - 10, "{message}");
    }
    let why = visitor
        .post("/api/auth/setup", json!({"setup_code": code, "username": "admin", "password": "password password"}))
        .await
        .json();
    let message = why["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("too easy to guess"), "{message}");

    let strong = visitor
        .post(
            "/api/auth/setup",
            json!({"setup_code": code, "username": "admin", "password": "violet kettle sings at dawn"}),
        )
        .await;
    assert_eq!(strong.status, 201, "{}", strong.body);
}

#[tokio::test]
async fn the_strength_meter_asks_the_servers_policy() {
    let app = app().await;
    let visitor = app.anonymous();
    let weak = visitor.post("/api/auth/password-strength", json!({"password": "password password"})).await;
    assert_eq!(weak.status, 200, "{}", weak.body);
    let weak = weak.json();
    assert_eq!(weak["acceptable"], false);
    assert!(weak["score"].as_u64().unwrap() < 3);
    assert!(weak["problem"].as_str().unwrap().starts_with("The password is too easy to guess."));

    let named = visitor
        .post("/api/auth/password-strength", json!({"password": "maximilian-maximilian", "username": "maximilian"}))
        .await
        .json();
    assert_eq!(named["acceptable"], false);

    let strong =
        visitor.post("/api/auth/password-strength", json!({"password": "violet kettle sings at dawn"})).await.json();
    assert_eq!(strong["acceptable"], true);
    assert!(strong["score"].as_u64().unwrap() >= 3);
    assert!(strong["problem"].is_null());
    visitor.post("/api/auth/password-strength", json!({"password": "x".repeat(2000)})).await.problem(422);
}
