//! `/api/projects/{id}/tasks`: a project's tasks, their moves on the board, and their
//! comments. Every route takes `UnlockedUser`; a project the caller is not a member of (or a
//! task or comment not of the project in the path) is 404 on every verb; a viewer writing is
//! 403. Errors come from `service::projects::ProjectError` (mapped in `api::projects`).

mod comments;
mod tasks;

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::projects::UserRef;
use crate::db::project_tasks::AssigneeRow;
use crate::domain::id::{ProjectId, TaskCommentId, TaskId, UserId};
use crate::domain::project_tasks::ChecklistItem;
use crate::domain::projects::{TaskPriority, TaskStatus};
use crate::domain::time::UtcMillis;
use crate::service::projects::comments::CommentDetail;
use crate::service::projects::tasks::TaskDetail;

api_module![
    tasks::list_tasks,
    tasks::create_task,
    tasks::get_task,
    tasks::update_task,
    tasks::delete_task,
    tasks::move_task,
    comments::list_comments,
    comments::create_comment,
    comments::update_comment,
    comments::delete_comment,
];

/// A reference from a row's optional columns: `None` when the account is gone.
fn user_ref(id: Option<UserId>, username: Option<String>, display_name: Option<String>) -> Option<UserRef> {
    Some(UserRef { id: id?, username: username?, display_name: display_name.unwrap_or_default() })
}

/// A task on the board.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskView {
    pub id: TaskId,
    pub project_id: ProjectId,
    pub title: String,
    pub notes: String,
    pub status: TaskStatus,
    pub priority: TaskPriority,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    pub checklist: Vec<ChecklistItem>,
    /// Orders the task within its column (ascending; read-only: moves go through `/move`).
    pub position: i64,
    pub assignees: Vec<UserRef>,
    pub comment_count: i64,
    pub created_by: Option<UserRef>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: UtcMillis,
    /// When it last arrived in `done`; null outside it.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub completed_at: Option<UtcMillis>,
}

impl From<TaskDetail> for TaskView {
    fn from(TaskDetail { row, assignees }: TaskDetail) -> Self {
        let fields = row.fields();
        Self {
            id: row.id,
            project_id: row.project_id,
            status: fields.status,
            priority: fields.priority,
            due_date: fields.due_date.map(|date| date.format("%Y-%m-%d").to_string()),
            checklist: fields.checklist,
            title: row.title,
            notes: row.notes,
            position: row.position,
            assignees: assignees.into_iter().map(UserRef::from).collect(),
            comment_count: row.comment_count,
            created_by: user_ref(row.created_by, row.created_by_username, row.created_by_display_name),
            created_at: UtcMillis(row.created_at),
            updated_at: UtcMillis(row.updated_at),
            completed_at: row.completed_at.map(UtcMillis),
        }
    }
}

impl From<AssigneeRow> for UserRef {
    fn from(row: AssigneeRow) -> Self {
        Self { id: row.user_id, username: row.username, display_name: row.display_name }
    }
}

/// A comment on a task, with what the caller may do with it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentView {
    pub id: TaskCommentId,
    pub task_id: TaskId,
    /// Null when the author's account is gone.
    pub author: Option<UserRef>,
    pub body: String,
    /// The members the body mentions as `@username`.
    pub mentions: Vec<String>,
    /// Changed since it was posted.
    pub edited: bool,
    pub can_edit: bool,
    pub can_delete: bool,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: UtcMillis,
}

impl From<CommentDetail> for CommentView {
    fn from(CommentDetail { row, mentions, can_edit, can_delete }: CommentDetail) -> Self {
        Self {
            id: row.id,
            task_id: row.task_id,
            author: user_ref(row.author_id, row.author_username, row.author_display_name),
            body: row.body,
            mentions,
            edited: row.edited.get(),
            can_edit,
            can_delete,
            created_at: UtcMillis(row.created_at),
            updated_at: UtcMillis(row.updated_at),
        }
    }
}
