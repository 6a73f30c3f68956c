//! Where things are in an iCalendar file. calcard parses values but says nothing about lines,
//! and tolerates structure a file must not have; this walk finds every content line (folds
//! joined), checks the structure (names, `:`, BEGIN/END nesting) and records, for every
//! component in the order calcard numbers them, the line of its BEGIN and of each property.
//! An import error can then name its line.

/// One content line: where it starts and its unfolded text.
#[derive(Debug, Clone)]
pub struct Line {
    pub number: usize,
    pub text: String,
}

impl Line {
    /// The property name: before the first `;` or `:`.
    pub fn name(&self) -> &str {
        self.text.split([';', ':']).next().unwrap_or_default().trim()
    }

    /// The value: after the first `:` outside a quoted parameter value.
    pub fn value(&self) -> Option<&str> {
        let mut quoted = false;
        for (i, c) in self.text.char_indices() {
            match c {
                '"' => quoted = !quoted,
                ':' if !quoted => return Some(&self.text[i + 1..]),
                _ => {}
            }
        }
        None
    }
}

/// One component: its type (upper case), the line of its BEGIN, and the index (into
/// `Tree::lines`) of each of its properties, in order.
#[derive(Debug, Clone)]
pub struct Comp {
    pub kind: String,
    pub begin: usize,
    pub entries: Vec<usize>,
}

/// A file's structure: its lines, and per VCALENDAR its components in BEGIN order (the
/// first is the VCALENDAR itself), as calcard numbers them.
#[derive(Debug, Clone)]
pub struct Tree {
    pub lines: Vec<Line>,
    pub calendars: Vec<Vec<Comp>>,
}

/// A structural error: the line and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

/// Most content lines a file may have.
pub const MAX_LINES: usize = 250_000;
/// Most bytes before a line's value (its name and parameters).
pub const MAX_NAME_AND_PARAMETERS: usize = 1_000;
/// Deepest nesting (VCALENDAR > VEVENT > VALARM is 3; VTIMEZONE > STANDARD too).
const MAX_DEPTH: usize = 5;

fn clip(text: &str) -> String {
    text.chars().take(40).collect()
}

fn error(line: usize, message: impl Into<String>) -> LineError {
    LineError { line, message: message.into() }
}

/// Joins folded lines (a line starting with a space or tab continues the previous one);
/// blank lines are skipped.
fn content_lines(text: &str) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some(last)) => last.text.push_str(rest),
            _ if raw.trim().is_empty() => {}
            _ => lines.push(Line { number: index + 1, text: raw.to_string() }),
        }
    }
    lines
}

fn check_line(line: &Line) -> Result<(), LineError> {
    let name = line.name();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(error(line.number, format!("not an iCalendar content line: {}", clip(&line.text))));
    }
    let Some(value) = line.value() else {
        return Err(error(line.number, format!("the line has no ':' before its value: {}", clip(&line.text))));
    };
    let head = line.text.len() - value.len();
    if head > MAX_NAME_AND_PARAMETERS {
        return Err(error(
            line.number,
            format!("a property name with its parameters is longer than {MAX_NAME_AND_PARAMETERS} characters"),
        ));
    }
    Ok(())
}

/// Reads the structure of `text`.
pub fn tree(text: &str) -> Result<Tree, LineError> {
    let lines = content_lines(text);
    if lines.len() > MAX_LINES {
        return Err(error(lines[MAX_LINES].number, format!("the file has more than {MAX_LINES} lines")));
    }
    let mut calendars: Vec<Vec<Comp>> = Vec::new();
    // Indexes into the current calendar's components.
    let mut stack: Vec<usize> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        check_line(line)?;
        let name = line.name().to_ascii_uppercase();
        let value = line.value().unwrap_or_default().trim().to_ascii_uppercase();
        match name.as_str() {
            "BEGIN" => {
                if value.is_empty() || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    return Err(error(line.number, "BEGIN names no component"));
                }
                if stack.is_empty() {
                    if value != "VCALENDAR" {
                        return Err(error(line.number, "expected BEGIN:VCALENDAR"));
                    }
                    calendars.push(Vec::new());
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(error(line.number, "components are nested too deeply"));
                }
                let comps = calendars.last_mut().expect("a calendar was begun");
                comps.push(Comp { kind: value, begin: line.number, entries: Vec::new() });
                stack.push(comps.len() - 1);
            }
            "END" => {
                let Some(open) = stack.pop() else {
                    return Err(error(line.number, format!("END:{value} without a BEGIN")));
                };
                let comps = calendars.last().expect("a calendar was begun");
                if comps[open].kind != value {
                    return Err(error(
                        line.number,
                        format!("expected END:{}, found END:{}", comps[open].kind, clip(&value)),
                    ));
                }
            }
            _ => {
                let Some(&open) = stack.last() else {
                    return Err(error(line.number, "expected BEGIN:VCALENDAR"));
                };
                calendars.last_mut().expect("a calendar was begun")[open].entries.push(index);
            }
        }
    }
    if let Some(&open) = stack.last() {
        let comp = &calendars.last().expect("a calendar was begun")[open];
        return Err(error(comp.begin, format!("BEGIN:{} has no END:{}", comp.kind, comp.kind)));
    }
    if calendars.is_empty() {
        return Err(error(lines.first().map_or(1, |l| l.number), "the file holds no VCALENDAR"));
    }
    Ok(Tree { lines, calendars })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_of(text: &str) -> usize {
        tree(text).unwrap_err().line
    }

    #[test]
    fn components_and_lines_in_order() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:a\r\n  b\r\n\r\nBEGIN:VALARM\r\nTRIGGER:-PT5M\r\n\
                    END:VALARM\r\nUID:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let tree = tree(text).unwrap();
        let comps = &tree.calendars[0];
        assert_eq!(comps.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>(), ["VCALENDAR", "VEVENT", "VALARM"]);
        let numbers = |c: &Comp| c.entries.iter().map(|&i| tree.lines[i].number).collect::<Vec<_>>();
        assert_eq!(numbers(&comps[1]), [4, 10]);
        assert_eq!(tree.lines[comps[1].entries[0]].text, "SUMMARY:a b");
        assert_eq!(comps[2].begin, 7);
    }

    #[test]
    fn structural_errors_name_the_line() {
        assert_eq!(line_of("BEGIN:VCALENDAR\nBEGIN:VEVENT\nnonsense\nEND:VEVENT\nEND:VCALENDAR\n"), 3);
        assert_eq!(line_of("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VCALENDAR\n"), 4);
        assert_eq!(line_of("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\n"), 2);
        assert_eq!(line_of("SUMMARY:x\n"), 1);
        assert_eq!(line_of("BEGIN:VEVENT\nEND:VEVENT\n"), 1);
        assert_eq!(line_of("BEGIN:VCALENDAR\nBAD NAME:x\nEND:VCALENDAR\n"), 2);
        assert_eq!(line_of("BEGIN:VCALENDAR\nEND:VCALENDAR\nEND:VCALENDAR\n"), 3);
        assert_eq!(line_of(""), 1);
    }

    #[test]
    fn quoted_colons_are_not_the_value() {
        let line = Line { number: 1, text: "DTSTART;TZID=\"a:b\":20270101T000000".into() };
        assert_eq!(line.value(), Some("20270101T000000"));
    }
}
