//! One todo as a VTODO calendar object resource (RFC 5545 §3.6.2, RFC 4791): `read` turns a
//! client's VCALENDAR into a `VTodo` (the service validates it with the API's own rules),
//! `write` turns a stored todo back into one.
//!
//! Mapping: SUMMARY ↔ title, DESCRIPTION ↔ notes, PRIORITY (none 0, high 1, medium 5, low 9;
//! read back by RFC 5545's ranges 1–4, 5, 6–9), DUE (a date, or a date-time in the todo's
//! zone), STATUS and COMPLETED, RRULE (the app's subset: the service checks it), CATEGORIES
//! (the todo's category is the first name), UID. What only UMBRA has rides in X- properties
//! that other clients keep and do not show: the checklist as JSON (`X-UMBRA-CHECKLIST`; as
//! text in DESCRIPTION it would be edited by hand and come back mangled) and "repeat from
//! completion" (`X-UMBRA-RECUR-FROM`).
//!
//! Everything else the client sent in the VTODO is kept as its own content lines (`extra`,
//! unfolded, properties first, then sub-components such as VALARM) and written back: unknown
//! properties, DTSTART, DURATION, the parameters of SUMMARY and DESCRIPTION (the line is kept
//! as a template whose value is replaced), and the states UMBRA has no room for (STATUS
//! IN-PROCESS / CANCELLED, PERCENT-COMPLETE), which are written back while they still agree
//! with whether the todo is done. DTSTAMP, CREATED, LAST-MODIFIED and SEQUENCE are the
//! server's and are dropped. The lines are read directly: `lines::tree` checks the structure,
//! and a VTODO's values (text, dates, integers) are simple enough to read here.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

use super::export::is_utc;
use super::lines::{self, Line};
use super::model::local;
pub use super::values::local_instant;
use super::vtimezone;
use super::writer::{Writer, date_stamp, escape_text, local_stamp, utc_stamp};
use super::zones;
use crate::domain::time::YEARS;
use crate::domain::todos::{ChecklistItem, Priority, RecurFrom, TodoState};

pub const PRODID: &str = "-//UMBRA//UMBRA Todos//EN";
const CHECKLIST: &str = "X-UMBRA-CHECKLIST";
const RECUR_FROM: &str = "X-UMBRA-RECUR-FROM";
/// Longest UID kept (as for events).
pub const UID_MAX: usize = 255;
/// How many years past a repeating todo's due date its VTIMEZONE covers.
const FUTURE_YEARS: i32 = 5;

/// Properties the server sets: a client's values are not kept.
const SERVER_OWNED: [&str; 4] = ["DTSTAMP", "CREATED", "LAST-MODIFIED", "SEQUENCE"];

/// The RFC 4791 preconditions a refusal names.
pub const VALID_DATA: &str = "valid-calendar-data";
pub const VALID_OBJECT: &str = "valid-calendar-object-resource";
pub const SUPPORTED_COMPONENT: &str = "supported-calendar-component";

/// When a todo is due, as the client wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    None,
    Date(NaiveDate),
    /// An instant; `zone` is the TZID's zone, `None` for UTC (the todo keeps its zone then).
    At {
        at: i64,
        zone: Option<Tz>,
    },
    /// A floating date-time: local time in the todo's zone, whatever that is.
    Floating(NaiveDateTime),
}

/// A client's VTODO, read but not yet validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VTodo {
    pub uid: String,
    pub title: String,
    pub notes: String,
    pub priority: Priority,
    pub due: Due,
    pub completed: bool,
    pub completed_at: Option<i64>,
    /// RRULE text as written.
    pub recurrence: Option<String>,
    /// `None`: no X-UMBRA-RECUR-FROM (a client that drops X- properties must not reset it).
    pub recur_from: Option<RecurFrom>,
    /// CATEGORIES, every name in order.
    pub categories: Vec<String>,
    /// `None`: no X-UMBRA-CHECKLIST (as above: only UMBRA writes it, so absent means kept).
    pub checklist: Option<Vec<ChecklistItem>>,
    /// The client's lines UMBRA keeps for it.
    pub extra: Vec<String>,
}

/// Why a body was refused: the precondition it breaks and a reason a person can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapError {
    pub precondition: &'static str,
    pub message: String,
}

fn refuse(precondition: &'static str, message: impl Into<String>) -> MapError {
    MapError { precondition, message: message.into() }
}

fn invalid(line: &Line, message: impl std::fmt::Display) -> MapError {
    refuse(VALID_DATA, format!("line {}: {message}", line.number))
}

