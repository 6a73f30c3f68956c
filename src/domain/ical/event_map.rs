//! One VEVENT as an event (or as an occurrence of one), and the grouping of occurrences
//! (RECURRENCE-ID) under their series by UID.

use calcard::icalendar::{ICalendar, ICalendarParameterName, ICalendarValue};
use chrono::{Datelike, Days, NaiveTime};
use chrono_tz::Tz;
use sha2::{Digest, Sha256};

use super::kept;
use super::lines::{Comp, LineError, Tree};
use super::model::{IcsEvent, IcsOverride, Timing};
use super::reader::Report;
use super::values::{self, ValueError, When, malformed};
use crate::domain::recurrence::Recurrence;
use crate::domain::time::YEARS;

use crate::domain::events::{ALERT_MINUTES_MAX, ALERTS_MAX, DESCRIPTION_MAX, EXDATES_MAX, LOCATION_MAX, TITLE_MAX};

/// Longest UID kept (the events module makes 40-odd characters; Outlook's run to ~110).
pub const UID_MAX: usize = 255;
/// Most changed occurrences one imported series keeps (each costs every read of the series).
pub const OVERRIDES_MAX: usize = 1_000;

/// A VEVENT as read, before occurrences meet their series.
#[derive(Debug, Clone)]
pub struct VEvent {
    pub line: usize,
    pub recurrence_id: Option<(When, usize)>,
    pub cancelled: bool,
    /// The zone of floating times in this VEVENT's calendar.
    pub floating: Tz,
    pub event: IcsEvent,
}

/// What a VEVENT's properties said, in the file's terms.
#[derive(Default)]
struct Props {
    uid: Option<(String, usize)>,
    start: Option<(When, usize)>,
    end: Option<(When, usize)>,
    duration: Option<(i64, usize)>,
    title: Option<(String, usize)>,
    description: Option<(String, usize)>,
    location: Option<(String, usize)>,
    rule: Option<(String, usize)>,
    exdates: Vec<(Vec<When>, usize)>,
    recurrence_id: Option<(When, usize)>,
    cancelled: bool,
    alerts: Vec<i64>,
}

/// Properties that are used, or carry nothing worth keeping.
const SILENT: [&str; 4] = ["DTSTAMP", "SEQUENCE", "CREATED", "LAST-MODIFIED"];

fn cut(text: String, max: usize, line: usize, what: &str, report: &mut Report) -> String {
    if text.chars().count() <= max {
        return text;
    }
    report.add(Some(line), what, format!("shortened to {max} characters"));
    text.chars().take(max).collect()
}

fn read_props(
    ical: &ICalendar,
    index: usize,
    comps: &[Comp],
    tree: &Tree,
    report: &mut Report,
) -> Result<Props, ValueError> {
    let component = &ical.components[index];
    let mut p = Props::default();
    for (entry, &at) in component.entries.iter().zip(&comps[index].entries) {
        let line = tree.lines[at].number;
        let name = entry.name.as_str().to_ascii_uppercase();
        match name.as_str() {
            // As the writer writes TEXT (`text::plain`): two UIDs that differ only in a control
            // character would be two events here and one after an export.
            "UID" => p.uid = Some((crate::domain::text::plain(&values::text(entry)).trim().to_string(), line)),
            "DTSTART" => p.start = Some((values::when(entry, line)?, line)),
            "DTEND" => p.end = Some((values::when(entry, line)?, line)),
            "DURATION" => match entry.values.first() {
                Some(ICalendarValue::Duration(d)) if !d.neg => p.duration = Some((values::seconds(d), line)),
                _ => return Err(malformed(line, "DURATION is not a positive duration")),
            },
            "SUMMARY" => p.title = Some((values::text(entry), line)),
            "DESCRIPTION" => p.description = Some((values::text(entry), line)),
            "LOCATION" => p.location = Some((values::text(entry), line)),
            "RRULE" if p.rule.is_none() => {
                p.rule = Some((tree.lines[at].value().unwrap_or_default().to_string(), line));
            }
            "RRULE" => report.add(Some(line), "RRULE", "a second RRULE is not imported"),
            "EXDATE" => p.exdates.push((values::whens(entry, line)?, line)),
            "RDATE" => report.add(Some(line), "RDATE", "extra dates outside the rule are not imported"),
            "RECURRENCE-ID" => {
                if values::param(entry, &ICalendarParameterName::Range).is_some() {
                    report.add(Some(line), "RANGE", "THISANDFUTURE is taken as this occurrence only");
                }
                p.recurrence_id = Some((values::when(entry, line)?, line));
            }
            "STATUS" => {
                let status = values::text(entry).to_ascii_uppercase();
                match status.as_str() {
                    "CANCELLED" => p.cancelled = true,
                    "CONFIRMED" => {}
                    _ => report.property(line, "STATUS"),
                }
            }
            name if SILENT.contains(&name) => {}
            name => report.property(line, name),
        }
    }
    for &child in &component.component_ids {
        let child = child as usize;
        let Some(comp) = comps.get(child) else { continue };
        if comp.kind == "VALARM" {
            if let Some(minutes) = read_alarm(ical, child, comps, tree, report)
                && !p.alerts.contains(&minutes)
            {
                p.alerts.push(minutes);
            }
        } else {
            report.add(Some(comp.begin), comp.kind.clone(), format!("{} inside an event is not imported", comp.kind));
        }
    }
    if p.alerts.len() > ALERTS_MAX {
        let line = comps[index].begin;
        report.add(Some(line), "VALARM", format!("only the first {ALERTS_MAX} alarms of an event are imported"));
        p.alerts.truncate(ALERTS_MAX);
    }
    Ok(p)
}

