//! Events as values and rules, no I/O: the request bodies, their validation (every field error
//! at once, 422 naming the field), the validated state the database stores, timed and all-day
//! timing, and recurrence ids. Expansion of series is in `expand`, the scoped edits of a
//! series ("this", "this and following", "all") in `scope`.

pub mod expand;
pub mod scope;
pub mod templates;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::id::{CalendarId, EventTemplateId, LocationId};
use crate::domain::patch::Patch;
use crate::domain::recurrence::Recurrence;
use crate::domain::time::{UtcMillis, parse_date, parse_instant};
pub use crate::domain::todos::Problems;
use crate::domain::todos::{check_colour, parse_timezone};

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 10_000;
pub const LOCATION_MAX: usize = 500;
pub const ALERTS_MAX: usize = 5;
/// Four weeks, in minutes: the earliest an alert may come before its event.
pub const ALERT_MINUTES_MAX: i64 = 40_320;
pub const EXDATES_MAX: usize = 1_000;
const DAY_MS: i64 = 86_400_000;

/// When an occurrence is: a span of time, or whole days (end exclusive) that float with the
/// viewer's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    Timed { start: UtcMillis, end: UtcMillis },
    AllDay { start: NaiveDate, end: NaiveDate },
}

impl Timing {
    pub fn is_all_day(self) -> bool {
        matches!(self, Self::AllDay { .. })
    }

    /// The recurrence id of an occurrence starting here: the instant, or the date at 00:00 UTC.
    pub fn recurrence_id(self) -> i64 {
        match self {
            Self::Timed { start, .. } => start.0,
            Self::AllDay { start, .. } => date_midnight(start),
        }
    }

    /// Length in milliseconds (whole days for all-day timing).
    pub fn length_millis(self) -> i64 {
        match self {
            Self::Timed { start, end } => end.0 - start.0,
            Self::AllDay { start, end } => (end - start).num_days() * DAY_MS,
        }
    }

    /// The same length, starting at recurrence id `rid`.
    #[must_use]
    pub fn moved_to(self, rid: i64) -> Self {
        match self {
            Self::Timed { start, end } => {
                Self::Timed { start: UtcMillis(rid), end: UtcMillis(rid + (end.0 - start.0)) }
            }
            Self::AllDay { start, end } => {
                let date = date_of(rid);
                Self::AllDay { start: date, end: date + (end - start) }
            }
        }
    }

    /// A minimal occurrence at the same start (1 ms, or one day), for probing a rule.
    #[must_use]
    pub fn with_length(self, millis: i64) -> Self {
        match self {
            Self::Timed { start, .. } => Self::Timed { start, end: UtcMillis(start.0 + millis) },
            Self::AllDay { start, .. } => Self::AllDay { start, end: start.succ_opt().unwrap_or(start) },
        }
    }

    /// Start and end as instants; all-day dates at midnight in `floating`.
    pub fn bounds(self, floating: Tz) -> (i64, i64) {
        match self {
            Self::Timed { start, end } => (start.0, end.0),
            Self::AllDay { start, end } => (local_midnight(floating, start), local_midnight(floating, end)),
        }
    }

    pub fn start_millis(self, floating: Tz) -> i64 {
        self.bounds(floating).0
    }
}

/// `date` at 00:00 UTC in unix ms (how all-day recurrence ids and spans are kept).
pub fn date_midnight(date: NaiveDate) -> i64 {
    date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp_millis()
}

/// The UTC date of unix ms `ms`.
pub fn date_of(ms: i64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().date_naive()
}

/// The first instant of `date` in `zone`.
pub fn local_midnight(zone: Tz, date: NaiveDate) -> i64 {
    crate::domain::recurrence::local_to_utc(zone, date.and_hms_opt(0, 0, 0).unwrap_or_default()).timestamp_millis()
}

