//! The dashboard's reads beside the calendar range read: open todos due by a day, active
//! reminders firing in a window, people whose birthday falls on given days, open project
//! tasks assigned to the caller (joined to project_members for the caller, in SQL), and the
//! calendars the caller hides. One statement each, none per row.

use sqlx::{Any, Executor, FromRow};

use crate::domain::id::{CalendarId, PersonId, ProjectId, ReminderId, TaskId, TodoId, UserId};

#[derive(Debug, Clone, FromRow)]
pub struct DueTodoRow {
    pub id: TodoId,
    pub title: String,
    pub due_date: Option<String>,
    pub due_at: Option<i64>,
    pub colour: Option<String>,
}

/// The caller's open todos whose due instant (`due_sort`: `due_at`, or the date at 00:00 UTC)
/// is before `before`, oldest first, at most `limit`.
pub async fn open_todos_due_before<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    before: i64,
    limit: i64,
) -> Result<Vec<DueTodoRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT t.id, t.title, t.due_date, t.due_at, c.colour FROM todos t \
         LEFT JOIN todo_categories c ON c.id = t.category_id \
         WHERE t.user_id = $1 AND t.completed = 0 AND t.due_sort IS NOT NULL AND t.due_sort < $2 \
         ORDER BY t.due_sort, t.id LIMIT $3",
    )
    .bind(user)
    .bind(before)
    .bind(limit)
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct ReminderRow {
    pub id: ReminderId,
    pub title: String,
    pub fire_at: i64,
}

/// The caller's active reminders that fire in `[start, end)` (the next firing of a series).
pub async fn reminders_between<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    start: i64,
    end: i64,
) -> Result<Vec<ReminderRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, title, fire_at FROM reminders \
         WHERE user_id = $1 AND status = 'active' AND fire_at >= $2 AND fire_at < $3 ORDER BY fire_at, id LIMIT 500",
    )
    .bind(user)
    .bind(start)
    .bind(end)
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct BirthdayRow {
    pub id: PersonId,
    pub name: String,
    pub birthday: String,
}

/// The caller's people whose birthday (`YYYY-MM-DD` or `--MM-DD`) ends in one of
/// `month_days` (`MM-DD`); the caller decides the observed dates (29 February).
pub async fn birthdays_on<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    month_days: &[String],
) -> Result<Vec<BirthdayRow>, sqlx::Error> {
    if month_days.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (2..=month_days.len() + 1).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT id, name, birthday FROM people WHERE user_id = $1 AND birthday IS NOT NULL \
         AND SUBSTR(birthday, LENGTH(birthday) - 4) IN ({}) ORDER BY name, id",
        marks.join(", ")
    );
    let mut query = sqlx::query_as::<_, BirthdayRow>(sqlx::AssertSqlSafe(sql)).bind(user);
    for month_day in month_days {
        query = query.bind(month_day.as_str());
    }
    query.fetch_all(db).await
}

#[derive(Debug, Clone, FromRow)]
pub struct AssignedTaskRow {
    pub id: TaskId,
    pub project_id: ProjectId,
    pub project_name: String,
    pub title: String,
    pub status: String,
    pub priority: String,
    pub due_date: Option<String>,
}

/// Open tasks assigned to the caller in projects they are (still) a member of and that are
/// not archived, by due date (none last), at most `limit`.
pub async fn assigned_tasks<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    limit: i64,
) -> Result<Vec<AssignedTaskRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT t.id, t.project_id, p.name AS project_name, t.title, t.status, t.priority, t.due_date \
         FROM task_assignees a \
         JOIN project_tasks t ON t.id = a.task_id \
         JOIN project_members m ON m.project_id = t.project_id AND m.user_id = $1 \
         JOIN projects p ON p.id = t.project_id \
         WHERE a.user_id = $1 AND t.status <> 'done' AND p.status <> 'archived' \
         ORDER BY CASE WHEN t.due_date IS NULL THEN 1 ELSE 0 END, t.due_date, t.id LIMIT $2",
    )
    .bind(user)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The calendars the caller chose to hide.
pub async fn hidden_calendars<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
) -> Result<Vec<CalendarId>, sqlx::Error> {
    sqlx::query_scalar("SELECT calendar_id FROM calendar_preferences WHERE user_id = $1 AND hidden = 1")
        .bind(user)
        .fetch_all(db)
        .await
}
