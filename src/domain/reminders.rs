//! Reminders: the request bodies, the validated values they become, the status a reminder is
//! in and the pure rules (when it fires next, where a finished occurrence moves a series).
//! Validation reports every field at fault at once, as `(field, message)` pairs.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::id::TodoId;
use crate::domain::patch::Patch;
use crate::domain::recurrence::Recurrence;
use crate::domain::time::UtcMillis;

pub const TITLE_MAX: usize = 200;
pub const NOTES_MAX: usize = 10_000;
/// IANA zone names are short (the longest is about 32 characters).
pub const TIMEZONE_MAX: usize = 64;
/// A snooze lasts at most a week.
pub const SNOOZE_MAX_MINUTES: i64 = 10_080;

/// One field at fault and why.
pub type FieldProblem = (String, String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderStatus {
    Active,
    Done,
    Dismissed,
}

impl ReminderStatus {
    pub const ALL: [Self; 3] = [Self::Active, Self::Done, Self::Dismissed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Done => "done",
            Self::Dismissed => "dismissed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }
}

/// The `status` list filter: one status, several (`done,dismissed`) or `all`.
pub fn parse_status_filter(text: &str) -> Option<Vec<ReminderStatus>> {
    if text == "all" {
        return Some(ReminderStatus::ALL.to_vec());
    }
    let mut statuses = Vec::new();
    for part in text.split(',') {
        let status = ReminderStatus::parse(part.trim())?;
        if !statuses.contains(&status) {
            statuses.push(status);
        }
    }
    Some(statuses)
}

/// A reminder as the workflows see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub id: crate::domain::id::ReminderId,
    pub title: String,
    pub notes: String,
    pub remind_at: UtcMillis,
    pub timezone: String,
    pub recurrence: Option<String>,
    pub series_start: UtcMillis,
    pub status: ReminderStatus,
    pub snoozed_until: Option<UtcMillis>,
    pub todo_id: Option<TodoId>,
    pub created_at: UtcMillis,
    pub updated_at: UtcMillis,
}

impl Reminder {
    /// When it fires next: the end of a snooze, else its own time.
    pub fn fire_at(&self) -> UtcMillis {
        self.snoozed_until.unwrap_or(self.remind_at)
    }

    /// "Done" on this reminder: a series moves to its first occurrence after both its current
    /// time and `now` (missed ones are skipped) and stays active; a single reminder, or a
    /// series with no occurrence left, is done.
    pub fn complete(&mut self, now: UtcMillis) {
        let next = self
            .recurrence
            .as_deref()
            .and_then(|rule| next_occurrence(rule, self.series_start, &self.timezone, self.remind_at.max(now)));
        self.snoozed_until = None;
        match next {
            Some(next) => {
                self.remind_at = next;
                self.status = ReminderStatus::Active;
            }
            None => self.status = ReminderStatus::Done,
        }
    }
}

/// The first occurrence strictly after `after` of the series starting at `start` in `zone`.
pub fn next_occurrence(rule: &str, start: UtcMillis, zone: &str, after: UtcMillis) -> Option<UtcMillis> {
    let rule = Recurrence::parse(rule).ok()?;
    let zone: chrono_tz::Tz = zone.parse().ok()?;
    let start_local = DateTime::<Utc>::from_timestamp_millis(start.0)?.with_timezone(&zone).naive_local();
    let after = DateTime::<Utc>::from_timestamp_millis(after.0)?;
    rule.next_after(start_local, zone, after).map(|next| UtcMillis(next.timestamp_millis()))
}

pub use crate::domain::time::parse_instant;

/// `POST /api/reminders`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReminder {
    /// 1–200 characters.
    pub title: String,
    /// Up to 10,000 characters.
    #[serde(default)]
    pub notes: Option<String>,
    /// RFC 3339 instant.
    pub remind_at: String,
    /// IANA zone the reminder repeats in; default `UTC`.
    #[serde(default)]
    pub timezone: Option<String>,
    /// RFC 5545 RRULE, e.g. `FREQ=WEEKLY;BYDAY=MO`.
    #[serde(default)]
    pub recurrence: Option<String>,
    /// One of the caller's todos.
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub todo_id: Option<TodoId>,
}

/// `PATCH /api/reminders/{id}`: absent = unchanged, `null` = cleared (notes, recurrence,
/// todo_id), a value = set. The status changes only through the action routes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderPatch {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub title: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub notes: Patch<String>,
    /// A new time clears a snooze.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub remind_at: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub timezone: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub recurrence: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub todo_id: Patch<TodoId>,
}

/// `POST /api/reminders/{id}/snooze`: exactly one of the two.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SnoozeRequest {
    /// 1–10,080 minutes from now.
    #[serde(default)]
    pub minutes: Option<i64>,
    /// An RFC 3339 instant in the future.
    #[serde(default)]
    pub until: Option<String>,
}

/// The validated fields of a create (or of a reminder after a patch).
#[derive(Debug, Clone)]
pub struct ReminderFields {
    pub title: String,
    pub notes: String,
    pub remind_at: UtcMillis,
    pub timezone: String,
    pub recurrence: Option<String>,
    pub todo_id: Option<TodoId>,
}

fn check_title(title: &str, problems: &mut Vec<FieldProblem>) {
    if title.trim().is_empty() {
        problems.push(("title".into(), "must not be empty".into()));
    } else if title.chars().count() > TITLE_MAX {
        problems.push(("title".into(), format!("must be at most {TITLE_MAX} characters")));
    }
}