/// A VALARM as minutes before the start, when it is one UMBRA can keep.
fn read_alarm(ical: &ICalendar, index: usize, comps: &[Comp], tree: &Tree, report: &mut Report) -> Option<i64> {
    let component = &ical.components[index];
    let begin = comps[index].begin;
    let trigger = component
        .entries
        .iter()
        .zip(&comps[index].entries)
        .find(|(e, _)| e.name.as_str().eq_ignore_ascii_case("TRIGGER"));
    let Some((entry, &at)) = trigger else {
        report.add(Some(begin), "VALARM", "an alarm without TRIGGER is not imported");
        return None;
    };
    let line = tree.lines[at].number;
    let related_end =
        values::param(entry, &ICalendarParameterName::Related).is_some_and(|r| r.eq_ignore_ascii_case("END"));
    match entry.values.first() {
        Some(ICalendarValue::Duration(d)) if !related_end && values::seconds(d) <= 0 => {
            let minutes = (-values::seconds(d) + 59) / 60;
            if minutes > ALERT_MINUTES_MAX {
                report.add(Some(line), "TRIGGER", "alarms more than 28 days before the start are not imported");
                return None;
            }
            Some(minutes)
        }
        _ => {
            report.add(Some(line), "TRIGGER", "only alarms before the start are imported");
            None
        }
    }
}

const OUTSIDE_YEARS: &str = "DURATION ends the event outside the years 1900 to 2200";

