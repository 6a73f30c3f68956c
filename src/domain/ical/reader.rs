//! Importing a file: calcard parses it, `lines` says where everything is, and each VEVENT
//! becomes an `IcsEvent` (series with RRULE/EXDATE, RECURRENCE-ID components as overrides of
//! their series). What UMBRA cannot keep is listed as `Unsupported` with its line, never
//! dropped in silence; a malformed file is one `LineError` and nothing is imported.

use std::collections::HashMap;

use calcard::icalendar::{ICalendar, ICalendarComponent};
use calcard::{Entry, Parser};
use chrono_tz::Tz;

use super::event_map::{Mapped, VEvent, map_vevent};
use super::lines::{self, Comp, LineError, Tree};
use super::model::IcsEvent;
use super::zones;

/// Something in the file UMBRA did not import, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    pub line: Option<usize>,
    pub what: String,
    pub detail: String,
}

/// The events of a file and what was left out.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    pub events: Vec<IcsEvent>,
    pub unsupported: Vec<Unsupported>,
}

/// Most `unsupported` items listed one by one (the rest are counted in a last item).
const MAX_LISTED: usize = 200;

/// Collects what was left out; repeated properties are listed once with a count.
#[derive(Debug, Default)]
pub struct Report {
    items: Vec<Unsupported>,
    /// Property name → (index in `items`, count).
    counted: HashMap<String, (usize, usize)>,
    overflow: usize,
}

impl Report {
    pub fn add(&mut self, line: Option<usize>, what: impl Into<String>, detail: impl Into<String>) {
        if self.items.len() >= MAX_LISTED {
            self.overflow += 1;
            return;
        }
        self.items.push(Unsupported { line, what: what.into(), detail: detail.into() });
    }

    /// A property UMBRA does not keep: listed once, at its first line, with how often.
    pub fn property(&mut self, line: usize, name: &str) {
        let key = name.to_ascii_uppercase();
        if let Some((index, count)) = self.counted.get_mut(&key) {
            *count += 1;
            let many = *count;
            if let Some(item) = self.items.get_mut(*index) {
                item.detail = format!("not imported ({many} times)");
            }
            return;
        }
        if self.items.len() >= MAX_LISTED {
            self.overflow += 1;
            return;
        }
        self.counted.insert(key.clone(), (self.items.len(), 1));
        self.add(Some(line), key, "not imported");
    }

    fn finish(mut self) -> Vec<Unsupported> {
        if self.overflow > 0 {
            let detail = format!("and {} more items that were not imported", self.overflow);
            self.items.push(Unsupported { line: None, what: "…".into(), detail });
        }
        self.items
    }
}

/// Calendar-level properties that carry nothing to keep (or are used here).
const CALENDAR_SILENT: [&str; 5] = ["PRODID", "VERSION", "CALSCALE", "X-WR-TIMEZONE", "METHOD"];

/// Checks calcard read the same components and properties the line walk found.
fn matches_tree(ical: &ICalendar, comps: &[Comp], tree: &Tree) -> Result<(), LineError> {
    let begin = comps.first().map_or(1, |c| c.begin);
    if ical.components.len() != comps.len() {
        return Err(LineError { line: begin, message: "the calendar could not be read".into() });
    }
    for (component, comp) in ical.components.iter().zip(comps) {
        for (i, &index) in comp.entries.iter().enumerate() {
            let line = &tree.lines[index];
            let same = component.entries.get(i).is_some_and(|e| e.name.as_str().eq_ignore_ascii_case(line.name()));
            if !same {
                return Err(LineError { line: line.number, message: "this line could not be read".into() });
            }
        }
        if component.entries.len() != comp.entries.len() {
            return Err(LineError { line: comp.begin, message: "the component could not be read".into() });
        }
    }
    Ok(())
}

/// The zone floating times are in: the file's X-WR-TIMEZONE when it names one, else `default`.
fn file_zone(component: &ICalendarComponent, default: Tz) -> Tz {
    component
        .entries
        .iter()
        .find(|e| e.name.as_str().eq_ignore_ascii_case("X-WR-TIMEZONE"))
        .and_then(|e| e.values.first().and_then(|v| v.as_text()).and_then(zones::resolve))
        .unwrap_or(default)
}

/// One VCALENDAR's VEVENTs (others reported), in file order.
fn read_calendar(
    ical: &ICalendar,
    comps: &[Comp],
    tree: &Tree,
    default: Tz,
    report: &mut Report,
) -> Result<Vec<VEvent>, LineError> {
    let root = &ical.components[0];
    let zone = file_zone(root, default);
    for (entry, &index) in root.entries.iter().zip(&comps[0].entries) {
        let name = entry.name.as_str().to_ascii_uppercase();
        let value = entry.values.first().and_then(|v| v.as_text()).unwrap_or_default().to_ascii_uppercase();
        let silent = CALENDAR_SILENT.contains(&name.as_str())
            && !(name == "CALSCALE" && value != "GREGORIAN")
            && !(name == "METHOD" && value != "PUBLISH");
        if !silent {
            report.property(tree.lines[index].number, &name);
        }
    }
    let mut events = Vec::new();
    for &child in &root.component_ids {
        let child = child as usize;
        let (Some(component), Some(comp)) = (ical.components.get(child), comps.get(child)) else { continue };
        match comp.kind.as_str() {
            "VEVENT" => {
                if let Some(event) = map_vevent(ical, child, comps, tree, zone, report)? {
                    events.push(event);
                }
            }
            // Zones are named by TZID and taken from the tz database.
            "VTIMEZONE" => {}
            "VTODO" => report.add(Some(comp.begin), "VTODO", "to-dos in calendar files are not imported"),
            "VJOURNAL" => report.add(Some(comp.begin), "VJOURNAL", "journal entries are not imported"),
            other => report.add(Some(comp.begin), other.to_string(), format!("{other} components are not imported")),
        }
        let _ = component;
    }
    Ok(events)
}

/// Reads a file; `default` is the zone of floating times (the calendar's).
pub fn read(text: &str, default: Tz) -> Result<Imported, LineError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let tree = lines::tree(text)?;
    let mut parser = Parser::new(text);
    let mut report = Report::default();
    let mut vevents: Vec<VEvent> = Vec::new();
    for comps in &tree.calendars {
        let begin = comps.first().map_or(1, |c| c.begin);
        let Entry::ICalendar(ical) = parser.entry() else {
            return Err(LineError { line: begin, message: "the calendar could not be read".into() });
        };
        matches_tree(&ical, comps, &tree)?;
        vevents.extend(read_calendar(&ical, comps, &tree, default, &mut report)?);
    }
    let events = Mapped::group(vevents, &mut report);
    Ok(Imported { events, unsupported: report.finish() })
}
