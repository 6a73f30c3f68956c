//! The user's todos as one VTODO calendar collection (`/dav/calendars/<user>/todos/`): the
//! CalDAV workflows over the same rows the API and the UI use. A client's VTODO is read by
//! `domain::ical::todo_map` and checked by the API's own rules (`domain::todos::new_state`),
//! so a client cannot store what the API would refuse; every write happens in one write
//! transaction that also checks the precondition, and `db::todos` records it in the change
//! log the sync token counts.
//!
//! Completing a repeating todo from a client does what completing it in the app does: the
//! completion is recorded and the todo moves to its next due date (or ends with its series).
//! An unknown CATEGORIES name becomes a new category (rather than a line kept for the client):
//! a category set on the phone should be one in the app too.

use chrono_tz::Tz;

use super::auth::DavAccount;
use super::per_user::{
    check_extra, check_name, check_precondition, check_token, delta, etag, made_meanwhile, name_of, uid_conflict,
    uid_taken,
};
use super::store::{DavError, DavResult, Delta, ObjectMeta, Precondition, PutOutcome, StoredObject};
use crate::db::collection_changes::{self as log, SyncCollection};
use crate::db::todo_objects::{self as objects, SUFFIX, TodoObjectRow};
use crate::db::todos::{self as db, DavParts};
use crate::db::{WriteTx, user_settings};
use crate::domain::ical::todo_map::{self, Due, TodoObject, VTodo};
use crate::domain::id::{TodoCategoryId, UserId};
use crate::domain::time::UtcMillis;
use crate::domain::todos::{self as rules, NewTodo, Problems, RecurFrom, TodoState};
use crate::service::Context;
use crate::service::todos::{TodoError, complete_into, state_of, values_of};

const COLLECTION: SyncCollection = SyncCollection::Todos;

impl From<TodoError> for DavError {
    fn from(error: TodoError) -> Self {
        match error {
            TodoError::NotFound => Self::NotFound,
            TodoError::Invalid(problems) => invalid(&problems),
            TodoError::NameTaken => {
                Self::Invalid { precondition: None, detail: "a category with that name exists".into() }
            }
            TodoError::Db(error) => Self::Db(error),
        }
    }
}

/// The API's field errors in the client's terms (property names).
fn invalid(problems: &Problems) -> DavError {
    let property = |field: &str| match field.split(['[', '.']).next().unwrap_or_default() {
        "title" => "SUMMARY",
        "notes" => "DESCRIPTION",
        "due_date" | "due_at" => "DUE",
        "timezone" => "TZID",
        "recurrence" => "RRULE",
        "checklist" => "X-UMBRA-CHECKLIST",
        "category_id" => "CATEGORIES",
        _ => "VTODO",
    };
    let mut detail: Vec<String> = Vec::new();
    for (field, message) in &problems.0 {
        let line = format!("{}: {message}", property(field));
        if !detail.contains(&line) {
            detail.push(line);
        }
    }
    DavError::Invalid { precondition: Some(todo_map::VALID_DATA), detail: detail.join("; ") }
}

fn meta(id: i64, uid: &str, dav_name: Option<&str>, revision: i64) -> ObjectMeta {
    ObjectMeta { name: name_of(uid, dav_name, SUFFIX), etag: etag(id, revision) }
}

fn object(row: &TodoObjectRow) -> StoredObject {
    let state = state_of(&row.todo);
    let body = todo_map::write(&TodoObject {
        uid: &row.uid,
        state: &state,
        category: row.category_name.as_deref(),
        created_at: row.todo.created_at,
        updated_at: row.todo.updated_at,
        extra: &row.dav_extra,
    });
    StoredObject { meta: meta(row.todo.id.0, &row.uid, row.dav_name.as_deref(), row.revision), body }
}

/// Every object of the collection: its name and ETag.
pub async fn list(ctx: Context<'_>, account: &DavAccount) -> DavResult<Vec<ObjectMeta>> {
    let rows = objects::list(ctx.db.pool(), account.user_id).await?;
    Ok(rows.iter().map(|r| meta(r.id.0, &r.uid, r.dav_name.as_deref(), r.revision)).collect())
}