/// The timing and zone of an event from DTSTART, DTEND/DURATION.
fn timing(p: &Props, begin: usize, floating: Tz) -> Result<(Timing, Tz), ValueError> {
    let Some((start, start_line)) = &p.start else {
        return Err(malformed(begin, "the event has no DTSTART"));
    };
    match start {
        When::Date(date) => {
            let end = match (&p.end, &p.duration) {
                (Some((When::Date(end), _)), _) => *end,
                (Some((_, line)), _) => return Err(malformed(*line, "DTEND must be a date when DTSTART is one")),
                (None, Some((secs, line))) => date
                    .checked_add_days(Days::new(((secs + 86_399) / 86_400).max(1) as u64))
                    .filter(|end| YEARS.contains(&end.year()))
                    .ok_or_else(|| malformed(*line, OUTSIDE_YEARS))?,
                (None, None) => date.succ_opt().unwrap_or(*date),
            };
            if end <= *date {
                let line = p.end.as_ref().map_or(*start_line, |(_, l)| *l);
                return Err(malformed(line, "DTEND must be after DTSTART"));
            }
            Ok((Timing::AllDay { start: *date, end }, floating))
        }
        When::Instant(_) | When::Local(..) => {
            let zone = match start {
                When::Local(_, tzid) => values::zone_of(tzid.as_deref(), floating)?,
                _ => chrono_tz::UTC,
            };
            let start_ms = values::instant(start, zone, floating, NaiveTime::MIN)?;
            let end_ms = match (&p.end, &p.duration) {
                (Some((When::Date(_), line)), _) => {
                    return Err(malformed(*line, "DTEND must be a date-time when DTSTART is one"));
                }
                (Some((end, _)), _) => values::instant(end, zone, floating, NaiveTime::MIN)?,
                // A DURATION of millions of weeks ends past anything a date can be written as
                // (the export wrote such an end as 1970).
                (None, Some((secs, line))) => secs
                    .checked_mul(1000)
                    .and_then(|ms| start_ms.checked_add(ms))
                    .filter(|&end| {
                        chrono::DateTime::from_timestamp_millis(end).is_some_and(|end| YEARS.contains(&end.year()))
                    })
                    .ok_or_else(|| malformed(*line, OUTSIDE_YEARS))?,
                (None, None) => start_ms,
            };
            if end_ms < start_ms {
                let line = p.end.as_ref().map_or(*start_line, |(_, l)| *l);
                return Err(malformed(line, "DTEND must not be before DTSTART"));
            }
            Ok((Timing::Timed { start: start_ms, end: end_ms }, zone))
        }
    }
}

/// A UID for an event that has none, the same on every import of the same file.
fn made_up_uid(p: &Props, title: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(format!("{:?}\n{title}", p.start.as_ref().map(|(w, _)| w)));
    format!("{}@import.umbra", &hex::encode(hash.finalize())[..32])
}

/// Reads one VEVENT; `None` when it was skipped (and reported).
pub fn map_vevent(
    ical: &ICalendar,
    index: usize,
    comps: &[Comp],
    tree: &Tree,
    floating: Tz,
    report: &mut Report,
) -> Result<Option<VEvent>, LineError> {
    let begin = comps[index].begin;
    match build(ical, index, comps, tree, floating, report) {
        Ok(event) => Ok(Some(event)),
        Err(ValueError::Malformed(error)) => Err(error),
        Err(ValueError::UnknownZone(tzid)) => {
            report.add(
                Some(begin),
                "TZID",
                format!("unknown time zone \u{201c}{tzid}\u{201d}: the event was not imported"),
            );
            Ok(None)
        }
    }
}

fn build(
    ical: &ICalendar,
    index: usize,
    comps: &[Comp],
    tree: &Tree,
    floating: Tz,
    report: &mut Report,
) -> Result<VEvent, ValueError> {
    let begin = comps[index].begin;
    let p = read_props(ical, index, comps, tree, report)?;
    let (timing, zone) = timing(&p, begin, floating)?;
    let title = match p.title.clone() {
        Some((title, line)) if !title.trim().is_empty() => {
            cut(title.trim().to_string(), TITLE_MAX, line, "SUMMARY", report)
        }
        _ => "(no title)".to_string(),
    };
    let description = p
        .description
        .clone()
        .map_or_else(String::new, |(d, line)| cut(d, DESCRIPTION_MAX, line, "DESCRIPTION", report));
    let location =
        p.location.clone().map_or_else(String::new, |(l, line)| cut(l, LOCATION_MAX, line, "LOCATION", report));
    let uid = match &p.uid {
        Some((uid, line)) if uid.len() > UID_MAX => {
            return Err(malformed(*line, format!("UID is longer than {UID_MAX} characters")));
        }
        Some((uid, _)) if !uid.is_empty() => uid.clone(),
        _ => made_up_uid(&p, &title),
    };
    let mut recurrence = None;
    match &p.rule {
        Some((_, line)) if p.recurrence_id.is_some() => {
            report.add(Some(*line), "RRULE", "a rule on a single occurrence is not imported");
        }
        Some((text, line)) => match Recurrence::parse(text).and_then(|rule| rule.check_event_parts().map(|()| rule)) {
            Ok(rule) => recurrence = Some(rule.as_str().to_string()),
            Err(error) => report.add(
                Some(*line),
                "RRULE",
                format!("{}: {}; the event was imported as a single occurrence", error.part, error.message),
            ),
        },
        None => {}
    }
    let mut exdates = Vec::new();
    for (whens, line) in &p.exdates {
        if recurrence.is_none() {
            report.add(Some(*line), "EXDATE", "the event does not repeat");
            continue;
        }
        for when in whens {
            exdates.push(values::recurrence_id(when, timing, zone, floating)?);
        }
    }
    exdates.sort_unstable();
    exdates.dedup();
    if exdates.len() > EXDATES_MAX {
        let line = p.exdates.first().map(|(_, line)| *line);
        report.add(line, "EXDATE", format!("only the first {EXDATES_MAX} excluded dates are imported"));
        exdates.truncate(EXDATES_MAX);
    }
    let event = IcsEvent {
        uid,
        title,
        description,
        location,
        timing,
        zone,
        recurrence,
        exdates,
        alerts: p.alerts.clone(),
        overrides: Vec::new(),
        kept: kept::of_vevent(tree, comps, index, &ical.components[index].component_ids),
        revision: 1,
        created_at: 0,
        updated_at: 0,
    };
    Ok(VEvent { line: begin, recurrence_id: p.recurrence_id.clone(), cancelled: p.cancelled, floating, event })
}

