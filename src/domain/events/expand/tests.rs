//! Expansion, pure: zones and DST, RFC 5545 month-end and ordinal rules, COUNT/UNTIL, exdates
//! and overrides, the occurrence cap, that the jump ahead for infinite rules finds exactly
//! what walking from the start finds, and days whose midnight does not exist.

use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::*;
use crate::domain::events::Timing;
use crate::domain::recurrence::Recurrence;

fn ms(text: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text).unwrap().timestamp_millis()
}

fn text(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms).unwrap().format("%Y-%m-%dT%H:%M").to_string()
}

fn timed(start: &str, minutes: i64) -> Timing {
    let start = ms(start);
    Timing::Timed { start: UtcMillis(start), end: UtcMillis(start + minutes * 60_000) }
}

fn window(start: &str, end: &str) -> Window {
    Window { start: UtcMillis(ms(start)), end: UtcMillis(ms(end)), floating: chrono_tz::UTC }
}

fn starts(timing: Timing, zone: Tz, rule: &str, exdates: &[i64], win: &Window) -> Vec<String> {
    let rule = Recurrence::parse(rule).unwrap();
    let series = Series { timing, zone, recurrence: Some(&rule), exdates };
    expand(&series, &[], win, MAX_OCCURRENCES)
        .unwrap()
        .into_iter()
        .map(|o| match o.timing {
            Timing::Timed { start, .. } => text(start.0),
            Timing::AllDay { start, .. } => start.to_string(),
        })
        .collect()
}

#[test]
fn weekly_nine_in_berlin_stays_nine_local_across_both_changes() {
    let berlin = chrono_tz::Europe::Berlin;
    let found = starts(
        timed("2027-03-22T08:00:00Z", 60),
        berlin,
        "FREQ=WEEKLY",
        &[],
        &window("2027-03-20T00:00:00Z", "2027-04-06T00:00:00Z"),
    );
    assert_eq!(found, ["2027-03-22T08:00", "2027-03-29T07:00", "2027-04-05T07:00"]);
    let found = starts(
        timed("2027-10-25T07:00:00Z", 60),
        berlin,
        "FREQ=WEEKLY",
        &[],
        &window("2027-10-20T00:00:00Z", "2027-11-02T00:00:00Z"),
    );
    assert_eq!(found, ["2027-10-25T07:00", "2027-11-01T08:00"]);
}

#[test]
fn new_york_and_lord_howe_keep_local_time() {
    let new_york = chrono_tz::America::New_York;
    // 09:00 EST is 14:00Z; after 14 March 2027 09:00 EDT is 13:00Z.
    let found = starts(
        timed("2027-03-08T14:00:00Z", 30),
        new_york,
        "FREQ=WEEKLY",
        &[],
        &window("2027-03-01T00:00:00Z", "2027-03-20T00:00:00Z"),
    );
    assert_eq!(found, ["2027-03-08T14:00", "2027-03-15T13:00"]);
    // Lord Howe: 09:00 at +10:30 is 22:30Z the day before; from 3 October 2027 at +11:00, 22:00Z.
    let lord_howe = chrono_tz::Australia::Lord_Howe;
    let found = starts(
        timed("2027-09-27T22:30:00Z", 60),
        lord_howe,
        "FREQ=WEEKLY",
        &[],
        &window("2027-09-27T00:00:00Z", "2027-10-12T00:00:00Z"),
    );
    assert_eq!(found, ["2027-09-27T22:30", "2027-10-04T22:00", "2027-10-11T22:00"]);
}