/// A recurrence id as the API writes it: an RFC 3339 instant (UTC, `Z`) for a timed series,
/// `YYYY-MM-DD` for an all-day one.
pub fn format_recurrence_id(rid: i64, all_day: bool) -> String {
    if all_day {
        date_of(rid).format("%Y-%m-%d").to_string()
    } else {
        DateTime::<Utc>::from_timestamp_millis(rid).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

/// A recurrence id as the API takes it (the form `format_recurrence_id` writes; any offset).
pub fn parse_recurrence_id(text: &str, all_day: bool) -> Option<i64> {
    if all_day { parse_date(text).map(date_midnight) } else { parse_instant(text).map(|at| at.0) }
}

/// `POST /api/events`. Timed events give `start`, `end` and optionally `timezone`; all-day
/// events `all_day: true`, `start_date` and `end_date` (exclusive). With `template_id` the
/// template fills in what the body leaves out (`start` is then enough).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    /// Default: the template's calendar while you may write to it, else your default calendar.
    #[serde(default)]
    pub calendar_id: Option<CalendarId>,
    #[serde(default)]
    pub template_id: Option<EventTemplateId>,
    /// 1–200 characters (may come from the template).
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    /// One of your locations.
    #[serde(default)]
    pub location_id: Option<LocationId>,
    /// `#RRGGBB`; the calendar's colour when absent.
    #[serde(default)]
    pub colour: Option<String>,
    #[serde(default)]
    pub all_day: Option<bool>,
    /// RFC 3339 instant (timed events).
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub end: Option<String>,
    /// `YYYY-MM-DD` (all-day events).
    #[serde(default)]
    pub start_date: Option<String>,
    /// `YYYY-MM-DD`, exclusive.
    #[serde(default)]
    pub end_date: Option<String>,
    /// IANA zone; default the calendar's, else its owner's, else UTC.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Minutes before the start, at most 5 values of 0–40320.
    #[serde(default)]
    pub alerts: Option<Vec<i64>>,
    /// RRULE text, e.g. `FREQ=MONTHLY;BYDAY=-1FR`.
    #[serde(default)]
    pub recurrence: Option<String>,
    /// Excluded occurrences, as recurrence ids (instants for timed series, dates for all-day).
    #[serde(default)]
    pub exdates: Option<Vec<String>>,
}

/// `PATCH /api/events/{id}`: absent = unchanged, `null` = clear, value = set. With
/// `scope=this` only title, description, location, colour and the times may change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventPatch {
    #[serde(default)]
    pub calendar_id: Patch<CalendarId>,
    #[serde(default)]
    pub title: Patch<String>,
    #[serde(default)]
    pub description: Patch<String>,
    #[serde(default)]
    pub location: Patch<String>,
    #[serde(default)]
    pub location_id: Patch<LocationId>,
    #[serde(default)]
    pub colour: Patch<String>,
    #[serde(default)]
    pub all_day: Patch<bool>,
    #[serde(default)]
    pub start: Patch<String>,
    #[serde(default)]
    pub end: Patch<String>,
    #[serde(default)]
    pub start_date: Patch<String>,
    #[serde(default)]
    pub end_date: Patch<String>,
    #[serde(default)]
    pub timezone: Patch<String>,
    #[serde(default)]
    pub alerts: Patch<Vec<i64>>,
    #[serde(default)]
    pub recurrence: Patch<String>,
    #[serde(default)]
    pub exdates: Patch<Vec<String>>,
}

/// An event's whole editable state, validated: what the database stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventState {
    pub calendar_id: CalendarId,
    pub title: String,
    pub description: String,
    pub location: String,
    pub location_id: Option<LocationId>,
    pub colour: Option<String>,
    pub timing: Timing,
    pub timezone: Tz,
    pub alerts: Vec<i64>,
    pub recurrence: Option<Recurrence>,
    /// Recurrence ids, sorted.
    pub exdates: Vec<i64>,
}

impl EventState {
    /// The event as expansion sees it.
    pub fn series(&self) -> expand::Series<'_> {
        expand::Series {
            timing: self.timing,
            zone: self.timezone,
            recurrence: self.recurrence.as_ref(),
            exdates: &self.exdates,
        }
    }
}

/// What a template gives a new event.
#[derive(Debug, Clone, Default)]
pub struct TemplateValues {
    pub title: String,
    pub duration_minutes: i64,
    pub description: String,
    pub location: String,
    pub alerts: Vec<i64>,
    pub colour: Option<String>,
}

