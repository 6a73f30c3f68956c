//! `/api/projects/{id}/tasks/{task_id}/comments[/{comment_id}]`: read, post, edit, delete.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, patch, post};

use super::CommentView;
use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::domain::id::{ProjectId, TaskCommentId, TaskId};
use crate::domain::project_tasks::{CommentPatch, NewComment};
use crate::error::ApiResult;
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::projects::comments as service;

#[utoipa::path(tag = "projects",
    params(("id" = i64, Path), ("task_id" = i64, Path),
        ("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<CommentView>), (status = 404, description = "no such task in a project of yours")))]
#[get("/api/projects/<id>/tasks/<task_id>/comments?<limit>&<offset>")]
pub async fn list_comments(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ProjectId,
    task_id: TaskId,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<CommentView>>> {
    let paging = Paging::parse(limit, offset)?;
    let (comments, total) =
        service::list(state.context().await?, user.0.user_id, id, task_id, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(comments.into_iter().map(CommentView::from).collect(), total)))
}

#[utoipa::path(tag = "projects", params(("id" = i64, Path), ("task_id" = i64, Path)), request_body = NewComment,
    responses((status = 201, body = CommentView), (status = 403, description = "a viewer"),
        (status = 404, description = "no such task in a project of yours"), (status = 422, description = "invalid body")))]
#[post("/api/projects/<id>/tasks/<task_id>/comments", data = "<body>")]
pub async fn create_comment(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ProjectId,
    task_id: TaskId,
    body: JsonBody<NewComment>,
) -> ApiResult<(Status, Json<CommentView>)> {
    let comment = service::create(state.context().await?, user.0.user_id, id, task_id, body.0).await?;
    Ok((Status::Created, Json(comment.into())))
}

#[utoipa::path(tag = "projects",
    params(("id" = i64, Path), ("task_id" = i64, Path), ("comment_id" = i64, Path)), request_body = CommentPatch,
    responses((status = 200, body = CommentView), (status = 403, description = "not its author"),
        (status = 404, description = "no such comment in a project of yours"), (status = 422, description = "invalid body")))]
#[patch("/api/projects/<id>/tasks/<task_id>/comments/<comment_id>", data = "<body>")]
pub async fn update_comment(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ProjectId,
    task_id: TaskId,
    comment_id: TaskCommentId,
    body: JsonBody<CommentPatch>,
) -> ApiResult<Json<CommentView>> {
    let comment = service::update(state.context().await?, user.0.user_id, id, task_id, comment_id, body.0).await?;
    Ok(Json(comment.into()))
}

#[utoipa::path(tag = "projects", params(("id" = i64, Path), ("task_id" = i64, Path), ("comment_id" = i64, Path)),
    responses((status = 204, description = "deleted"), (status = 403, description = "neither its author nor an owner"),
        (status = 404, description = "no such comment in a project of yours")))]
#[delete("/api/projects/<id>/tasks/<task_id>/comments/<comment_id>")]
pub async fn delete_comment(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ProjectId,
    task_id: TaskId,
    comment_id: TaskCommentId,
) -> ApiResult<Status> {
    service::delete(state.context().await?, user.0.user_id, id, task_id, comment_id).await?;
    Ok(Status::NoContent)
}
