//! `/api/projects`: projects, their members and activity feed (tasks and comments are in
//! `api::project_tasks`). Every route takes `UnlockedUser`; a project the caller is not a
//! member of is 404 on every verb.

use crate::error::ApiError;
use crate::service::projects::ProjectError;

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