#[test]
fn a_skipped_local_time_moves_forward_and_a_doubled_one_is_the_first() {
    let berlin = chrono_tz::Europe::Berlin;
    // Daily 02:30 local from 27 March 2027 (02:30 CET = 01:30Z). On the 28th 02:30 does not
    // exist: 03:30 CEST = 01:30Z. Then 02:30 CEST = 00:30Z.
    let found = starts(
        timed("2027-03-27T01:30:00Z", 30),
        berlin,
        "FREQ=DAILY",
        &[],
        &window("2027-03-27T00:00:00Z", "2027-03-30T00:00:00Z"),
    );
    assert_eq!(found, ["2027-03-27T01:30", "2027-03-28T01:30", "2027-03-29T00:30"]);
    // On 31 October 2027 02:30 happens twice: the first, CEST, is 00:30Z.
    let found = starts(
        timed("2027-10-30T00:30:00Z", 30),
        berlin,
        "FREQ=DAILY",
        &[],
        &window("2027-10-30T00:00:00Z", "2027-11-02T00:00:00Z"),
    );
    assert_eq!(found, ["2027-10-30T00:30", "2027-10-31T00:30", "2027-11-01T01:30"]);
    // Lord Howe skips 02:00–02:30 on 3 October 2027: 02:15 is read as 02:45 (+11:00).
    let lord_howe = chrono_tz::Australia::Lord_Howe;
    let found = starts(
        timed("2027-10-01T15:45:00Z", 10),
        lord_howe,
        "FREQ=DAILY;COUNT=3",
        &[],
        &window("2027-09-30T00:00:00Z", "2027-10-05T00:00:00Z"),
    );
    assert_eq!(found, ["2027-10-01T15:45", "2027-10-02T15:45", "2027-10-03T15:15"]);
}

#[test]
fn month_ends_ordinals_and_set_positions() {
    let utc = chrono_tz::UTC;
    let year = window("2027-01-01T00:00:00Z", "2027-08-01T00:00:00Z");
    let found = starts(timed("2027-01-31T10:00:00Z", 60), utc, "FREQ=MONTHLY;BYMONTHDAY=31", &[], &year);
    assert_eq!(found, ["2027-01-31T10:00", "2027-03-31T10:00", "2027-05-31T10:00", "2027-07-31T10:00"]);
    let found = starts(timed("2027-01-31T10:00:00Z", 60), utc, "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3", &[], &year);
    assert_eq!(found, ["2027-01-31T10:00", "2027-02-28T10:00", "2027-03-31T10:00"]);
    let found = starts(timed("2027-01-29T10:00:00Z", 60), utc, "FREQ=MONTHLY;BYDAY=-1FR;COUNT=4", &[], &year);
    assert_eq!(found, ["2027-01-29T10:00", "2027-02-26T10:00", "2027-03-26T10:00", "2027-04-30T10:00"]);
    let found = starts(timed("2027-01-12T10:00:00Z", 60), utc, "FREQ=MONTHLY;BYDAY=2TU;COUNT=3", &[], &year);
    assert_eq!(found, ["2027-01-12T10:00", "2027-02-09T10:00", "2027-03-09T10:00"]);
    // The last working day of each month.
    let found = starts(
        timed("2027-01-29T10:00:00Z", 60),
        utc,
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
        &[],
        &year,
    );
    assert_eq!(found, ["2027-01-29T10:00", "2027-02-26T10:00", "2027-03-31T10:00"]);
}

#[test]
fn count_counts_the_start_and_until_is_inclusive() {
    let utc = chrono_tz::UTC;
    let month = window("2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z");
    // Weekly on Mondays, starting on a Wednesday: the start is the first of three.
    let found = starts(timed("2027-01-06T10:00:00Z", 60), utc, "FREQ=WEEKLY;BYDAY=MO;COUNT=3", &[], &month);
    assert_eq!(found, ["2027-01-06T10:00", "2027-01-11T10:00", "2027-01-18T10:00"]);
    let found = starts(timed("2027-01-04T10:00:00Z", 60), utc, "FREQ=DAILY;UNTIL=20270106T100000Z", &[], &month);
    assert_eq!(found, ["2027-01-04T10:00", "2027-01-05T10:00", "2027-01-06T10:00"]);
    let found = starts(timed("2027-01-04T10:00:00Z", 60), utc, "FREQ=DAILY;UNTIL=20270105", &[], &month);
    assert_eq!(found, ["2027-01-04T10:00", "2027-01-05T10:00"]);
}

