//! Event template workflows: CRUD of the caller's presets. A template's calendar must be one
//! the caller can see when it is saved (404 otherwise); whether they may still write to it is
//! decided when an event is made from it (`service::events::create`).

use super::Context;
use crate::db::calendar_access::calendar_level;
use crate::db::event_templates::{self as db, TemplateRow, TemplateValues};
use crate::domain::events::templates::{
    EventTemplatePatch, NewEventTemplate, TemplateState, new_template, patched_template,
};
use crate::domain::id::{CalendarId, EventTemplateId, UserId};
use crate::service::events::{EventError, EventResult, alerts_of};

fn values_of(state: &TemplateState) -> TemplateValues {
    TemplateValues {
        name: state.name.clone(),
        title: state.title.clone(),
        duration_minutes: state.duration_minutes,
        calendar_id: state.calendar_id,
        description: state.description.clone(),
        location: state.location.clone(),
        alerts: serde_json::to_string(&state.alerts).unwrap_or_else(|_| "[]".into()),
        colour: state.colour.clone(),
    }
}

fn state_of(row: &TemplateRow) -> TemplateState {
    TemplateState {
        name: row.name.clone(),
        title: row.title.clone(),
        duration_minutes: row.duration_minutes,
        calendar_id: row.calendar_id,
        description: row.description.clone(),
        location: row.location.clone(),
        alerts: alerts_of(&row.alerts),
        colour: row.colour.clone(),
    }
}

/// A calendar named in a template must be one the caller can see.
async fn check_calendar(ctx: Context<'_>, owner: UserId, calendar: Option<CalendarId>) -> EventResult<()> {
    if let Some(calendar) = calendar
        && calendar_level(ctx.db.pool(), owner, calendar).await?.is_none()
    {
        return Err(EventError::NotFound);
    }
    Ok(())
}

pub async fn list(ctx: Context<'_>, owner: UserId, limit: i64, offset: i64) -> EventResult<(Vec<TemplateRow>, i64)> {
    Ok(db::list(ctx.db.pool(), owner, limit, offset).await?)
}

pub async fn get(ctx: Context<'_>, owner: UserId, id: EventTemplateId) -> EventResult<TemplateRow> {
    db::get(ctx.db.pool(), owner, id).await?.ok_or(EventError::NotFound)
}

pub async fn create(ctx: Context<'_>, owner: UserId, body: NewEventTemplate) -> EventResult<TemplateRow> {
    let state = new_template(body)?;
    check_calendar(ctx, owner, state.calendar_id).await?;
    let id = db::insert(ctx.db.pool(), owner, &values_of(&state), ctx.now.0).await?;
    get(ctx, owner, id).await
}

pub async fn update(
    ctx: Context<'_>,
    owner: UserId,
    id: EventTemplateId,
    patch: EventTemplatePatch,
) -> EventResult<TemplateRow> {
    let current = get(ctx, owner, id).await?;
    let calendar_changed = !patch.calendar_id.is_unchanged();
    let next = patched_template(&state_of(&current), patch)?;
    if calendar_changed {
        check_calendar(ctx, owner, next.calendar_id).await?;
    }
    if !db::update(ctx.db.pool(), owner, id, &values_of(&next), ctx.now.0).await? {
        return Err(EventError::NotFound);
    }
    get(ctx, owner, id).await
}

pub async fn delete(ctx: Context<'_>, owner: UserId, id: EventTemplateId) -> EventResult<()> {
    if db::delete(ctx.db.pool(), owner, id).await? { Ok(()) } else { Err(EventError::NotFound) }
}
