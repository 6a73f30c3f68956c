//! `/api/projects/{id}/members` and `/transfer`: any member reads the members; owners add
//! (from their connections), change roles, remove and hand over; any member leaves.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, patch, post};
use serde::Serialize;
use utoipa::ToSchema;

use super::UserRef;
use crate::api::page::{MAX_LIMIT, Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::db::project_members::MemberRow;
use crate::domain::id::{ProjectId, ProjectMemberId};
use crate::domain::projects::{MemberPatch, NewMember, ProjectRole, Transfer};
use crate::domain::time::UtcMillis;
use crate::error::ApiResult;
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::projects::members as service;

/// A membership: `id` is the member id the member routes take.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub id: ProjectMemberId,
    pub user: UserRef,
    pub role: ProjectRole,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
}

impl From<MemberRow> for MemberView {
    fn from(row: MemberRow) -> Self {
        Self {
            id: row.id,
            role: row.role(),
            user: UserRef { id: row.user_id, username: row.username, display_name: row.display_name },
            created_at: UtcMillis(row.created_at),
        }
    }
}

#[utoipa::path(tag = "projects",
    params(("id" = i64, Path), ("limit" = Option<i64>, Query, description = "1–500, default 50"),
        ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<MemberView>, description = "owners first"),
        (status = 404, description = "not a project of yours")))]
#[get("/api/projects/<id>/members?<limit>&<offset>")]
pub async fn list_members(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ProjectId,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<MemberView>>> {
    let paging = Paging::parse(limit, offset)?;
    let (rows, total) = service::list(state.context().await?, user.0.user_id, id, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(rows.into_iter().map(MemberView::from).collect(), total)))
}

#[utoipa::path(tag = "projects", params(("id" = i64, Path)), request_body = NewMember,
    responses((status = 201, body = MemberView), (status = 403, description = "not an owner"),
        (status = 404, description = "not a project of yours"), (status = 409, description = "already a member"),
        (status = 422, description = "not one of your connections, or a bad role")))]
#[post("/api/projects/<id>/members", data = "<body>")]
pub async fn add_member(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ProjectId,
    body: JsonBody<NewMember>,
) -> ApiResult<(Status, Json<MemberView>)> {
    let row = service::add(state.context().await?, user.0.user_id, id, body.0).await?;
    Ok((Status::Created, Json(row.into())))
}

#[utoipa::path(tag = "projects", params(("id" = i64, Path), ("member_id" = i64, Path)), request_body = MemberPatch,
    responses((status = 200, body = MemberView), (status = 403, description = "not an owner"),
        (status = 404, description = "no such member of a project of yours"),
        (status = 409, description = "the last owner cannot be demoted")))]
#[patch("/api/projects/<id>/members/<member_id>", data = "<body>")]
pub async fn update_member(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ProjectId,
    member_id: ProjectMemberId,
    body: JsonBody<MemberPatch>,
) -> ApiResult<Json<MemberView>> {
    Ok(Json(service::set_role(state.context().await?, user.0.user_id, id, member_id, body.0).await?.into()))
}

#[utoipa::path(tag = "projects", params(("id" = i64, Path), ("member_id" = i64, Path)),
    responses((status = 204, description = "removed (or left), with their task assignments in the project"),
        (status = 403, description = "not an owner removing someone else"),
        (status = 404, description = "no such member of a project of yours"),
        (status = 409, description = "the last owner cannot be removed or leave")))]
#[delete("/api/projects/<id>/members/<member_id>")]
pub async fn remove_member(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ProjectId,
    member_id: ProjectMemberId,
) -> ApiResult<Status> {
    service::remove(state.context().await?, user.0.user_id, id, member_id).await?;
    Ok(Status::NoContent)
}

#[utoipa::path(tag = "projects", params(("id" = i64, Path)), request_body = Transfer,
    responses((status = 200, body = Page<MemberView>, description = "the members afterwards, owners first"),
        (status = 403, description = "not an owner"), (status = 404, description = "not a project of yours"),
        (status = 422, description = "member_id is not another member of this project")))]
#[post("/api/projects/<id>/transfer", data = "<body>")]
pub async fn transfer_project(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ProjectId,
    body: JsonBody<Transfer>,
) -> ApiResult<Json<Page<MemberView>>> {
    let paging = Paging { limit: MAX_LIMIT, offset: 0 };
    let (rows, total) = service::transfer(state.context().await?, user.0.user_id, id, body.0, paging.limit).await?;
    Ok(Json(paging.page(rows.into_iter().map(MemberView::from).collect(), total)))
}
