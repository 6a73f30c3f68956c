//! `/api/events`: events and their occurrences. The range read (`GET /api/events?start=&end=`)
//! answers `{"items": [...]}` with every occurrence in a window; a single event is read,
//! changed and deleted at `/api/events/{id}`, a series with `?scope=this|following|all` and,
//! for this/following, `&recurrence_id=`. Every route takes `UnlockedUser` (401 signed out,
//! 423 locked). An event the caller cannot see is 404 on every verb; one they see but may not
//! change (read-only member, invitee) is 403.
//!
//! Recurrence ids: the original start of an occurrence, written as an RFC 3339 instant in UTC
//! (`2027-03-29T07:00:00.000Z`) for a timed series and as `YYYY-MM-DD` for an all-day series;
//! `?recurrence_id=` takes the same forms (an instant with any offset; write `+` as `%2B`).

pub mod items;
pub mod range;

use rocket::http::Status;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::events::{EventRow, OverrideRow};
use crate::domain::events::scope::format_ids;
use crate::domain::events::{Timing, format_recurrence_id};
use crate::domain::id::{CalendarId, EventId, LocationId};
use crate::domain::time::UtcMillis;
use crate::error::{ApiError, FieldError};
use crate::service::events::{EventDetail, EventError, alerts_of, exdates_of, override_timing, state_of};

api_module![range::list_events, items::create_event, items::get_event, items::update_event, items::delete_event,];

impl From<EventError> for ApiError {
    fn from(error: EventError) -> Self {
        match error {
            EventError::NotFound => Self::not_found(),
            EventError::Forbidden => Self::forbidden("You can see this calendar or event but not change it."),
            EventError::Invalid(problems) => {
                let errors: Vec<FieldError> =
                    problems.0.into_iter().map(|(field, message)| FieldError { field, message }).collect();
                let detail =
                    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
                let mut error = Self::new(Status::UnprocessableEntity, detail);
                error.errors = errors;
                error
            }
            EventError::Db(error) => error.into(),
        }
    }
}

/// Start and end of a timed occurrence, or its dates.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct TimesView {
    #[schema(value_type = Option<String>, format = DateTime)]
    pub start: Option<UtcMillis>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub end: Option<UtcMillis>,
    /// `YYYY-MM-DD`.
    pub start_date: Option<String>,
    /// `YYYY-MM-DD`, exclusive.
    pub end_date: Option<String>,
}

impl From<Timing> for TimesView {
    fn from(timing: Timing) -> Self {
        match timing {
            Timing::Timed { start, end } => Self { start: Some(start), end: Some(end), ..Self::default() },
            Timing::AllDay { start, end } => Self {
                start_date: Some(start.format("%Y-%m-%d").to_string()),
                end_date: Some(end.format("%Y-%m-%d").to_string()),
                ..Self::default()
            },
        }
    }
}

/// One changed occurrence of a series.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverrideView {
    /// The occurrence's original start (see the module notes for the form).
    pub recurrence_id: String,
    pub title: String,
    pub description: String,
    pub location: String,
    pub colour: Option<String>,
    #[serde(flatten)]
    pub times: TimesView,
}

impl OverrideView {
    fn of(row: &OverrideRow, all_day: bool) -> Self {
        Self {
            recurrence_id: format_recurrence_id(row.recurrence_id, all_day),
            title: row.title.clone(),
            description: row.description.clone(),
            location: row.location.clone(),
            colour: row.colour.clone(),
            times: override_timing(row).into(),
        }
    }
}

/// An event (a single one, or a whole series with its exdates and overrides).
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: EventId,
    pub calendar_id: CalendarId,
    /// Stable for the event's life (iCalendar UID).
    pub uid: String,
    pub title: String,
    pub description: String,
    pub location: String,
    pub location_id: Option<LocationId>,
    /// The event's own colour (`#RRGGBB`), if any.
    pub colour: Option<String>,
    pub all_day: bool,
    #[serde(flatten)]
    pub times: TimesView,
    /// IANA zone the event recurs in.
    pub timezone: String,
    /// Minutes before the start.
    pub alerts: Vec<i64>,
    /// RRULE text.
    pub recurrence: Option<String>,
    /// Excluded occurrences, as recurrence ids.
    pub exdates: Vec<String>,
    pub overrides: Vec<OverrideView>,
    /// Grows with every change to the event or its overrides (an ETag).
    pub revision: i64,
    /// `owner|manage|write|read|invited`.
    pub access: String,
    /// After a change of a series: overrides dropped because they no longer fit it.
    pub dropped_overrides: Vec<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: UtcMillis,
}

impl From<EventDetail> for EventView {
    fn from(detail: EventDetail) -> Self {
        let row: EventRow = detail.row;
        let all_day = row.all_day.get();
        let state = state_of(&row);
        Self {
            id: row.id,
            calendar_id: row.calendar_id,
            uid: row.uid,
            title: row.title,
            description: row.description,
            location: row.location,
            location_id: row.location_id,
            colour: row.colour,
            all_day,
            times: state.timing.into(),
            timezone: row.timezone,
            alerts: alerts_of(&row.alerts),
            recurrence: row.recurrence,
            exdates: format_ids(&exdates_of(&row.exdates), all_day),
            overrides: detail.overrides.iter().map(|o| OverrideView::of(o, all_day)).collect(),
            revision: row.revision,
            access: detail.access.as_str().to_string(),
            dropped_overrides: format_ids(&detail.dropped_overrides, all_day),
            created_at: UtcMillis(row.created_at),
            updated_at: UtcMillis(row.updated_at),
        }
    }
}