/// The named objects that exist (others are left out; the caller answers 404 for them), in
/// the order asked.
pub async fn get(ctx: Context<'_>, account: &DavAccount, names: &[String]) -> DavResult<Vec<StoredObject>> {
    let rows = objects::by_names(ctx.db.pool(), account.user_id, names).await?;
    let mut found: Vec<StoredObject> = rows.iter().map(object).collect();
    found.sort_by_key(|o| names.iter().position(|n| *n == o.meta.name));
    Ok(found)
}

/// The user's zone: where a new todo's date-only or floating due is read.
async fn user_zone(ctx: Context<'_>, user: UserId) -> DavResult<Tz> {
    let settings = user_settings::find(ctx.db.pool(), user).await?;
    Ok(settings.and_then(|s| s.timezone).and_then(|t| rules::parse_timezone(&t)).unwrap_or(Tz::UTC))
}

/// The category CATEGORIES names first: the user's of that name, or a new one. Names after
/// the first (a todo has one category) and a first name no category can have are kept as a
/// line for the client.
async fn category_of(
    tx: &mut WriteTx,
    user: UserId,
    names: &[String],
    now: i64,
) -> DavResult<(Option<TodoCategoryId>, Option<String>)> {
    let Some((first, rest)) = names.split_first() else { return Ok((None, None)) };
    let mut problems = Problems::default();
    rules::check_category_name(first, &mut problems);
    if !problems.is_empty() {
        return Ok((None, Some(todo_map::categories_line(names))));
    }
    let key = rules::category_key(first);
    let id = db::category_named(tx, user, first.trim(), &key, rules::DEFAULT_COLOUR, now).await?;
    Ok((Some(id), (!rest.is_empty()).then(|| todo_map::categories_line(rest))))
}

/// The client's VTODO as a validated state, by the API's rules. `current` is the todo it
/// replaces; `zone` the zone of a date-only or floating due when the VTODO names none.
fn state_from(
    todo: &VTodo,
    current: Option<&TodoState>,
    zone: Tz,
    category_id: Option<TodoCategoryId>,
    now: i64,
) -> DavResult<TodoState> {
    let (due_date, due_at, zone) = match todo.due {
        Due::None => (None, None, zone),
        Due::Date(date) => (Some(date.format("%Y-%m-%d").to_string()), None, zone),
        Due::At { at, zone: named } => (None, Some(at), named.unwrap_or(zone)),
        Due::Floating(local) => (None, Some(todo_map::local_instant(zone, local)), zone),
    };
    let body = NewTodo {
        title: todo.title.clone(),
        notes: Some(todo.notes.clone()),
        category_id,
        priority: Some(todo.priority),
        due_date,
        due_at: due_at.map(|at| UtcMillis(at).to_rfc3339()),
        timezone: Some(zone.name().to_string()),
        completed: Some(todo.completed),
        recurrence: todo.recurrence.clone(),
        recur_from: todo.recur_from.or(current.map(|c| c.recur_from)).or(Some(RecurFrom::Due)),
        checklist: todo.checklist.clone().or_else(|| current.map(|c| c.checklist.clone())),
    };
    rules::new_state(body, now).map_err(|problems| invalid(&problems))
}

