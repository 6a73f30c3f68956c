//! Changing one's password.

use serde_json::json;

use crate::harness::{PASSWORD, app};

#[tokio::test]
async fn password_change_revokes_other_sessions() {
    let app = app().await;
    let admin = app.admin().await;
    let laptop = app.persona("admin", PASSWORD);
    assert_eq!(laptop.login().await.status, 200);

    let weak =
        admin.post("/api/auth/password", json!({"current_password": PASSWORD, "new_password": "password"})).await;
    assert_eq!(weak.problem(422)["errors"][0]["field"], "new_password");
    let wrong = admin
        .post(
            "/api/auth/password",
            json!({"current_password": "this is not it, sorry", "new_password": "a brand new passphrase"}),
        )
        .await;
    wrong.problem(401);

    let changed = admin
        .post("/api/auth/password", json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}))
        .await;
    assert_eq!(changed.status, 204, "{}", changed.body);
    assert_eq!(admin.get("/api/auth/status").await.json()["authenticated"], true, "this session stays");
    assert_eq!(laptop.get("/api/auth/status").await.json()["authenticated"], false, "others are revoked");
    laptop.login().await.problem(401);
    assert_eq!(laptop.login_with("a brand new passphrase").await.status, 200);
}
