//! `/api/todos` and `/api/todos/{id}`: list with filters, create, read, change (including
//! completion), delete, the completion history and the manual order.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, patch, post};

use super::{CompletionView, TodoView};
use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::db::todos::{Sort, Status as TodoStatus, TodoFilter};
use crate::domain::id::{TodoCategoryId, TodoId};
use crate::domain::patch::Patch;
use crate::domain::time::UtcMillis;
use crate::domain::todos::{self as rules, NewTodo, Priority, Problems, Reorder, TodoPatch};
use crate::error::ApiResult;
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::todos::{self as service, TodoError};

/// The raw query values of a list, so that each bad one is a 422 naming its parameter.
#[derive(Debug, Default, rocket::FromForm)]
pub struct ListQuery<'r> {
    status: Option<&'r str>,
    category_id: Option<&'r str>,
    priority: Option<&'r str>,
    due_before: Option<&'r str>,
    due_after: Option<&'r str>,
    overdue: Option<&'r str>,
    q: Option<&'r str>,
    sort: Option<&'r str>,
    limit: Option<&'r str>,
    offset: Option<&'r str>,
}

/// A bound of a due filter: a day (`YYYY-MM-DD`, the whole day in UTC) or an instant.
fn due_bound(text: &str, end_of_day: bool) -> Option<i64> {
    if let Some(date) = rules::parse_date(text) {
        let day = if end_of_day { date.succ_opt()? } else { date };
        let start = day.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis();
        return Some(if end_of_day { start - 1 } else { start });
    }
    rules::parse_instant(text)
}

fn parse_filter(query: &ListQuery<'_>, now: UtcMillis) -> Result<TodoFilter, Problems> {
    let mut problems = Problems::default();
    let status = match query.status.unwrap_or("open") {
        "open" => TodoStatus::Open,
        "completed" => TodoStatus::Completed,
        "all" => TodoStatus::All,
        _ => {
            problems.add("status", "must be open, completed or all");
            TodoStatus::Open
        }
    };
    let category_id = query.category_id.and_then(|text| {
        let id = crate::domain::id::parse_id(text).map(TodoCategoryId);
        if id.is_none() {
            problems.add("category_id", "must be a category id");
        }
        id
    });
    let priority = query.priority.and_then(|text| {
        let priority = Priority::parse(text);
        if priority.is_none() {
            problems.add("priority", "must be none, low, medium or high");
        }
        priority.map(Priority::to_db)
    });
    let mut bound = |field: &str, text: Option<&str>, end_of_day: bool| {
        text.and_then(|text| {
            let at = due_bound(text, end_of_day);
            if at.is_none() {
                problems.add(field, "must be a date (YYYY-MM-DD) or an RFC 3339 date and time");
            }
            at
        })
    };
    let due_before = bound("due_before", query.due_before, true);
    let due_after = bound("due_after", query.due_after, false);
    let overdue = match query.overdue {
        None | Some("false") => None,
        Some("true") => Some(now.0),
        Some(_) => {
            problems.add("overdue", "must be true or false");
            None
        }
    };
    let q = query.q.map(str::trim).filter(|q| !q.is_empty()).map(str::to_string);
    if q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        problems.add("q", "must be at most 200 characters");
    }
    let sort = match query.sort.unwrap_or("position") {
        "position" => Sort::Position,
        "due" => Sort::Due,
        "priority" => Sort::Priority,
        "created" => Sort::Created,
        _ => {
            problems.add("sort", "must be position, due, priority or created");
            Sort::Position
        }
    };
    problems.into_result().map(|()| TodoFilter {
        status,
        category_id,
        priority,
        due_before,
        due_after,
        overdue_at: overdue,
        q,
        sort,
    })
}

#[utoipa::path(tag = "todos",
    params(
        ("status" = Option<String>, Query, description = "open (default), completed or all"),
        ("category_id" = Option<i64>, Query),
        ("priority" = Option<String>, Query, description = "none, low, medium or high"),
        ("due_before" = Option<String>, Query, description = "due on or before this day (YYYY-MM-DD) or instant"),
        ("due_after" = Option<String>, Query, description = "due on or after this day (YYYY-MM-DD) or instant"),
        ("overdue" = Option<bool>, Query, description = "only open todos past their due date or time"),
        ("q" = Option<String>, Query, description = "in the title or notes, case-insensitive"),
        ("sort" = Option<String>, Query, description = "position (default), due, priority or created; ties by id"),
        ("limit" = Option<i64>, Query, description = "1–500, default 50"),
        ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<TodoView>), (status = 422, description = "a bad filter value")))]
