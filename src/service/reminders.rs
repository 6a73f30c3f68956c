//! The reminder workflows: create, read, edit, delete, and the status actions (snooze,
//! dismiss, done, reopen). Each runs for one owner; another user's reminder, or a todo that is
//! not the owner's, is `NotFound` exactly like one that never existed.

use crate::db::error::DbError;
use crate::db::reminders::{self, ReminderFilter, ReminderRow, ReminderValues};
use crate::domain::id::{ReminderId, TodoId, UserId};
use crate::domain::reminders::{
    FieldProblem, NewReminder, Reminder, ReminderFields, ReminderPatch, ReminderStatus, SnoozeRequest,
};
use crate::domain::time::UtcMillis;
use crate::service::Context;

#[derive(Debug, thiserror::Error)]
pub enum ReminderError {
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(Vec<FieldProblem>),
    /// The action does not apply to a reminder in this status.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for ReminderError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::classify(error))
    }
}

pub type ReminderResult<T> = Result<T, ReminderError>;

/// The list's filters, parsed.
#[derive(Debug, Clone)]
pub struct ListFilter {
    pub statuses: Vec<ReminderStatus>,
    pub from: Option<UtcMillis>,
    pub to: Option<UtcMillis>,
}

fn reminder_of(row: ReminderRow) -> ReminderResult<Reminder> {
    let status = ReminderStatus::parse(&row.status)
        .ok_or_else(|| ReminderError::Db(DbError::Other(sqlx::Error::Decode("unknown reminder status".into()))))?;
    Ok(Reminder {
        id: row.id,
        title: row.title,
        notes: row.notes,
        remind_at: UtcMillis(row.remind_at),
        timezone: row.timezone,
        recurrence: row.recurrence,
        series_start: UtcMillis(row.series_start),
        status,
        snoozed_until: row.snoozed_until.map(UtcMillis),
        todo_id: row.todo_id,
        created_at: UtcMillis(row.created_at),
        updated_at: UtcMillis(row.updated_at),
    })
}

fn values_of(reminder: &Reminder, now: UtcMillis) -> ReminderValues<'_> {
    ReminderValues {
        title: &reminder.title,
        notes: &reminder.notes,
        remind_at: reminder.remind_at.0,
        timezone: &reminder.timezone,
        recurrence: reminder.recurrence.as_deref(),
        series_start: reminder.series_start.0,
        status: reminder.status.as_str(),
        snoozed_until: reminder.snoozed_until.map(|t| t.0),
        todo_id: reminder.todo_id,
        now: now.0,
    }
}

/// A todo to link must be the owner's: anything else is 404, like an unknown reminder.
async fn check_todo(tx: &mut crate::db::WriteTx, owner: UserId, todo_id: Option<TodoId>) -> ReminderResult<()> {
    match todo_id {
        Some(todo) if !reminders::todo_is_owned(&mut **tx, owner, todo).await? => Err(ReminderError::NotFound),
        _ => Ok(()),
    }
}

/// A write that names a todo the row cannot reference (deleted meanwhile) answers 404 too.
fn hide_reference(error: sqlx::Error) -> ReminderError {
    ReminderError::Db(DbError::classify(error).reference_hidden())
}

pub async fn list(
    ctx: Context<'_>,
    owner: UserId,
    filter: &ListFilter,
    limit: i64,
    offset: i64,
) -> ReminderResult<(Vec<Reminder>, i64)> {
    let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
    let filter = ReminderFilter {
        statuses: &statuses,
        from: filter.from.map_or(i64::MIN, |t| t.0),
        to: filter.to.map_or(i64::MAX, |t| t.0),
    };
    let (rows, total) = reminders::list(ctx.db.pool(), owner, &filter, limit, offset).await?;
    let items = rows.into_iter().map(reminder_of).collect::<ReminderResult<_>>()?;
    Ok((items, total))
}

pub async fn get(ctx: Context<'_>, owner: UserId, id: ReminderId) -> ReminderResult<Reminder> {
    let row = reminders::find(ctx.db.pool(), owner, id).await?.ok_or(ReminderError::NotFound)?;
    reminder_of(row)
}

pub async fn create(ctx: Context<'_>, owner: UserId, new: NewReminder) -> ReminderResult<Reminder> {
    let fields = new.validate().map_err(ReminderError::Invalid)?;
    let mut tx = ctx.db.write().await?;
    check_todo(&mut tx, owner, fields.todo_id).await?;
    let ReminderFields { title, notes, remind_at, timezone, recurrence, todo_id } = fields;
    let values = ReminderValues {
        title: &title,
        notes: &notes,
        remind_at: remind_at.0,
        timezone: &timezone,
        recurrence: recurrence.as_deref(),
        series_start: remind_at.0,
        status: ReminderStatus::Active.as_str(),
        snoozed_until: None,
        todo_id,
        now: ctx.now.0,
    };
    let row = reminders::insert(&mut tx, owner, &values).await.map_err(hide_reference)?;
    tx.commit().await?;
    reminder_of(row)
}

