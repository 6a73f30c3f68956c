//! The todo workflows: create, change, complete (a recurring todo records the completion and
//! moves to its next occurrence in one write transaction), reorder, and categories. Every
//! function takes the owner; another user's todo or category is `NotFound`, whether named in
//! the path or inside a body. (The writes in `db::todos` keep the CalDAV change log; the CalDAV
//! workflows themselves are `dav::todo_objects`.)

use chrono::NaiveDate;

use super::Context;
use crate::db::WriteTx;
use crate::db::error::DbError;
use crate::db::todos::{self as db, CategoryRow, CompletionRow, DavParts, TodoFilter, TodoRow, TodoValues};
use crate::domain::id::{TodoCategoryId, TodoId, UserId};
use crate::domain::recurrence::Recurrence;
use crate::domain::todos::{
    self as rules, Advance, ChecklistItem, NewTodo, NewTodoCategory, Priority, Problems, RecurFrom, TodoCategoryPatch,
    TodoPatch, TodoState,
};

#[derive(Debug, thiserror::Error)]
pub enum TodoError {
    #[error("not found")]
    NotFound,
    #[error("invalid")]
    Invalid(Problems),
    #[error("a category with that name exists")]
    NameTaken,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for TodoError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::classify(error))
    }
}

impl From<Problems> for TodoError {
    fn from(problems: Problems) -> Self {
        Self::Invalid(problems)
    }
}

pub type TodoResult<T> = Result<T, TodoError>;

/// A stored row as a validated state (stored rows were validated on the way in; a value that
/// no longer parses falls back to the harmless default rather than failing the read).
pub fn state_of(row: &TodoRow) -> TodoState {
    TodoState {
        title: row.title.clone(),
        notes: row.notes.clone(),
        category_id: row.category_id,
        priority: Priority::from_db(row.priority),
        due_date: row.due_date.as_deref().and_then(rules::parse_date),
        due_at: row.due_at,
        timezone: rules::parse_timezone(&row.timezone).unwrap_or(chrono_tz::UTC),
        completed: row.completed.get(),
        completed_at: row.completed_at,
        recurrence: row.recurrence.as_deref().and_then(|text| Recurrence::parse(text).ok()),
        recur_from: RecurFrom::from_db(&row.recur_from),
        checklist: checklist_of(row),
    }
}

pub fn checklist_of(row: &TodoRow) -> Vec<ChecklistItem> {
    serde_json::from_str(&row.checklist).unwrap_or_default()
}

pub(crate) fn values_of(state: &TodoState) -> TodoValues {
    let (due_sort, overdue_at) = state.due_bounds();
    TodoValues {
        title: state.title.clone(),
        notes: state.notes.clone(),
        category_id: state.category_id,
        priority: state.priority.to_db(),
        due_date: state.due_date.map(|date| date.format("%Y-%m-%d").to_string()),
        due_at: state.due_at,
        due_sort,
        overdue_at,
        timezone: state.timezone.name().to_string(),
        completed: state.completed,
        completed_at: state.completed_at,
        recurrence: state.recurrence.as_ref().map(|rule| rule.as_str().to_string()),
        recur_from: state.recur_from.as_str(),
        checklist: serde_json::to_string(&state.checklist).unwrap_or_else(|_| "[]".into()),
    }
}

/// A category id inside a body must be the caller's: anything else is answered like an id
/// that never existed.
async fn check_category(tx: &mut WriteTx, owner: UserId, category: Option<TodoCategoryId>) -> TodoResult<()> {
    if let Some(id) = category
        && db::get_category(&mut **tx, owner, id).await?.is_none()
    {
        return Err(TodoError::NotFound);
    }
    Ok(())
}

pub async fn list(
    ctx: Context<'_>,
    owner: UserId,
    filter: &TodoFilter,
    limit: i64,
    offset: i64,
) -> TodoResult<(Vec<TodoRow>, i64)> {
    Ok(db::list(ctx.db.pool(), owner, filter, limit, offset).await?)
}

pub async fn get(ctx: Context<'_>, owner: UserId, id: TodoId) -> TodoResult<TodoRow> {
    db::get(ctx.db.pool(), owner, id).await?.ok_or(TodoError::NotFound)
}

