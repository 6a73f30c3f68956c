//! `/api/reminders`: the signed-in user's reminders. HTTP only: handlers parse the query,
//! call `service::reminders` and map the answer; another user's reminder is 404 on every verb.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, patch, post};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::domain::id::{ReminderId, TodoId};
use crate::domain::reminders::{
    FieldProblem, NewReminder, Reminder, ReminderPatch, SnoozeRequest, parse_instant, parse_status_filter,
};
use crate::domain::time::UtcMillis;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::reminders::{self as service, ListFilter, ReminderError};

api_module![
    list_reminders,
    create_reminder,
    get_reminder,
    update_reminder,
    delete_reminder,
    snooze_reminder,
    dismiss_reminder,
    done_reminder,
    reopen_reminder,
];

/// A reminder as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderView {
    pub id: ReminderId,
    pub title: String,
    pub notes: String,
    #[schema(value_type = String, format = DateTime)]
    pub remind_at: UtcMillis,
    /// The IANA zone the reminder repeats in.
    pub timezone: String,
    /// RRULE, or null for a one-off reminder.
    pub recurrence: Option<String>,
    /// `active`, `done` or `dismissed`.
    pub status: &'static str,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub snoozed_until: Option<UtcMillis>,
    /// When it fires next: `snoozed_until` when snoozed, else `remind_at`.
    #[schema(value_type = String, format = DateTime)]
    pub next_fire_at: UtcMillis,
    #[schema(value_type = Option<i64>)]
    pub todo_id: Option<TodoId>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: UtcMillis,
}

impl From<Reminder> for ReminderView {
    fn from(reminder: Reminder) -> Self {
        Self {
            next_fire_at: reminder.fire_at(),
            id: reminder.id,
            title: reminder.title,
            notes: reminder.notes,
            remind_at: reminder.remind_at,
            timezone: reminder.timezone,
            recurrence: reminder.recurrence,
            status: reminder.status.as_str(),
            snoozed_until: reminder.snoozed_until,
            todo_id: reminder.todo_id,
            created_at: reminder.created_at,
            updated_at: reminder.updated_at,
        }
    }
}

/// Every field at fault in one 422.
fn invalid(problems: Vec<FieldProblem>) -> ApiError {
    let detail = problems.iter().map(|(field, message)| format!("{field}: {message}")).collect::<Vec<_>>().join("; ");
    let mut error = ApiError::new(Status::UnprocessableEntity, detail);
    error.errors = problems.into_iter().map(|(field, message)| FieldError { field, message }).collect();
    error
}

impl From<ReminderError> for ApiError {
    fn from(error: ReminderError) -> Self {
        match error {
            ReminderError::NotFound => ApiError::not_found(),
            ReminderError::Invalid(problems) => invalid(problems),
            ReminderError::Conflict(detail) => ApiError::conflict(detail),
            ReminderError::Db(error) => error.into(),
        }
    }
}

fn ok(reminder: Reminder) -> Json<ReminderView> {
    Json(ReminderView::from(reminder))
}

/// The list's query parameters, each refused by name when it does not parse.
fn list_filter(status: Option<&str>, from: Option<&str>, to: Option<&str>) -> ApiResult<ListFilter> {
    let mut problems = Vec::new();
    let statuses = parse_status_filter(status.unwrap_or("active")).unwrap_or_else(|| {
        problems.push(("status".into(), "must be active, done, dismissed (or several, comma-separated) or all".into()));
        Vec::new()
    });
    let mut instant = |name: &str, raw: Option<&str>| {
        raw.and_then(|text| {
            let parsed = parse_instant(text);
            if parsed.is_none() {
                problems.push((name.to_string(), "must be an RFC 3339 date and time".to_string()));
            }
            parsed
        })
    };
    let from = instant("from", from);
    let to = instant("to", to);
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        problems.push(("to".into(), "must not be before from".into()));
    }
    if problems.is_empty() { Ok(ListFilter { statuses, from, to }) } else { Err(invalid(problems)) }
}

#[utoipa::path(tag = "reminders",
    params(
        ("status" = Option<String>, Query, description = "active (default), done, dismissed, several comma-separated, or all"),
        ("from" = Option<String>, Query, description = "RFC 3339: only reminders firing at or after this"),
        ("to" = Option<String>, Query, description = "RFC 3339: only reminders firing before this"),
        ("limit" = Option<i64>, Query, description = "1–500, default 50"),
        ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<ReminderView>, description = "ordered by next_fire_at, then id"),
              (status = 422, description = "a parameter does not parse")))]