/// What the service resolved before the body is read: the calendar, the zone when the body
/// names none, and the template.
#[derive(Debug, Clone)]
pub struct NewEventContext {
    pub calendar_id: CalendarId,
    pub default_zone: Tz,
    pub template: Option<TemplateValues>,
}

pub fn check_title(title: &str, problems: &mut Problems) {
    if title.trim().is_empty() {
        problems.add("title", "is required");
    } else if title.chars().count() > TITLE_MAX {
        problems.add("title", format!("must be at most {TITLE_MAX} characters"));
    }
}

pub fn check_text(field: &str, text: &str, max: usize, problems: &mut Problems) {
    if text.chars().count() > max {
        problems.add(field, format!("must be at most {max} characters"));
    }
}

/// At most five distinct values of 0–40320 minutes, kept sorted.
pub fn check_alerts(mut alerts: Vec<i64>, problems: &mut Problems) -> Vec<i64> {
    if alerts.len() > ALERTS_MAX {
        problems.add("alerts", format!("must have at most {ALERTS_MAX} values"));
    }
    if alerts.iter().any(|m| !(0..=ALERT_MINUTES_MAX).contains(m)) {
        problems.add("alerts", format!("each must be 0 to {ALERT_MINUTES_MAX} minutes before the start"));
    }
    alerts.sort_unstable();
    alerts.dedup();
    alerts
}

pub fn field_timezone(text: &str, problems: &mut Problems) -> Tz {
    parse_timezone(text).unwrap_or_else(|| {
        problems.add("timezone", "must be an IANA time zone such as Europe/Berlin");
        Tz::UTC
    })
}

pub fn field_recurrence(text: &str, problems: &mut Problems) -> Option<Recurrence> {
    match Recurrence::parse(text).and_then(|rule| rule.check_event_parts().map(|()| rule)) {
        Ok(rule) => Some(rule),
        Err(error) => {
            problems.add("recurrence", format!("{}: {}", error.part, error.message));
            None
        }
    }
}

fn field_instant(field: &str, text: &str, problems: &mut Problems) -> Option<UtcMillis> {
    let at = parse_instant(text);
    if at.is_none() {
        problems.add(field, "must be an RFC 3339 date and time, e.g. 2027-03-01T09:00:00Z");
    }
    at
}

fn field_date(field: &str, text: &str, problems: &mut Problems) -> Option<NaiveDate> {
    let date = parse_date(text);
    if date.is_none() {
        problems.add(field, "must be a date written YYYY-MM-DD");
    }
    date
}

/// The raw time fields of a body, before they are a `Timing`.
#[derive(Debug, Default)]
pub struct TimeFields {
    pub all_day: bool,
    pub start: Option<String>,
    pub end: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// For a timed event without `end`: the template's length.
    pub default_minutes: Option<i64>,
}

/// Timed and all-day fields are never mixed; end after start.
pub fn parse_timing(fields: &TimeFields, problems: &mut Problems) -> Option<Timing> {
    if fields.all_day {
        for (name, value) in [("start", &fields.start), ("end", &fields.end)] {
            if value.is_some() {
                problems.add(name, "is for timed events: an all-day event takes start_date and end_date");
            }
        }
        let start = required(problems, "start_date", fields.start_date.as_deref())
            .and_then(|t| field_date("start_date", t, problems));
        let end = required(problems, "end_date", fields.end_date.as_deref())
            .and_then(|t| field_date("end_date", t, problems));
        let (start, end) = (start?, end?);
        if end <= start {
            problems.add("end_date", "must be after start_date (it is exclusive: a one-day event ends the next day)");
            return None;
        }
        return Some(Timing::AllDay { start, end });
    }
    for (name, value) in [("start_date", &fields.start_date), ("end_date", &fields.end_date)] {
        if value.is_some() {
            problems.add(name, "is for all-day events (all_day: true)");
        }
    }
    let start = required(problems, "start", fields.start.as_deref()).and_then(|t| field_instant("start", t, problems));
    let end = match (&fields.end, fields.default_minutes) {
        (None, Some(minutes)) => start.map(|s| s.plus_minutes(minutes)),
        (end, _) => required(problems, "end", end.as_deref()).and_then(|t| field_instant("end", t, problems)),
    };
    let (start, end) = (start?, end?);
    if end <= start {
        problems.add("end", "must be after start");
        return None;
    }
    Some(Timing::Timed { start, end })
}