fn check_notes(notes: &str, problems: &mut Vec<FieldProblem>) {
    if notes.chars().count() > NOTES_MAX {
        problems.push(("notes".into(), format!("must be at most {NOTES_MAX} characters")));
    }
}

fn check_instant(field: &str, text: &str, problems: &mut Vec<FieldProblem>) -> UtcMillis {
    parse_instant(text).unwrap_or_else(|| {
        problems.push((field.into(), "must be an RFC 3339 date and time, e.g. 2030-01-31T09:00:00Z".into()));
        UtcMillis(0)
    })
}

fn check_timezone(zone: &str, problems: &mut Vec<FieldProblem>) {
    if zone.len() > TIMEZONE_MAX || zone.parse::<chrono_tz::Tz>().is_err() {
        problems.push(("timezone".into(), "must be an IANA time zone such as Europe/Berlin".into()));
    }
}

/// The normalised rule text, or the part at fault.
fn check_recurrence(rule: &str, problems: &mut Vec<FieldProblem>) -> Option<String> {
    match Recurrence::parse(rule) {
        Ok(rule) => Some(rule.as_str().to_string()),
        Err(error) => {
            problems.push(("recurrence".into(), error.to_string()));
            None
        }
    }
}

impl NewReminder {
    pub fn validate(self) -> Result<ReminderFields, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        check_title(&self.title, &mut problems);
        let notes = self.notes.unwrap_or_default();
        check_notes(&notes, &mut problems);
        let remind_at = check_instant("remind_at", &self.remind_at, &mut problems);
        let timezone = self.timezone.unwrap_or_else(|| "UTC".into());
        check_timezone(&timezone, &mut problems);
        let recurrence = self.recurrence.and_then(|rule| check_recurrence(&rule, &mut problems));
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(ReminderFields { title: self.title, notes, remind_at, timezone, recurrence, todo_id: self.todo_id })
    }
}

impl ReminderPatch {
    /// The reminder's fields with this patch applied, all problems at once.
    pub fn apply(self, current: &Reminder) -> Result<ReminderFields, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut required = |field: &str, patch: Patch<String>| {
            patch.required().unwrap_or_else(|_| {
                problems.push((field.to_string(), "cannot be null".to_string()));
                None
            })
        };
        let title = required("title", self.title);
        let remind_at = required("remind_at", self.remind_at);
        let timezone = required("timezone", self.timezone);
        let title = title.unwrap_or_else(|| current.title.clone());
        check_title(&title, &mut problems);
        let notes = self.notes.apply(Some(current.notes.clone())).unwrap_or_default();
        check_notes(&notes, &mut problems);
        let remind_at = remind_at.map_or(current.remind_at, |text| check_instant("remind_at", &text, &mut problems));
        let timezone = timezone.unwrap_or_else(|| current.timezone.clone());
        check_timezone(&timezone, &mut problems);
        let recurrence = match self.recurrence {
            Patch::Unchanged => current.recurrence.clone(),
            Patch::Clear => None,
            Patch::Set(rule) => check_recurrence(&rule, &mut problems),
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(ReminderFields {
            title,
            notes,
            remind_at,
            timezone,
            recurrence,
            todo_id: self.todo_id.apply(current.todo_id),
        })
    }
}

impl SnoozeRequest {
    /// The end of the snooze.
    pub fn until(self, now: UtcMillis) -> Result<UtcMillis, Vec<FieldProblem>> {
        match (self.minutes, self.until) {
            (Some(minutes), None) if (1..=SNOOZE_MAX_MINUTES).contains(&minutes) => Ok(now.plus_minutes(minutes)),
            (Some(_), None) => Err(vec![("minutes".into(), format!("must be between 1 and {SNOOZE_MAX_MINUTES}"))]),
            (None, Some(text)) => {
                let mut problems = Vec::new();
                let until = check_instant("until", &text, &mut problems);
                if problems.is_empty() && until <= now {
                    problems.push(("until".into(), "must be in the future".into()));
                }
                if problems.is_empty() { Ok(until) } else { Err(problems) }
            }
            (Some(_), Some(_)) => Err(vec![
                ("minutes".into(), "give minutes or until, not both".into()),
                ("until".into(), "give minutes or until, not both".into()),
            ]),
            (None, None) => Err(vec![
                ("minutes".into(), "give minutes or until".into()),
                ("until".into(), "give minutes or until".into()),
            ]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> UtcMillis {
        parse_instant(text).unwrap()
    }

    #[test]
    fn a_daily_berlin_series_keeps_its_local_time_across_the_spring_change() {
        let start = at("2027-03-26T08:00:00Z");
        let next = next_occurrence("FREQ=DAILY", start, "Europe/Berlin", at("2027-03-27T08:00:00Z"));
        assert_eq!(next, Some(at("2027-03-28T07:00:00Z")));
    }

    #[test]
    fn a_utc_until_ends_a_series_in_a_zone() {
        let start = at("2027-03-26T08:00:00Z");
        let rule = "FREQ=DAILY;UNTIL=20270328T235959Z";
        assert_eq!(next_occurrence(rule, start, "Europe/Berlin", start), Some(at("2027-03-27T08:00:00Z")));
        assert_eq!(next_occurrence(rule, start, "Europe/Berlin", at("2027-03-28T07:00:00Z")), None);
    }

    #[test]
    fn status_filters() {
        assert_eq!(parse_status_filter("all").unwrap().len(), 3);
        assert_eq!(
            parse_status_filter("done,dismissed").unwrap(),
            vec![ReminderStatus::Done, ReminderStatus::Dismissed]
        );
        assert!(parse_status_filter("finished").is_none());
        assert!(parse_status_filter("").is_none());
    }
}
