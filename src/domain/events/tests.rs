//! Event validation and patches, pure.

use chrono_tz::Tz;

use super::scope::{OverrideState, patched_override, patched_state, split_rule};
use super::*;
use crate::domain::id::CalendarId;

fn context() -> NewEventContext {
    NewEventContext { calendar_id: CalendarId(1), default_zone: chrono_tz::Europe::Berlin, template: None }
}

fn body(json: serde_json::Value) -> NewEvent {
    serde_json::from_value(json).unwrap()
}

fn fields(problems: &Problems) -> Vec<&str> {
    problems.0.iter().map(|(field, _)| field.as_str()).collect()
}

#[test]
fn a_timed_event_takes_the_default_zone_and_an_all_day_one_its_dates() {
    let state = new_state(
        body(
            serde_json::json!({"title": "t", "start": "2027-01-01T09:00:00+01:00", "end": "2027-01-01T10:00:00+01:00"}),
        ),
        context(),
    )
    .unwrap();
    assert_eq!(state.timezone, chrono_tz::Europe::Berlin);
    assert_eq!(state.timing.length_millis(), 3_600_000);
    let state = new_state(
        body(serde_json::json!({"title": "t", "all_day": true, "start_date": "2027-01-01", "end_date": "2027-01-03"})),
        context(),
    )
    .unwrap();
    assert!(state.timing.is_all_day());
    assert_eq!(state.timing.length_millis(), 2 * 86_400_000);
}

#[test]
fn timed_and_all_day_fields_never_mix() {
    let mixed = body(serde_json::json!({"title": "t", "all_day": true, "start": "2027-01-01T09:00:00Z",
        "start_date": "2027-01-01", "end_date": "2027-01-02"}));
    assert_eq!(fields(&new_state(mixed, context()).unwrap_err()), ["start"]);
    let mixed = body(serde_json::json!({"title": "t", "start": "2027-01-01T09:00:00Z", "end": "2027-01-01T10:00:00Z",
        "end_date": "2027-01-02"}));
    assert_eq!(fields(&new_state(mixed, context()).unwrap_err()), ["end_date"]);
    let backwards =
        body(serde_json::json!({"title": "t", "start": "2027-01-01T09:00:00Z", "end": "2027-01-01T09:00:00Z"}));
    assert_eq!(fields(&new_state(backwards, context()).unwrap_err()), ["end"]);
    let backwards =
        body(serde_json::json!({"title": "t", "all_day": true, "start_date": "2027-01-02", "end_date": "2027-01-02"}));
    assert_eq!(fields(&new_state(backwards, context()).unwrap_err()), ["end_date"]);
}

#[test]
fn every_field_error_is_named() {
    let bad = body(serde_json::json!({"title": "", "description": "x".repeat(10_001), "colour": "red",
        "timezone": "Mars/Base", "alerts": [1, 2, 3, 4, 5, 6], "recurrence": "FREQ=WEEKLY;BYHOUR=9",
        "start": "soon", "end": "2027-01-01T10:00:00Z"}));
    let problems = new_state(bad, context()).unwrap_err();
    for field in ["title", "description", "colour", "timezone", "alerts", "recurrence", "start"] {
        assert!(fields(&problems).contains(&field), "{field}: {problems:?}");
    }
    let recurrence = problems.0.iter().find(|(f, _)| f == "recurrence").unwrap();
    assert!(recurrence.1.contains("BYHOUR"), "{recurrence:?}");
    let bad = body(serde_json::json!({"title": "t", "alerts": [40_321], "recurrence": "FREQ=YEARLY;BYYEARDAY=1",
        "start": "2027-01-01T09:00:00Z", "end": "2027-01-01T10:00:00Z"}));
    let problems = new_state(bad, context()).unwrap_err();
    assert_eq!(fields(&problems), ["alerts", "recurrence"]);
    assert!(problems.0[1].1.starts_with("BYYEARDAY"));
}

#[test]
fn a_template_fills_in_and_explicit_fields_win() {
    let template = TemplateValues {
        title: "Standup".into(),
        duration_minutes: 15,
        colour: Some("#112233".into()),
        ..TemplateValues::default()
    };
    let ctx = NewEventContext { template: Some(template), ..context() };
    let state =
        new_state(body(serde_json::json!({"start": "2027-01-01T09:00:00Z", "colour": "#445566"})), ctx).unwrap();
    assert_eq!(state.title, "Standup");
    assert_eq!(state.timing.length_millis(), 15 * 60_000);
    assert_eq!(state.colour.as_deref(), Some("#445566"));
}

