//! `/api/event-templates`: the signed-in user's presets for new events (CRUD, `Page` list).
//! Another user's template is 404 on every verb, and a `calendar_id` the caller cannot see
//! is 404 too. Use one with `POST /api/events` `{"template_id", "start"}`.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, patch, post};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::db::event_templates::TemplateRow;
use crate::domain::events::templates::{EventTemplatePatch, NewEventTemplate};
use crate::domain::id::{CalendarId, EventTemplateId};
use crate::domain::time::UtcMillis;
use crate::error::ApiResult;
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::event_templates as service;
use crate::service::events::alerts_of;

api_module![
    list_event_templates,
    create_event_template,
    get_event_template,
    update_event_template,
    delete_event_template
];

#[derive(Debug, Serialize, ToSchema)]
pub struct EventTemplateView {
    pub id: EventTemplateId,
    pub name: String,
    pub title: String,
    pub duration_minutes: i64,
    pub calendar_id: Option<CalendarId>,
    pub description: String,
    pub location: String,
    pub alerts: Vec<i64>,
    pub colour: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: UtcMillis,
}

impl From<TemplateRow> for EventTemplateView {
    fn from(row: TemplateRow) -> Self {
        Self {
            alerts: alerts_of(&row.alerts),
            id: row.id,
            name: row.name,
            title: row.title,
            duration_minutes: row.duration_minutes,
            calendar_id: row.calendar_id,
            description: row.description,
            location: row.location,
            colour: row.colour,
            created_at: UtcMillis(row.created_at),
            updated_at: UtcMillis(row.updated_at),
        }
    }
}

#[utoipa::path(tag = "event-templates",
    params(("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<EventTemplateView>)))]
#[get("/api/event-templates?<limit>&<offset>")]
pub async fn list_event_templates(
    state: &State<AppState>,
    user: UnlockedUser,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<EventTemplateView>>> {
    let paging = Paging::parse(limit, offset)?;
    let (rows, total) = service::list(state.context().await?, user.0.user_id, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(rows.into_iter().map(EventTemplateView::from).collect(), total)))
}

#[utoipa::path(tag = "event-templates", request_body = NewEventTemplate,
    responses((status = 201, body = EventTemplateView),
              (status = 404, description = "calendar_id is not a calendar you can see"),
              (status = 422, description = "invalid input")))]
#[post("/api/event-templates", data = "<body>")]
pub async fn create_event_template(
    state: &State<AppState>,
    user: UnlockedUser,
    body: JsonBody<NewEventTemplate>,
) -> ApiResult<(Status, Json<EventTemplateView>)> {
    let row = service::create(state.context().await?, user.0.user_id, body.0).await?;
    Ok((Status::Created, Json(row.into())))
}

#[utoipa::path(tag = "event-templates", params(("id" = i64, Path)),
    responses((status = 200, body = EventTemplateView), (status = 404, description = "no such template of yours")))]
#[get("/api/event-templates/<id>")]
pub async fn get_event_template(
    state: &State<AppState>,
    user: UnlockedUser,
    id: EventTemplateId,
) -> ApiResult<Json<EventTemplateView>> {
    Ok(Json(service::get(state.context().await?, user.0.user_id, id).await?.into()))
}

#[utoipa::path(tag = "event-templates", params(("id" = i64, Path)), request_body = EventTemplatePatch,
    responses((status = 200, body = EventTemplateView),
              (status = 404, description = "no such template of yours (or calendar you can see)"),
              (status = 422, description = "invalid input")))]
#[patch("/api/event-templates/<id>", data = "<body>")]
pub async fn update_event_template(
    state: &State<AppState>,
    user: UnlockedUser,
    id: EventTemplateId,
    body: JsonBody<EventTemplatePatch>,
) -> ApiResult<Json<EventTemplateView>> {
    Ok(Json(service::update(state.context().await?, user.0.user_id, id, body.0).await?.into()))
}

#[utoipa::path(tag = "event-templates", params(("id" = i64, Path)),
    responses((status = 204, description = "deleted"), (status = 404, description = "no such template of yours")))]
#[delete("/api/event-templates/<id>")]
pub async fn delete_event_template(
    state: &State<AppState>,
    user: UnlockedUser,
    id: EventTemplateId,
) -> ApiResult<Status> {
    service::delete(state.context().await?, user.0.user_id, id).await?;
    Ok(Status::NoContent)
}