// ---- content lines ----

/// A TEXT value unescaped (§3.3.11). NUL is dropped: PostgreSQL cannot store it.
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            '\0' => {}
            c => out.push(c),
        }
    }
    out
}

/// A list of TEXT values (CATEGORIES): split at commas that are not escaped.
fn text_list(value: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            ',' => {
                items.push(unescape(&value[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(unescape(&value[start..]));
    items.into_iter().map(|item| item.trim().to_string()).filter(|item| !item.is_empty()).collect()
}

/// A content line's name (upper case), parameters (names upper case, values unquoted) and value.
struct Prop<'a> {
    name: String,
    params: Vec<(String, String)>,
    value: &'a str,
    line: &'a Line,
}

impl<'a> Prop<'a> {
    fn of(line: &'a Line) -> Self {
        let value = line.value().unwrap_or_default();
        let head = &line.text[..line.text.len() - value.len()];
        let head = head.strip_suffix(':').unwrap_or(head);
        let mut parts = Vec::new();
        let (mut start, mut quoted) = (0, false);
        for (i, c) in head.char_indices() {
            match c {
                '"' => quoted = !quoted,
                ';' if !quoted => {
                    parts.push(&head[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&head[start..]);
        let name = parts[0].trim().to_ascii_uppercase();
        let params = parts[1..]
            .iter()
            .filter_map(|p| p.split_once('='))
            .map(|(n, v)| (n.trim().to_ascii_uppercase(), v.trim().trim_matches('"').to_string()))
            .collect();
        Self { name, params, value, line }
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// A date or date-time (§3.3.4, §3.3.5) within `time::YEARS`.
    fn when(&self) -> Result<When, MapError> {
        let text = self.value.trim();
        let bad = || invalid(self.line, format!("{} is not a date or a date-time: {}", self.name, clip(text)));
        let when = match text.len() {
            8 => When::Date(NaiveDate::parse_from_str(text, "%Y%m%d").map_err(|_| bad())?),
            15 => When::Local(
                NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S").map_err(|_| bad())?,
                self.param("TZID").map(str::to_string),
            ),
            16 if text.ends_with('Z') => When::Utc(
                NaiveDateTime::parse_from_str(&text[..15], "%Y%m%dT%H%M%S")
                    .map_err(|_| bad())?
                    .and_utc()
                    .timestamp_millis(),
            ),
            _ => return Err(bad()),
        };
        let year = match &when {
            When::Date(date) => date.year(),
            When::Local(at, _) => at.year(),
            When::Utc(ms) => local(chrono_tz::UTC, *ms).year(),
        };
        if !YEARS.contains(&year) {
            return Err(invalid(self.line, format!("{} is outside the years 1900 to 2200", self.name)));
        }
        Ok(when)
    }

    /// An instant: a date-time in UTC, in its TZID's zone, or floating (in `floating`).
    fn instant(&self, floating: Tz) -> Result<(i64, Option<Tz>), MapError> {
        match self.when()? {
            When::Utc(ms) => Ok((ms, None)),
            When::Local(at, None) => Ok((local_instant(floating, at), None)),
            When::Local(at, Some(tzid)) => {
                let zone = zones::resolve(&tzid)
                    .ok_or_else(|| invalid(self.line, format!("unknown time zone \u{201c}{}\u{201d}", clip(&tzid))))?;
                Ok((local_instant(zone, at), Some(zone)))
            }
            When::Date(_) => Err(invalid(self.line, format!("{} must be a date-time", self.name))),
        }
    }
}

enum When {
    Date(NaiveDate),
    Utc(i64),
    Local(NaiveDateTime, Option<String>),
}

fn clip(text: &str) -> String {
    text.chars().take(40).collect()
}

/// The raw line with NUL dropped (PostgreSQL cannot store it).
fn kept(line: &Line) -> String {
    line.text.replace('\0', "")
}

// ---- reading ----

/// Reads a client's calendar object: one VCALENDAR holding one VTODO (and any VTIMEZONEs).
/// A floating COMPLETED is read in `floating` (the user's zone).
pub fn read(text: &str, floating: Tz) -> Result<VTodo, MapError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let tree = lines::tree(text).map_err(|e| refuse(VALID_DATA, format!("line {}: {}", e.line, e.message)))?;
    if tree.calendars.len() != 1 {
        return Err(refuse(VALID_OBJECT, "the body must hold exactly one VCALENDAR"));
    }
    // Each VTODO's lines (its BEGIN and END left out, those of its sub-components kept).
    let mut todos: Vec<Vec<&Line>> = Vec::new();
    let mut current: Option<Vec<&Line>> = None;
    let mut depth = 0_usize;
    for line in &tree.lines {
        let name = line.name().to_ascii_uppercase();
        match name.as_str() {
            "BEGIN" => {
                depth += 1;
                if depth == 2 {
                    let kind = line.value().unwrap_or_default().trim().to_ascii_uppercase();
                    match kind.as_str() {
                        "VTODO" => current = Some(Vec::new()),
                        "VTIMEZONE" => {}
                        other => {
                            return Err(refuse(
                                SUPPORTED_COMPONENT,
                                format!("this collection holds todos (VTODO), not {}", clip(other)),
                            ));
                        }
                    }
                    continue;
                }
            }
            "END" => {
                depth -= 1;
                if depth == 1 {
                    todos.extend(current.take());
                    continue;
                }
            }
            _ => {}
        }
        if depth >= 2
            && let Some(lines) = current.as_mut()
        {
            lines.push(line);
        }
    }
    match todos.len() {
        0 => Err(refuse(SUPPORTED_COMPONENT, "the calendar holds no VTODO")),
        1 => map_vtodo(&todos[0], floating),
        _ => {
            let uids: std::collections::HashSet<String> = todos
                .iter()
                .map(|lines| {
                    lines
                        .iter()
                        .find(|l| l.name().eq_ignore_ascii_case("UID"))
                        .map(|l| Prop::of(l).value.trim().to_string())
                        .unwrap_or_default()
                })
                .collect();
            if uids.len() == 1 {
                Err(refuse(
                    VALID_DATA,
                    "UMBRA keeps no separately changed occurrences of a repeating todo (RECURRENCE-ID)",
                ))
            } else {
                Err(refuse(VALID_OBJECT, "one resource holds one todo: the VTODOs have different UIDs"))
            }
        }
    }
}

/// A VTODO being read, property by property.
struct Reading {
    todo: VTodo,
    seen_uid: bool,
    seen_title: bool,
    seen_notes: bool,
    status: Option<String>,
    completed_line: bool,
}

impl Reading {
    fn property(&mut self, prop: &Prop<'_>, floating: Tz) -> Result<(), MapError> {
        let (todo, line) = (&mut self.todo, prop.line);
        match prop.name.as_str() {
            "UID" if !self.seen_uid => {
                // As the writer writes it: a UID with a control character would come back as another.
                todo.uid = crate::domain::text::plain(&unescape(prop.value)).trim().to_string();
                self.seen_uid = true;
            }
            "SUMMARY" | "DESCRIPTION" => {
                let summary = prop.name == "SUMMARY";
                let seen = if summary { &mut self.seen_title } else { &mut self.seen_notes };
                if !*seen {
                    *seen = true;
                    *(if summary { &mut todo.title } else { &mut todo.notes }) = unescape(prop.value);
                    // Parameters (LANGUAGE, ALTREP, X-…) are the client's: the line is kept as a
                    // template for writing the value back.
                    if !prop.params.is_empty() {
                        todo.extra.push(kept(line));
                    }
                }
            }
            "PRIORITY" => {
                let value: u8 = prop
                    .value
                    .trim()
                    .parse()
                    .ok()
                    .filter(|p| *p <= 9)
                    .ok_or_else(|| invalid(line, "PRIORITY must be a number from 0 to 9"))?;
                todo.priority = priority_from_ical(value);
            }
            "DUE" => {
                todo.due = match prop.when()? {
                    When::Date(date) => Due::Date(date),
                    When::Local(at, None) => Due::Floating(at),
                    _ => {
                        let (at, zone) = prop.instant(floating)?;
                        Due::At { at, zone }
                    }
                };
            }
            "STATUS" => {
                let value = prop.value.trim().to_ascii_uppercase();
                if matches!(value.as_str(), "IN-PROCESS" | "CANCELLED") {
                    todo.extra.push(kept(line));
                }
                self.status = Some(value);
            }
            "COMPLETED" => {
                todo.completed_at = Some(prop.instant(floating)?.0);
                self.completed_line = true;
            }
            "RRULE" if todo.recurrence.is_none() => todo.recurrence = Some(prop.value.trim().to_string()),
            "RRULE" => return Err(invalid(line, "a todo repeats by one RRULE")),
            "EXDATE" | "RDATE" => {
                let message = format!("UMBRA todos repeat by their rule alone: {} cannot be kept", prop.name);
                return Err(invalid(line, message));
            }
            "RECURRENCE-ID" => {
                return Err(invalid(line, "UMBRA keeps no separately changed occurrences of a repeating todo"));
            }
            "CATEGORIES" => todo.categories.extend(text_list(prop.value)),
            CHECKLIST => {
                let items: Vec<ChecklistItem> = serde_json::from_str(&unescape(prop.value))
                    .map_err(|_| invalid(line, format!("{CHECKLIST} is not a checklist UMBRA wrote")))?;
                todo.checklist = Some(items);
            }
            RECUR_FROM => {
                let completion = prop.value.trim().eq_ignore_ascii_case("COMPLETION");
                todo.recur_from = Some(if completion { RecurFrom::Completion } else { RecurFrom::Due });
            }
            name if SERVER_OWNED.contains(&name) => {}
            // Unknown properties, DTSTART, DURATION, PERCENT-COMPLETE, …: the client's own.
            _ => todo.extra.push(kept(line)),
        }
        Ok(())
    }

    fn finish(mut self, components: Vec<String>) -> Result<VTodo, MapError> {
        let todo = &mut self.todo;
        if todo.uid.is_empty() {
            return Err(refuse(VALID_OBJECT, "the VTODO has no UID"));
        }
        if todo.uid.chars().count() > UID_MAX {
            return Err(refuse(VALID_OBJECT, format!("the UID is longer than {UID_MAX} characters")));
        }
        // COMPLETED alone says done; an explicit STATUS says it better (a client reopening a
        // todo may leave the old COMPLETED behind).
        todo.completed = match self.status.as_deref() {
            Some("COMPLETED" | "CANCELLED") => true,
            Some(_) => false,
            None => self.completed_line,
        };
        if !todo.completed {
            todo.completed_at = None;
        }
        todo.extra.extend(components);
        Ok(self.todo)
    }
}

fn map_vtodo(lines: &[&Line], floating: Tz) -> Result<VTodo, MapError> {
    let mut reading = Reading {
        todo: VTodo {
            uid: String::new(),
            title: String::new(),
            notes: String::new(),
            priority: Priority::None,
            due: Due::None,
            completed: false,
            completed_at: None,
            recurrence: None,
            recur_from: None,
            categories: Vec::new(),
            checklist: None,
            extra: Vec::new(),
        },
        seen_uid: false,
        seen_title: false,
        seen_notes: false,
        status: None,
        completed_line: false,
    };
    // Sub-components (VALARM) are kept whole, after the properties.
    let mut components: Vec<String> = Vec::new();
    let mut depth = 0_usize;
    for &line in lines {
        let prop = Prop::of(line);
        match prop.name.as_str() {
            "BEGIN" => depth += 1,
            "END" => depth -= 1,
            _ => {}
        }
        if depth > 0 || prop.name == "END" {
            components.push(kept(line));
        } else {
            reading.property(&prop, floating)?;
        }
    }
    reading.finish(components)
}

/// RFC 5545 §3.8.1.9: 1–4 high, 5 medium, 6–9 low, 0 undefined.
pub fn priority_from_ical(value: u8) -> Priority {
    match value {
        1..=4 => Priority::High,
        5 => Priority::Medium,
        6..=9 => Priority::Low,
        _ => Priority::None,
    }
}

pub fn priority_to_ical(priority: Priority) -> u8 {
    match priority {
        Priority::None => 0,
        Priority::High => 1,
        Priority::Medium => 5,
        Priority::Low => 9,
    }
}

// ---- writing ----

/// A stored todo, as `write` needs it.
pub struct TodoObject<'a> {
    pub uid: &'a str,
    pub state: &'a TodoState,
    /// The name of the todo's category.
    pub category: Option<&'a str>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The client's kept lines, one a line (`todos.dav_extra`).
    pub extra: &'a str,
}

/// The head of a kept line (name and parameters, without the `:`), control characters dropped.
fn head_of(line: &str) -> String {
    let line = Line { number: 0, text: line.to_string() };
    let value_len = line.value().map_or(0, |v| v.len() + 1);
    line.text[..line.text.len() - value_len].chars().filter(|c| !c.is_control()).collect()
}

fn value_of(line: &str) -> String {
    Line { number: 0, text: line.to_string() }.value().unwrap_or_default().to_string()
}

/// The todo as a VCALENDAR with one VTODO. Only stored values go in (no "now"), so the same
/// revision is always the same text, as a strong ETag promises.
pub fn write(todo: &TodoObject<'_>) -> String {
    let state = todo.state;
    let extra: Vec<&str> = todo.extra.lines().filter(|l| !l.is_empty()).collect();
    // The kept lines that are the VTODO's own properties (not inside a VALARM), by name.
    let mut own: Vec<(String, &str)> = Vec::new();
    let mut rest: Vec<&str> = Vec::new();
    let mut depth = 0_usize;
    for line in &extra {
        let name = Line { number: 0, text: (*line).to_string() }.name().to_ascii_uppercase();
        match name.as_str() {
            "BEGIN" => depth += 1,
            "END" => depth = depth.saturating_sub(1),
            _ if depth == 0 && matches!(name.as_str(), "SUMMARY" | "DESCRIPTION" | "STATUS" | "PERCENT-COMPLETE") => {
                own.push((name, line));
                continue;
            }
            _ => {}
        }
        rest.push(line);
    }
    let kept = |name: &str| own.iter().find(|(n, _)| n == name).map(|(_, line)| *line);

    let mut out = Writer::with_capacity(1024 + todo.extra.len());
    out.begin("VCALENDAR");
    out.property("VERSION", "2.0");
    out.property("PRODID", PRODID);
    out.property("CALSCALE", "GREGORIAN");
    let zone = state.timezone;
    if let Some(at) = state.due_at
        && !is_utc(zone)
    {
        let year = local(zone, at).year();
        let last = if state.recurrence.is_some() { year + FUTURE_YEARS } else { year };
        vtimezone::write(&mut out, zone, year, last.min(*YEARS.end()));
    }
    out.begin("VTODO");
    out.text("UID", todo.uid);
    out.property("DTSTAMP", &utc_stamp(todo.updated_at));
    out.property("CREATED", &utc_stamp(todo.created_at));
    out.property("LAST-MODIFIED", &utc_stamp(todo.updated_at));
    let text = |out: &mut Writer, name: &str, value: &str| match kept(name) {
        Some(template) => out.text(&head_of(template), value),
        None => out.text(name, value),
    };
    text(&mut out, "SUMMARY", &state.title);
    if !state.notes.is_empty() {
        text(&mut out, "DESCRIPTION", &state.notes);
    }
    if state.priority != Priority::None {
        out.property("PRIORITY", &priority_to_ical(state.priority).to_string());
    }
    if let Some(date) = state.due_date {
        out.property("DUE;VALUE=DATE", &date_stamp(date));
    } else if let Some(at) = state.due_at {
        if is_utc(zone) {
            out.property("DUE", &utc_stamp(at));
        } else {
            out.property(&format!("DUE;TZID={}", zone.name()), &local_stamp(local(zone, at)));
        }
    }
    if let Some(rule) = &state.recurrence {
        out.property("RRULE", rule.as_str());
    }
    let kept_status = kept("STATUS").map(|line| value_of(line).trim().to_ascii_uppercase());
    let kept_percent = kept("PERCENT-COMPLETE").map(|line| value_of(line).trim().to_string());
    if state.completed {
        if kept_status.as_deref() == Some("CANCELLED") {
            out.property("STATUS", "CANCELLED");
        } else {
            out.property("STATUS", "COMPLETED");
            if let Some(at) = state.completed_at {
                out.property("COMPLETED", &utc_stamp(at));
            }
        }
        if kept_percent.is_some() {
            out.property("PERCENT-COMPLETE", "100");
        }
    } else {
        let in_process = kept_status.as_deref() == Some("IN-PROCESS");
        out.property("STATUS", if in_process { "IN-PROCESS" } else { "NEEDS-ACTION" });
        if let Some(percent) = kept_percent.filter(|p| p != "100") {
            out.property("PERCENT-COMPLETE", &percent);
        }
    }
    if let Some(category) = todo.category {
        out.text("CATEGORIES", category);
    }
    if state.recurrence.is_some() && state.recur_from == RecurFrom::Completion {
        out.property(RECUR_FROM, "COMPLETION");
    }
    if !state.checklist.is_empty() {
        out.text(CHECKLIST, &serde_json::to_string(&state.checklist).unwrap_or_else(|_| "[]".into()));
    }
    for line in rest {
        let value = value_of(line);
        out.property(&head_of(line), &value);
    }
    out.end("VTODO");
    out.end("VCALENDAR");
    out.finish()
}

/// The kept lines as stored in `dav_extra`.
pub fn join_extra(extra: &[String]) -> String {
    extra.join("\n")
}

/// A `CATEGORIES` line for names beyond the first (kept for the client).
pub fn categories_line(names: &[String]) -> String {
    let escaped: Vec<String> = names.iter().map(|name| escape_text(name)).collect();
    format!("CATEGORIES:{}", escaped.join(","))
}

#[cfg(test)]
mod tests;
