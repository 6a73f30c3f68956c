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
