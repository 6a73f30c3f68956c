//! A user's settings as values: profile, appearance, formats, quiet hours, ntfy and alert
//! lead time. A user without a stored row has `UserSettings::default()`. The PATCH body
//! (`SettingsPatch`) is applied with `apply`, which checks every field and reports every
//! problem at once. Quiet hours answer the dispatcher's question "may a push go now, and if
//! not, until when?" (`QuietHours::quiet_until`, `UserSettings::pushes_held_until`).

use std::collections::BTreeMap;

use chrono::{NaiveTime, TimeZone, Timelike};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::patch::Patch;
use crate::domain::time::UtcMillis;
use crate::domain::weather::{Coordinates, Units};

/// The notification types a push priority can be set for.
pub const NOTIFICATION_TYPES: &[&str] = &[
    "connection_request",
    "connection_accepted",
    "reminder_due",
    "todo_due",
    "birthday",
    "task_assigned",
    "task_comment",
    "mentioned",
];
/// The ntfy priority of a type nobody chose one for ("default" in ntfy's words).
pub const DEFAULT_PRIORITY: u8 = 3;
pub const DISPLAY_NAME_MAX: usize = 100;
pub const NTFY_SERVER_MAX: usize = 500;
pub const NTFY_TOPIC_MAX: usize = 64;
pub const NTFY_TOKEN_MAX: usize = 256;
/// A week: an alert earlier than that is a plan, not a reminder.
pub const ALERT_MINUTES_MAX: i64 = 7 * 24 * 60;

// `$text` is a `tt`, not a `literal`: a `literal` fragment reaches the derive macros wrapped
// in an invisible group, which serde reads but utoipa silently does not, so the OpenAPI
// document listed the Rust names ("Monday") instead of the sent ones ("monday").
macro_rules! choice {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:tt),+ $(,)? } default $default:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant,)+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            /// The value with this stored name; a row written by hand with another falls back.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl Default for $name {
            fn default() -> Self { $name::$default }
        }
    };
}

choice!(
    /// The first day of the week in calendars and date pickers.
    WeekStart { Monday = "monday", Sunday = "sunday", Saturday = "saturday" } default Monday
);
choice!(
    /// How dates are written: `iso` 2026-03-31, `dmy` 31/03/2026, `mdy` 03/31/2026,
    /// `long` 31 Mar 2026.
    DateFormat { Iso = "iso", Dmy = "dmy", Mdy = "mdy", Long = "long" } default Iso
);
choice!(
    TimeFormat { H24 = "24h", H12 = "12h" } default H24
);
choice!(
    /// `system` follows the device's light/dark preference.
    Theme { System = "system", Light = "light", Dark = "dark" } default System
);

/// A daily span (local to the user's time zone) in which pushes wait; it may wrap midnight
/// (22:00–07:00). The start is inside the span, the end is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// Quiet hours on the wire: `{"start": "22:00", "end": "07:00"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHoursBody {
    /// `HH:MM`, 24-hour, local time.
    pub start: String,
    /// `HH:MM`; may be earlier than `start` (the span wraps midnight).
    pub end: String,
}

pub fn parse_hhmm(text: &str) -> Option<NaiveTime> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

pub fn format_hhmm(time: NaiveTime) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

impl QuietHours {
    pub fn parse(start: &str, end: &str) -> Option<Self> {
        let (start, end) = (parse_hhmm(start)?, parse_hhmm(end)?);
        (start != end).then_some(Self { start, end })
    }

    /// Whether `local` falls inside the span, and if so the local time it ends at.
    pub fn quiet_until(&self, local: NaiveTime) -> Option<NaiveTime> {
        let inside = if self.start < self.end {
            self.start <= local && local < self.end
        } else {
            local >= self.start || local < self.end
        };
        inside.then_some(self.end)
    }

    pub fn body(&self) -> QuietHoursBody {
        QuietHoursBody { start: format_hhmm(self.start), end: format_hhmm(self.end) }
    }
}

/// A user's settings, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSettings {
    /// Empty: show the username.
    pub display_name: String,
    /// `None` until set (the UI sets the browser's zone at the first sign-in); read as UTC.
    pub timezone: Option<Tz>,
    pub week_start: WeekStart,
    pub date_format: DateFormat,
    pub time_format: TimeFormat,
    pub theme: Theme,
    pub quiet_hours: Option<QuietHours>,
    pub ntfy_server: Option<String>,
    pub ntfy_topic: Option<String>,
    /// Every type of `NOTIFICATION_TYPES`, 1..=5.
    pub ntfy_priority: BTreeMap<String, u8>,
    pub todo_due_alert_minutes: i64,
    /// Where the weather is for: typed, or geocoded from `weather_place` by the service.
    pub weather_at: Option<Coordinates>,
    /// The place name the coordinates were found for; `None` when they were typed.
    pub weather_place: Option<String>,
    pub units: Units,
}

