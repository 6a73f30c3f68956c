//! `/api/projects/{id}/activity`: the feed, newest first, for any member.

use rocket::serde::json::Json;
use rocket::{State, get};
use serde::Serialize;
use utoipa::ToSchema;

use super::UserRef;
use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::domain::id::{ProjectActivityId, ProjectId, TaskId};
use crate::domain::projects::ActivityAction;
use crate::domain::time::UtcMillis;
use crate::error::ApiResult;
use crate::server::AppState;
use crate::service::projects::activity::{self as service, ActivityEntry};

/// One entry of the feed; `actor` is null once their account is gone.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityView {
    pub id: ProjectActivityId,
    pub actor: Option<UserRef>,
    pub action: ActivityAction,
    pub task_id: Option<TaskId>,
    /// The task's title when it happened (the task may be gone since).
    pub task_title: Option<String>,
    /// What happened, as an English sentence.
    pub summary: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
}

impl From<ActivityEntry> for ActivityView {
    fn from(entry: ActivityEntry) -> Self {
        Self {
            id: entry.id,
            actor: entry.actor.map(|a| UserRef { id: a.id, username: a.username, display_name: a.display_name }),
            action: entry.action,
            task_id: entry.task_id,
            task_title: entry.task_title,
            summary: entry.summary,
            created_at: entry.created_at,
        }
    }
}

#[utoipa::path(tag = "projects",
    params(("id" = i64, Path), ("limit" = Option<i64>, Query, description = "1–500, default 50"),
        ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<ActivityView>, description = "newest first"),
        (status = 404, description = "not a project of yours")))]
#[get("/api/projects/<id>/activity?<limit>&<offset>")]
pub async fn list_activity(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ProjectId,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<ActivityView>>> {
    let paging = Paging::parse(limit, offset)?;
    let (entries, total) =
        service::list(state.context().await?, user.0.user_id, id, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(entries.into_iter().map(ActivityView::from).collect(), total)))
}
