//! `GET /health`: 200 while the database answers, 503 otherwise. No authentication.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, get};
use serde::Serialize;
use utoipa::ToSchema;

use crate::server::AppState;

api_module![health];

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// "ok" or "unavailable"
    pub status: &'static str,
}

#[utoipa::path(tag = "health",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
#[get("/health")]
pub async fn health(state: &State<AppState>) -> (Status, Json<Health>) {
    if state.db.ping().await {
        (Status::Ok, Json(Health { status: "ok" }))
    } else {
        (Status::ServiceUnavailable, Json(Health { status: "unavailable" }))
    }
}
