//! Changing an event: a patch applied to a whole event (`patched_state`, for single events and
//! `scope=all`), to one occurrence (`patched_override`, `scope=this`), and the split of a
//! series for `scope=following` (`split_rule`): the old part ends just before the occurrence
//! (UNTIL, or the COUNT it had reached), the new part starts at it with what remains.

use chrono::Duration;

use super::expand::{Series, count_before};
use super::{
    DESCRIPTION_MAX, EventPatch, EventState, LOCATION_MAX, Problems, TimeFields, Timing, check_alerts, check_series,
    check_text, check_title, date_of, field_recurrence, field_timezone, format_recurrence_id, parse_exdates,
    parse_timing,
};
use crate::domain::patch::Patch;
use crate::domain::recurrence::{Recurrence, Until};
use crate::domain::time::UtcMillis;
use crate::domain::todos::check_colour;

/// Which part of a series a change is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One occurrence (an override, or an exdate on delete).
    This,
    /// The occurrence and every later one (the series is split).
    Following,
    /// The whole series.
    All,
}

impl Scope {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "this" => Some(Self::This),
            "following" => Some(Self::Following),
            "all" => Some(Self::All),
            _ => None,
        }
    }
}

/// One occurrence's own values (an `event_overrides` row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideState {
    pub title: String,
    pub description: String,
    pub location: String,
    pub colour: Option<String>,
    pub timing: Timing,
}

impl OverrideState {
    /// The occurrence `rid` of `event` as it is before any override.
    pub fn of_occurrence(event: &EventState, rid: i64) -> Self {
        Self {
            title: event.title.clone(),
            description: event.description.clone(),
            location: event.location.clone(),
            colour: event.colour.clone(),
            timing: event.timing.moved_to(rid),
        }
    }
}

fn cannot_be_null(field: &str, problems: &mut Problems) {
    problems.add(field, "cannot be null");
}

/// The time fields of `timing` as a body would write them.
fn time_fields_of(timing: Timing) -> TimeFields {
    match timing {
        Timing::Timed { start, end } => {
            TimeFields { start: Some(start.to_rfc3339()), end: Some(end.to_rfc3339()), ..TimeFields::default() }
        }
        Timing::AllDay { start, end } => TimeFields {
            all_day: true,
            start_date: Some(start.format("%Y-%m-%d").to_string()),
            end_date: Some(end.format("%Y-%m-%d").to_string()),
            ..TimeFields::default()
        },
    }
}

/// The time fields of a patch over `current`: unchanged values stay; a new start without a
/// new end keeps the length; switching between timed and all-day needs the new kind's fields.
fn patched_timing(current: Timing, patch: &mut EventPatch, problems: &mut Problems) -> Option<Timing> {
    let all_day = match std::mem::take(&mut patch.all_day) {
        Patch::Unchanged => current.is_all_day(),
        Patch::Clear => {
            cannot_be_null("all_day", problems);
            current.is_all_day()
        }
        Patch::Set(value) => value,
    };
    let switching = all_day != current.is_all_day();
    let mut fields = if switching { TimeFields { all_day, ..TimeFields::default() } } else { time_fields_of(current) };
    let take = |patch: &mut Patch<String>, slot: &mut Option<String>| {
        match std::mem::take(patch) {
            Patch::Unchanged => false,
            Patch::Clear => {
                // Clearing the other kind's fields is what a switch does anyway; clearing one
                // the event needs is answered by `parse_timing` ("is required").
                *slot = None;
                false
            }
            Patch::Set(value) => {
                *slot = Some(value);
                true
            }
        }
    };
    if all_day {
        let moved = take(&mut patch.start_date, &mut fields.start_date);
        let ended = take(&mut patch.end_date, &mut fields.end_date);
        take(&mut patch.start, &mut fields.start);
        take(&mut patch.end, &mut fields.end);
        if !switching && moved && !ended {
            let days = current.length_millis() / 86_400_000;
            let start = fields.start_date.as_deref().and_then(crate::domain::time::parse_date);
            fields.end_date = start.map(|s| (s + Duration::days(days)).format("%Y-%m-%d").to_string());
        }
    } else {
        let moved = take(&mut patch.start, &mut fields.start);
        let ended = take(&mut patch.end, &mut fields.end);
        take(&mut patch.start_date, &mut fields.start_date);
        take(&mut patch.end_date, &mut fields.end_date);
        if !switching && moved && !ended {
            let start = fields.start.as_deref().and_then(crate::domain::time::parse_instant);
            fields.end = start.map(|s| s.plus_millis(current.length_millis()).to_rfc3339());
        }
    }
    parse_timing(&fields, problems)
}

