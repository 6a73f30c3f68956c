//! `/api/projects/{id}/tasks[/{task_id}[/move]]`: list with filters, create, read, change,
//! move on the board, delete.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, patch, post};

use super::TaskView;
use crate::api::locations::search_text;
use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::db::locations::like_pattern;
use crate::db::project_tasks::TaskFilter;
use crate::domain::id::{ProjectId, TaskId};
use crate::domain::project_tasks::{MoveTask, NewTask, TaskPatch};
use crate::domain::projects::TaskStatus;
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::projects::tasks as service;

/// A board is read whole: the default page holds a typical project's tasks.
const DEFAULT_LIMIT: &str = "200";

#[utoipa::path(tag = "projects",
    params(("id" = i64, Path),
        ("status" = Option<String>, Query, description = "todo, in_progress, blocked or done"),
        ("assignee" = Option<String>, Query, description = "`me`: only tasks assigned to the caller"),
        ("q" = Option<String>, Query, description = "in title or notes, case-insensitive"),
        ("limit" = Option<i64>, Query, description = "1–500, default 200"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<TaskView>), (status = 404, description = "not a member"),
        (status = 422, description = "a bad filter")))]
#[get("/api/projects/<id>/tasks?<status>&<assignee>&<q>&<limit>&<offset>")]
#[allow(clippy::too_many_arguments)] // one per query parameter
pub async fn list_tasks(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ProjectId,
    status: Option<&str>,
    assignee: Option<&str>,
    q: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<TaskView>>> {
    let paging = Paging::parse(limit.or(Some(DEFAULT_LIMIT)), offset)?;
    let status = match status {
        None => None,
        Some(text) => Some(
            TaskStatus::parse(text)
                .ok_or_else(|| ApiError::invalid_field("status", "must be todo, in_progress, blocked or done"))?,
        ),
    };
    let assigned_to_me = match assignee {
        None => false,
        Some("me") => true,
        Some(_) => return Err(ApiError::invalid_field("assignee", "must be me")),
    };
    let pattern = search_text(q)?.map(like_pattern);
    let filter = TaskFilter { status, assigned_to_me, pattern: pattern.as_deref() };
    let (tasks, total) =
        service::list(state.context().await?, user.0.user_id, id, &filter, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(tasks.into_iter().map(TaskView::from).collect(), total)))
}

#[utoipa::path(tag = "projects", params(("id" = i64, Path)), request_body = NewTask,
    responses((status = 201, body = TaskView), (status = 403, description = "a viewer"),
        (status = 404, description = "not a member"), (status = 422, description = "invalid fields")))]
#[post("/api/projects/<id>/tasks", data = "<body>")]
pub async fn create_task(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ProjectId,
    body: JsonBody<NewTask>,
) -> ApiResult<(Status, Json<TaskView>)> {
    let task = service::create(state.context().await?, user.0.user_id, id, body.0).await?;
    Ok((Status::Created, Json(task.into())))
}

#[utoipa::path(tag = "projects", params(("id" = i64, Path), ("task_id" = i64, Path)),
    responses((status = 200, body = TaskView), (status = 404, description = "no such task in a project of yours")))]
#[get("/api/projects/<id>/tasks/<task_id>")]
pub async fn get_task(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ProjectId,
    task_id: TaskId,
) -> ApiResult<Json<TaskView>> {
    Ok(Json(service::get(state.context().await?, user.0.user_id, id, task_id).await?.into()))
}

#[utoipa::path(tag = "projects", params(("id" = i64, Path), ("task_id" = i64, Path)), request_body = TaskPatch,
    responses((status = 200, body = TaskView), (status = 403, description = "a viewer"),
        (status = 404, description = "no such task in a project of yours"),
        (status = 422, description = "invalid fields")))]
#[patch("/api/projects/<id>/tasks/<task_id>", data = "<body>")]
pub async fn update_task(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ProjectId,
    task_id: TaskId,
    body: JsonBody<TaskPatch>,
) -> ApiResult<Json<TaskView>> {
    Ok(Json(service::update(state.context().await?, user.0.user_id, id, task_id, body.0).await?.into()))
}

#[utoipa::path(tag = "projects", params(("id" = i64, Path), ("task_id" = i64, Path)),
    responses((status = 204, description = "deleted with its comments"), (status = 403, description = "a viewer"),
        (status = 404, description = "no such task in a project of yours")))]
#[delete("/api/projects/<id>/tasks/<task_id>")]
pub async fn delete_task(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ProjectId,
    task_id: TaskId,
) -> ApiResult<Status> {
    service::delete(state.context().await?, user.0.user_id, id, task_id).await?;
    Ok(Status::NoContent)
}

#[utoipa::path(tag = "projects", params(("id" = i64, Path), ("task_id" = i64, Path)), request_body = MoveTask,
    responses((status = 200, body = TaskView), (status = 403, description = "a viewer"),
        (status = 404, description = "no such task in a project of yours"),
        (status = 422, description = "both anchors, or an anchor not in that column of this project")))]
#[post("/api/projects/<id>/tasks/<task_id>/move", data = "<body>")]
pub async fn move_task(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ProjectId,
    task_id: TaskId,
    body: JsonBody<MoveTask>,
) -> ApiResult<Json<TaskView>> {
    Ok(Json(service::move_task(state.context().await?, user.0.user_id, id, task_id, body.0).await?.into()))
}
