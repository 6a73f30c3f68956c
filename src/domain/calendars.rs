//! Who may do what with a calendar and its events: the capability levels the database's
//! `calendar_members` view answers (owner 4, manage 3, write 2, read 1), and the access an
//! item of a range read reports. Write workflows take a level as a value (`CalendarLevel`),
//! obtained from `db::calendar_access`, so a handler cannot skip the check.
//!
//! Also the request bodies of calendars, shares and invitations and their validation (names
//! 1–100, colours `#RRGGBB`, descriptions ≤ 2,000, IANA zones; every field error at once), and
//! the rule for who may change or revoke a share (`may_administer`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::id::{CalendarId, EventId};
use super::patch::Patch;
pub use super::todos::Problems;
use super::username::Username;

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

/// The longest calendar name and description.
pub const NAME_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 2_000;
pub const TIMEZONE_MAX: usize = 64;
/// The colour of a calendar made without one (the default calendar's).
pub const DEFAULT_COLOUR: &str = "#5B8DEF";
/// How many users one invitation request may name.
pub const INVITEES_MAX: usize = 50;

/// `POST /api/calendars`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCalendar {
    /// 1–100 characters.
    pub name: String,
    /// `#RRGGBB`; the default calendar's blue when absent.
    #[serde(default)]
    pub colour: Option<String>,
    /// At most 2,000 characters.
    #[serde(default)]
    pub description: Option<String>,
    /// IANA zone; absent or null: the owner's zone (from their settings).
    #[serde(default)]
    pub timezone: Option<String>,
    /// Make it the default calendar (the old default stops being one).
    #[serde(default)]
    pub is_default: Option<bool>,
}

/// `PATCH /api/calendars/{id}`: absent = unchanged, `null` = clear (only `timezone`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarPatch {
    #[serde(default)]
    pub name: Patch<String>,
    #[serde(default)]
    pub colour: Patch<String>,
    #[serde(default)]
    pub description: Patch<String>,
    /// `null`: follow the owner's zone.
    #[serde(default)]
    pub timezone: Patch<String>,
    /// Only `true`, and only by the owner: moves the default here.
    #[serde(default)]
    pub is_default: Patch<bool>,
}

impl CalendarPatch {
    /// Whether the patch changes what only the owner may change.
    pub fn touches_owner_fields(&self) -> bool {
        !self.is_default.is_unchanged()
    }
}

/// `PATCH /api/calendars/{id}/preferences`: the caller's own view of a calendar.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesPatch {
    #[serde(default)]
    pub hidden: Patch<bool>,
    /// `#RRGGBB`; `null` shows the calendar's own colour again.
    #[serde(default)]
    pub colour_override: Patch<String>,
}

/// A calendar's validated editable values (what the database stores).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarValues {
    pub name: String,
    pub colour: String,
    pub description: String,
    /// `None`: the owner's zone.
    pub timezone: Option<String>,
}

/// A create body as values, every problem reported at once.
pub fn new_values(body: &NewCalendar) -> Result<CalendarValues, Problems> {
    let mut problems = Problems::default();
    check_name(&body.name, &mut problems);
    let colour = body.colour.clone().unwrap_or_else(|| DEFAULT_COLOUR.to_string());
    check_colour("colour", &colour, &mut problems);
    let description = body.description.clone().unwrap_or_default();
    check_description(&description, &mut problems);
    if let Some(zone) = &body.timezone {
        check_timezone(zone, &mut problems);
    }
    problems.into_result().map(|()| CalendarValues {
        name: body.name.trim().to_string(),
        colour,
        description,
        timezone: body.timezone.clone(),
    })
}

/// `current` with the patch's editable fields applied (`is_default` is the service's).
pub fn patched_values(current: &CalendarValues, patch: &CalendarPatch) -> Result<CalendarValues, Problems> {
    let mut problems = Problems::default();
    let mut next = current.clone();
    match &patch.name {
        Patch::Unchanged => {}
        Patch::Clear => problems.add("name", "cannot be null"),
        Patch::Set(name) => {
            check_name(name, &mut problems);
            next.name = name.trim().to_string();
        }
    }
    match &patch.colour {
        Patch::Unchanged => {}
        Patch::Clear => problems.add("colour", "cannot be null"),
        Patch::Set(colour) => {
            check_colour("colour", colour, &mut problems);
            next.colour.clone_from(colour);
        }
    }
    match &patch.description {
        Patch::Unchanged => {}
        Patch::Clear => next.description = String::new(),
        Patch::Set(text) => {
            check_description(text, &mut problems);
            next.description.clone_from(text);
        }
    }
    match &patch.timezone {
        Patch::Unchanged => {}
        Patch::Clear => next.timezone = None,
        Patch::Set(zone) => {
            check_timezone(zone, &mut problems);
            next.timezone = Some(zone.clone());
        }
    }
    if matches!(patch.is_default, Patch::Clear) {
        problems.add("is_default", "cannot be null");
    }
    problems.into_result().map(|()| next)
}

pub fn check_name(name: &str, problems: &mut Problems) {
    let length = name.trim().chars().count();
    if length == 0 {
        problems.add("name", "is required");
    } else if length > NAME_MAX {
        problems.add("name", format!("must be at most {NAME_MAX} characters"));
    }
}

pub fn check_description(text: &str, problems: &mut Problems) {
    if text.chars().count() > DESCRIPTION_MAX {
        problems.add("description", format!("must be at most {DESCRIPTION_MAX} characters"));
    }
}