impl Default for UserSettings {
    fn default() -> Self {
        Self {
            display_name: String::new(),
            timezone: None,
            week_start: WeekStart::default(),
            date_format: DateFormat::default(),
            time_format: TimeFormat::default(),
            theme: Theme::default(),
            quiet_hours: None,
            ntfy_server: None,
            ntfy_topic: None,
            ntfy_priority: NOTIFICATION_TYPES.iter().map(|t| ((*t).to_string(), DEFAULT_PRIORITY)).collect(),
            todo_due_alert_minutes: 60,
            weather_at: None,
            weather_place: None,
            units: Units::Metric,
        }
    }
}

/// `PATCH /api/settings`: absent = unchanged, `null` = back to the default (or unset).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    #[serde(default)]
    pub display_name: Patch<String>,
    /// IANA time zone name, e.g. `Europe/Berlin`.
    #[serde(default)]
    pub timezone: Patch<String>,
    #[serde(default)]
    pub week_start: Patch<WeekStart>,
    #[serde(default)]
    pub date_format: Patch<DateFormat>,
    #[serde(default)]
    pub time_format: Patch<TimeFormat>,
    #[serde(default)]
    pub theme: Patch<Theme>,
    #[serde(default)]
    pub quiet_hours: Patch<QuietHoursBody>,
    /// Base URL of an ntfy server; checked against the outbound rules when saved.
    #[serde(default)]
    pub ntfy_server: Patch<String>,
    #[serde(default)]
    pub ntfy_topic: Patch<String>,
    /// Write-only; `null` removes it.
    #[serde(default)]
    pub ntfy_token: Patch<String>,
    /// Priorities to change, by notification type (1..5); `null` resets them all to 3.
    #[serde(default)]
    pub ntfy_priority: Patch<BTreeMap<String, i64>>,
    #[serde(default)]
    pub todo_due_alert_minutes: Patch<i64>,
    /// Degrees, -90..90; set together with `weather_longitude` (`null` clears the location).
    #[serde(default)]
    pub weather_latitude: Patch<f64>,
    /// Degrees, -180..180.
    #[serde(default)]
    pub weather_longitude: Patch<f64>,
    /// A place name, looked up with the weather provider's geocoder when saved (its
    /// coordinates are stored); `null` clears the location.
    #[serde(default)]
    pub weather_place: Patch<String>,
    #[serde(default)]
    pub units: Patch<Units>,
}

impl SettingsPatch {
    /// The place name to look up when saving: one given without coordinates beside it.
    pub fn place_to_geocode(&self) -> Option<&str> {
        match (&self.weather_place, &self.weather_latitude, &self.weather_longitude) {
            (Patch::Set(place), Patch::Unchanged, Patch::Unchanged) => Some(place.as_str()),
            _ => None,
        }
    }
}

/// What `apply` decided about the token: it is the one field stored sealed, by the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenChange {
    Keep,
    Clear,
    Set(String),
}