#[test]
fn exdates_remove_and_overrides_move_occurrences() {
    let utc = chrono_tz::UTC;
    let rule = Recurrence::parse("FREQ=DAILY").unwrap();
    let exdates = [ms("2027-01-02T10:00:00Z")];
    let series =
        Series { timing: timed("2027-01-01T10:00:00Z", 60), zone: utc, recurrence: Some(&rule), exdates: &exdates };
    // The 3rd moves out of the window to the 10th; the 9th moves into it, to the 4th at 15:00.
    let overrides = [
        Override { recurrence_id: ms("2027-01-03T10:00:00Z"), timing: timed("2027-01-10T10:00:00Z", 60) },
        Override { recurrence_id: ms("2027-01-09T10:00:00Z"), timing: timed("2027-01-04T15:00:00Z", 60) },
    ];
    let found = expand(&series, &overrides, &window("2027-01-01T00:00:00Z", "2027-01-05T00:00:00Z"), 100).unwrap();
    let got: Vec<(String, Option<usize>)> =
        found.iter().map(|o| (text(o.timing.start_millis(utc)), o.override_index)).collect();
    assert_eq!(
        got,
        [
            ("2027-01-01T10:00".to_string(), None),
            ("2027-01-04T10:00".to_string(), None),
            ("2027-01-04T15:00".to_string(), Some(1)),
        ]
    );
    assert_eq!(found[2].recurrence_id, Some(ms("2027-01-09T10:00:00Z")));
    assert!(is_occurrence(&series, ms("2027-01-03T10:00:00Z")));
    assert!(!is_occurrence(&series, ms("2027-01-02T10:00:00Z")), "an exdate is no occurrence");
    assert!(!is_occurrence(&series, ms("2027-01-03T11:00:00Z")));
}

#[test]
fn too_many_occurrences_are_refused() {
    let rule = Recurrence::parse("FREQ=DAILY").unwrap();
    let series = Series {
        timing: timed("2027-01-01T10:00:00Z", 60),
        zone: chrono_tz::UTC,
        recurrence: Some(&rule),
        exdates: &[],
    };
    let win = window("2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z");
    assert_eq!(expand(&series, &[], &win, 30), Err(TooMany));
    assert_eq!(expand(&series, &[], &win, 31).unwrap().len(), 31);
}

#[test]
fn all_day_dates_float_with_the_viewer() {
    let rule = Recurrence::parse("FREQ=YEARLY").unwrap();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let timing = Timing::AllDay { start: day(2000, 6, 15), end: day(2000, 6, 16) };
    let series = Series { timing, zone: chrono_tz::UTC, recurrence: Some(&rule), exdates: &[] };
    // 15 June in Tokyo is 14 June 15:00Z to 15 June 15:00Z.
    let tokyo = Window { floating: chrono_tz::Asia::Tokyo, ..window("2027-06-14T14:00:00Z", "2027-06-14T16:00:00Z") };
    let found = expand(&series, &[], &tokyo, 10).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].timing, Timing::AllDay { start: day(2027, 6, 15), end: day(2027, 6, 16) });
    assert_eq!(found[0].recurrence_id, Some(crate::domain::events::date_midnight(day(2027, 6, 15))));
    let utc = Window { floating: chrono_tz::UTC, ..tokyo };
    assert!(expand(&series, &[], &utc, 10).unwrap().is_empty());
}

/// Every occurrence of `rule` from `start` by walking from the start with the crate alone.
fn walked(rule: &str, start: DateTime<rrule::Tz>, low: i64, high: i64) -> Vec<i64> {
    let rule = Recurrence::parse(rule).unwrap();
    let set = rule.rule_at(&start, false).unwrap().build(start).unwrap();
    let mut out: Vec<i64> =
        set.into_iter().map(|d| d.timestamp_millis()).take_while(|m| *m < high).filter(|m| *m >= low).collect();
    if (low..high).contains(&start.timestamp_millis()) && !out.contains(&start.timestamp_millis()) {
        out.insert(0, start.timestamp_millis());
    }
    out
}

