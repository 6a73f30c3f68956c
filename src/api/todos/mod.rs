//! `/api/todos`: the signed-in user's todos, their categories, completion history and manual
//! order. Every route takes `UnlockedUser` (401 signed out, 423 locked) and works on the
//! caller's own rows only: another user's id is 404 on every verb.

pub mod categories;
pub mod items;

use rocket::http::Status;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::todos::{CategoryRow, CompletionRow, TodoRow};
use crate::domain::id::{TodoCategoryId, TodoCompletionId, TodoId};
use crate::domain::time::UtcMillis;
use crate::domain::todos::{ChecklistItem, Priority, RecurFrom};
use crate::error::{ApiError, FieldError};
use crate::service::todos::{TodoError, checklist_of};

api_module![
    items::list_todos,
    items::create_todo,
    items::get_todo,
    items::update_todo,
    items::delete_todo,
    items::complete_todo,
    items::list_completions,
    items::reorder_todos,
    categories::list_categories,
    categories::create_category,
    categories::update_category,
    categories::delete_category,
];

impl From<TodoError> for ApiError {
    fn from(error: TodoError) -> Self {
        match error {
            TodoError::NotFound => Self::not_found(),
            TodoError::Invalid(problems) => {
                let errors: Vec<FieldError> =
                    problems.0.into_iter().map(|(field, message)| FieldError { field, message }).collect();
                let detail =
                    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
                let mut error = Self::new(Status::UnprocessableEntity, detail);
                error.errors = errors;
                error
            }
            TodoError::NameTaken => {
                Self::invalid_field("name", "You already have a category with that name.").with_status(Status::Conflict)
            }
            TodoError::Db(error) => error.into(),
        }
    }
}

/// A todo as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TodoView {
    pub id: TodoId,
    pub title: String,
    pub notes: String,
    pub category_id: Option<TodoCategoryId>,
    pub priority: Priority,
    /// `YYYY-MM-DD`, for a todo due on a day.
    pub due_date: Option<String>,
    /// For a todo due at a time.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<UtcMillis>,
    /// IANA zone the todo recurs in.
    pub timezone: String,
    pub completed: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub completed_at: Option<UtcMillis>,
    /// RFC 5545 RRULE text.
    pub recurrence: Option<String>,
    pub recur_from: RecurFrom,
    pub checklist: Vec<ChecklistItem>,
    /// Manual order: smaller first.
    pub position: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: UtcMillis,
}

impl From<TodoRow> for TodoView {
    fn from(row: TodoRow) -> Self {
        let checklist = checklist_of(&row);
        Self {
            id: row.id,
            title: row.title,
            notes: row.notes,
            category_id: row.category_id,
            priority: Priority::from_db(row.priority),
            due_date: row.due_date,
            due_at: row.due_at.map(UtcMillis),
            timezone: row.timezone,
            completed: row.completed.get(),
            completed_at: row.completed_at.map(UtcMillis),
            recurrence: row.recurrence,
            recur_from: RecurFrom::from_db(&row.recur_from),
            checklist,
            position: row.position,
            created_at: UtcMillis(row.created_at),
            updated_at: UtcMillis(row.updated_at),
        }
    }
}

/// One completion of a recurring todo.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionView {
    pub id: TodoCompletionId,
    #[schema(value_type = String, format = DateTime)]
    pub completed_at: UtcMillis,
    /// The due date the completion fulfilled.
    pub due_date: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<UtcMillis>,
}

impl From<CompletionRow> for CompletionView {
    fn from(row: CompletionRow) -> Self {
        Self {
            id: row.id,
            completed_at: UtcMillis(row.completed_at),
            due_date: row.due_date,
            due_at: row.due_at.map(UtcMillis),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    pub id: TodoCategoryId,
    pub name: String,
    /// `#RRGGBB`.
    pub colour: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
}

impl From<CategoryRow> for CategoryView {
    fn from(row: CategoryRow) -> Self {
        Self { id: row.id, name: row.name, colour: row.colour, created_at: UtcMillis(row.created_at) }
    }
}
