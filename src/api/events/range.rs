//! `GET /api/events?start=&end=[&calendar_id=]`: the occurrences in a window, as
//! `{"items": [...]}` (not a page: a window is read whole, at most 5,000 occurrences).

use std::sync::Arc;

use rocket::http::ContentType;
use rocket::response::{self, Responder, Response};
use rocket::{Request, State, get};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::guards::UnlockedUser;
use crate::domain::events::{Problems, Timing, format_recurrence_id};
use crate::domain::id::{CalendarId, EventId, parse_id};
use crate::domain::time::{UtcMillis, parse_instant};
use crate::error::ApiResult;
use crate::server::AppState;
use crate::service::events::EventError;
use crate::service::events::range::RangeItem;

/// One occurrence in a window.
#[derive(Debug, Serialize, ToSchema)]
pub struct OccurrenceView {
    pub event_id: EventId,
    /// The occurrence's original start, for a repeating event (an RFC 3339 instant for a
    /// timed series, `YYYY-MM-DD` for an all-day one); null for a single event.
    pub recurrence_id: Option<String>,
    /// Timed occurrences only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub start: Option<UtcMillis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub end: Option<UtcMillis>,
    /// All-day occurrences only: `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// All-day occurrences only: `YYYY-MM-DD`, exclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    pub all_day: bool,
    pub title: String,
    pub calendar_id: CalendarId,
    /// `#RRGGBB`: the event's, else your colour for the calendar, else the calendar's.
    pub colour: String,
    /// `owner`, `manage`, `write`, `read` or `invited`.
    pub access: String,
    /// Your answer, for an event you are invited to: `accepted` or `tentative`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rsvp: Option<String>,
}

impl From<RangeItem> for OccurrenceView {
    fn from(item: RangeItem) -> Self {
        let all_day = item.timing.is_all_day();
        let (start, end, start_date, end_date) = match item.timing {
            Timing::Timed { start, end } => (Some(start), Some(end), None, None),
            Timing::AllDay { start, end } => {
                (None, None, Some(start.format("%Y-%m-%d").to_string()), Some(end.format("%Y-%m-%d").to_string()))
            }
        };
        Self {
            event_id: item.event_id,
            recurrence_id: item.recurrence_id.map(|rid| format_recurrence_id(rid, all_day)),
            start,
            end,
            start_date,
            end_date,
            all_day,
            title: item.title,
            calendar_id: item.calendar_id,
            colour: item.colour,
            access: item.access.as_str().to_string(),
            rsvp: item.rsvp,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OccurrenceList {
    pub items: Vec<OccurrenceView>,
}

/// The window and the calendar of a range read, each bad one a 422 naming its parameter.
fn parse_query(
    start: Option<&str>,
    end: Option<&str>,
    calendar_id: Option<&str>,
) -> Result<(UtcMillis, UtcMillis, Option<CalendarId>), Problems> {
    let mut problems = Problems::default();
    let mut instant = |field: &str, text: Option<&str>| match text.map(parse_instant) {
        Some(Some(at)) => Some(at),
        Some(None) => {
            problems.add(field, "must be an RFC 3339 date and time, e.g. 2027-03-01T00:00:00Z");
            None
        }
        None => {
            problems.add(field, "is required");
            None
        }
    };
    let start = instant("start", start);
    let end = instant("end", end);
    let calendar = calendar_id.and_then(|text| {
        let id = parse_id(text).map(CalendarId);
        if id.is_none() {
            problems.add("calendar_id", "must be a calendar id");
        }
        id
    });
    match (start, end) {
        (Some(start), Some(end)) if problems.is_empty() => Ok((start, end, calendar)),
        _ => Err(problems),
    }
}

/// Every occurrence overlapping `[start, end)` from every calendar you can read (your own,
/// shared with you) and every event you accepted an invitation to, sorted by start. The
/// window is at most 400 days and 5,000 occurrences (422 otherwise). All-day items are placed
/// in your time zone (settings), UTC when you have none.
#[utoipa::path(tag = "events",
    params(("start" = String, Query, description = "RFC 3339 instant, inclusive"),
        ("end" = String, Query, description = "RFC 3339 instant, exclusive"),
        ("calendar_id" = Option<i64>, Query, description = "only this calendar")),
    responses((status = 200, body = OccurrenceList),
              (status = 404, description = "calendar_id is not a calendar you can see"),
              (status = 422, description = "a missing or bad parameter, a window over 400 days or 5,000 occurrences")))]
#[get("/api/events?<start>&<end>&<calendar_id>")]
pub async fn list_events(
    state: &State<AppState>,
    user: UnlockedUser,
    start: Option<&str>,
    end: Option<&str>,
    calendar_id: Option<&str>,
) -> ApiResult<JsonBytes> {
    let (start, end, calendar) = parse_query(start, end, calendar_id).map_err(EventError::Invalid)?;
    let body = state
        .range_cache
        .read(state.context().await?, user.0.user_id, (start, end), calendar, |items| {
            let list = OccurrenceList { items: items.into_iter().map(OccurrenceView::from).collect() };
            let body: Arc<[u8]> = serde_json::to_vec(&list).expect("an occurrence list always serialises").into();
            let size = body.len();
            (body, size)
        })
        .await?;
    Ok(JsonBytes(body))
}

/// JSON already rendered (a range answer from the cache, shared, not copied).
pub struct JsonBytes(Arc<[u8]>);

impl<'r> Responder<'r, 'static> for JsonBytes {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Response::build().header(ContentType::JSON).sized_body(self.0.len(), std::io::Cursor::new(self.0)).ok()
    }
}