/// Runs `change` on the owner's reminder inside one write transaction and stores the result.
async fn modify<F>(ctx: Context<'_>, owner: UserId, id: ReminderId, change: F) -> ReminderResult<Reminder>
where
    F: FnOnce(&mut Reminder) -> ReminderResult<()>,
{
    let mut tx = ctx.db.write().await?;
    let row = reminders::find_for_update(&mut tx, owner, id).await?.ok_or(ReminderError::NotFound)?;
    let mut reminder = reminder_of(row)?;
    let todo_before = reminder.todo_id;
    change(&mut reminder)?;
    if reminder.todo_id != todo_before {
        check_todo(&mut tx, owner, reminder.todo_id).await?;
    }
    let row = reminders::update(&mut tx, owner, id, &values_of(&reminder, ctx.now))
        .await
        .map_err(hide_reference)?
        .ok_or(ReminderError::NotFound)?;
    tx.commit().await?;
    reminder_of(row)
}

/// Edits the fields; a new time clears a snooze, and a new time, zone or rule starts the
/// series afresh from the reminder's time.
pub async fn update(ctx: Context<'_>, owner: UserId, id: ReminderId, patch: ReminderPatch) -> ReminderResult<Reminder> {
    modify(ctx, owner, id, |reminder| {
        let fields = patch.apply(reminder).map_err(ReminderError::Invalid)?;
        let moved = fields.remind_at != reminder.remind_at;
        let reshaped = moved || fields.timezone != reminder.timezone || fields.recurrence != reminder.recurrence;
        if moved {
            reminder.snoozed_until = None;
        }
        if reshaped {
            reminder.series_start = fields.remind_at;
        }
        let ReminderFields { title, notes, remind_at, timezone, recurrence, todo_id } = fields;
        reminder.title = title;
        reminder.notes = notes;
        reminder.remind_at = remind_at;
        reminder.timezone = timezone;
        reminder.recurrence = recurrence;
        reminder.todo_id = todo_id;
        Ok(())
    })
    .await
}

pub async fn delete(ctx: Context<'_>, owner: UserId, id: ReminderId) -> ReminderResult<()> {
    if reminders::delete(ctx.db.pool(), owner, id).await? { Ok(()) } else { Err(ReminderError::NotFound) }
}

fn must_be_active(reminder: &Reminder, action: &str) -> ReminderResult<()> {
    if reminder.status == ReminderStatus::Active {
        Ok(())
    } else {
        Err(ReminderError::Conflict(format!(
            "This reminder is {}: reopen it before you {action} it.",
            reminder.status.as_str()
        )))
    }
}

pub async fn snooze(
    ctx: Context<'_>,
    owner: UserId,
    id: ReminderId,
    request: SnoozeRequest,
) -> ReminderResult<Reminder> {
    // The body is checked before the reminder is looked at, so a bad body is 422 whatever
    // the reminder's status; an unknown id is still 404 first (the lookup comes first).
    modify(ctx, owner, id, |reminder| {
        let until = request.until(ctx.now).map_err(ReminderError::Invalid)?;
        must_be_active(reminder, "snooze")?;
        reminder.snoozed_until = Some(until);
        Ok(())
    })
    .await
}

pub async fn dismiss(ctx: Context<'_>, owner: UserId, id: ReminderId) -> ReminderResult<Reminder> {
    modify(ctx, owner, id, |reminder| {
        must_be_active(reminder, "dismiss")?;
        reminder.status = ReminderStatus::Dismissed;
        reminder.snoozed_until = None;
        Ok(())
    })
    .await
}

pub async fn done(ctx: Context<'_>, owner: UserId, id: ReminderId) -> ReminderResult<Reminder> {
    modify(ctx, owner, id, |reminder| {
        must_be_active(reminder, "complete")?;
        reminder.complete(ctx.now);
        Ok(())
    })
    .await
}

pub async fn reopen(ctx: Context<'_>, owner: UserId, id: ReminderId) -> ReminderResult<Reminder> {
    modify(ctx, owner, id, |reminder| {
        if reminder.status == ReminderStatus::Active {
            return Err(ReminderError::Conflict("This reminder is already active.".into()));
        }
        reminder.status = ReminderStatus::Active;
        reminder.snoozed_until = None;
        Ok(())
    })
    .await
}
