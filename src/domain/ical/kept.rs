//! What a CalDAV client sent on a VEVENT that UMBRA has no field for, kept verbatim so the
//! client reads back what it wrote: the unknown property lines and the VALARM components.
//! Both are unfolded content lines joined by `\n` (the form `events.dav_extra` stores) and
//! are folded again when written (`Writer::line`). The file import reads them too but
//! stores nothing of them.

use super::lines::{Comp, Tree};

/// What the export writes or the import maps on a VEVENT: never kept as an unknown property
/// (a client echoing them back would otherwise double them). BEGIN and END never reach a
/// component's entries; they are listed so kept text can never open or close a component.
pub const KNOWN: [&str; 17] = [
    "UID",
    "DTSTAMP",
    "CREATED",
    "LAST-MODIFIED",
    "SEQUENCE",
    "DTSTART",
    "DTEND",
    "DURATION",
    "SUMMARY",
    "DESCRIPTION",
    "LOCATION",
    "RRULE",
    "EXDATE",
    "RECURRENCE-ID",
    "BEGIN",
    "END",
    "RDATE",
];

/// One VEVENT's kept text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept {
    /// The unknown property lines.
    pub extra: String,
    /// The VALARM components as sent (`BEGIN:VALARM` … `END:VALARM`, possibly none), written
    /// instead of alarms made from `alerts`; `None`: the export makes them from `alerts`.
    pub alarms: Option<String>,
}

impl Kept {
    /// Bytes of kept text (what counts against a DAV object's budget).
    pub fn bytes(&self) -> usize {
        self.extra.len() + self.alarms.as_ref().map_or(0, String::len)
    }
}

fn is_known(name: &str) -> bool {
    KNOWN.iter().any(|k| name.eq_ignore_ascii_case(k))
}

/// The kept text of the VEVENT `comps[index]`, whose child components are `children`.
pub fn of_vevent(tree: &Tree, comps: &[Comp], index: usize, children: &[u32]) -> Kept {
    let Some(comp) = comps.get(index) else { return Kept::default() };
    let texts =
        |c: &Comp| c.entries.iter().filter_map(|&i| tree.lines.get(i)).map(|l| l.text.clone()).collect::<Vec<_>>();
    let extra: Vec<String> = texts(comp).into_iter().filter(|t| !is_known(name_of(t))).collect();
    let mut alarms: Vec<String> = Vec::new();
    for alarm in children.iter().filter_map(|&c| comps.get(c as usize)).filter(|c| c.kind == "VALARM") {
        alarms.push("BEGIN:VALARM".into());
        alarms.extend(texts(alarm));
        alarms.push("END:VALARM".into());
    }
    Kept { extra: extra.join("\n"), alarms: Some(alarms.join("\n")) }
}

/// A content line's property name (as `lines::Line::name`).
fn name_of(text: &str) -> &str {
    text.split([';', ':']).next().unwrap_or_default().trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ical::lines;

    const OBJECT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T100000Z\r\n\
        X-CLIENT-THING;X-P=1:some value\r\nCATEGORIES:Work,Home\r\nSUMMARY:Hi\r\nBEGIN:VALARM\r\nACTION:AUDIO\r\n\
        TRIGGER;VALUE=DATE-TIME:20251231T090000Z\r\nX-WR-ALARMUID:1\r\n 23\r\nEND:VALARM\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:a\r\nRECURRENCE-ID:20260102T100000Z\r\nX-OVERRIDE:no\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn keeps_unknown_lines_and_alarms_per_vevent() {
        let tree = lines::tree(OBJECT).unwrap();
        let comps = &tree.calendars[0];
        let series = of_vevent(&tree, comps, 1, &[2]);
        assert_eq!(series.extra, "X-CLIENT-THING;X-P=1:some value\nCATEGORIES:Work,Home");
        assert_eq!(
            series.alarms.as_deref(),
            Some("BEGIN:VALARM\nACTION:AUDIO\nTRIGGER;VALUE=DATE-TIME:20251231T090000Z\nX-WR-ALARMUID:123\nEND:VALARM")
        );
        let occurrence = of_vevent(&tree, comps, 3, &[]);
        assert_eq!(occurrence, Kept { extra: "X-OVERRIDE:no".into(), alarms: Some(String::new()) });
    }
}
