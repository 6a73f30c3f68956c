//! `/api/projects`: projects, their members and activity feed (tasks and comments are in
//! `api::project_tasks`). Every route takes `UnlockedUser`; a project the caller is not a
//! member of is 404 on every verb. One file per action group: `items` (the projects),
//! `members` (members and the ownership transfer), `activity` (the feed).

mod activity;
mod items;
mod members;

pub use activity::ActivityView;
pub use items::ProjectView;
pub use members::MemberView;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::id::UserId;
use crate::error::ApiError;
use crate::service::projects::ProjectError;

api_module!(
    items::list_projects,
    items::create_project,
    items::get_project,
    items::update_project,
    items::delete_project,
    members::list_members,
    members::add_member,
    members::update_member,
    members::remove_member,
    members::transfer_project,
    activity::list_activity,
);

/// Another user as a project shows them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserRef {
    pub id: UserId,
    pub username: String,
    /// From their settings; empty when they set none.
    pub display_name: String,
}

impl From<ProjectError> for ApiError {
    fn from(error: ProjectError) -> Self {
        match error {
            ProjectError::NotFound => Self::not_found(),
            ProjectError::Forbidden(detail) => Self::forbidden(detail),
            ProjectError::Conflict(detail) => Self::conflict(detail),
            ProjectError::Invalid(problems) => crate::api::calendars::invalid(problems),
            ProjectError::Db(error) => error.into(),
        }
    }
}
