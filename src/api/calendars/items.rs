//! `/api/calendars` and `/api/calendars/{id}`: list, create, read, change, delete, and
//! `/api/calendars/{id}/preferences`.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, patch, post};

use super::CalendarView;
use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::domain::calendars::{CalendarPatch, NewCalendar, PreferencesPatch};
use crate::domain::id::CalendarId;
use crate::error::ApiResult;
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::calendars as service;

#[utoipa::path(tag = "calendars",
    params(("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<CalendarView>, description = "own calendars (the default first), then shared ones")))]
#[get("/api/calendars?<limit>&<offset>")]
pub async fn list_calendars(
    state: &State<AppState>,
    user: UnlockedUser,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<CalendarView>>> {
    let paging = Paging::parse(limit, offset)?;
    let (rows, total) = service::list(state.context().await?, user.0.user_id, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(rows.into_iter().map(CalendarView::from).collect(), total)))
}

#[utoipa::path(tag = "calendars", request_body = NewCalendar,
    responses((status = 201, body = CalendarView), (status = 422, description = "invalid input")))]
#[post("/api/calendars", data = "<body>")]
pub async fn create_calendar(
    state: &State<AppState>,
    user: UnlockedUser,
    body: JsonBody<NewCalendar>,
) -> ApiResult<(Status, Json<CalendarView>)> {
    let row = service::create(state.context().await?, user.0.user_id, body.0).await?;
    Ok((Status::Created, Json(row.into())))
}

#[utoipa::path(tag = "calendars", params(("id" = i64, Path)),
    responses((status = 200, body = CalendarView), (status = 404, description = "no such calendar you can see")))]
#[get("/api/calendars/<id>")]
pub async fn get_calendar(
    state: &State<AppState>,
    user: UnlockedUser,
    id: CalendarId,
) -> ApiResult<Json<CalendarView>> {
    Ok(Json(service::get(state.context().await?, user.0.user_id, id).await?.into()))
}

/// Owner and managers change name, colour, description and zone; only the owner makes it the
/// default (`is_default: true`).
#[utoipa::path(tag = "calendars", params(("id" = i64, Path)), request_body = CalendarPatch,
    responses((status = 200, body = CalendarView), (status = 403, description = "a read or write member, or a manager setting is_default"),
              (status = 404, description = "no such calendar you can see"), (status = 422, description = "invalid input")))]
#[patch("/api/calendars/<id>", data = "<body>")]
pub async fn update_calendar(
    state: &State<AppState>,
    user: UnlockedUser,
    id: CalendarId,
    body: JsonBody<CalendarPatch>,
) -> ApiResult<Json<CalendarView>> {
    Ok(Json(service::update(state.context().await?, user.0.user_id, id, body.0).await?.into()))
}

/// Deletes the calendar with all its events (the owner only; never the default).
#[utoipa::path(tag = "calendars", params(("id" = i64, Path)),
    responses((status = 204, description = "deleted with its events, shares and feed"),
              (status = 403, description = "a member, not the owner"),
              (status = 404, description = "no such calendar you can see"),
              (status = 409, description = "the default calendar")))]
#[delete("/api/calendars/<id>")]
pub async fn delete_calendar(state: &State<AppState>, user: UnlockedUser, id: CalendarId) -> ApiResult<Status> {
    service::delete(state.context().await?, user.0.user_id, id).await?;
    Ok(Status::NoContent)
}

/// The caller's own view of a calendar they can see: hidden, and a colour of their own.
#[utoipa::path(tag = "calendars", params(("id" = i64, Path)), request_body = PreferencesPatch,
    responses((status = 200, body = CalendarView), (status = 404, description = "no such calendar you can see"),
              (status = 422, description = "invalid input")))]
#[patch("/api/calendars/<id>/preferences", data = "<body>")]
pub async fn update_calendar_preferences(
    state: &State<AppState>,
    user: UnlockedUser,
    id: CalendarId,
    body: JsonBody<PreferencesPatch>,
) -> ApiResult<Json<CalendarView>> {
    Ok(Json(service::set_preferences(state.context().await?, user.0.user_id, id, body.0).await?.into()))
}