/// `#RRGGBB`.
pub fn check_colour(field: &str, colour: &str, problems: &mut Problems) {
    let ok = colour.len() == 7 && colour.starts_with('#') && colour[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if !ok {
        problems.add(field, "must be a colour written #RRGGBB");
    }
}

/// An IANA zone chrono-tz knows.
pub fn check_timezone(zone: &str, problems: &mut Problems) {
    if zone.is_empty() || zone.len() > TIMEZONE_MAX || zone.parse::<chrono_tz::Tz>().is_err() {
        problems.add("timezone", "must be an IANA time zone such as Europe/Berlin");
    }
}

/// `POST /api/shared-calendars`: offer a calendar to a connected user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShare {
    pub calendar_id: CalendarId,
    /// The exact username (case-insensitive) of one of your connections.
    pub username: String,
    pub level: ShareLevel,
}

/// `PATCH /api/shared-calendars/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SharePatch {
    pub level: ShareLevel,
}

/// Which shares a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareDirection {
    /// Offered to the caller (pending or accepted).
    Incoming,
    /// Of calendars the caller owns or manages.
    Outgoing,
}

impl ShareDirection {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "incoming" => Some(Self::Incoming),
            "outgoing" => Some(Self::Outgoing),
            _ => None,
        }
    }
}

/// Whether `actor` (at `actor_level` on the calendar) may change or revoke a share that now
/// grants `current`, and (for a change) give it `wanted`. The owner may do anything; a
/// manager looks after read and write members only (never another manager, so managers cannot
/// demote each other), and never grants more than they hold.
pub fn may_administer(actor_level: CalendarLevel, current: ShareLevel, wanted: Option<ShareLevel>) -> bool {
    match actor_level {
        CalendarLevel::Owner => true,
        CalendarLevel::Manage => {
            current < ShareLevel::Manage && wanted.is_none_or(|level| level.level() <= actor_level)
        }
        _ => false,
    }
}

/// An invitee's answer, and the state of an invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RsvpStatus {
    Pending,
    Accepted,
    Tentative,
    Declined,
}

impl RsvpStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Tentative => "tentative",
            Self::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "accepted" => Some(Self::Accepted),
            "tentative" => Some(Self::Tentative),
            "declined" => Some(Self::Declined),
            _ => None,
        }
    }

    /// The stored status as read back (the column's CHECK allows only the four).
    pub fn from_db(text: &str) -> Self {
        Self::parse(text).unwrap_or(Self::Pending)
    }
}

/// `POST /api/event-invitations`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitations {
    pub event_id: EventId,
    /// 1–50 usernames of your connections.
    pub usernames: Vec<String>,
}

/// `POST /api/event-invitations/{id}/respond`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Respond {
    /// `accepted`, `tentative` or `declined`.
    pub status: RsvpStatus,
}

/// The usernames of an invitation request, parsed: lower-case, each once, in the order given.
/// A name that is not even well-formed is reported like any other that cannot be invited.
pub fn parse_invitees(raw: &[String]) -> Result<Vec<(usize, String)>, Problems> {
    let mut problems = Problems::default();
    if raw.is_empty() {
        problems.add("usernames", "name at least one of your connections");
    } else if raw.len() > INVITEES_MAX {
        problems.add("usernames", format!("name at most {INVITEES_MAX} users at once"));
    }
    problems.into_result()?;
    let mut seen = std::collections::HashSet::new();
    let mut names = Vec::new();
    for (index, text) in raw.iter().enumerate() {
        let name = Username::parse(text).map_or_else(|_| text.trim().to_lowercase(), |name| name.as_str().to_string());
        if seen.insert(name.clone()) {
            names.push((index, name));
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn names_colours_and_zones_are_checked() {
        let body = NewCalendar {
            name: " ".into(),
            colour: Some("#12345".into()),
            description: Some("x".repeat(DESCRIPTION_MAX + 1)),
            timezone: Some("Mars/Base".into()),
            is_default: None,
        };
        let problems = new_values(&body).unwrap_err();
        let fields: Vec<&str> = problems.0.iter().map(|(field, _)| field.as_str()).collect();
        assert_eq!(fields, ["name", "colour", "description", "timezone"]);
        let body = NewCalendar {
            name: "x".repeat(NAME_MAX),
            colour: None,
            description: None,
            timezone: Some("Europe/Berlin".into()),
            is_default: None,
        };
        let values = new_values(&body).unwrap();
        assert_eq!((values.colour.as_str(), values.timezone.as_deref()), (DEFAULT_COLOUR, Some("Europe/Berlin")));
        let long = NewCalendar {
            name: "x".repeat(NAME_MAX + 1),
            colour: None,
            description: None,
            timezone: None,
            is_default: None,
        };
        assert!(new_values(&long).is_err());
    }

    #[test]
    fn managers_look_after_readers_and_writers_only() {
        use CalendarLevel::{Manage, Owner, Read, Write};
        assert!(may_administer(Owner, ShareLevel::Manage, Some(ShareLevel::Read)));
        assert!(may_administer(Manage, ShareLevel::Read, Some(ShareLevel::Manage)));
        assert!(may_administer(Manage, ShareLevel::Write, None));
        assert!(!may_administer(Manage, ShareLevel::Manage, Some(ShareLevel::Read)));
        assert!(!may_administer(Manage, ShareLevel::Manage, None));
        assert!(!may_administer(Write, ShareLevel::Read, None));
        assert!(!may_administer(Read, ShareLevel::Read, None));
    }

    #[test]
    fn invitees_are_parsed_once_each() {
        let names = parse_invitees(&["Bob".into(), "bob ".into(), "??".into()]).unwrap();
        assert_eq!(names, [(0, "bob".to_string()), (2, "??".to_string())]);
        assert!(parse_invitees(&[]).is_err());
        assert!(parse_invitees(&vec!["a".to_string(); INVITEES_MAX + 1]).is_err());
    }
}
