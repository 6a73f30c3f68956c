//! Todos as values and rules, no I/O: the request bodies and their validation (every field
//! error reported at once), priorities and `recur_from` as closed sets, checklists, and what
//! completing a recurring todo does to its due date (`advance`).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::id::TodoCategoryId;
use super::patch::Patch;
use super::recurrence::{Recurrence, local_to_utc};

pub const TITLE_MAX: usize = 500;
pub const NOTES_MAX: usize = 10_000;
pub const CHECKLIST_MAX: usize = 100;
pub const CHECKLIST_TEXT_MAX: usize = 500;
pub const CATEGORY_NAME_MAX: usize = 60;
pub const TIMEZONE_MAX: usize = 64;
/// A reorder names at most this many todos (a screenful is far less).
pub const REORDER_MAX: usize = 2_000;
pub const DEFAULT_COLOUR: &str = "#7c8aa5";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    #[default]
    None,
    Low,
    Medium,
    High,
}

impl Priority {
    /// Stored as 0–3 so that "by priority" is a plain numeric sort.
    pub fn to_db(self) -> i64 {
        match self {
            Self::None => 0,
            Self::Low => 1,
            Self::Medium => 2,
            Self::High => 3,
        }
    }

    pub fn from_db(value: i64) -> Self {
        match value {
            1 => Self::Low,
            2 => Self::Medium,
            3 => Self::High,
            _ => Self::None,
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "none" => Some(Self::None),
            "low" => Some(Self::Low),
            "medium" => Some(Self::Medium),
            "high" => Some(Self::High),
            _ => None,
        }
    }
}

/// Where the next occurrence of a recurring todo is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RecurFrom {
    /// The due date that was fulfilled ("every Monday", whenever it was done).
    #[default]
    Due,
    /// The day it was completed ("two weeks after I last did it").
    Completion,
}

impl RecurFrom {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Due => "due",
            Self::Completion => "completion",
        }
    }

    pub fn from_db(text: &str) -> Self {
        if text == "completion" { Self::Completion } else { Self::Due }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    pub text: String,
    #[serde(default)]
    pub done: bool,
}

/// `POST /api/todos`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTodo {
    pub title: String,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub category_id: Option<TodoCategoryId>,
    #[serde(default)]
    pub priority: Option<Priority>,
    /// `YYYY-MM-DD`; not together with `due_at`.
    #[serde(default)]
    pub due_date: Option<String>,
    /// An RFC 3339 instant; not together with `due_date`.
    #[serde(default)]
    pub due_at: Option<String>,
    /// IANA zone the todo recurs in (default `UTC`).
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub completed: Option<bool>,
    /// RFC 5545 RRULE text, e.g. `FREQ=WEEKLY;BYDAY=MO`.
    #[serde(default)]
    pub recurrence: Option<String>,
    #[serde(default)]
    pub recur_from: Option<RecurFrom>,
    #[serde(default)]
    pub checklist: Option<Vec<ChecklistItem>>,
}

/// `PATCH /api/todos/{id}`: absent = unchanged, `null` = clear, value = set.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TodoPatch {
    #[serde(default)]
    pub title: Patch<String>,
    #[serde(default)]
    pub notes: Patch<String>,
    #[serde(default)]
    pub category_id: Patch<TodoCategoryId>,
    #[serde(default)]
    pub priority: Patch<Priority>,
    #[serde(default)]
    pub due_date: Patch<String>,
    #[serde(default)]
    pub due_at: Patch<String>,
    #[serde(default)]
    pub timezone: Patch<String>,
    #[serde(default)]
    pub completed: Patch<bool>,
    #[serde(default)]
    pub recurrence: Patch<String>,
    #[serde(default)]
    pub recur_from: Patch<RecurFrom>,
    #[serde(default)]
    pub checklist: Patch<Vec<ChecklistItem>>,
}

/// `POST /api/todos/categories`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTodoCategory {
    pub name: String,
    /// `#RRGGBB`; a calm grey-blue when absent.
    #[serde(default)]
    pub colour: Option<String>,
}

