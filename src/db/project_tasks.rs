//! Project tasks and their assignees. Every read joins `project_members` for the caller (a
//! non-member reads nothing); the writes run inside the service's transaction after it has
//! checked the caller's role (`db::project_access`), and name the project as well as the task
//! so a task id of another project touches nothing.

use std::fmt::Write as _;

use chrono::NaiveDate;
use sqlx::{Any, AnyConnection, Executor, FromRow};

use crate::domain::id::{ProjectId, TaskId, UserId};
use crate::domain::project_tasks::{ChecklistItem, TaskFields};
use crate::domain::projects::{TaskPriority, TaskStatus};
use crate::domain::time::{UtcMillis, parse_date};

/// A task as a member reads it, with its creator's names and its comment count.
#[derive(Debug, Clone, FromRow)]
pub struct TaskRow {
    pub id: TaskId,
    pub project_id: ProjectId,
    pub title: String,
    pub notes: String,
    pub status: String,
    pub priority: String,
    pub due_date: Option<String>,
    pub checklist: String,
    pub position: i64,
    pub created_by: Option<UserId>,
    pub created_by_username: Option<String>,
    pub created_by_display_name: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub completed_at: Option<i64>,
    pub comment_count: i64,
}

/// An assignee of a task, with the names others see.
#[derive(Debug, Clone, FromRow)]
pub struct AssigneeRow {
    pub task_id: TaskId,
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
}

/// `$1` is the caller: the join on their membership is what makes a task visible.
const SELECT: &str = "SELECT t.id, t.project_id, t.title, t.notes, t.status, t.priority, t.due_date, t.checklist, \
     t.position, t.created_by, cu.username AS created_by_username, cs.display_name AS created_by_display_name, \
     t.created_at, t.updated_at, t.completed_at, \
     (SELECT COUNT(*) FROM task_comments c WHERE c.task_id = t.id) AS comment_count \
     FROM project_tasks t \
     JOIN project_members m ON m.project_id = t.project_id AND m.user_id = $1 \
     LEFT JOIN users cu ON cu.id = t.created_by \
     LEFT JOIN user_settings cs ON cs.user_id = t.created_by";

/// Board order: the columns left to right, then position within a column.
const BOARD_ORDER: &str = "CASE t.status WHEN 'todo' THEN 0 WHEN 'in_progress' THEN 1 WHEN 'blocked' THEN 2 ELSE 3 END, \
     t.position, t.id";

impl TaskRow {
    /// The stored fields as domain values (a value the database cannot hold, e.g. an unknown
    /// status, falls back to the default rather than failing the read).
    pub fn fields(&self) -> TaskFields {
        TaskFields {
            title: self.title.clone(),
            notes: self.notes.clone(),
            status: self.status(),
            priority: TaskPriority::parse(&self.priority).unwrap_or(TaskPriority::None),
            due_date: self.due_date.as_deref().and_then(parse_date),
            checklist: serde_json::from_str::<Vec<ChecklistItem>>(&self.checklist).unwrap_or_default(),
        }
    }

    pub fn status(&self) -> TaskStatus {
        TaskStatus::parse(&self.status).unwrap_or(TaskStatus::Todo)
    }
}

fn date_text(date: Option<NaiveDate>) -> Option<String> {
    date.map(|d| d.format("%Y-%m-%d").to_string())
}

fn checklist_text(items: &[ChecklistItem]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_string())
}

/// A task of `project` the caller can see.
pub async fn get<'c>(
    db: impl Executor<'c, Database = Any>,
    caller: UserId,
    project: ProjectId,
    task: TaskId,
) -> Result<Option<TaskRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE t.id = $2 AND t.project_id = $3")))
        .bind(caller)
        .bind(task)
        .bind(project)
        .fetch_optional(db)
        .await
}

/// What a task list filters by.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter<'a> {
    pub status: Option<TaskStatus>,
    /// Only tasks assigned to the caller.
    pub assigned_to_me: bool,
    /// A `LIKE` pattern on the lower-cased search text.
    pub pattern: Option<&'a str>,
}