#[get("/api/todos?<query..>")]
pub async fn list_todos(
    state: &State<AppState>,
    user: UnlockedUser,
    query: ListQuery<'_>,
) -> ApiResult<Json<Page<TodoView>>> {
    let paging = Paging::parse(query.limit, query.offset)?;
    let ctx = state.context().await?;
    let filter = parse_filter(&query, ctx.now).map_err(TodoError::Invalid)?;
    let (rows, total) = service::list(ctx, user.0.user_id, &filter, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(rows.into_iter().map(TodoView::from).collect(), total)))
}

#[utoipa::path(tag = "todos", request_body = NewTodo,
    responses((status = 201, body = TodoView), (status = 404, description = "category_id is not one of yours"),
              (status = 422, description = "invalid input")))]
#[post("/api/todos", data = "<body>")]
pub async fn create_todo(
    state: &State<AppState>,
    user: UnlockedUser,
    body: JsonBody<NewTodo>,
) -> ApiResult<(Status, Json<TodoView>)> {
    let row = service::create(state.context().await?, user.0.user_id, body.0).await?;
    Ok((Status::Created, Json(row.into())))
}

#[utoipa::path(tag = "todos", params(("id" = i64, Path)),
    responses((status = 200, body = TodoView), (status = 404, description = "no such todo of yours")))]
#[get("/api/todos/<id>")]
pub async fn get_todo(state: &State<AppState>, user: UnlockedUser, id: TodoId) -> ApiResult<Json<TodoView>> {
    Ok(Json(service::get(state.context().await?, user.0.user_id, id).await?.into()))
}

#[utoipa::path(tag = "todos", params(("id" = i64, Path)), request_body = TodoPatch,
    responses((status = 200, body = TodoView), (status = 404, description = "no such todo (or category) of yours"),
              (status = 422, description = "invalid input")))]
#[patch("/api/todos/<id>", data = "<body>")]
pub async fn update_todo(
    state: &State<AppState>,
    user: UnlockedUser,
    id: TodoId,
    body: JsonBody<TodoPatch>,
) -> ApiResult<Json<TodoView>> {
    Ok(Json(service::update(state.context().await?, user.0.user_id, id, body.0).await?.into()))
}

#[utoipa::path(tag = "todos", params(("id" = i64, Path)),
    responses((status = 204, description = "deleted with its completion history"),
              (status = 404, description = "no such todo of yours")))]
#[delete("/api/todos/<id>")]
pub async fn delete_todo(state: &State<AppState>, user: UnlockedUser, id: TodoId) -> ApiResult<Status> {
    service::delete(state.context().await?, user.0.user_id, id).await?;
    Ok(Status::NoContent)
}

/// The same as `PATCH {"completed": true}`: a recurring todo moves to its next occurrence.
#[utoipa::path(tag = "todos", params(("id" = i64, Path)),
    responses((status = 200, body = TodoView), (status = 404, description = "no such todo of yours")))]
#[post("/api/todos/<id>/complete")]
pub async fn complete_todo(state: &State<AppState>, user: UnlockedUser, id: TodoId) -> ApiResult<Json<TodoView>> {
    let patch = TodoPatch { completed: Patch::Set(true), ..TodoPatch::default() };
    Ok(Json(service::update(state.context().await?, user.0.user_id, id, patch).await?.into()))
}

#[utoipa::path(tag = "todos", params(("id" = i64, Path),
        ("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<CompletionView>), (status = 404, description = "no such todo of yours")))]
#[get("/api/todos/<id>/completions?<limit>&<offset>")]
pub async fn list_completions(
    state: &State<AppState>,
    user: UnlockedUser,
    id: TodoId,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<CompletionView>>> {
    let paging = Paging::parse(limit, offset)?;
    let (rows, total) =
        service::completions(state.context().await?, user.0.user_id, id, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(rows.into_iter().map(CompletionView::from).collect(), total)))
}

/// Puts the listed todos in this order among the places they hold (others keep theirs).
#[utoipa::path(tag = "todos", request_body = Reorder,
    responses((status = 204, description = "reordered"), (status = 404, description = "an id is not one of your todos; nothing changed"),
              (status = 422, description = "an id listed twice")))]
#[post("/api/todos/reorder", data = "<body>")]
pub async fn reorder_todos(state: &State<AppState>, user: UnlockedUser, body: JsonBody<Reorder>) -> ApiResult<Status> {
    service::reorder(state.context().await?, user.0.user_id, &body.0.ids).await?;
    Ok(Status::NoContent)
}
