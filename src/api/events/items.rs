//! `POST /api/events` and `GET/PATCH/DELETE /api/events/{id}`.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, patch, post};

use super::EventView;
use crate::auth::guards::UnlockedUser;
use crate::domain::events::{EventPatch, NewEvent};
use crate::domain::id::EventId;
use crate::error::ApiResult;
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::events::change::{self, Target};
use crate::service::events::{self as service};

#[utoipa::path(tag = "events", request_body = NewEvent,
    responses((status = 201, body = EventView),
              (status = 403, description = "calendar_id is a calendar you may only read"),
              (status = 404, description = "calendar_id, location_id or template_id is not one you can see"),
              (status = 422, description = "invalid input, naming the field")))]
#[post("/api/events", data = "<body>")]
pub async fn create_event(
    state: &State<AppState>,
    user: UnlockedUser,
    body: JsonBody<NewEvent>,
) -> ApiResult<(Status, Json<EventView>)> {
    let detail = service::create(state.context().await?, user.0.user_id, body.0).await?;
    Ok((Status::Created, Json(detail.into())))
}

#[utoipa::path(tag = "events", params(("id" = i64, Path)),
    responses((status = 200, body = EventView), (status = 404, description = "no such event you can see")))]
#[get("/api/events/<id>")]
pub async fn get_event(state: &State<AppState>, user: UnlockedUser, id: EventId) -> ApiResult<Json<EventView>> {
    Ok(Json(service::get(state.context().await?, user.0.user_id, id).await?.into()))
}

/// Changes an event. A series needs `scope`: `this` stores an override of the occurrence
/// `recurrence_id`, `following` ends the series before it and answers the new series that
/// starts there, `all` changes the series (`dropped_overrides` lists overrides that no longer
/// fit it).
#[utoipa::path(tag = "events", request_body = EventPatch,
    params(("id" = i64, Path),
        ("scope" = Option<String>, Query, description = "this, following or all; required for a repeating event"),
        ("recurrence_id" = Option<String>, Query,
         description = "the occurrence, for this/following: an RFC 3339 instant (timed) or YYYY-MM-DD (all-day)")),
    responses((status = 200, body = EventView),
              (status = 403, description = "you may only read this event (or the calendar it moves to)"),
              (status = 404, description = "no such event (or calendar, location) you can see"),
              (status = 422, description = "invalid input, a missing scope, or a recurrence_id that is not an occurrence")))]
#[patch("/api/events/<id>?<scope>&<recurrence_id>", data = "<body>")]
pub async fn update_event(
    state: &State<AppState>,
    user: UnlockedUser,
    id: EventId,
    scope: Option<&str>,
    recurrence_id: Option<&str>,
    body: JsonBody<EventPatch>,
) -> ApiResult<Json<EventView>> {
    let target = Target { scope, recurrence_id };
    Ok(Json(change::update(state.context().await?, user.0.user_id, id, target, body.0).await?.into()))
}

/// Deletes an event. A series needs `scope`: `this` excludes one occurrence, `following` ends
/// the series before it, `all` deletes the series.
#[utoipa::path(tag = "events",
    params(("id" = i64, Path),
        ("scope" = Option<String>, Query, description = "this, following or all; required for a repeating event"),
        ("recurrence_id" = Option<String>, Query, description = "the occurrence, for this/following")),
    responses((status = 204, description = "deleted"),
              (status = 403, description = "you may only read this event"),
              (status = 404, description = "no such event you can see"),
              (status = 422, description = "a missing scope, or a recurrence_id that is not an occurrence")))]
#[delete("/api/events/<id>?<scope>&<recurrence_id>")]
pub async fn delete_event(
    state: &State<AppState>,
    user: UnlockedUser,
    id: EventId,
    scope: Option<&str>,
    recurrence_id: Option<&str>,
) -> ApiResult<Status> {
    change::delete(state.context().await?, user.0.user_id, id, Target { scope, recurrence_id }).await?;
    Ok(Status::NoContent)
}