/// A page of a project's tasks in board order, and how many match.
pub async fn list(
    db: &sqlx::AnyPool,
    caller: UserId,
    project: ProjectId,
    filter: &TaskFilter<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<TaskRow>, i64), sqlx::Error> {
    let mut condition = String::from("t.project_id = $2");
    let mut next = 3;
    if filter.status.is_some() {
        let _ = write!(condition, " AND t.status = ${next}");
        next += 1;
    }
    if filter.assigned_to_me {
        condition.push_str(" AND EXISTS (SELECT 1 FROM task_assignees a WHERE a.task_id = t.id AND a.user_id = $1)");
    }
    if filter.pattern.is_some() {
        let _ = write!(condition, " AND t.search_text LIKE ${next} ESCAPE '\\'");
        next += 1;
    }
    let rows_sql = format!("{SELECT} WHERE {condition} ORDER BY {BOARD_ORDER} LIMIT ${} OFFSET ${}", next, next + 1);
    let count_sql = format!(
        "SELECT COUNT(*) FROM project_tasks t \
         JOIN project_members m ON m.project_id = t.project_id AND m.user_id = $1 WHERE {condition}"
    );
    let mut rows = sqlx::query_as::<_, TaskRow>(sqlx::AssertSqlSafe(rows_sql)).bind(caller).bind(project);
    let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql)).bind(caller).bind(project);
    if let Some(status) = filter.status {
        rows = rows.bind(status.as_str());
        count = count.bind(status.as_str());
    }
    if let Some(pattern) = filter.pattern {
        rows = rows.bind(pattern);
        count = count.bind(pattern);
    }
    let rows = rows.bind(limit).bind(offset).fetch_all(db).await?;
    let total = count.fetch_one(db).await?;
    Ok((rows, total))
}

/// The assignees of these tasks (visible to the caller), by task then username.
pub async fn assignees_of<'c>(
    db: impl Executor<'c, Database = Any>,
    caller: UserId,
    tasks: &[TaskId],
) -> Result<Vec<AssigneeRow>, sqlx::Error> {
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let list = (0..tasks.len()).map(|n| format!("${}", n + 2)).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT a.task_id, a.user_id, u.username, COALESCE(s.display_name, '') AS display_name \
         FROM task_assignees a \
         JOIN project_tasks t ON t.id = a.task_id \
         JOIN project_members m ON m.project_id = t.project_id AND m.user_id = $1 \
         JOIN users u ON u.id = a.user_id \
         LEFT JOIN user_settings s ON s.user_id = a.user_id \
         WHERE a.task_id IN ({list}) ORDER BY a.task_id, u.username"
    );
    let mut query = sqlx::query_as::<_, AssigneeRow>(sqlx::AssertSqlSafe(sql)).bind(caller);
    for task in tasks {
        query = query.bind(*task);
    }
    query.fetch_all(db).await
}

/// The users assigned to a task (for the service's comparisons; access already checked).
pub async fn assignee_ids(db: &mut AnyConnection, task: TaskId) -> Result<Vec<UserId>, sqlx::Error> {
    sqlx::query_scalar("SELECT user_id FROM task_assignees WHERE task_id = $1 ORDER BY user_id")
        .bind(task)
        .fetch_all(db)
        .await
}

/// Which of `users` are members of the project, with their usernames.
pub async fn members_among(
    db: &mut AnyConnection,
    project: ProjectId,
    users: &[UserId],
) -> Result<Vec<(UserId, String)>, sqlx::Error> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let list = (0..users.len()).map(|n| format!("${}", n + 2)).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT m.user_id, u.username FROM project_members m JOIN users u ON u.id = m.user_id \
         WHERE m.project_id = $1 AND m.user_id IN ({list})"
    );
    let mut query = sqlx::query_as::<_, (UserId, String)>(sqlx::AssertSqlSafe(sql)).bind(project);
    for user in users {
        query = query.bind(*user);
    }
    query.fetch_all(db).await
}

/// Replaces a task's assignees.
pub async fn set_assignees(db: &mut AnyConnection, task: TaskId, users: &[UserId]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM task_assignees WHERE task_id = $1").bind(task).execute(&mut *db).await?;
    for user in users {
        sqlx::query("INSERT INTO task_assignees (task_id, user_id) VALUES ($1, $2)")
            .bind(task)
            .bind(*user)
            .execute(&mut *db)
            .await?;
    }
    Ok(())
}

