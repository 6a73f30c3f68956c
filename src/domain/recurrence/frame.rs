//! The frame the `rrule` crate walks a series in: the series' local wall-clock times written
//! as UTC, which has no gaps and no doubled hours. Walked in the zone itself, the crate builds
//! each day from its local midnight and loses every day whose midnight does not exist (Havana,
//! Santiago and Beirut change at 00:00). Each local time the crate gives is placed in the zone
//! afterwards by `local_to_utc` (RFC 5545 §3.3.5). Shared by event expansion and the
//! reminder/todo `Recurrence::next_after`, so both read a zone's changes the same way.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::local_to_utc;

/// A frame: local wall-clock times of `zone` written as UTC, or (`zone` `None`, all-day
/// dates) UTC itself.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    zone: Option<Tz>,
}

impl Frame {
    /// The frame of a timed series recurring in `zone`.
    pub fn zoned(zone: Tz) -> Self {
        Self { zone: Some(zone) }
    }

    /// The frame of all-day dates (at 00:00 UTC): UTC itself.
    pub fn dates() -> Self {
        Self { zone: None }
    }

    /// The zone the frame's wall-clock times are local to (`None` for dates).
    pub fn zone(self) -> Option<Tz> {
        self.zone
    }

    /// An instant's wall-clock time in the frame.
    pub fn of_instant(self, ms: i64) -> i64 {
        match self.zone {
            Some(zone) => DateTime::<Utc>::from_timestamp_millis(ms)
                .unwrap_or_default()
                .with_timezone(&zone)
                .naive_local()
                .and_utc()
                .timestamp_millis(),
            None => ms,
        }
    }

    /// A wall-clock time of the frame as an instant (a skipped one moved forward by the gap,
    /// a doubled one the first: §3.3.5).
    pub fn instant(self, local: NaiveDateTime) -> i64 {
        match self.zone {
            Some(zone) => local_to_utc(zone, local).timestamp_millis(),
            None => local.and_utc().timestamp_millis(),
        }
    }
}
