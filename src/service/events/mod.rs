//! The event workflows: create (from a body or a template), read one event with its
//! overrides, change and delete with a scope (`change`), and the range read (`range`).
//! Access is the calendar capability (`db::calendar_access`, in SQL): an event the caller
//! cannot see is `NotFound`; one they can see but not write (a read-only member, an invitee)
//! is `Forbidden`, since they know it exists. Every write records the change in the
//! calendar's change log in the same transaction and bumps the event's revision.

pub mod change;
pub mod range;
pub mod range_cache;

use chrono_tz::Tz;

use super::Context;
use crate::db::WriteTx;
use crate::db::calendar_access::{calendar_level, event_access};
use crate::db::calendar_changes::{self, ChangeKind};
use crate::db::error::DbError;
use crate::db::event_templates;
use crate::db::events::{self as db, EventRow, EventValues, OverrideRow, OverrideValues};
use crate::domain::calendars::{CalendarLevel, EventAccess};
use crate::domain::events::expand::{self, Override};
use crate::domain::events::scope::OverrideState;
use crate::domain::events::{self as rules, EventState, NewEvent, NewEventContext, Problems, TemplateValues, Timing};
use crate::domain::id::{CalendarId, EventId, LocationId, UserId};
use crate::domain::recurrence::Recurrence;
use crate::domain::time::{UtcMillis, parse_date};
use crate::domain::todos::parse_timezone;

#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("not found")]
    NotFound,
    /// The caller sees the event or calendar but may not write to it.
    #[error("read-only")]
    Forbidden,
    #[error("invalid")]
    Invalid(Problems),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for EventError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::classify(error))
    }
}

impl From<Problems> for EventError {
    fn from(problems: Problems) -> Self {
        Self::Invalid(problems)
    }
}

impl EventError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut problems = Problems::default();
        problems.add(field, message);
        Self::Invalid(problems)
    }
}

pub type EventResult<T> = Result<T, EventError>;

/// One event as its reader sees it: the series, its overrides, the caller's access, and (after
/// a change) the overrides the change dropped because they no longer fit the series.
#[derive(Debug, Clone)]
pub struct EventDetail {
    pub row: EventRow,
    pub overrides: Vec<OverrideRow>,
    pub access: EventAccess,
    pub dropped_overrides: Vec<i64>,
}

/// The timing stored in a row (rows were validated on the way in).
pub fn timing_of(
    all_day: bool,
    start_at: Option<i64>,
    end_at: Option<i64>,
    start_date: Option<&str>,
    end_date: Option<&str>,
) -> Timing {
    if all_day {
        let start = start_date.and_then(parse_date).unwrap_or_default();
        let end = end_date.and_then(parse_date).unwrap_or_else(|| start.succ_opt().unwrap_or(start));
        Timing::AllDay { start, end }
    } else {
        let start = UtcMillis(start_at.unwrap_or_default());
        Timing::Timed { start, end: UtcMillis(end_at.unwrap_or(start.0)) }
    }
}

pub fn zone_of(text: &str) -> Tz {
    parse_timezone(text).unwrap_or(Tz::UTC)
}

pub fn exdates_of(json: &str) -> Vec<i64> {
    serde_json::from_str(json).unwrap_or_default()
}

pub fn alerts_of(json: &str) -> Vec<i64> {
    serde_json::from_str(json).unwrap_or_default()
}

/// A stored row as a validated state.
pub fn state_of(row: &EventRow) -> EventState {
    EventState {
        calendar_id: row.calendar_id,
        title: row.title.clone(),
        description: row.description.clone(),
        location: row.location.clone(),
        location_id: row.location_id,
        colour: row.colour.clone(),
        timing: timing_of(
            row.all_day.get(),
            row.start_at,
            row.end_at,
            row.start_date.as_deref(),
            row.end_date.as_deref(),
        ),
        timezone: zone_of(&row.timezone),
        alerts: alerts_of(&row.alerts),
        recurrence: row.recurrence.as_deref().map(Recurrence::from_stored),
        exdates: exdates_of(&row.exdates),
    }
}

/// A stored override as the values of its occurrence.
pub fn override_state_of(row: &OverrideRow) -> OverrideState {
    OverrideState {
        title: row.title.clone(),
        description: row.description.clone(),
        location: row.location.clone(),
        colour: row.colour.clone(),
        timing: override_timing(row),
    }
}

pub fn override_timing(row: &OverrideRow) -> Timing {
    timing_of(row.start_date.is_some(), row.start_at, row.end_at, row.start_date.as_deref(), row.end_date.as_deref())
}

pub fn overrides_for_expansion(rows: &[OverrideRow]) -> Vec<Override> {
    rows.iter().map(|row| Override { recurrence_id: row.recurrence_id, timing: override_timing(row) }).collect()
}

