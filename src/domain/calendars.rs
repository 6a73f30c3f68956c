//! Who may do what with a calendar and its events: the capability levels the database's
//! `calendar_members` view answers (owner 4, manage 3, write 2, read 1), and the access an
//! item of a range read reports. Write workflows take a level as a value (`CalendarLevel`),
//! obtained from `db::calendar_access`, so a handler cannot skip the check.

use serde::Serialize;

/// A caller's level on a calendar, from least to most. Ordered, so `level >= Write` reads as
/// "may write".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CalendarLevel {
    /// Sees the calendar and its events.
    Read,
    /// Also creates, edits and deletes events.
    Write,
    /// Also renames, recolours and shares further (never deletes it or changes the owner).
    Manage,
    /// Everything, deleting the calendar included.
    Owner,
}

impl CalendarLevel {
    /// The `level_rank` of the `calendar_members` view.
    pub fn from_rank(rank: i64) -> Option<Self> {
        match rank {
            1 => Some(Self::Read),
            2 => Some(Self::Write),
            3 => Some(Self::Manage),
            4 => Some(Self::Owner),
            _ => None,
        }
    }

    pub fn rank(self) -> i64 {
        match self {
            Self::Read => 1,
            Self::Write => 2,
            Self::Manage => 3,
            Self::Owner => 4,
        }
    }

    pub fn can_write(self) -> bool {
        self >= Self::Write
    }

    pub fn can_manage(self) -> bool {
        self >= Self::Manage
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Manage => "manage",
            Self::Owner => "owner",
        }
    }
}

/// A level one may share a calendar with (`owner` is not shareable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ShareLevel {
    Read,
    Write,
    Manage,
}

impl ShareLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Manage => "manage",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "read" => Some(Self::Read),
            "write" => Some(Self::Write),
            "manage" => Some(Self::Manage),
            _ => None,
        }
    }

    pub fn level(self) -> CalendarLevel {
        match self {
            Self::Read => CalendarLevel::Read,
            Self::Write => CalendarLevel::Write,
            Self::Manage => CalendarLevel::Manage,
        }
    }
}

/// How the caller sees an event: through a calendar level, or only as an invitee (read-only,
/// that one event).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventAccess {
    Calendar(CalendarLevel),
    Invited,
}

impl EventAccess {
    /// The `access` of a range-read item: `owner|read|write|manage|invited`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Calendar(level) => level.as_str(),
            Self::Invited => "invited",
        }
    }

    /// The calendar level when it allows writing events.
    pub fn writer(self) -> Option<CalendarLevel> {
        match self {
            Self::Calendar(level) if level.can_write() => Some(level),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{CalendarLevel, EventAccess, ShareLevel};

    #[test]
    fn levels_are_ordered_and_round_trip() {
        assert!(CalendarLevel::Read < CalendarLevel::Write && CalendarLevel::Manage < CalendarLevel::Owner);
        for level in [CalendarLevel::Read, CalendarLevel::Write, CalendarLevel::Manage, CalendarLevel::Owner] {
            assert_eq!(CalendarLevel::from_rank(level.rank()), Some(level));
        }
        assert_eq!(CalendarLevel::from_rank(0), None);
        assert_eq!(ShareLevel::parse("manage").map(ShareLevel::level), Some(CalendarLevel::Manage));
        assert_eq!(ShareLevel::parse("owner"), None);
    }

    #[test]
    fn only_writers_write() {
        assert_eq!(EventAccess::Invited.writer(), None);
        assert_eq!(EventAccess::Calendar(CalendarLevel::Read).writer(), None);
        assert_eq!(EventAccess::Calendar(CalendarLevel::Write).writer(), Some(CalendarLevel::Write));
        assert_eq!(EventAccess::Invited.as_str(), "invited");
    }
}
