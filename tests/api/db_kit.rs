//! The database kit: `DbError` classifies constraint violations the same on SQLite and
//! PostgreSQL, names their column, and makes them 409/422/404 problems — never a 500; the
//! repository functions run on the pool or inside one `Db::write` transaction alike.

use rocket::http::Status;
use serde_json::json;
use umbra::db::error::DbError;
use umbra::db::users;
use umbra::domain::role::Role;
use umbra::domain::time::UtcMillis;
use umbra::domain::username::Username;
use umbra::error::ApiError;

use crate::harness::app;

#[tokio::test]
async fn a_unique_violation_names_its_column_and_is_a_409() {
    let app = app().await;
    app.create_user("alice", Role::Standard).await;
    let name = Username::parse("alice").unwrap();
    let error = users::create(app.db.pool(), &name, "hash", Role::Standard, UtcMillis::now()).await.unwrap_err();
    assert!(matches!(&error, DbError::Unique { field: Some(f) } if f == "username"), "{error:?}");
    let api = ApiError::from(error);
    assert_eq!(api.status, Status::Conflict);
    assert_eq!(api.errors[0].field, "username");
}

#[tokio::test]
async fn a_foreign_key_violation_is_a_422_or_a_404_when_the_reference_is_hidden() {
    let app = app().await;
    let insert = || {
        sqlx::query(
            "INSERT INTO sessions (user_id, token_hash, created_at, last_seen_at, expires_at) VALUES (999, 'x', 0, 0, 0)",
        )
        .execute(app.db.pool())
    };
    let error = DbError::from(insert().await.unwrap_err());
    assert!(matches!(error, DbError::ForeignKey { hidden: false, .. }), "{error:?}");
    // SQLite's message names no column; the call site can.
    let api = ApiError::from(error.on_field("user_id"));
    assert_eq!(api.status, Status::UnprocessableEntity);
    assert_eq!(api.errors[0].field, "user_id");

    let hidden = DbError::from(insert().await.unwrap_err()).reference_hidden();
    assert_eq!(ApiError::from(hidden).status, Status::NotFound);

    // A raw sqlx error reaching the API is classified too.
    assert_eq!(ApiError::from(insert().await.unwrap_err()).status, Status::UnprocessableEntity);
}

#[tokio::test]
async fn creating_a_user_with_a_taken_name_is_a_409_naming_the_username() {
    let app = app().await;
    let admin = app.admin().await;
    app.create_user("alice", Role::Standard).await;
    let body = json!({"username": "alice", "password": "a fresh long passphrase 42", "role": "standard"});
    let problem = admin.post("/api/admin/users", body).await.problem(409);
    assert_eq!(problem["errors"][0]["field"], "username");
}

#[tokio::test]
async fn repository_functions_join_a_write_transaction_that_commits_or_rolls_back() {
    let app = app().await;
    let name = Username::parse("alice").unwrap();
    {
        let mut tx = app.db.write().await.unwrap();
        users::create(&mut *tx, &name, "hash", Role::Standard, UtcMillis::now()).await.unwrap();
        assert_eq!(users::count(&mut *tx).await.unwrap(), 1, "the transaction sees its own write");
        // Dropped without commit: rolled back.
    }
    assert_eq!(users::count(app.db.pool()).await.unwrap(), 0);

    let mut tx = app.db.write().await.unwrap();
    let row = users::create(&mut *tx, &name, "hash", Role::Standard, UtcMillis::now()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(users::find_by_id(app.db.pool(), row.id).await.unwrap().unwrap().username, "alice");
    // Multi-statement reads take the pool too.
    assert_eq!(users::list(app.db.pool()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn flags_and_ids_decode_from_either_database() {
    let app = app().await;
    let id = app.create_user("alice", Role::Standard).await;
    let (read_id, active): (umbra::domain::id::UserId, umbra::domain::flag::Flag) =
        sqlx::query_as("SELECT id, active FROM users WHERE id = $1").bind(id).fetch_one(app.db.pool()).await.unwrap();
    assert_eq!((read_id, active.get()), (id, true));
    users::update_role_and_active(app.db.pool(), id, Role::Standard, false, UtcMillis::now()).await.unwrap();
    assert!(!users::find_by_id(app.db.pool(), id).await.unwrap().unwrap().is_active());
}

#[tokio::test]
async fn an_id_path_segment_that_is_not_an_id_is_a_422_problem() {
    let app = app().await;
    let admin = app.admin().await;
    for bad in ["abc", "0", "-1", "1.5", "99999999999999999999"] {
        let path = format!("/api/admin/users/{bad}/unlock");
        admin.post_empty(&path).await.problem(422);
    }
    admin.post_empty("/api/admin/users/999/unlock").await.problem(404);
}

#[tokio::test]
async fn a_patch_field_that_cannot_be_cleared_refuses_null() {
    let app = app().await;
    let admin = app.admin().await;
    let id = app.create_user("alice", Role::Standard).await;
    let path = format!("/api/admin/users/{id}");
    let cleared = admin.request_json(rocket::http::Method::Patch, &path, json!({"role": null})).await;
    assert_eq!(cleared.problem(422)["errors"][0]["field"], "role");
    // Absent leaves it; a value sets it.
    let kept = admin.request_json(rocket::http::Method::Patch, &path, json!({"active": false})).await.json();
    assert_eq!((kept["role"].as_str(), kept["active"].as_bool()), (Some("standard"), Some(false)));

    // The OpenAPI document shows the field as the value or null.
    let document = admin.get("/api/openapi.json").await.json();
    let schemas = &document["components"]["schemas"];
    let mut role = &schemas["UpdateUserRequest"]["properties"]["role"];
    if let Some(name) = role["$ref"].as_str() {
        role = &schemas[name.trim_start_matches("#/components/schemas/")];
    }
    let choices = role["oneOf"].as_array().unwrap_or_else(|| panic!("{role}"));
    assert_eq!(choices[0]["type"], "null");
    assert_eq!(choices[1]["enum"], json!(["admin", "standard"]));
}