fn date_text(date: chrono::NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The stored form of a state; the span covers its overrides too.
pub fn values_of(state: &EventState, overrides: &[Override]) -> EventValues {
    let (span_start, span_end) = expand::span(&state.series(), overrides);
    let (start_at, end_at, start_date, end_date) = match state.timing {
        Timing::Timed { start, end } => (Some(start.0), Some(end.0), None, None),
        Timing::AllDay { start, end } => (None, None, Some(date_text(start)), Some(date_text(end))),
    };
    EventValues {
        calendar_id: state.calendar_id,
        title: state.title.clone(),
        description: state.description.clone(),
        location: state.location.clone(),
        location_id: state.location_id,
        colour: state.colour.clone(),
        all_day: state.timing.is_all_day(),
        start_at,
        end_at,
        start_date,
        end_date,
        timezone: state.timezone.name().to_string(),
        alerts: serde_json::to_string(&state.alerts).unwrap_or_else(|_| "[]".into()),
        recurrence: state.recurrence.as_ref().map(|rule| rule.as_str().to_string()),
        exdates: serde_json::to_string(&state.exdates).unwrap_or_else(|_| "[]".into()),
        span_start,
        span_end,
    }
}

pub fn override_values_of(state: &OverrideState) -> OverrideValues {
    let (start_at, end_at, start_date, end_date) = match state.timing {
        Timing::Timed { start, end } => (Some(start.0), Some(end.0), None, None),
        Timing::AllDay { start, end } => (None, None, Some(date_text(start)), Some(date_text(end))),
    };
    OverrideValues {
        title: state.title.clone(),
        description: state.description.clone(),
        location: state.location.clone(),
        colour: state.colour.clone(),
        start_at,
        end_at,
        start_date,
        end_date,
    }
}

/// A new event's UID: 128 random bits, stable for the event's life (iCalendar, CalDAV).
pub fn new_uid() -> String {
    format!("{}@umbra", hex::encode(rand::random::<[u8; 16]>()))
}

/// The caller's level on a calendar they want to write to: 404 unseen, 403 read-only.
pub async fn calendar_writer(tx: &mut WriteTx, user: UserId, calendar: CalendarId) -> EventResult<CalendarLevel> {
    match calendar_level(&mut **tx, user, calendar).await? {
        None => Err(EventError::NotFound),
        Some(level) if level.can_write() => Ok(level),
        Some(_) => Err(EventError::Forbidden),
    }
}

/// The caller's level on the calendar of an event they want to change: 404 unseen, 403 for a
/// read-only member or an invitee.
pub async fn event_writer(tx: &mut WriteTx, user: UserId, event: EventId) -> EventResult<CalendarLevel> {
    match event_access(&mut **tx, user, event).await? {
        None => Err(EventError::NotFound),
        Some(access) => access.writer().ok_or(EventError::Forbidden),
    }
}

/// A location id inside a body must be the caller's own.
pub async fn check_location(tx: &mut WriteTx, user: UserId, location: Option<LocationId>) -> EventResult<()> {
    if let Some(id) = location
        && !crate::db::locations::is_owned(&mut **tx, user, id).await?
    {
        return Err(EventError::NotFound);
    }
    Ok(())
}

/// The template of a new event (the caller's own, else 404), and the calendar it goes to:
/// the body's (which must be writable), else the template's while writable, else the
/// caller's default calendar.
async fn resolve_new(tx: &mut WriteTx, user: UserId, body: &NewEvent) -> EventResult<(NewEventContext, CalendarLevel)> {
    let template = match body.template_id {
        Some(id) => Some(event_templates::get(&mut **tx, user, id).await?.ok_or(EventError::NotFound)?),
        None => None,
    };
    let template_calendar = match template.as_ref().and_then(|t| t.calendar_id) {
        Some(calendar) => calendar_level(&mut **tx, user, calendar)
            .await?
            .filter(|level| level.can_write())
            .map(|level| (calendar, level)),
        None => None,
    };
    let (calendar, level) = match (body.calendar_id, template_calendar) {
        (Some(calendar), _) => (calendar, calendar_writer(tx, user, calendar).await?),
        (None, Some(found)) => found,
        (None, None) => {
            (db::default_calendar(&mut **tx, user).await?.ok_or(EventError::NotFound)?, CalendarLevel::Owner)
        }
    };
    let default_zone = db::calendar_zone(&mut **tx, calendar).await?.as_deref().map_or(Tz::UTC, zone_of);
    let template = template.map(|t| TemplateValues {
        title: t.title.clone(),
        duration_minutes: t.duration_minutes,
        description: t.description.clone(),
        location: t.location.clone(),
        alerts: alerts_of(&t.alerts),
        colour: t.colour.clone(),
    });
    Ok((NewEventContext { calendar_id: calendar, default_zone, template }, level))
}

pub async fn create(ctx: Context<'_>, user: UserId, body: NewEvent) -> EventResult<EventDetail> {
    let now = ctx.now.0;
    let mut tx = ctx.db.write().await?;
    let (resolved, level) = resolve_new(&mut tx, user, &body).await?;
    let state = rules::new_state(body, resolved)?;
    check_location(&mut tx, user, state.location_id).await?;
    let uid = new_uid();
    let id = db::insert(&mut tx, &uid, &values_of(&state, &[]), user, now).await?;
    calendar_changes::record(&mut tx, state.calendar_id, &uid, ChangeKind::Created, now).await?;
    let detail = detail_in(&mut tx, id, level, Vec::new()).await?;
    tx.commit().await?;
    Ok(detail)
}

/// One event with its overrides, for anyone who may read it (members and invitees).
pub async fn get(ctx: Context<'_>, user: UserId, id: EventId) -> EventResult<EventDetail> {
    let access = event_access(ctx.db.pool(), user, id).await?.ok_or(EventError::NotFound)?;
    let row = db::get(ctx.db.pool(), id).await?.ok_or(EventError::NotFound)?;
    let overrides = db::overrides(ctx.db.pool(), id).await?;
    Ok(EventDetail { row, overrides, access, dropped_overrides: Vec::new() })
}

/// Reads an event back after a change, inside the transaction, for the response.
pub(crate) async fn detail_in(
    tx: &mut WriteTx,
    id: EventId,
    level: CalendarLevel,
    dropped: Vec<i64>,
) -> EventResult<EventDetail> {
    let row = db::get(&mut **tx, id).await?.ok_or(EventError::NotFound)?;
    let overrides = db::overrides(&mut **tx, id).await?;
    Ok(EventDetail { row, overrides, access: EventAccess::Calendar(level), dropped_overrides: dropped })
}
