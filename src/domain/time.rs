//! Instants as UTC unix milliseconds: the one representation stored in both databases
//! (sqlx's `Any` driver has no chrono types) and exchanged as RFC 3339 with `Z`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

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
    fn formats_as_rfc3339_with_z() {
        assert_eq!(UtcMillis(0).to_rfc3339(), "1970-01-01T00:00:00.000Z");
        assert_eq!(UtcMillis(1_500).plus_minutes(1).0, 61_500);
    }
}
