//! The Done and "Snooze 1 h" buttons of a push: a link answers without a session because it
//! carries a token that is bound to one action on one item, expires (`ACTION_TTL_MS`) and
//! works once (using one link of a push uses up its others). Only the token's hash is stored.
//! What a link does is the owner's own action through the reminder and todo workflows; it can
//! reach nothing else.

use super::{SNOOZE_MINUTES, todo_occurrence, token_hash};
use crate::db::dispatch;
use crate::db::error::DbError;
use crate::db::push_deliveries;
use crate::domain::id::{ReminderId, TodoId};
use crate::domain::patch::Patch;
use crate::domain::reminders::{ReminderStatus, SnoozeRequest};
use crate::domain::todos::TodoPatch;
use crate::service::Context;
use crate::service::reminders::{self, ReminderError};
use crate::service::todos::{self, TodoError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionItem {
    Reminder,
    Todo,
}

impl ActionItem {
    fn as_str(self) -> &'static str {
        match self {
            Self::Reminder => "reminder",
            Self::Todo => "todo",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Done,
    Snooze,
}

impl Action {
    /// The path segment; anything else is no action (404).
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "done" => Some(Self::Done),
            "snooze" => Some(Self::Snooze),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Snooze => "snooze",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// No such link (unknown, used, expired, for another item or action) or no such item.
    #[error("not found")]
    NotFound,
    /// The action does not apply to the item as it is now.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for ActionError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::classify(error))
    }
}

impl From<ReminderError> for ActionError {
    fn from(error: ReminderError) -> Self {
        match error {
            ReminderError::NotFound | ReminderError::Invalid(_) => Self::NotFound,
            ReminderError::Conflict(detail) => Self::Conflict(detail),
            ReminderError::Db(error) => Self::Db(error),
        }
    }
}

impl From<TodoError> for ActionError {
    fn from(error: TodoError) -> Self {
        match error {
            TodoError::Db(error) => Self::Db(error),
            _ => Self::NotFound,
        }
    }
}

/// A token as it may appear in a link: 43 URL-safe base64 characters. Anything else is
/// refused before the database is asked.
fn well_formed(token: &str) -> bool {
    token.len() == 43 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Uses the link `token` for `action` on the item; what it did, in words.
pub async fn redeem(
    ctx: Context<'_>,
    item: ActionItem,
    item_id: i64,
    action: Action,
    token: &str,
) -> Result<&'static str, ActionError> {
    if !well_formed(token) {
        return Err(ActionError::NotFound);
    }
    let mut tx = ctx.db.write().await?;
    let redeemed =
        push_deliveries::redeem(&mut tx, &token_hash(token), action.as_str(), item.as_str(), item_id, ctx.now.0)
            .await?
            .ok_or(ActionError::NotFound)?;
    tx.commit().await?;
    let owner = redeemed.user_id;
    match (item, action) {
        (ActionItem::Reminder, Action::Done) => {
            let id = ReminderId(item_id);
            let reminder = reminders::get(ctx, owner, id).await?;
            // A series has already moved on to its next occurrence when it was delivered:
            // Done acknowledges the one that fired, it does not skip the next.
            if reminder.status != ReminderStatus::Active
                || (reminder.recurrence.is_some() && reminder.fire_at() > ctx.now)
            {
                return Ok("Already done.");
            }
            reminders::done(ctx, owner, id).await?;
            Ok("Marked done.")
        }
        (ActionItem::Reminder, Action::Snooze) => {
            let request = SnoozeRequest { minutes: Some(SNOOZE_MINUTES), until: None };
            reminders::snooze(ctx, owner, ReminderId(item_id), request).await?;
            Ok("Snoozed for an hour.")
        }
        (ActionItem::Todo, Action::Done) => {
            let id = TodoId(item_id);
            let todo = todos::get(ctx, owner, id).await?;
            let alerted = match redeemed.alert_id {
                Some(alert) => dispatch::alert_occurrence(ctx.db.pool(), owner, alert).await?.map(|(_, o)| o),
                None => None,
            };
            // Done means the occurrence that was announced; a todo completed or moved on since
            // is left as it is.
            if todo.completed.get() || todo_occurrence(todo.due_at, todo.due_date.as_deref()) != alerted {
                return Ok("Already done.");
            }
            let patch = TodoPatch { completed: Patch::Set(true), ..TodoPatch::default() };
            todos::update(ctx, owner, id, patch).await?;
            Ok("Marked done.")
        }
        (ActionItem::Todo, Action::Snooze) => {
            let alert = redeemed.alert_id.ok_or(ActionError::NotFound)?;
            let until = ctx.now.plus_minutes(SNOOZE_MINUTES).0;
            if !dispatch::snooze_alert(ctx.db.pool(), owner, alert, until).await? {
                return Err(ActionError::NotFound);
            }
            Ok("Snoozed for an hour.")
        }
    }
}