fn required<'a>(problems: &mut Problems, field: &str, value: Option<&'a str>) -> Option<&'a str> {
    if value.is_none() {
        problems.add(field, "is required");
    }
    value
}

/// Exdates in the form of the series' recurrence ids, sorted and without repeats.
pub fn parse_exdates(texts: &[String], all_day: bool, problems: &mut Problems) -> Vec<i64> {
    if texts.len() > EXDATES_MAX {
        problems.add("exdates", format!("must list at most {EXDATES_MAX} occurrences"));
        return Vec::new();
    }
    let mut out = Vec::with_capacity(texts.len());
    for (index, text) in texts.iter().enumerate() {
        match parse_recurrence_id(text, all_day) {
            Some(rid) => out.push(rid),
            None if all_day => problems.add(&format!("exdates[{index}]"), "must be a date written YYYY-MM-DD"),
            None => problems.add(&format!("exdates[{index}]"), "must be an RFC 3339 date and time"),
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A create body as a state.
/// The longest a repeating event may last: longer ones would overlap every window many times
/// over (a daily event as long as the series fills any range read to its limit).
pub const SERIES_LENGTH_MAX_DAYS: i64 = 31;

/// Rules on the series as a whole, once its timing and rule are known: a repeating event lasts
/// at most `SERIES_LENGTH_MAX_DAYS`, and its rule must actually repeat.
pub fn check_series(state: &EventState, problems: &mut Problems) {
    if state.recurrence.is_none() {
        return;
    }
    if state.timing.length_millis() > SERIES_LENGTH_MAX_DAYS * 24 * 3_600_000 {
        let field = if state.timing.is_all_day() { "end_date" } else { "end" };
        problems.add(field, format!("a repeating event lasts at most {SERIES_LENGTH_MAX_DAYS} days"));
    } else if !expand::repeats(&state.series()) {
        problems.add("recurrence", "never gives a second occurrence after the first (check the BY parts)");
    }
}

pub fn new_state(body: NewEvent, ctx: NewEventContext) -> Result<EventState, Problems> {
    let mut problems = Problems::default();
    let template = ctx.template.unwrap_or_default();
    let title = body.title.unwrap_or(template.title);
    check_title(&title, &mut problems);
    let description = body.description.unwrap_or(template.description);
    check_text("description", &description, DESCRIPTION_MAX, &mut problems);
    let location = body.location.unwrap_or(template.location);
    check_text("location", &location, LOCATION_MAX, &mut problems);
    let colour = body.colour.or(template.colour);
    if let Some(colour) = &colour {
        check_colour(colour, &mut problems);
    }
    let alerts = check_alerts(body.alerts.unwrap_or(template.alerts), &mut problems);
    let timezone = body.timezone.as_deref().map_or(ctx.default_zone, |t| field_timezone(t, &mut problems));
    let fields = TimeFields {
        all_day: body.all_day.unwrap_or(false),
        start: body.start,
        end: body.end,
        start_date: body.start_date,
        end_date: body.end_date,
        default_minutes: (template.duration_minutes > 0).then_some(template.duration_minutes),
    };
    let timing = parse_timing(&fields, &mut problems);
    let recurrence = body.recurrence.as_deref().and_then(|t| field_recurrence(t, &mut problems));
    let exdates = body.exdates.map(|list| parse_exdates(&list, fields.all_day, &mut problems)).unwrap_or_default();
    if !exdates.is_empty() && recurrence.is_none() && body.recurrence.is_none() {
        problems.add("exdates", "are only for repeating events");
    }
    let Some(timing) = timing else { return Err(problems) };
    if !problems.is_empty() {
        return Err(problems);
    }
    let state = EventState {
        calendar_id: ctx.calendar_id,
        title,
        description,
        location,
        location_id: body.location_id,
        colour,
        timing,
        timezone,
        alerts,
        recurrence,
        exdates,
    };
    check_series(&state, &mut problems);
    problems.into_result().map(|()| state)
}

#[cfg(test)]
mod tests;