/// `PATCH /api/todos/categories/{id}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TodoCategoryPatch {
    #[serde(default)]
    pub name: Patch<String>,
    #[serde(default)]
    pub colour: Patch<String>,
}

/// `POST /api/todos/reorder`: the ids in their new order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reorder {
    pub ids: Vec<super::id::TodoId>,
}

/// Field errors collected over a whole body, so a form can show all of them at once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<(String, String)>);

impl Problems {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push((field.to_string(), message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> Result<(), Self> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// A todo's whole editable state, validated: what the database stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TodoState {
    pub title: String,
    pub notes: String,
    pub category_id: Option<TodoCategoryId>,
    pub priority: Priority,
    pub due_date: Option<NaiveDate>,
    pub due_at: Option<i64>,
    pub timezone: Tz,
    pub completed: bool,
    pub completed_at: Option<i64>,
    pub recurrence: Option<Recurrence>,
    pub recur_from: RecurFrom,
    pub checklist: Vec<ChecklistItem>,
}

impl TodoState {
    /// The instant the todo sorts and filters by and the instant from which it is overdue.
    /// A due time is both. A due date sorts as its day (00:00 UTC, so that a `due_before` or
    /// `due_after` day matches it whatever the todo's zone) and is overdue once that day has
    /// ended in the todo's own zone.
    pub fn due_bounds(&self) -> (Option<i64>, Option<i64>) {
        if let Some(at) = self.due_at {
            return (Some(at), Some(at));
        }
        let Some(date) = self.due_date else { return (None, None) };
        let day = date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp_millis();
        let end = date.succ_opt().map_or(day, |next| local_midnight(self.timezone, next));
        (Some(day), Some(end))
    }

    /// Checks the rules that span fields (after a create or a patch is applied).
    fn check_whole(&self, problems: &mut Problems) {
        if self.due_date.is_some() && self.due_at.is_some() {
            problems.add("due_date", "give a due date or a due time, not both");
            problems.add("due_at", "give a due date or a due time, not both");
        }
        if self.recurrence.is_some() && self.due_date.is_none() && self.due_at.is_none() {
            problems.add("recurrence", "a repeating todo needs a due date or a due time");
        }
    }
}

/// Midnight of `date` in `zone` as unix milliseconds (the first instant of that local day).
fn local_midnight(zone: Tz, date: NaiveDate) -> i64 {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    zone.from_local_datetime(&midnight)
        .earliest()
        .or_else(|| zone.from_local_datetime(&(midnight + chrono::Duration::hours(1))).earliest())
        .map_or_else(|| midnight.and_utc().timestamp_millis(), |at| at.timestamp_millis())
}

pub fn check_title(title: &str, problems: &mut Problems) {
    if title.trim().is_empty() {
        problems.add("title", "is required");
    } else if title.chars().count() > TITLE_MAX {
        problems.add("title", format!("must be at most {TITLE_MAX} characters"));
    }
}

pub fn check_notes(notes: &str, problems: &mut Problems) {
    if notes.chars().count() > NOTES_MAX {
        problems.add("notes", format!("must be at most {NOTES_MAX} characters"));
    }
}

pub fn check_checklist(items: &[ChecklistItem], problems: &mut Problems) {
    if items.len() > CHECKLIST_MAX {
        problems.add("checklist", format!("must have at most {CHECKLIST_MAX} items"));
        return;
    }
    for (index, item) in items.iter().enumerate() {
        if item.text.trim().is_empty() {
            problems.add(&format!("checklist[{index}].text"), "is required");
        } else if item.text.chars().count() > CHECKLIST_TEXT_MAX {
            problems
                .add(&format!("checklist[{index}].text"), format!("must be at most {CHECKLIST_TEXT_MAX} characters"));
        }
    }
}

pub use crate::domain::time::parse_date;

/// An RFC 3339 instant as unix milliseconds (within `time::YEARS`).
pub fn parse_instant(text: &str) -> Option<i64> {
    crate::domain::time::parse_instant(text).map(|at| at.0)
}

pub fn parse_timezone(text: &str) -> Option<Tz> {
    if text.is_empty() || text.len() > TIMEZONE_MAX {
        return None;
    }
    text.parse::<Tz>().ok()
}

fn field_date(field: &str, text: &str, problems: &mut Problems) -> Option<NaiveDate> {
    let date = parse_date(text);
    if date.is_none() {
        problems.add(field, "must be a date written YYYY-MM-DD");
    }
    date
}

fn field_instant(field: &str, text: &str, problems: &mut Problems) -> Option<i64> {
    let at = parse_instant(text);
    if at.is_none() {
        problems.add(field, "must be an RFC 3339 date and time, e.g. 2027-03-01T09:00:00Z");
    }
    at
}

fn field_timezone(text: &str, problems: &mut Problems) -> Tz {
    parse_timezone(text).unwrap_or_else(|| {
        problems.add("timezone", "must be an IANA time zone such as Europe/Berlin");
        Tz::UTC
    })
}

fn field_recurrence(text: &str, problems: &mut Problems) -> Option<Recurrence> {
    match Recurrence::parse(text) {
        Ok(rule) => Some(rule),
        Err(error) => {
            problems.add("recurrence", format!("{}: {}", error.part, error.message));
            None
        }
    }
}

/// A create body as a state (not yet completed; the service completes it if asked).
pub fn new_state(body: NewTodo, now: i64) -> Result<TodoState, Problems> {
    let mut problems = Problems::default();
    check_title(&body.title, &mut problems);
    let notes = body.notes.unwrap_or_default();
    check_notes(&notes, &mut problems);
    let checklist = body.checklist.unwrap_or_default();
    check_checklist(&checklist, &mut problems);
    let due_date = body.due_date.as_deref().and_then(|t| field_date("due_date", t, &mut problems));
    let due_at = body.due_at.as_deref().and_then(|t| field_instant("due_at", t, &mut problems));
    let timezone = body.timezone.as_deref().map_or(Tz::UTC, |t| field_timezone(t, &mut problems));
    let recurrence = body.recurrence.as_deref().and_then(|t| field_recurrence(t, &mut problems));
    let completed = body.completed.unwrap_or(false);
    let state = TodoState {
        title: body.title,
        notes,
        category_id: body.category_id,
        priority: body.priority.unwrap_or_default(),
        due_date,
        due_at,
        timezone,
        completed,
        completed_at: completed.then_some(now),
        recurrence,
        recur_from: body.recur_from.unwrap_or_default(),
        checklist,
    };
    state.check_whole(&mut problems);
    problems.into_result().map(|()| state)
}

/// `current` with the patch applied; `completed` is left to the caller (completing may
/// advance a series rather than complete).
pub fn patched_state(current: &TodoState, patch: TodoPatch) -> Result<(TodoState, Option<bool>), Problems> {
    let mut problems = Problems::default();
    let mut next = current.clone();
    let required = |field: &str, problems: &mut Problems| problems.add(field, "cannot be null");
    match patch.title {
        Patch::Unchanged => {}
        Patch::Clear => required("title", &mut problems),
        Patch::Set(title) => {
            check_title(&title, &mut problems);
            next.title = title;
        }
    }
    if let Some(notes) = patch.notes.into_change() {
        let notes = notes.unwrap_or_default();
        check_notes(&notes, &mut problems);
        next.notes = notes;
    }
    if let Some(category) = patch.category_id.into_change() {
        next.category_id = category;
    }
    match patch.priority.required() {
        Ok(Some(priority)) => next.priority = priority,
        Ok(None) => {}
        Err(_) => required("priority", &mut problems),
    }
    if let Some(date) = patch.due_date.into_change() {
        next.due_date = date.and_then(|t| field_date("due_date", &t, &mut problems));
    }
    if let Some(at) = patch.due_at.into_change() {
        next.due_at = at.and_then(|t| field_instant("due_at", &t, &mut problems));
    }
    match patch.timezone.required() {
        Ok(Some(zone)) => next.timezone = field_timezone(&zone, &mut problems),
        Ok(None) => {}
        Err(_) => required("timezone", &mut problems),
    }
    if let Some(rule) = patch.recurrence.into_change() {
        next.recurrence = rule.and_then(|t| field_recurrence(&t, &mut problems));
    }
    match patch.recur_from.required() {
        Ok(Some(from)) => next.recur_from = from,
        Ok(None) => {}
        Err(_) => required("recur_from", &mut problems),
    }
    match patch.checklist.required() {
        Ok(Some(items)) => {
            check_checklist(&items, &mut problems);
            next.checklist = items;
        }
        Ok(None) => {}
        Err(_) => required("checklist", &mut problems),
    }
    let completed = patch.completed.required().unwrap_or_else(|_| {
        required("completed", &mut problems);
        None
    });
    if problems.is_empty() {
        next.check_whole(&mut problems);
    }
    problems.into_result().map(|()| (next, completed))
}

/// What completing a recurring todo does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advance {
    /// The series goes on: the todo stays open with this due date or due time.
    Next { due_date: Option<NaiveDate>, due_at: Option<i64> },
    /// The series has ended (COUNT reached, past UNTIL): the todo completes for good.
    Ended,
}

/// The next occurrence after completing `state` at `now`, when `done_before` completions of
/// the series were recorded earlier, the latest of them for the due time `previous_due`. The
/// rule is expanded in the todo's zone, so a 09:00 local due time stays 09:00 local across
/// daylight-saving changes.
pub fn advance(state: &TodoState, rule: &Recurrence, now: i64, done_before: i64, previous_due: Option<i64>) -> Advance {
    if count_of(rule).is_some_and(|count| done_before + 1 >= count) {
        return Advance::Ended;
    }
    let zone = state.timezone;
    let completed_local = DateTime::<Utc>::from_timestamp_millis(now).unwrap_or_default().with_timezone(&zone);
    if let Some(due_at) = state.due_at {
        let due_local = DateTime::<Utc>::from_timestamp_millis(due_at).unwrap_or_default().with_timezone(&zone);
        let time = series_time(due_local, previous_due);
        let start: NaiveDateTime = match state.recur_from {
            RecurFrom::Due => due_local.date_naive().and_time(time),
            // The series restarts on the day of completion, at the todo's local due time.
            RecurFrom::Completion => completed_local.date_naive().and_time(time),
        };
        // A start that does not exist (a gap day's 00:30) is where §3.3.5 moves it.
        let start_instant = local_to_utc(zone, start);
        return match rule.next_after(start, zone, start_instant) {
            Some(next) => Advance::Next { due_date: None, due_at: Some(next.timestamp_millis()) },
            None => Advance::Ended,
        };
    }
    let Some(due_date) = state.due_date else { return Advance::Ended };
    let start = match state.recur_from {
        RecurFrom::Due => due_date,
        RecurFrom::Completion => completed_local.date_naive(),
    };
    match rule.next_date_after(start, start) {
        Some(next) => Advance::Next { due_date: Some(next), due_at: None },
        None => Advance::Ended,
    }
}

/// The local time of day the series keeps: the due's own, unless the due is a time that day
/// does not have, moved forward by the gap (§3.3.5), and the previous occurrence was at that
/// time. Todos keep no series start, so without this a daily 00:30 in Havana, due at 01:30
/// on the day without midnight, would stay at 01:30 from then on.
fn series_time(due: DateTime<Tz>, previous_due: Option<i64>) -> NaiveTime {
    let zone = due.timezone();
    let Some(previous) = previous_due.and_then(DateTime::<Utc>::from_timestamp_millis) else { return due.time() };
    let kept = previous.with_timezone(&zone).time();
    let local = due.date_naive().and_time(kept);
    let moved_here = zone.from_local_datetime(&local).earliest().is_none() && local_to_utc(zone, local) == due;
    if moved_here { kept } else { due.time() }
}

/// The rule's COUNT, if any: how many occurrences (completions) the series has in all.
fn count_of(rule: &Recurrence) -> Option<i64> {
    rule.as_str().split(';').find_map(|part| part.strip_prefix("COUNT=")).and_then(|n| n.parse().ok())
}

/// `#RRGGBB`.
pub fn check_colour(colour: &str, problems: &mut Problems) {
    let ok = colour.len() == 7 && colour.starts_with('#') && colour[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if !ok {
        problems.add("colour", "must be a colour written #RRGGBB");
    }
}

pub fn check_category_name(name: &str, problems: &mut Problems) {
    if name.trim().is_empty() {
        problems.add("name", "is required");
    } else if name.chars().count() > CATEGORY_NAME_MAX {
        problems.add("name", format!("must be at most {CATEGORY_NAME_MAX} characters"));
    }
}

/// The key that makes category names unique per user regardless of case and outer spaces.
pub fn category_key(name: &str) -> String {
    name.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(due_date: Option<NaiveDate>, due_at: Option<i64>, zone: Tz, from: RecurFrom) -> TodoState {
        TodoState {
            title: "t".into(),
            notes: String::new(),
            category_id: None,
            priority: Priority::None,
            due_date,
            due_at,
            timezone: zone,
            completed: false,
            completed_at: None,
            recurrence: None,
            recur_from: from,
            checklist: Vec::new(),
        }
    }

    fn ms(text: &str) -> i64 {
        parse_instant(text).unwrap()
    }

    #[test]
    fn monthly_from_completion_restarts_on_the_completion_day() {
        let rule = Recurrence::parse("FREQ=MONTHLY").unwrap();
        let todo = state(parse_date("2027-01-31"), None, Tz::UTC, RecurFrom::Completion);
        let next = advance(&todo, &rule, ms("2027-02-03T10:00:00Z"), 0, None);
        assert_eq!(next, Advance::Next { due_date: parse_date("2027-03-03"), due_at: None });
    }

    #[test]
    fn weekly_in_berlin_keeps_nine_local_over_the_march_change() {
        let rule = Recurrence::parse("FREQ=WEEKLY").unwrap();
        let todo = state(None, Some(ms("2027-03-22T08:00:00Z")), chrono_tz::Europe::Berlin, RecurFrom::Due);
        let next = advance(&todo, &rule, ms("2027-03-22T09:00:00Z"), 0, None);
        assert_eq!(next, Advance::Next { due_date: None, due_at: Some(ms("2027-03-29T07:00:00Z")) });
    }

    #[test]
    fn a_moved_due_time_keeps_the_series_time() {
        // Havana has no 00:30 on 14 March 2027: that occurrence is 01:30 CDT (05:30Z). After
        // it the series is at 00:30 again, and a series really at 01:30 stays there.
        let rule = Recurrence::parse("FREQ=DAILY").unwrap();
        let todo = state(None, Some(ms("2027-03-14T05:30:00Z")), chrono_tz::America::Havana, RecurFrom::Due);
        let at = |ms: i64| Advance::Next { due_date: None, due_at: Some(ms) };
        let after_00_30 = advance(&todo, &rule, 0, 1, Some(ms("2027-03-13T05:30:00Z")));
        assert_eq!(after_00_30, at(ms("2027-03-15T04:30:00Z")));
        let after_01_30 = advance(&todo, &rule, 0, 1, Some(ms("2027-03-13T06:30:00Z")));
        assert_eq!(after_01_30, at(ms("2027-03-15T05:30:00Z")));
        assert_eq!(advance(&todo, &rule, 0, 0, None), at(ms("2027-03-15T05:30:00Z")), "no history: as written");
    }

    #[test]
    fn count_ends_the_series() {
        let rule = Recurrence::parse("FREQ=DAILY;COUNT=2").unwrap();
        let todo = state(parse_date("2027-01-01"), None, Tz::UTC, RecurFrom::Due);
        assert!(matches!(advance(&todo, &rule, 0, 0, None), Advance::Next { .. }));
        assert_eq!(advance(&todo, &rule, 0, 1, None), Advance::Ended);
    }

    #[test]
    fn colours_and_dates_are_strict() {
        let mut problems = Problems::default();
        check_colour("#a1B2c3", &mut problems);
        assert!(problems.is_empty());
        for bad in ["a1b2c3", "#abc", "#ggggggg", "#12345z"] {
            let mut problems = Problems::default();
            check_colour(bad, &mut problems);
            assert!(!problems.is_empty(), "{bad}");
        }
        assert!(parse_date("2027-2-1").is_none() && parse_date("2027-02-30").is_none());
    }
}