#[test]
fn jumping_ahead_finds_what_walking_finds() {
    let berlin = chrono_tz::Europe::Berlin;
    let start = rrule::Tz::Tz(berlin).with_ymd_and_hms(2001, 1, 31, 2, 30, 0).unwrap();
    for rule in [
        "FREQ=DAILY",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=WEEKLY;INTERVAL=2",
        "FREQ=WEEKLY;BYDAY=MO,SU;WKST=SU",
        "FREQ=MONTHLY",
        "FREQ=MONTHLY;INTERVAL=5;BYDAY=-1FR",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=YEARLY",
        "FREQ=YEARLY;INTERVAL=3;BYMONTH=3,10;BYDAY=-1SU",
        "FREQ=DAILY;UNTIL=20310101T000000Z",
    ] {
        let recurrence = Recurrence::parse(rule).unwrap();
        let timing = Timing::Timed {
            start: UtcMillis(start.timestamp_millis()),
            end: UtcMillis(start.timestamp_millis() + 60_000),
        };
        let series = Series { timing, zone: berlin, recurrence: Some(&recurrence), exdates: &[] };
        for (low, high) in
            [("2027-03-01T00:00:00Z", "2027-04-15T00:00:00Z"), ("2030-10-01T00:00:00Z", "2030-11-30T00:00:00Z")]
        {
            let win = window(low, high);
            let got: Vec<i64> = expand(&series, &[], &win, MAX_OCCURRENCES)
                .unwrap()
                .iter()
                .map(|o| o.timing.start_millis(chrono_tz::UTC))
                .collect();
            let want = walked(rule, start, ms(low) - 60_000 + 1, ms(high));
            assert_eq!(
                got.iter().map(|m| text(*m)).collect::<Vec<_>>(),
                want.iter().map(|m| text(*m)).collect::<Vec<_>>(),
                "{rule} {low}"
            );
        }
    }
}

#[test]
fn an_infinite_rule_far_from_its_start_is_cheap() {
    let rule = Recurrence::parse("FREQ=DAILY").unwrap();
    let series = Series {
        timing: timed("1901-01-01T10:00:00Z", 60),
        zone: chrono_tz::Europe::Berlin,
        recurrence: Some(&rule),
        exdates: &[],
    };
    let found = expand(&series, &[], &window("2199-01-01T00:00:00Z", "2199-02-01T00:00:00Z"), MAX_OCCURRENCES).unwrap();
    assert_eq!(found.len(), 31);
    // What makes it cheap: the walk starts from an anchor moved to just before the window,
    // not from 1901 (108 years of days). Checked on the mechanism, not on a stopwatch.
    let daily: RRule<Unvalidated> = "FREQ=DAILY".parse().unwrap();
    let start = to_zone(ms("1901-01-01T10:00:00Z"), chrono_tz::Europe::Berlin);
    let (_, anchor) = jump(&daily, &start, ms("2199-01-01T00:00:00Z"), false).expect("an uncounted rule jumps ahead");
    let gap = ms("2199-01-01T00:00:00Z") - anchor.timestamp_millis();
    assert!((0..=4 * 86_400_000).contains(&gap), "anchor {anchor} is not just before the window");
}

#[test]
fn spans_bound_every_occurrence() {
    let utc = chrono_tz::UTC;
    let single = Series { timing: timed("2027-01-01T10:00:00Z", 60), zone: utc, recurrence: None, exdates: &[] };
    assert_eq!(span(&single, &[]), (ms("2027-01-01T10:00:00Z"), Some(ms("2027-01-01T11:00:00Z"))));
    let forever = Recurrence::parse("FREQ=DAILY").unwrap();
    assert_eq!(span(&Series { recurrence: Some(&forever), ..single }, &[]).1, None);
    let counted = Recurrence::parse("FREQ=DAILY;COUNT=3").unwrap();
    assert_eq!(span(&Series { recurrence: Some(&counted), ..single }, &[]).1, Some(ms("2027-01-03T11:00:00Z")));
    let moved = [Override { recurrence_id: ms("2027-01-02T10:00:00Z"), timing: timed("2027-02-01T10:00:00Z", 60) }];
    assert_eq!(span(&Series { recurrence: Some(&counted), ..single }, &moved).1, Some(ms("2027-02-01T11:00:00Z")));
    let day = |d| NaiveDate::from_ymd_opt(2027, 1, d).unwrap();
    let all_day = Series { timing: Timing::AllDay { start: day(1), end: day(2) }, ..single };
    assert_eq!(span(&all_day, &[]), (ms("2026-12-31T10:00:00Z"), Some(ms("2027-01-02T14:00:00Z"))));
}