/// One field at fault and why.
pub type FieldProblem = (&'static str, String);

impl UserSettings {
    /// `self` with `patch` applied, or every problem in it.
    pub fn apply(&self, patch: SettingsPatch) -> Result<(UserSettings, TokenChange), Vec<FieldProblem>> {
        let mut next = self.clone();
        let mut problems: Vec<FieldProblem> = Vec::new();
        // Fields that always have a value: `null` is a mistake, not "reset".
        macro_rules! required {
            ($field:ident) => {
                match patch.$field.required() {
                    Ok(Some(value)) => next.$field = value,
                    Ok(None) => {}
                    Err(_) => problems.push((stringify!($field), "must not be null".into())),
                }
            };
        }
        required!(week_start);
        required!(date_format);
        required!(time_format);
        required!(theme);
        required!(units);
        apply_weather(
            &mut next,
            &patch.weather_latitude,
            &patch.weather_longitude,
            &patch.weather_place,
            &mut problems,
        );
        match patch.todo_due_alert_minutes.required() {
            Ok(Some(minutes)) if (0..=ALERT_MINUTES_MAX).contains(&minutes) => next.todo_due_alert_minutes = minutes,
            Ok(Some(_)) => {
                problems.push(("todo_due_alert_minutes", format!("must be between 0 and {ALERT_MINUTES_MAX}")));
            }
            Ok(None) => {}
            Err(_) => problems.push(("todo_due_alert_minutes", "must not be null".into())),
        }
        match patch.display_name.into_change() {
            None => {}
            Some(None) => next.display_name = String::new(),
            Some(Some(name)) => match check_display_name(&name) {
                Ok(name) => next.display_name = name,
                Err(problem) => problems.push(("display_name", problem)),
            },
        }
        match patch.timezone.into_change() {
            None => {}
            Some(None) => next.timezone = None,
            Some(Some(zone)) => match zone.trim().parse::<Tz>() {
                Ok(tz) if zone.len() <= 64 => next.timezone = Some(tz),
                _ => problems.push(("timezone", "is not an IANA time zone name (e.g. Europe/Berlin)".into())),
            },
        }
        match patch.quiet_hours.into_change() {
            None => {}
            Some(None) => next.quiet_hours = None,
            Some(Some(body)) => match QuietHours::parse(&body.start, &body.end) {
                Some(quiet) => next.quiet_hours = Some(quiet),
                None => problems.push(("quiet_hours", "start and end must be different HH:MM times".into())),
            },
        }
        let token = apply_ntfy(
            &mut next,
            NtfyPatch {
                server: patch.ntfy_server,
                topic: patch.ntfy_topic,
                token: patch.ntfy_token,
                priority: patch.ntfy_priority,
            },
            &mut problems,
        );
        if problems.is_empty() { Ok((next, token)) } else { Err(problems) }
    }

    /// The ntfy priority for a notification type (3 for a type without one).
    pub fn priority_for(&self, kind: &str) -> u8 {
        self.ntfy_priority.get(kind).copied().unwrap_or(DEFAULT_PRIORITY)
    }

    /// The zone to read local times in (UTC while unset).
    pub fn zone(&self) -> Tz {
        self.timezone.unwrap_or(Tz::UTC)
    }

    /// If `now` is inside the quiet hours, the instant they end (when held pushes may go);
    /// `None` when a push may go now. Around a DST change an end that does not exist locally
    /// is taken at the first instant after the gap.
    pub fn pushes_held_until(&self, now: UtcMillis) -> Option<UtcMillis> {
        let quiet = self.quiet_hours?;
        let zone = self.zone();
        let local = zone.timestamp_millis_opt(now.0).single()?.naive_local();
        let end = quiet.quiet_until(local.time())?;
        let mut date = local.date();
        if end <= local.time() {
            date = date.succ_opt()?;
        }
        let wall = date.and_time(end);
        let instant = zone
            .from_local_datetime(&wall)
            .earliest()
            .or_else(|| zone.from_local_datetime(&(wall + chrono::Duration::hours(1))).earliest())?;
        Some(UtcMillis(instant.timestamp_millis()))
    }
}

/// Applies the weather location fields: coordinates both or neither (a `null` in either
/// clears the location), a place name kept beside typed coordinates and dropped when only
/// coordinates change. A place given alone keeps the old coordinates here: the service looks
/// it up and puts the ones found in.
fn apply_weather(
    next: &mut UserSettings,
    latitude: &Patch<f64>,
    longitude: &Patch<f64>,
    place: &Patch<String>,
    problems: &mut Vec<FieldProblem>,
) {
    match (latitude, longitude) {
        (Patch::Unchanged, Patch::Unchanged) => {}
        (Patch::Clear, _) | (_, Patch::Clear) => {
            next.weather_at = None;
            next.weather_place = None;
        }
        (Patch::Set(lat), Patch::Set(lon)) => match Coordinates::new(*lat, *lon) {
            Ok(at) => {
                next.weather_at = Some(at);
                next.weather_place = None;
            }
            Err((field, message)) => problems.push((field, message.into())),
        },
        (Patch::Unchanged, _) => problems.push(("weather_latitude", "must be given with weather_longitude".into())),
        (_, Patch::Unchanged) => problems.push(("weather_longitude", "must be given with weather_latitude".into())),
    }
    match place {
        Patch::Unchanged => {}
        Patch::Clear => {
            next.weather_place = None;
            next.weather_at = None;
        }
        Patch::Set(text) => match crate::domain::weather::check_place(text) {
            Ok(text) => next.weather_place = Some(text),
            Err(problem) => problems.push(("weather_place", problem)),
        },
    }
}

/// The ntfy fields of a patch.
struct NtfyPatch {
    server: Patch<String>,
    topic: Patch<String>,
    token: Patch<String>,
    priority: Patch<BTreeMap<String, i64>>,
}

/// Applies the ntfy fields to `next`, noting problems; says what to do with the token.
fn apply_ntfy(next: &mut UserSettings, patch: NtfyPatch, problems: &mut Vec<FieldProblem>) -> TokenChange {
    match patch.server.into_change() {
        None => {}
        Some(None) => next.ntfy_server = None,
        Some(Some(server)) => {
            let server = server.trim();
            if server.is_empty() || server.len() > NTFY_SERVER_MAX {
                problems.push(("ntfy_server", format!("must be a URL of at most {NTFY_SERVER_MAX} characters")));
            } else {
                // The outbound rules (scheme, address) are the service's check: they need DNS.
                next.ntfy_server = Some(server.to_string());
            }
        }
    }
    match patch.topic.into_change() {
        None => {}
        Some(None) => next.ntfy_topic = None,
        Some(Some(topic)) => {
            let valid = !topic.is_empty()
                && topic.len() <= NTFY_TOPIC_MAX
                && topic.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if valid {
                next.ntfy_topic = Some(topic);
            } else {
                problems.push(("ntfy_topic", format!("must be 1 to {NTFY_TOPIC_MAX} letters, digits, '-' or '_'")));
            }
        }
    }
    let token = match patch.token.into_change() {
        None => TokenChange::Keep,
        Some(None) => TokenChange::Clear,
        Some(Some(token)) => {
            let valid =
                !token.is_empty() && token.len() <= NTFY_TOKEN_MAX && token.chars().all(|c| c.is_ascii_graphic());
            if !valid {
                problems.push((
                    "ntfy_token",
                    format!("must be 1 to {NTFY_TOKEN_MAX} printable characters without spaces (null removes it)"),
                ));
            }
            TokenChange::Set(token)
        }
    };
    match patch.priority.into_change() {
        None => {}
        Some(None) => next.ntfy_priority = UserSettings::default().ntfy_priority,
        Some(Some(changes)) => {
            for (kind, priority) in changes {
                if !NOTIFICATION_TYPES.contains(&kind.as_str()) {
                    problems.push(("ntfy_priority", format!("unknown notification type {kind:?}")));
                } else if !(1..=5).contains(&priority) {
                    problems.push(("ntfy_priority", format!("{kind} must be between 1 and 5")));
                } else {
                    next.ntfy_priority.insert(kind, priority as u8);
                }
            }
        }
    }
    token
}

fn check_display_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.chars().count() > DISPLAY_NAME_MAX {
        return Err(format!("must be at most {DISPLAY_NAME_MAX} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    // Invisible characters let a name pose as someone else's: a bidi override shows
    // "mallory" reversed into another name, a zero-width space makes "alice" look identical
    // to a different string.
    if name.chars().any(is_format_char) {
        return Err("must not contain invisible formatting characters (direction marks, zero-width spaces)".into());
    }
    Ok(name.to_string())
}

/// Unicode's format characters (general category Cf) and the invisible fillers that render as
/// nothing: what a display name must not hide. (Variation selectors stay allowed: they only
/// pick an emoji's presentation.)
fn is_format_char(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> NaiveTime {
        parse_hhmm(text).unwrap()
    }

    fn patch(json: serde_json::Value) -> SettingsPatch {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn display_names_refuse_invisible_formatting() {
        assert_eq!(check_display_name("  Zoë Ng ").unwrap(), "Zoë Ng");
        assert_eq!(check_display_name("Ada \u{2764}\u{FE0F}").unwrap(), "Ada \u{2764}\u{FE0F}");
        for sneaky in [
            "ali\u{202E}ecila",
            "\u{2066}alice\u{2069}",
            "al\u{200B}ice",
            "alice\u{200D}",
            "\u{FEFF}alice",
            "al\u{2060}ice",
            "a\u{00AD}lice",
            "alice\u{E0041}",
        ] {
            assert!(check_display_name(sneaky).is_err(), "{sneaky:?}");
        }
    }

    #[test]
    fn quiet_hours_within_a_day() {
        let quiet = QuietHours::parse("13:00", "14:30").unwrap();
        assert_eq!(quiet.quiet_until(t("12:59")), None);
        assert_eq!(quiet.quiet_until(t("13:00")), Some(t("14:30")));
        assert_eq!(quiet.quiet_until(t("14:29")), Some(t("14:30")));
        assert_eq!(quiet.quiet_until(t("14:30")), None);
    }

    #[test]
    fn quiet_hours_wrapping_midnight() {
        let quiet = QuietHours::parse("22:00", "07:00").unwrap();
        assert_eq!(quiet.quiet_until(t("21:59")), None);
        assert_eq!(quiet.quiet_until(t("22:00")), Some(t("07:00")));
        assert_eq!(quiet.quiet_until(t("23:59")), Some(t("07:00")));
        assert_eq!(quiet.quiet_until(t("00:00")), Some(t("07:00")));
        assert_eq!(quiet.quiet_until(t("06:59")), Some(t("07:00")));
        assert_eq!(quiet.quiet_until(t("07:00")), None);
        assert_eq!(quiet.quiet_until(t("12:00")), None);
        assert!(QuietHours::parse("07:00", "07:00").is_none());
        assert!(QuietHours::parse("7:00", "08:00").is_none());
        assert!(QuietHours::parse("24:00", "08:00").is_none());
    }

    #[test]
    fn held_pushes_wait_for_the_local_end_of_quiet_hours() {
        let settings = UserSettings {
            timezone: Some("Europe/Berlin".parse().unwrap()),
            quiet_hours: QuietHours::parse("22:00", "07:00"),
            ..UserSettings::default()
        };
        let at = |text: &str| UtcMillis(chrono::DateTime::parse_from_rfc3339(text).unwrap().timestamp_millis());
        // 23:30 in Berlin (UTC+1 in January): held until 07:00 Berlin the next morning.
        assert_eq!(settings.pushes_held_until(at("2026-01-10T22:30:00Z")), Some(at("2026-01-11T06:00:00Z")));
        // 05:00 in Berlin: held until 07:00 the same morning.
        assert_eq!(settings.pushes_held_until(at("2026-01-11T04:00:00Z")), Some(at("2026-01-11T06:00:00Z")));
        assert_eq!(settings.pushes_held_until(at("2026-01-11T12:00:00Z")), None);
        assert_eq!(UserSettings::default().pushes_held_until(at("2026-01-11T04:00:00Z")), None);
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let base = UserSettings::default();
        let (next, token) = base
            .apply(patch(serde_json::json!({
                "display_name": "  Ada  ", "timezone": "Europe/Berlin", "week_start": "sunday", "theme": "dark",
                "quiet_hours": {"start": "22:00", "end": "07:00"}, "ntfy_topic": "umbra_ada",
                "ntfy_priority": {"reminder_due": 5}, "ntfy_token": "tk_1", "todo_due_alert_minutes": 15,
            })))
            .unwrap();
        assert_eq!(next.display_name, "Ada");
        assert_eq!(next.week_start, WeekStart::Sunday);
        assert_eq!(next.theme, Theme::Dark);
        assert_eq!(next.date_format, DateFormat::Iso);
        assert_eq!(next.priority_for("reminder_due"), 5);
        assert_eq!(next.priority_for("todo_due"), 3);
        assert_eq!(next.todo_due_alert_minutes, 15);
        assert_eq!(token, TokenChange::Set("tk_1".into()));
        let (cleared, token) =
            next.apply(patch(serde_json::json!({"quiet_hours": null, "timezone": null, "ntfy_token": null}))).unwrap();
        assert_eq!(cleared.quiet_hours, None);
        assert_eq!(cleared.timezone, None);
        assert_eq!(cleared.week_start, WeekStart::Sunday);
        assert_eq!(token, TokenChange::Clear);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let problems = UserSettings::default()
            .apply(patch(serde_json::json!({
                "timezone": "Mars/Olympus", "theme": null, "quiet_hours": {"start": "25:00", "end": "07:00"},
                "ntfy_topic": "no spaces", "ntfy_priority": {"reminder_due": 6, "nope": 1},
                "todo_due_alert_minutes": -1, "ntfy_token": "",
            })))
            .unwrap_err();
        let fields: Vec<_> = problems.iter().map(|(f, _)| *f).collect();
        for field in
            ["timezone", "theme", "quiet_hours", "ntfy_topic", "ntfy_priority", "todo_due_alert_minutes", "ntfy_token"]
        {
            assert!(fields.contains(&field), "{field} missing from {fields:?}");
        }
        assert!(serde_json::from_value::<SettingsPatch>(serde_json::json!({"week_start": "friday"})).is_err());
        assert!(serde_json::from_value::<SettingsPatch>(serde_json::json!({"ntfy_token_set": true})).is_err());
    }
}