/// Groups occurrences (RECURRENCE-ID) under their series.
pub struct Mapped;

impl Mapped {
    pub fn group(vevents: Vec<VEvent>, report: &mut Report) -> Vec<IcsEvent> {
        let mut events: Vec<IcsEvent> = Vec::new();
        let mut by_uid: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let (series, occurrences): (Vec<VEvent>, Vec<VEvent>) =
            vevents.into_iter().partition(|v| v.recurrence_id.is_none());
        for v in series {
            if by_uid.contains_key(&v.event.uid) {
                report.add(
                    Some(v.line),
                    "UID",
                    format!("\u{201c}{}\u{201d} appears twice: the second was not imported", v.event.uid),
                );
            } else if v.cancelled {
                report.add(Some(v.line), "STATUS", "a cancelled event was not imported");
            } else {
                by_uid.insert(v.event.uid.clone(), events.len());
                events.push(v.event);
            }
        }
        for v in occurrences {
            Self::attach(&mut events, &by_uid, v, report);
        }
        for event in &mut events {
            event.exdates.sort_unstable();
            event.exdates.dedup();
            event.overrides.sort_by_key(|o| o.recurrence_id);
        }
        events
    }

    fn attach(
        events: &mut [IcsEvent],
        by_uid: &std::collections::HashMap<String, usize>,
        v: VEvent,
        report: &mut Report,
    ) {
        let Some((when, line)) = v.recurrence_id else { return };
        let Some(series) = by_uid.get(&v.event.uid).map(|&i| &mut events[i]) else {
            report.add(Some(line), "RECURRENCE-ID", "an occurrence whose series is not in the file was not imported");
            return;
        };
        if series.recurrence.is_none() {
            report.add(
                Some(line),
                "RECURRENCE-ID",
                "an occurrence of an event imported without its rule was not imported",
            );
            return;
        }
        let Ok(id) = values::recurrence_id(&when, series.timing, series.zone, v.floating) else {
            report.add(Some(line), "TZID", "an occurrence in an unknown time zone was not imported");
            return;
        };
        let full =
            if v.cancelled { series.exdates.len() >= EXDATES_MAX } else { series.overrides.len() >= OVERRIDES_MAX };
        if full && !series.overrides.iter().any(|o| o.recurrence_id == id) {
            report.add(
                Some(line),
                "RECURRENCE-ID",
                "a series takes at most 1,000 changed occurrences; the rest were not imported",
            );
            return;
        }
        if v.cancelled {
            series.exdates.push(id);
            series.overrides.retain(|o| o.recurrence_id != id);
            return;
        }
        if v.event.timing.is_all_day() != series.timing.is_all_day() {
            report.add(Some(line), "RECURRENCE-ID", "an occurrence changed between all-day and timed was not imported");
            return;
        }
        series.overrides.retain(|o| o.recurrence_id != id);
        series.overrides.push(IcsOverride {
            recurrence_id: id,
            title: v.event.title,
            description: v.event.description,
            location: v.event.location,
            timing: v.event.timing,
            kept: v.event.kept,
        });
    }
}
