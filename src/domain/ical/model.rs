//! The event values iCalendar is read into and written from, independent of how the events
//! module stores them: the import maps a file to these, the export writes these.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::kept::Kept;

/// When an event (or one occurrence) happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// Instants in unix milliseconds.
    Timed { start: i64, end: i64 },
    /// Dates, the end exclusive.
    AllDay { start: NaiveDate, end: NaiveDate },
}

impl Timing {
    pub fn is_all_day(self) -> bool {
        matches!(self, Self::AllDay { .. })
    }

    /// The recurrence id of the occurrence this timing starts (`event_overrides.recurrence_id`):
    /// the start instant, or the start date at 00:00 UTC.
    pub fn recurrence_id(self) -> i64 {
        match self {
            Self::Timed { start, .. } => start,
            Self::AllDay { start, .. } => date_id(start),
        }
    }

    /// The year the timing starts in (for the VTIMEZONE range).
    pub fn start_year(self, zone: Tz) -> i32 {
        use chrono::Datelike;
        match self {
            Self::Timed { start, .. } => local(zone, start).year(),
            Self::AllDay { start, .. } => start.year(),
        }
    }
}

/// A date as a recurrence id: 00:00 UTC that day, in milliseconds.
pub fn date_id(date: NaiveDate) -> i64 {
    date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp_millis()
}

/// The date a date recurrence id names.
pub fn id_date(id: i64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp_millis(id).unwrap_or_default().date_naive()
}

/// An instant as local time in `zone`.
pub fn local(zone: Tz, millis: i64) -> chrono::NaiveDateTime {
    let at = DateTime::<Utc>::from_timestamp_millis(millis).unwrap_or_default();
    zone.from_utc_datetime(&at.naive_utc()).naive_local()
}

/// One changed occurrence of a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsOverride {
    pub recurrence_id: i64,
    pub title: String,
    pub description: String,
    pub location: String,
    pub timing: Timing,
    /// What the client sent on this occurrence's VEVENT that UMBRA has no field for.
    pub kept: Kept,
}

/// One event (a single one or a series with its overrides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsEvent {
    pub uid: String,
    pub title: String,
    pub description: String,
    pub location: String,
    pub timing: Timing,
    /// The zone the event's times are written and recur in.
    pub zone: Tz,
    /// RRULE text, without the `RRULE:` prefix.
    pub recurrence: Option<String>,
    /// Excluded occurrences, as recurrence ids.
    pub exdates: Vec<i64>,
    /// Minutes before the start.
    pub alerts: Vec<i64>,
    pub overrides: Vec<IcsOverride>,
    /// What the client sent on the VEVENT that UMBRA has no field for (a DAV object's; rows
    /// read for a file export keep nothing).
    pub kept: Kept,
    /// `events.revision` (SEQUENCE is revision − 1).
    pub revision: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl IcsEvent {
    /// The event without the kept client text (of the series and every override): what
    /// compares two events by what UMBRA stores of them.
    #[must_use]
    pub fn without_kept(&self) -> Self {
        let overrides = self.overrides.iter().map(|o| IcsOverride { kept: Kept::default(), ..o.clone() }).collect();
        Self { kept: Kept::default(), overrides, ..self.clone() }
    }
}
