//! `/api/projects` and `/api/projects/{id}`: the caller's projects; owners change and delete.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, patch, post};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::db::projects::ProjectRow;
use crate::domain::id::ProjectId;
use crate::domain::projects::{NewProject, ProjectPatch, ProjectRole, ProjectStatus};
use crate::domain::time::UtcMillis;
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::projects::items as service;

/// A project as the caller sees it, with their role and its counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectView {
    pub id: ProjectId,
    pub name: String,
    pub description: String,
    /// `#RRGGBB`.
    pub colour: String,
    pub status: ProjectStatus,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    pub my_role: ProjectRole,
    pub member_count: i64,
    pub task_count: i64,
    /// Tasks in the done column.
    pub done_count: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: UtcMillis,
}

impl From<ProjectRow> for ProjectView {
    fn from(row: ProjectRow) -> Self {
        Self {
            id: row.id,
            status: ProjectStatus::parse(&row.status).unwrap_or(ProjectStatus::Active),
            my_role: ProjectRole::parse(&row.my_role).unwrap_or(ProjectRole::Viewer),
            name: row.name,
            description: row.description,
            colour: row.colour,
            due_date: row.due_date,
            member_count: row.member_count,
            task_count: row.task_count,
            done_count: row.done_count,
            created_at: UtcMillis(row.created_at),
            updated_at: UtcMillis(row.updated_at),
        }
    }
}

#[utoipa::path(tag = "projects",
    params(("status" = Option<String>, Query, description = "active, on_hold, done or archived; absent: all"),
        ("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<ProjectView>, description = "newest updated first"),
        (status = 422, description = "a bad status or paging value")))]
#[get("/api/projects?<status>&<limit>&<offset>")]
pub async fn list_projects(
    state: &State<AppState>,
    user: UnlockedUser,
    status: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<ProjectView>>> {
    let paging = Paging::parse(limit, offset)?;
    let status = status
        .map(|text| {
            ProjectStatus::parse(text.trim())
                .ok_or_else(|| ApiError::invalid_field("status", "must be active, on_hold, done or archived"))
        })
        .transpose()?;
    let (rows, total) =
        service::list(state.context().await?, user.0.user_id, status, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(rows.into_iter().map(ProjectView::from).collect(), total)))
}

#[utoipa::path(tag = "projects", request_body = NewProject,
    responses((status = 201, body = ProjectView, description = "created; the caller is its owner"),
        (status = 422, description = "invalid fields")))]
#[post("/api/projects", data = "<body>")]
pub async fn create_project(
    state: &State<AppState>,
    user: UnlockedUser,
    body: JsonBody<NewProject>,
) -> ApiResult<(Status, Json<ProjectView>)> {
    let row = service::create(state.context().await?, user.0.user_id, body.0).await?;
    Ok((Status::Created, Json(row.into())))
}

#[utoipa::path(tag = "projects", params(("id" = i64, Path)),
    responses((status = 200, body = ProjectView), (status = 404, description = "not a project of yours")))]
#[get("/api/projects/<id>")]
pub async fn get_project(state: &State<AppState>, user: UnlockedUser, id: ProjectId) -> ApiResult<Json<ProjectView>> {
    Ok(Json(service::get(state.context().await?, user.0.user_id, id).await?.into()))
}

#[utoipa::path(tag = "projects", params(("id" = i64, Path)), request_body = ProjectPatch,
    responses((status = 200, body = ProjectView), (status = 403, description = "not an owner"),
        (status = 404, description = "not a project of yours"), (status = 422, description = "invalid fields")))]
#[patch("/api/projects/<id>", data = "<body>")]
pub async fn update_project(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ProjectId,
    body: JsonBody<ProjectPatch>,
) -> ApiResult<Json<ProjectView>> {
    Ok(Json(service::update(state.context().await?, user.0.user_id, id, body.0).await?.into()))
}

#[utoipa::path(tag = "projects", params(("id" = i64, Path)),
    responses((status = 204, description = "deleted with its tasks, comments and activity"),
        (status = 403, description = "not an owner"), (status = 404, description = "not a project of yours")))]
#[delete("/api/projects/<id>")]
pub async fn delete_project(state: &State<AppState>, user: UnlockedUser, id: ProjectId) -> ApiResult<Status> {
    service::delete(state.context().await?, user.0.user_id, id).await?;
    Ok(Status::NoContent)
}