fn series() -> EventState {
    new_state(
        body(serde_json::json!({"title": "t", "start": "2027-01-04T09:00:00Z", "end": "2027-01-04T10:00:00Z",
            "recurrence": "FREQ=DAILY;COUNT=10", "timezone": "UTC"})),
        context(),
    )
    .unwrap()
}

fn patch(json: serde_json::Value) -> EventPatch {
    serde_json::from_value(json).unwrap()
}

#[test]
fn a_new_start_keeps_the_length_and_a_switch_needs_the_other_fields() {
    let current = series();
    let moved = patched_state(&current, patch(serde_json::json!({"start": "2027-01-04T11:00:00Z"}))).unwrap();
    assert_eq!(moved.timing.length_millis(), 3_600_000);
    let problems = patched_state(&current, patch(serde_json::json!({"all_day": true}))).unwrap_err();
    assert_eq!(fields(&problems), ["start_date", "end_date"]);
    let switched = patched_state(
        &current,
        patch(serde_json::json!({"all_day": true, "start_date": "2027-01-04", "end_date": "2027-01-05", "start": null, "end": null})),
    )
    .unwrap();
    assert!(switched.timing.is_all_day());
    let problems = patched_state(&current, patch(serde_json::json!({"start_date": "2027-01-04"}))).unwrap_err();
    assert_eq!(fields(&problems), ["start_date"]);
    let problems = patched_state(&current, patch(serde_json::json!({"title": null, "start": null}))).unwrap_err();
    assert_eq!(fields(&problems), ["title", "start"]);
    let single = patched_state(&current, patch(serde_json::json!({"recurrence": null}))).unwrap();
    assert!(single.recurrence.is_none() && single.exdates.is_empty());
}

#[test]
fn one_occurrence_changes_only_its_own_values() {
    let current = series();
    let rid = current.timing.recurrence_id() + 86_400_000;
    let base = OverrideState::of_occurrence(&current, rid);
    let changed =
        patched_override(&base, patch(serde_json::json!({"title": "moved", "start": "2027-01-05T15:00:00Z"}))).unwrap();
    assert_eq!(changed.title, "moved");
    assert_eq!(changed.timing.length_millis(), 3_600_000);
    let problems =
        patched_override(&base, patch(serde_json::json!({"recurrence": "FREQ=WEEKLY", "alerts": [5]}))).unwrap_err();
    assert_eq!(fields(&problems), ["alerts", "recurrence"]);
}

#[test]
fn a_split_keeps_the_count_or_ends_by_until() {
    let current = series();
    let third = current.timing.recurrence_id() + 2 * 86_400_000;
    let rule = current.recurrence.clone().unwrap();
    let (old, new) = split_rule(&rule, &current.series(), third);
    assert_eq!((old.count(), new.count()), (Some(2), Some(8)));
    let open = crate::domain::recurrence::Recurrence::parse("FREQ=DAILY").unwrap();
    let (old, new) = split_rule(&open, &current.series(), third);
    assert_eq!(old.as_str(), "FREQ=DAILY;UNTIL=20270106T085959Z");
    assert_eq!(new.as_str(), "FREQ=DAILY");
    let _ = Tz::UTC;
}

#[test]
fn a_series_must_repeat_and_stay_short() {
    // February never has a 30th: the rule would make every expansion search to the crate's
    // loop limit, so it is refused when written.
    let never = body(serde_json::json!({"title": "t", "start": "2027-01-30T09:00:00Z", "end": "2027-01-30T10:00:00Z",
        "recurrence": "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30"}));
    assert_eq!(fields(&new_state(never, context()).unwrap_err()), ["recurrence"]);
    let once = body(serde_json::json!({"title": "t", "start": "2027-01-30T09:00:00Z", "end": "2027-01-30T10:00:00Z",
        "recurrence": "FREQ=DAILY;COUNT=1"}));
    assert!(new_state(once, context()).is_ok());
    let long = body(serde_json::json!({"title": "t", "start": "2027-01-01T00:00:00Z", "end": "2027-03-01T00:00:00Z",
        "recurrence": "FREQ=DAILY"}));
    assert_eq!(fields(&new_state(long, context()).unwrap_err()), ["end"]);
    let long_single =
        body(serde_json::json!({"title": "t", "start": "2027-01-01T00:00:00Z", "end": "2027-03-01T00:00:00Z"}));
    let single = new_state(long_single, context()).unwrap();
    // Turning that long single event into a series is refused the same way.
    let patch: EventPatch = serde_json::from_value(serde_json::json!({"recurrence": "FREQ=WEEKLY"})).unwrap();
    assert_eq!(fields(&patched_state(&single, patch).unwrap_err()), ["end"]);
    let patch: EventPatch = serde_json::from_value(serde_json::json!({"title": "still one"})).unwrap();
    assert!(patched_state(&single, patch).is_ok());
}