/// The last position in a column (`None` when it is empty).
pub async fn last_position(
    db: &mut AnyConnection,
    project: ProjectId,
    status: TaskStatus,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT MAX(position) FROM project_tasks WHERE project_id = $1 AND status = $2")
        .bind(project)
        .bind(status.as_str())
        .fetch_one(db)
        .await
}

/// A column's tasks in order, without `except` (the task being moved): id and position.
pub async fn column(
    db: &mut AnyConnection,
    project: ProjectId,
    status: TaskStatus,
    except: TaskId,
) -> Result<Vec<(TaskId, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, position FROM project_tasks WHERE project_id = $1 AND status = $2 AND id <> $3 \
         ORDER BY position, id",
    )
    .bind(project)
    .bind(status.as_str())
    .bind(except)
    .fetch_all(db)
    .await
}

/// A new task in `project`; its id.
pub async fn insert(
    db: &mut AnyConnection,
    project: ProjectId,
    fields: &TaskFields,
    position: i64,
    created_by: UserId,
    now: UtcMillis,
) -> Result<TaskId, sqlx::Error> {
    let completed_at = (fields.status == TaskStatus::Done).then_some(now.0);
    sqlx::query_scalar(
        "INSERT INTO project_tasks (project_id, title, notes, status, priority, due_date, checklist, position, \
         search_text, created_by, created_at, updated_at, completed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) RETURNING id",
    )
    .bind(project)
    .bind(&fields.title)
    .bind(&fields.notes)
    .bind(fields.status.as_str())
    .bind(fields.priority.as_str())
    .bind(date_text(fields.due_date))
    .bind(checklist_text(&fields.checklist))
    .bind(position)
    .bind(fields.search_text())
    .bind(created_by)
    .bind(now.0)
    .bind(completed_at)
    .fetch_one(db)
    .await
}

/// Where a task stands after a change: column position and completion time.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    pub position: i64,
    pub completed_at: Option<i64>,
}

/// Writes a task's fields and standing.
pub async fn update(
    db: &mut AnyConnection,
    project: ProjectId,
    task: TaskId,
    fields: &TaskFields,
    standing: Standing,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE project_tasks SET title = $3, notes = $4, status = $5, priority = $6, due_date = $7, checklist = $8, \
         position = $9, search_text = $10, completed_at = $11, updated_at = $12 WHERE id = $1 AND project_id = $2",
    )
    .bind(task)
    .bind(project)
    .bind(&fields.title)
    .bind(&fields.notes)
    .bind(fields.status.as_str())
    .bind(fields.priority.as_str())
    .bind(date_text(fields.due_date))
    .bind(checklist_text(&fields.checklist))
    .bind(standing.position)
    .bind(fields.search_text())
    .bind(standing.completed_at)
    .bind(now.0)
    .execute(db)
    .await?;
    Ok(())
}

/// Sets the positions of tasks of a project's column (a renumbering).
pub async fn set_positions(
    db: &mut AnyConnection,
    project: ProjectId,
    positions: &[(TaskId, i64)],
) -> Result<(), sqlx::Error> {
    for (task, position) in positions {
        sqlx::query("UPDATE project_tasks SET position = $3 WHERE id = $1 AND project_id = $2")
            .bind(*task)
            .bind(project)
            .bind(*position)
            .execute(&mut *db)
            .await?;
    }
    Ok(())
}

/// Deletes a task (its assignees and comments go with it by the foreign keys).
pub async fn delete(db: &mut AnyConnection, project: ProjectId, task: TaskId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM project_tasks WHERE id = $1 AND project_id = $2")
        .bind(task)
        .bind(project)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A project's name (for what its members are told).
pub async fn project_name<'c>(
    db: impl Executor<'c, Database = Any>,
    project: ProjectId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM projects WHERE id = $1").bind(project).fetch_optional(db).await
}

/// Whether the user has set up pushes (an ntfy server and topic: what the push sender needs),
/// so a notification queues a push only for those who get them.
pub async fn has_push_target<'c>(db: impl Executor<'c, Database = Any>, user: UserId) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM user_settings WHERE user_id = $1 AND ntfy_server IS NOT NULL AND ntfy_topic IS NOT NULL",
    )
    .bind(user)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}
