//! Writing iCalendar content lines (RFC 5545 §3.1): CRLF line ends, lines folded at 75 octets
//! without ever splitting a UTF-8 sequence, and TEXT values escaped so that no user text can
//! end a line and start a property or a component of its own.
//!
//! Every value goes through `Writer::property`, which drops control characters and line breaks
//! from values that are not TEXT (`text::one_line`: they are server-made or a client's kept
//! lines, and a stray CR, LF or Unicode line separator — which some readers take for a line
//! break — must never start another line in other members' clients).

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::domain::text::{one_line, plain};

/// The longest line, in octets, before it is folded (CRLF not counted).
const FOLD_AT: usize = 75;

/// A TEXT value (§3.3.11): the text as `text::plain` makes it (every line break one `\n`,
/// other control characters, which TEXT may not hold, dropped; a tab stays), with `\`, `;`,
/// `,` and the line breaks escaped.
pub fn escape_text(text: &str) -> String {
    let text = plain(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// An iCalendar stream being written.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
}

impl Writer {
    pub fn with_capacity(bytes: usize) -> Self {
        Self { out: String::with_capacity(bytes) }
    }

    pub fn finish(self) -> String {
        self.out
    }

    /// Bytes written so far (what a caller with a size limit checks).
    pub fn len(&self) -> usize {
        self.out.len()
    }

    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    pub fn begin(&mut self, component: &str) {
        self.raw_line("BEGIN", component);
    }

    pub fn end(&mut self, component: &str) {
        self.raw_line("END", component);
    }

    /// A TEXT property: the value is escaped here.
    pub fn text(&mut self, name: &str, value: &str) {
        let escaped = escape_text(value);
        self.fold(name, &escaped);
    }

    /// A property whose value (and `name_and_params`) the server made: not escaped, but
    /// stripped of control characters.
    pub fn property(&mut self, name_and_params: &str, value: &str) {
        self.fold(&one_line(name_and_params), &one_line(value));
    }

    /// A content line a client sent (unfolded), written as it came but folded like every
    /// other line; one without a value is not a content line and is left out.
    pub fn line(&mut self, text: &str) {
        let parsed = super::lines::Line { number: 0, text: text.to_string() };
        let Some(value) = parsed.value() else { return };
        let head = &text[..text.len() - value.len() - 1];
        self.property(head, value);
    }

    /// Kept lines (joined by `\n`, as stored), each with `line`.
    pub fn lines(&mut self, kept: &str) {
        for text in kept.lines().filter(|l| !l.trim().is_empty()) {
            self.line(text);
        }
    }

    fn raw_line(&mut self, name: &str, value: &str) {
        self.fold(name, &one_line(value));
    }

    /// `name:value` folded: at most 75 octets per physical line, continuation lines start with
    /// one space (which counts towards their 75), and a cut always falls between characters.
    fn fold(&mut self, name: &str, value: &str) {
        let mut line = String::with_capacity(name.len() + value.len() + 1);
        line.push_str(name);
        line.push(':');
        line.push_str(value);
        let mut rest = line.as_str();
        let mut limit = FOLD_AT;
        loop {
            if rest.len() <= limit {
                self.out.push_str(rest);
                self.out.push_str("\r\n");
                return;
            }
            let mut cut = limit;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            self.out.push_str(&rest[..cut]);
            self.out.push_str("\r\n ");
            rest = &rest[cut..];
            limit = FOLD_AT - 1;
        }
    }
}

/// `YYYYMMDDTHHMMSSZ`.
pub fn utc_stamp(millis: i64) -> String {
    let at = DateTime::<Utc>::from_timestamp_millis(millis).unwrap_or_default();
    let mut out = String::with_capacity(16);
    let _ = write!(out, "{}", at.format("%Y%m%dT%H%M%SZ"));
    out
}

/// `YYYYMMDDTHHMMSS` (a local time, written beside a TZID).
pub fn local_stamp(local: NaiveDateTime) -> String {
    local.format("%Y%m%dT%H%M%S").to_string()
}

/// `YYYYMMDD`.
pub fn date_stamp(date: NaiveDate) -> String {
    date.format("%Y%m%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_separators_and_breaks() {
        assert_eq!(escape_text("a\\b;c,d\ne\r\nf\rg"), "a\\\\b\\;c\\,d\\ne\\nf\\ng");
        assert_eq!(escape_text("bell\u{7}tab\t"), "belltab\t");
    }

    #[test]
    fn injected_lines_stay_one_value() {
        let mut writer = Writer::default();
        writer.text("SUMMARY", "Lunch\r\nATTENDEE:mailto:evil@example.com\r\nEND:VEVENT");
        let out = writer.finish();
        assert_eq!(out.matches("\r\n").count(), 1, "{out}");
        assert!(out.starts_with("SUMMARY:Lunch\\nATTENDEE:mailto:evil@example.com\\nEND:VEVENT"));
        let mut writer = Writer::default();
        writer.property("RRULE", "FREQ=DAILY\r\nATTENDEE:x");
        assert_eq!(writer.finish(), "RRULE:FREQ=DAILYATTENDEE:x\r\n");
    }

    #[test]
    fn folds_at_75_octets_between_characters() {
        // "SUMMARY:" is 8 octets; 66 ASCII + a 3-octet character puts the character across 75.
        let value = format!("{}€{}", "a".repeat(66), "é".repeat(80));
        let mut writer = Writer::default();
        writer.text("SUMMARY", &value);
        let out = writer.finish();
        let lines: Vec<&str> = out.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(lines.len() > 2);
        for (i, line) in lines.iter().enumerate() {
            assert!(line.len() <= 75, "line {i} is {} octets", line.len());
            assert_eq!(i > 0, line.starts_with(' '));
        }
        assert_eq!(lines[0].len(), 74, "the euro sign does not fit and moves to the next line");
        let unfolded: String = lines.iter().enumerate().map(|(i, l)| if i == 0 { *l } else { &l[1..] }).collect();
        assert_eq!(unfolded, format!("SUMMARY:{value}"));
    }

    #[test]
    fn kept_lines_are_written_as_sent_and_folded() {
        let mut writer = Writer::default();
        writer.lines(&format!("X-A;P=\"q:r\":v:w\n\nno value\nX-LONG:{}", "x".repeat(80)));
        let out = writer.finish();
        assert!(out.starts_with("X-A;P=\"q:r\":v:w\r\nX-LONG:"), "{out}");
        assert!(!out.contains("no value"), "{out}");
        assert!(out.contains("\r\n x"), "folded: {out}");
    }

    #[test]
    fn kept_lines_cannot_carry_a_line_separator() {
        let mut writer = Writer::default();
        writer.line("X-A:v\u{2028}BEGIN:VEVENT\u{2029}x");
        assert_eq!(writer.finish(), "X-A:vBEGIN:VEVENTx\r\n");
    }

    #[test]
    fn stamps() {
        assert_eq!(utc_stamp(0), "19700101T000000Z");
        let date = NaiveDate::from_ymd_opt(2027, 3, 28).unwrap();
        assert_eq!(date_stamp(date), "20270328");
        assert_eq!(local_stamp(date.and_hms_opt(9, 5, 0).unwrap()), "20270328T090500");
    }
}