pub async fn create(ctx: Context<'_>, owner: UserId, body: NewTodo) -> TodoResult<TodoRow> {
    let mut state = rules::new_state(body, ctx.now.0)?;
    let mut tx = ctx.db.write().await?;
    check_category(&mut tx, owner, state.category_id).await?;
    // A todo created done is simply done, even when it repeats: there is nothing to move.
    if state.completed {
        state.completed_at = Some(ctx.now.0);
    }
    let uid = super::events::new_uid();
    let id = db::insert(&mut tx, owner, &uid, &values_of(&state), DavParts::default(), ctx.now.0).await?;
    let row = db::get(&mut *tx, owner, id).await?.ok_or(TodoError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// Applies a patch. Completing a recurring todo (`completed: true` on an open one) records the
/// completion and moves the todo to its next occurrence, resetting its checklist; once the
/// series has ended it completes for good. Everything happens in one write transaction.
pub async fn update(ctx: Context<'_>, owner: UserId, id: TodoId, patch: TodoPatch) -> TodoResult<TodoRow> {
    let now = ctx.now.0;
    let mut tx = ctx.db.write().await?;
    let row = db::get_for_update(&mut tx, owner, id).await?.ok_or(TodoError::NotFound)?;
    let current = state_of(&row);
    let category_changed = !patch.category_id.is_unchanged();
    let (mut next, completed) = rules::patched_state(&current, patch)?;
    if category_changed {
        check_category(&mut tx, owner, next.category_id).await?;
    }
    match completed {
        Some(true) if !current.completed => {
            complete_into(&mut tx, id, &mut next, now).await?;
        }
        Some(false) => {
            next.completed = false;
            next.completed_at = None;
        }
        _ => {}
    }
    if !db::update(&mut tx, owner, id, &values_of(&next), None, now).await? {
        return Err(TodoError::NotFound);
    }
    let row = db::get(&mut *tx, owner, id).await?.ok_or(TodoError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// Completes `state` inside the caller's transaction: a plain todo is done; a recurring one
/// leaves a history row and moves on, or is done when its series has ended.
pub(crate) async fn complete_into(tx: &mut WriteTx, id: TodoId, state: &mut TodoState, now: i64) -> TodoResult<()> {
    let Some(rule) = state.recurrence.clone() else {
        state.completed = true;
        state.completed_at = Some(now);
        return Ok(());
    };
    let done_before = db::count_completions(tx, id).await?;
    let previous_due = db::last_completion_due(tx, id).await?;
    let due_date = state.due_date.map(|date: NaiveDate| date.format("%Y-%m-%d").to_string());
    db::add_completion(tx, id, now, due_date, state.due_at).await?;
    match rules::advance(state, &rule, now, done_before, previous_due) {
        Advance::Next { due_date, due_at } => {
            state.due_date = due_date;
            state.due_at = due_at;
            state.completed = false;
            state.completed_at = None;
            for item in &mut state.checklist {
                item.done = false;
            }
        }
        Advance::Ended => {
            state.completed = true;
            state.completed_at = Some(now);
        }
    }
    Ok(())
}

pub async fn delete(ctx: Context<'_>, owner: UserId, id: TodoId) -> TodoResult<()> {
    let mut tx = ctx.db.write().await?;
    if !db::delete(&mut tx, owner, id, ctx.now.0).await? {
        return Err(TodoError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

pub async fn completions(
    ctx: Context<'_>,
    owner: UserId,
    id: TodoId,
    limit: i64,
    offset: i64,
) -> TodoResult<(Vec<CompletionRow>, i64)> {
    db::list_completions(ctx.db.pool(), owner, id, limit, offset).await?.ok_or(TodoError::NotFound)
}

/// Puts `ids` in the given order among the positions they already hold, so todos not named
/// keep their places. All or nothing: an id that is not the caller's changes nothing.
pub async fn reorder(ctx: Context<'_>, owner: UserId, ids: &[TodoId]) -> TodoResult<()> {
    let mut problems = Problems::default();
    if ids.len() > rules::REORDER_MAX {
        problems.add("ids", format!("must list at most {} todos", rules::REORDER_MAX));
    }
    let mut seen = std::collections::HashSet::new();
    if ids.iter().any(|id| !seen.insert(*id)) {
        problems.add("ids", "lists a todo twice");
    }
    problems.into_result()?;
    let mut tx = ctx.db.write().await?;
    let found = db::positions(&mut tx, owner, ids).await?;
    if found.len() != ids.len() {
        return Err(TodoError::NotFound);
    }
    let mut slots: Vec<i64> = found.iter().map(|(_, position)| *position).collect();
    slots.sort_unstable();
    let current: std::collections::HashMap<TodoId, i64> = found.into_iter().collect();
    for (id, slot) in ids.iter().zip(slots) {
        if current.get(id) != Some(&slot) {
            db::set_position(&mut tx, owner, *id, slot, ctx.now.0).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

// ---- categories ----

pub async fn list_categories(
    ctx: Context<'_>,
    owner: UserId,
    limit: i64,
    offset: i64,
) -> TodoResult<(Vec<CategoryRow>, i64)> {
    Ok(db::list_categories(ctx.db.pool(), owner, limit, offset).await?)
}

fn name_taken(error: sqlx::Error) -> TodoError {
    let error = DbError::classify(error);
    if error.is_unique_violation() { TodoError::NameTaken } else { TodoError::Db(error) }
}

pub async fn create_category(ctx: Context<'_>, owner: UserId, body: NewTodoCategory) -> TodoResult<CategoryRow> {
    let mut problems = Problems::default();
    rules::check_category_name(&body.name, &mut problems);
    let colour = body.colour.unwrap_or_else(|| rules::DEFAULT_COLOUR.to_string());
    rules::check_colour(&colour, &mut problems);
    problems.into_result()?;
    db::insert_category(ctx.db.pool(), owner, &body.name, &rules::category_key(&body.name), &colour, ctx.now.0)
        .await
        .map_err(name_taken)
}

pub async fn update_category(
    ctx: Context<'_>,
    owner: UserId,
    id: TodoCategoryId,
    patch: TodoCategoryPatch,
) -> TodoResult<CategoryRow> {
    let mut tx = ctx.db.write().await?;
    let current = db::get_category(&mut *tx, owner, id).await?.ok_or(TodoError::NotFound)?;
    let mut problems = Problems::default();
    let name = patch.name.required().unwrap_or_else(|_| {
        problems.add("name", "cannot be null");
        None
    });
    let colour = patch.colour.required().unwrap_or_else(|_| {
        problems.add("colour", "cannot be null");
        None
    });
    let name = name.unwrap_or(current.name);
    let colour = colour.unwrap_or(current.colour);
    rules::check_category_name(&name, &mut problems);
    rules::check_colour(&colour, &mut problems);
    problems.into_result()?;
    let row = db::update_category(&mut tx, owner, id, &name, &rules::category_key(&name), &colour, ctx.now.0)
        .await
        .map_err(name_taken)?
        .ok_or(TodoError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

pub async fn delete_category(ctx: Context<'_>, owner: UserId, id: TodoCategoryId) -> TodoResult<()> {
    let mut tx = ctx.db.write().await?;
    if !db::delete_category(&mut tx, owner, id, ctx.now.0).await? {
        return Err(TodoError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}