/// Creates or replaces the named object from a client's iCalendar text.
pub async fn put(
    ctx: Context<'_>,
    account: &DavAccount,
    name: &str,
    body: &str,
    precondition: &Precondition,
) -> DavResult<PutOutcome> {
    check_name(name)?;
    let user = account.user_id;
    let now = ctx.now.0;
    let user_zone = user_zone(ctx, user).await?;
    let todo = todo_map::read(body, user_zone)
        .map_err(|e| DavError::Invalid { precondition: Some(e.precondition), detail: e.message })?;
    let dav_name = (name != format!("{}{SUFFIX}", todo.uid)).then_some(name);

    let mut tx = ctx.db.write().await?;
    // The category before the todo's row lock: a rename of that category (which locks its
    // todos) must not wait for this write while this one waits for it.
    let (category_id, more_categories) = category_of(&mut tx, user, &todo.categories, now).await?;
    let existing = objects::by_name_for_update(&mut tx, user, name).await?;
    let current_etag = existing.as_ref().map(|row| etag(row.todo.id.0, row.revision));
    check_precondition(current_etag.as_deref(), precondition)?;
    match &existing {
        Some(row) if row.uid != todo.uid => {
            return Err(uid_conflict(format!("{name} holds the todo with UID {}; its UID cannot change", row.uid)));
        }
        Some(_) => {}
        None => {
            if let Some(other) = objects::by_uid(&mut tx, user, &todo.uid).await? {
                let other = name_of(&other.uid, other.dav_name.as_deref(), SUFFIX);
                return Err(uid_taken(&todo.uid, &other, name, precondition));
            }
        }
    }
    let current = existing.as_ref().map(|row| state_of(&row.todo));
    let zone = current.as_ref().map_or(user_zone, |c| c.timezone);
    let mut next = state_from(&todo, current.as_ref(), zone, category_id, now)?;
    let mut extra = todo.extra.clone();
    extra.extend(more_categories);
    let extra = todo_map::join_extra(&extra);
    check_extra(&extra, todo_map::VALID_DATA)?;

    let mut moved_on = false;
    let (id, created) = if let (Some(row), Some(current)) = (&existing, &current) {
        let id = row.todo.id;
        match (todo.completed, current.completed) {
            // Done now, open before: as in the app, a repeating todo moves on.
            (true, false) => {
                next.completed_at = todo.completed_at.or(Some(now));
                if next.recurrence.is_some() {
                    complete_into(&mut tx, id, &mut next, now).await?;
                    moved_on = true;
                }
            }
            (true, true) => next.completed_at = todo.completed_at.or(current.completed_at),
            (false, _) => next.completed_at = None,
        }
        db::update(&mut tx, user, id, &values_of(&next), Some(&extra), now).await?;
        (id, false)
    } else {
        next.completed_at = next.completed.then(|| todo.completed_at.unwrap_or(now));
        let parts = DavParts { name: dav_name, extra: &extra };
        let id = db::insert(&mut tx, user, &todo.uid, &values_of(&next), parts, now)
            .await
            .map_err(|e| made_meanwhile(e, precondition))?;
        (id, true)
    };
    let revision = objects::revision(&mut tx, user, id).await?;
    tx.commit().await?;
    Ok(PutOutcome { etag: etag(id.0, revision), created, changed_by_server: moved_on })
}

pub async fn delete(ctx: Context<'_>, account: &DavAccount, name: &str, precondition: &Precondition) -> DavResult<()> {
    let user = account.user_id;
    let mut tx = ctx.db.write().await?;
    let existing = objects::by_name_for_update(&mut tx, user, name).await?;
    let current_etag = existing.as_ref().map(|row| etag(row.todo.id.0, row.revision));
    check_precondition(current_etag.as_deref(), precondition)?;
    let Some(row) = existing else { return Err(DavError::NotFound) };
    db::delete(&mut tx, user, row.todo.id, ctx.now.0).await?;
    tx.commit().await?;
    Ok(())
}

/// The collection's sync token now (also its CTag).
pub async fn token(ctx: Context<'_>, account: &DavAccount) -> DavResult<i64> {
    Ok(log::token(ctx.db.pool(), account.user_id, COLLECTION).await?)
}

/// What changed after `since` (0: everything there is now).
pub async fn changes(ctx: Context<'_>, account: &DavAccount, since: i64) -> DavResult<Delta> {
    let user = account.user_id;
    // The token first: a change made while this runs is reported now or next time, never lost.
    let token = log::token(ctx.db.pool(), user, COLLECTION).await?;
    check_token(since, token)?;
    if since == 0 {
        return Ok(Delta { token, changed: list(ctx, account).await?, deleted: Vec::new() });
    }
    let rows = log::since(ctx.db.pool(), user, COLLECTION, since, token).await?;
    // The floor after the log: a prune committed since the log was read shows here.
    if since < log::pruned_through(ctx.db.pool(), user, COLLECTION).await? {
        return Err(DavError::InvalidSyncToken);
    }
    Ok(delta(token, &rows, SUFFIX, list(ctx, account).await?))
}
