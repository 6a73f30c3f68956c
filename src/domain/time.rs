//! Instants as UTC unix milliseconds: the one representation stored in both databases
//! (sqlx's `Any` driver has no chrono types) and exchanged as RFC 3339 with `Z`.

use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

/// The years a date or instant may fall in: wide enough for any plan, and narrow enough
/// that a repeating series cannot be made to walk millennia (or to step past year 9999,
/// which `YYYY-MM-DD` cannot write) on every completion.
pub const YEARS: RangeInclusive<i32> = 1900..=2200;

/// `YYYY-MM-DD`, exactly, within `YEARS`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    if text.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().filter(|date| YEARS.contains(&date.year()))
}

/// An RFC 3339 instant with any offset, within `YEARS` (stored as UTC).
pub fn parse_instant(text: &str) -> Option<UtcMillis> {
    let text = text.trim();
    if text.len() > 40 {
        return None;
    }
    let at = DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc);
    YEARS.contains(&at.year()).then(|| UtcMillis(at.timestamp_millis()))
}

/// A point in time, in milliseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcMillis(pub i64);

impl UtcMillis {
    pub const MINUTE: i64 = 60_000;

    pub fn now() -> Self {
        Self(Utc::now().timestamp_millis())
    }

    #[must_use]
    pub fn plus_millis(self, millis: i64) -> Self {
        Self(self.0.saturating_add(millis))
    }

    #[must_use]
    pub fn plus_minutes(self, minutes: i64) -> Self {
        self.plus_millis(minutes.saturating_mul(Self::MINUTE))
    }

    pub fn to_rfc3339(self) -> String {
        DateTime::<Utc>::from_timestamp_millis(self.0).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

impl Serialize for UtcMillis {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_instants_stay_within_the_years() {
        assert!(parse_date("2027-02-28").is_some());
        for bad in ["2027-2-1", "2027-02-30", "0000-01-01", "1899-12-31", "2201-01-01", "+10000-01-01"] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
        assert_eq!(parse_instant(" 1970-01-01T01:00:00+01:00 "), Some(UtcMillis(0)));
        for bad in ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59", "2027-01-01", "soon"] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_as_rfc3339_with_z() {
        assert_eq!(UtcMillis(0).to_rfc3339(), "1970-01-01T00:00:00.000Z");
        assert_eq!(UtcMillis(1_500).plus_minutes(1).0, 61_500);
    }
}