#[get("/api/reminders?<status>&<from>&<to>&<limit>&<offset>")]
pub async fn list_reminders(
    state: &State<AppState>,
    user: UnlockedUser,
    status: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<ReminderView>>> {
    let paging = Paging::parse(limit, offset)?;
    let filter = list_filter(status, from, to)?;
    let (items, total) =
        service::list(state.context().await?, user.0.user_id, &filter, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(items.into_iter().map(ReminderView::from).collect(), total)))
}

#[utoipa::path(tag = "reminders", request_body = NewReminder,
    responses((status = 201, body = ReminderView), (status = 404, description = "todo_id is not one of yours"),
              (status = 422, description = "invalid fields, all named")))]
#[post("/api/reminders", data = "<body>")]
pub async fn create_reminder(
    state: &State<AppState>,
    user: UnlockedUser,
    body: JsonBody<NewReminder>,
) -> ApiResult<(Status, Json<ReminderView>)> {
    let reminder = service::create(state.context().await?, user.0.user_id, body.0).await?;
    Ok((Status::Created, ok(reminder)))
}

#[utoipa::path(tag = "reminders", params(("id" = i64, Path)),
    responses((status = 200, body = ReminderView), (status = 404, description = "no such reminder of yours")))]
#[get("/api/reminders/<id>")]
pub async fn get_reminder(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ReminderId,
) -> ApiResult<Json<ReminderView>> {
    Ok(ok(service::get(state.context().await?, user.0.user_id, id).await?))
}

#[utoipa::path(tag = "reminders", params(("id" = i64, Path)), request_body = ReminderPatch,
    responses((status = 200, body = ReminderView), (status = 404, description = "no such reminder (or todo) of yours"),
              (status = 422, description = "invalid fields, or a server-owned field such as status")))]
#[patch("/api/reminders/<id>", data = "<body>")]
pub async fn update_reminder(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ReminderId,
    body: JsonBody<ReminderPatch>,
) -> ApiResult<Json<ReminderView>> {
    Ok(ok(service::update(state.context().await?, user.0.user_id, id, body.0).await?))
}

#[utoipa::path(tag = "reminders", params(("id" = i64, Path)),
    responses((status = 204, description = "deleted"), (status = 404, description = "no such reminder of yours")))]
#[delete("/api/reminders/<id>")]
pub async fn delete_reminder(state: &State<AppState>, user: UnlockedUser, id: ReminderId) -> ApiResult<Status> {
    service::delete(state.context().await?, user.0.user_id, id).await?;
    Ok(Status::NoContent)
}

#[utoipa::path(tag = "reminders", params(("id" = i64, Path)), request_body = SnoozeRequest,
    responses((status = 200, body = ReminderView), (status = 404, description = "no such reminder of yours"),
              (status = 409, description = "the reminder is done or dismissed"),
              (status = 422, description = "neither or both of minutes and until, or out of range")))]
#[post("/api/reminders/<id>/snooze", data = "<body>")]
pub async fn snooze_reminder(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ReminderId,
    body: JsonBody<SnoozeRequest>,
) -> ApiResult<Json<ReminderView>> {
    Ok(ok(service::snooze(state.context().await?, user.0.user_id, id, body.0).await?))
}

#[utoipa::path(tag = "reminders", params(("id" = i64, Path)),
    responses((status = 200, body = ReminderView), (status = 404, description = "no such reminder of yours"),
              (status = 409, description = "not active")))]
#[post("/api/reminders/<id>/dismiss")]
pub async fn dismiss_reminder(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ReminderId,
) -> ApiResult<Json<ReminderView>> {
    Ok(ok(service::dismiss(state.context().await?, user.0.user_id, id).await?))
}

#[utoipa::path(tag = "reminders", params(("id" = i64, Path)),
    responses((status = 200, body = ReminderView,
               description = "a repeating reminder moves to its next occurrence after now and stays active; otherwise done"),
              (status = 404, description = "no such reminder of yours"), (status = 409, description = "not active")))]
#[post("/api/reminders/<id>/done")]
pub async fn done_reminder(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ReminderId,
) -> ApiResult<Json<ReminderView>> {
    Ok(ok(service::done(state.context().await?, user.0.user_id, id).await?))
}

#[utoipa::path(tag = "reminders", params(("id" = i64, Path)),
    responses((status = 200, body = ReminderView), (status = 404, description = "no such reminder of yours"),
              (status = 409, description = "already active")))]
#[post("/api/reminders/<id>/reopen")]
pub async fn reopen_reminder(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ReminderId,
) -> ApiResult<Json<ReminderView>> {
    Ok(ok(service::reopen(state.context().await?, user.0.user_id, id).await?))
}
