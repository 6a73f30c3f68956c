//! The dashboard's reads beside the calendar range read: open todos due by a day, active
//! reminders firing in a window, people whose birthday falls on given days, open project
//! tasks assigned to the caller (joined to project_members for the caller, in SQL), the
//! calendars the caller hides and the unread notification count. `gather` asks for all of
//! them in one statement (`UNION ALL` of one branch each): on SQLite every statement costs
//! hops to the driver's worker thread, and the dashboard is the app's most read page.

use sqlx::{Any, Executor, FromRow};

use crate::domain::id::{PersonId, ProjectId, ReminderId, TaskId, TodoId, UserId};

#[derive(Debug, Clone, FromRow)]
pub struct DueTodoRow {
    pub id: TodoId,
    pub title: String,
    pub due_date: Option<String>,
    pub due_at: Option<i64>,
    pub colour: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct ReminderRow {
    pub id: ReminderId,
    pub title: String,
    pub fire_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct BirthdayRow {
    pub id: PersonId,
    pub name: String,
    pub birthday: String,
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

/// One row of `gather`: which read it belongs to, and that read's columns in generic slots.
#[derive(Debug, Clone, FromRow)]
pub struct GatherRow {
    /// `todo`, `reminder`, `birthday`, `task`, `hidden` or `unread`.
    pub kind: String,
    /// The row's id (the count for `unread`, the calendar for `hidden`).
    pub id: i64,
    pub title: String,
    /// todo: due_date; birthday: the birthday; task: due_date.
    pub text_a: Option<String>,
    /// todo: category colour; task: project name.
    pub text_b: Option<String>,
    /// task: status.
    pub text_c: Option<String>,
    /// task: priority.
    pub text_d: Option<String>,
    /// todo: due_at; reminder: fire_at; task: project id.
    pub number: Option<i64>,
}

/// In one statement: the caller's open todos due from `today` to `last` (dates, `YYYY-MM-DD`)
/// within `window` (their instants), the `task_limit` most overdue,
/// active reminders firing in `window`, people whose birthday (`YYYY-MM-DD` or `--MM-DD`) ends
/// in one of `month_days` (`MM-DD`), open tasks assigned to them in projects they are still a
/// member of and that are not archived, the calendars they hide, and their unread count.
pub async fn gather<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    (today, last): (&str, &str),
    window: (i64, i64),
    month_days: &[String],
    (limit, task_limit): (i64, i64),
) -> Result<Vec<GatherRow>, sqlx::Error> {
    let marks: Vec<String> = (7..7 + month_days.len()).map(|n| format!("${n}")).collect();
    let birthdays = if marks.is_empty() { "''".to_string() } else { marks.join(", ") };
    let todo = |branch: &str, which: &str, limit: &str| {
        format!(
            "SELECT * FROM (SELECT 'todo' AS kind, t.id AS id, t.title AS title, t.due_date AS text_a, \
                    c.colour AS text_b, CAST(NULL AS TEXT) AS text_c, CAST(NULL AS TEXT) AS text_d, t.due_at AS number \
                 FROM todos t LEFT JOIN todo_categories c ON c.id = t.category_id \
                 WHERE t.user_id = $1 AND t.completed = 0 AND t.due_sort IS NOT NULL AND {which} \
                 ORDER BY t.due_sort, t.id LIMIT {limit}) {branch}"
        )
    };
    // `due_sort` is `due_at`, or a date at 00:00 UTC: a day's margin either side narrows the
    // index range, the exact test is by instant (timed) or by date text (date-only).
    let window_todos = todo(
        "todo_rows",
        "t.due_sort >= $3 - 86400000 AND t.due_sort < $4 + 86400000 \
         AND ((t.due_at IS NOT NULL AND t.due_at >= $3 AND t.due_at < $4) \
              OR (t.due_at IS NULL AND t.due_date >= $2 AND t.due_date <= $6))",
        "$5",
    );
    let overdue_todos = todo(
        "overdue_rows",
        "t.due_sort < $3 + 86400000 AND ((t.due_at IS NOT NULL AND t.due_at < $3) \
              OR (t.due_at IS NULL AND t.due_date < $2))",
        &task_limit.to_string(),
    );
    let sql = format!(
        "{window_todos} UNION ALL {overdue_todos} \
         UNION ALL SELECT * FROM (SELECT 'reminder', id, title, CAST(NULL AS TEXT), CAST(NULL AS TEXT), \
                CAST(NULL AS TEXT), CAST(NULL AS TEXT), fire_at FROM reminders \
             WHERE user_id = $1 AND status = 'active' AND fire_at >= $3 AND fire_at < $4 \
             ORDER BY fire_at, id LIMIT $5) reminder_rows \
         UNION ALL SELECT 'birthday', id, name, birthday, CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), \
                CAST(NULL AS BIGINT) FROM people \
             WHERE user_id = $1 AND birthday IS NOT NULL AND SUBSTR(birthday, LENGTH(birthday) - 4) IN ({birthdays}) \
         UNION ALL SELECT * FROM (SELECT 'task', t.id, t.title, t.due_date, p.name, t.status, t.priority, t.project_id \
             FROM task_assignees a \
             JOIN project_tasks t ON t.id = a.task_id \
             JOIN project_members m ON m.project_id = t.project_id AND m.user_id = $1 \
             JOIN projects p ON p.id = t.project_id \
             WHERE a.user_id = $1 AND t.status <> 'done' AND p.status <> 'archived' \
             ORDER BY CASE WHEN t.due_date IS NULL THEN 1 ELSE 0 END, t.due_date, t.id LIMIT {task_limit}) task_rows \
         UNION ALL SELECT 'hidden', calendar_id, '', CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), \
                CAST(NULL AS TEXT), CAST(NULL AS BIGINT) FROM calendar_preferences WHERE user_id = $1 AND hidden = 1 \
         UNION ALL SELECT 'unread', CAST(COUNT(*) AS BIGINT), '', CAST(NULL AS TEXT), CAST(NULL AS TEXT), \
                CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS BIGINT) \
             FROM notifications WHERE user_id = $1 AND read_at IS NULL"
    );
    let mut query = sqlx::query_as::<_, GatherRow>(sqlx::AssertSqlSafe(sql))
        .bind(user)
        .bind(today)
        .bind(window.0)
        .bind(window.1)
        .bind(limit)
        .bind(last);
    for month_day in month_days {
        query = query.bind(month_day.as_str());
    }
    query.fetch_all(db).await
}
