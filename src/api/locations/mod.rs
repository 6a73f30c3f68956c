//! `/api/locations`: the signed-in user's places. Another user's location is a 404 on every
//! verb. A location shows how many people link to it, so the UI can say what a delete unlinks.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, patch, post};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::db::locations::LocationRow;
use crate::domain::id::LocationId;
use crate::domain::locations::{LocationPatch, NewLocation};
use crate::domain::time::UtcMillis;
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::locations::{self as service, RecordError};

api_module!(list_locations, create_location, get_location, update_location, delete_location);

/// The longest search text accepted.
const Q_MAX: usize = 200;

#[derive(Debug, Serialize, ToSchema)]
pub struct LocationView {
    pub id: LocationId,
    pub name: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub category: String,
    pub notes: String,
    /// How many of your people link to this location (a delete unlinks them).
    pub people_count: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: UtcMillis,
}

impl From<LocationRow> for LocationView {
    fn from(row: LocationRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            address: row.address,
            latitude: row.latitude,
            longitude: row.longitude,
            category: row.category,
            notes: row.notes,
            people_count: row.people_count,
            created_at: UtcMillis(row.created_at),
            updated_at: UtcMillis(row.updated_at),
        }
    }
}

impl From<RecordError> for ApiError {
    fn from(error: RecordError) -> Self {
        match error {
            RecordError::NotFound => ApiError::not_found(),
            RecordError::Invalid(errors) => {
                let detail =
                    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
                let mut problem = ApiError::new(Status::UnprocessableEntity, detail);
                problem.errors = errors;
                problem
            }
            RecordError::Db(error) => error.into(),
        }
    }
}

/// A free-text search parameter: trimmed, bounded, absent when blank.
pub(crate) fn search_text(q: Option<&str>) -> ApiResult<Option<&str>> {
    let q = q.map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > Q_MAX) {
        return Err(ApiError::invalid_field("q", format!("must be at most {Q_MAX} characters")));
    }
    Ok(q)
}

#[utoipa::path(tag = "locations",
    params(("q" = Option<String>, Query, description = "in name or address, case-insensitive"),
        ("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<LocationView>)))]
#[get("/api/locations?<q>&<limit>&<offset>")]
pub async fn list_locations(
    state: &State<AppState>,
    user: UnlockedUser,
    q: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<LocationView>>> {
    let paging = Paging::parse(limit, offset)?;
    let q = search_text(q)?;
    let (rows, total) = service::list(state.context().await?, user.0.user_id, q, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(rows.into_iter().map(LocationView::from).collect(), total)))
}

#[utoipa::path(tag = "locations", request_body = NewLocation,
    responses((status = 201, body = LocationView), (status = 422, description = "invalid fields")))]
#[post("/api/locations", data = "<body>")]
pub async fn create_location(
    state: &State<AppState>,
    user: UnlockedUser,
    body: JsonBody<NewLocation>,
) -> ApiResult<(Status, Json<LocationView>)> {
    let row = service::create(state.context().await?, user.0.user_id, body.0).await?;
    Ok((Status::Created, Json(row.into())))
}

#[utoipa::path(tag = "locations", params(("id" = i64, Path)),
    responses((status = 200, body = LocationView), (status = 404, description = "no such location of yours")))]
#[get("/api/locations/<id>")]
pub async fn get_location(
    state: &State<AppState>,
    user: UnlockedUser,
    id: LocationId,
) -> ApiResult<Json<LocationView>> {
    Ok(Json(service::get(state.context().await?, user.0.user_id, id).await?.into()))
}

#[utoipa::path(tag = "locations", params(("id" = i64, Path)), request_body = LocationPatch,
    responses((status = 200, body = LocationView), (status = 404, description = "no such location of yours"),
        (status = 422, description = "invalid fields")))]
#[patch("/api/locations/<id>", data = "<body>")]
pub async fn update_location(
    state: &State<AppState>,
    user: UnlockedUser,
    id: LocationId,
    body: JsonBody<LocationPatch>,
) -> ApiResult<Json<LocationView>> {
    Ok(Json(service::update(state.context().await?, user.0.user_id, id, body.0).await?.into()))
}

#[utoipa::path(tag = "locations", params(("id" = i64, Path)),
    responses((status = 204, description = "deleted; linked people are unlinked"),
        (status = 404, description = "no such location of yours")))]
#[delete("/api/locations/<id>")]
pub async fn delete_location(state: &State<AppState>, user: UnlockedUser, id: LocationId) -> ApiResult<Status> {
    service::delete(state.context().await?, user.0.user_id, id).await?;
    Ok(Status::NoContent)
}