/// `current` with the patch applied (a single event, or a whole series). Exdates that no
/// longer fit are the caller's to drop (it knows the rule).
pub fn patched_state(current: &EventState, mut patch: EventPatch) -> Result<EventState, Problems> {
    let mut problems = Problems::default();
    let mut next = current.clone();
    let series_changed =
        [&patch.start, &patch.end, &patch.start_date, &patch.end_date, &patch.timezone, &patch.recurrence]
            .iter()
            .any(|field| !field.is_unchanged())
            || !patch.all_day.is_unchanged();
    match std::mem::take(&mut patch.title) {
        Patch::Unchanged => {}
        Patch::Clear => cannot_be_null("title", &mut problems),
        Patch::Set(title) => {
            check_title(&title, &mut problems);
            next.title = title;
        }
    }
    if let Some(text) = std::mem::take(&mut patch.description).into_change() {
        next.description = text.unwrap_or_default();
        check_text("description", &next.description, DESCRIPTION_MAX, &mut problems);
    }
    if let Some(text) = std::mem::take(&mut patch.location).into_change() {
        next.location = text.unwrap_or_default();
        check_text("location", &next.location, LOCATION_MAX, &mut problems);
    }
    if let Some(location) = std::mem::take(&mut patch.location_id).into_change() {
        next.location_id = location;
    }
    if let Some(colour) = std::mem::take(&mut patch.colour).into_change() {
        if let Some(colour) = &colour {
            check_colour(colour, &mut problems);
        }
        next.colour = colour;
    }
    match std::mem::take(&mut patch.calendar_id).required() {
        Ok(Some(calendar)) => next.calendar_id = calendar,
        Ok(None) => {}
        Err(_) => cannot_be_null("calendar_id", &mut problems),
    }
    match std::mem::take(&mut patch.timezone).required() {
        Ok(Some(zone)) => next.timezone = field_timezone(&zone, &mut problems),
        Ok(None) => {}
        Err(_) => cannot_be_null("timezone", &mut problems),
    }
    if let Some(alerts) = std::mem::take(&mut patch.alerts).into_change() {
        next.alerts = check_alerts(alerts.unwrap_or_default(), &mut problems);
    }
    match std::mem::take(&mut patch.recurrence).into_change() {
        None => {}
        Some(None) => {
            next.recurrence = None;
            next.exdates.clear();
        }
        Some(Some(text)) => next.recurrence = field_recurrence(&text, &mut problems),
    }
    let exdates = std::mem::take(&mut patch.exdates);
    if let Some(timing) = patched_timing(current.timing, &mut patch, &mut problems) {
        if timing.is_all_day() != current.timing.is_all_day() {
            next.exdates.clear();
        }
        next.timing = timing;
    }
    match exdates {
        Patch::Unchanged => {}
        Patch::Clear => next.exdates.clear(),
        Patch::Set(list) => {
            next.exdates = parse_exdates(&list, next.timing.is_all_day(), &mut problems);
            if next.recurrence.is_none() && !next.exdates.is_empty() {
                problems.add("exdates", "are only for repeating events");
            }
        }
    }
    if series_changed && problems.0.is_empty() {
        check_series(&next, &mut problems);
    }
    problems.into_result().map(|()| next)
}

/// One occurrence with the patch applied (`scope=this`): only its own values may change.
pub fn patched_override(current: &OverrideState, mut patch: EventPatch) -> Result<OverrideState, Problems> {
    let mut problems = Problems::default();
    let whole_series = [
        ("calendar_id", patch.calendar_id.is_unchanged()),
        ("location_id", patch.location_id.is_unchanged()),
        ("all_day", patch.all_day.is_unchanged()),
        ("timezone", patch.timezone.is_unchanged()),
        ("alerts", patch.alerts.is_unchanged()),
        ("recurrence", patch.recurrence.is_unchanged()),
        ("exdates", patch.exdates.is_unchanged()),
    ];
    for (field, unchanged) in whole_series {
        if !unchanged {
            problems.add(field, "belongs to the whole series: change it with scope=all or scope=following");
        }
    }
    let mut next = current.clone();
    match std::mem::take(&mut patch.title) {
        Patch::Unchanged => {}
        Patch::Clear => cannot_be_null("title", &mut problems),
        Patch::Set(title) => {
            check_title(&title, &mut problems);
            next.title = title;
        }
    }
    if let Some(text) = std::mem::take(&mut patch.description).into_change() {
        next.description = text.unwrap_or_default();
        check_text("description", &next.description, DESCRIPTION_MAX, &mut problems);
    }
    if let Some(text) = std::mem::take(&mut patch.location).into_change() {
        next.location = text.unwrap_or_default();
        check_text("location", &next.location, LOCATION_MAX, &mut problems);
    }
    if let Some(colour) = std::mem::take(&mut patch.colour).into_change() {
        if let Some(colour) = &colour {
            check_colour(colour, &mut problems);
        }
        next.colour = colour;
    }
    patch.all_day = Patch::Unchanged;
    if let Some(timing) = patched_timing(current.timing, &mut patch, &mut problems) {
        next.timing = timing;
    }
    problems.into_result().map(|()| next)
}

/// The rules of the two parts of a series split at occurrence `rid` ("this and following"):
/// the old part ends before it, the new one starts at it. A counted series keeps its total:
/// the old part has the occurrences before `rid`, the new one the rest; otherwise the old part
/// ends by UNTIL one second (or one day) before `rid` and the new one keeps the old end.
pub fn split_rule(rule: &Recurrence, series: &Series<'_>, rid: i64) -> (Recurrence, Recurrence) {
    if let Some(count) = rule.count() {
        let before = u32::try_from(count_before(series, rid)).unwrap_or(count).clamp(1, count);
        return (rule.with_count(before), rule.with_count(count.saturating_sub(before).max(1)));
    }
    let until = if series.timing.is_all_day() {
        Until::Date(date_of(rid) - Duration::days(1))
    } else {
        let at = UtcMillis(rid - 1_000);
        Until::Utc(chrono::DateTime::<chrono::Utc>::from_timestamp_millis(at.0).unwrap_or_default())
    };
    (rule.with_until(until), rule.clone())
}

/// The recurrence ids of `rids` in the API's form.
pub fn format_ids(rids: &[i64], all_day: bool) -> Vec<String> {
    rids.iter().map(|rid| format_recurrence_id(*rid, all_day)).collect()
}