#[test]
fn counting_before_an_occurrence_for_a_split() {
    let rule = Recurrence::parse("FREQ=WEEKLY;BYDAY=MO;COUNT=10").unwrap();
    let series = Series {
        timing: timed("2027-01-06T10:00:00Z", 60),
        zone: chrono_tz::UTC,
        recurrence: Some(&rule),
        exdates: &[],
    };
    // The start (a Wednesday), then Mondays 11, 18, 25: three before the 25th.
    assert_eq!(count_before(&series, ms("2027-01-25T10:00:00Z")), 3);
}

/// Zones that change at midnight (Havana: 14 March 2027 00:00 → 01:00, UTC−5 → UTC−4): the
/// day whose midnight does not exist still has its occurrence, moved forward by the gap
/// (§3.3.5), whether the series is walked from a near start, jumped to from years before, or
/// counted from years before.
#[test]
fn a_day_without_midnight_keeps_its_occurrence() {
    let havana = chrono_tz::America::Havana;
    let win = window("2027-03-12T00:00:00Z", "2027-03-16T12:00:00Z");
    for (time, near, far, want) in [
        (
            "00:00",
            "2027-03-12T05:00:00Z",
            "2020-01-01T05:00:00Z",
            ["2027-03-12T05:00", "2027-03-13T05:00", "2027-03-14T05:00", "2027-03-15T04:00", "2027-03-16T04:00"],
        ),
        (
            "00:30",
            "2027-03-12T05:30:00Z",
            "2020-01-01T05:30:00Z",
            ["2027-03-12T05:30", "2027-03-13T05:30", "2027-03-14T05:30", "2027-03-15T04:30", "2027-03-16T04:30"],
        ),
    ] {
        assert_eq!(starts(timed(near, 30), havana, "FREQ=DAILY", &[], &win), want, "{time} near");
        assert_eq!(starts(timed(near, 30), havana, "FREQ=DAILY;COUNT=5", &[], &win), want, "{time} counted");
        assert_eq!(starts(timed(far, 30), havana, "FREQ=DAILY", &[], &win), want, "{time} jumped to");
        assert_eq!(starts(timed(far, 30), havana, "FREQ=DAILY;COUNT=5000", &[], &win), want, "{time} counted far");
        let weekly = starts(
            timed(far, 30),
            havana,
            "FREQ=WEEKLY;BYDAY=SU",
            &[],
            &window("2027-03-13T00:00:00Z", "2027-03-15T00:00:00Z"),
        );
        assert_eq!(weekly, [want[2]], "{time} weekly on Sundays");
    }
    // UNTIL is an instant, inclusive: the moved 00:30 (05:30Z) is in at 05:30Z, out a minute before.
    let near = timed("2027-03-12T05:30:00Z", 30);
    let until = |at: &str| starts(near, havana, &format!("FREQ=DAILY;UNTIL={at}"), &[], &win).len();
    assert_eq!((until("20270314T053000Z"), until("20270314T052900Z")), (3, 2));
    // All-day dates have no midnight to lose.
    let day = |d| NaiveDate::from_ymd_opt(2027, 3, d).unwrap();
    let all_day = Timing::AllDay { start: day(12), end: day(13) };
    let found =
        starts(all_day, havana, "FREQ=DAILY;COUNT=5", &[], &window("2027-03-12T00:00:00Z", "2027-03-17T00:00:00Z"));
    assert_eq!(found, ["2027-03-12", "2027-03-13", "2027-03-14", "2027-03-15", "2027-03-16"]);
}
