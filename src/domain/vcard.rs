//! vCard files (RFC 6350, and 3.0 input) through the `calcard` crate: it does the format's
//! work — unfolding, unescaping, parameters and value types when reading; escaping and
//! UTF-8-safe folding at 75 octets when writing.
//!
//! What calcard does not say is *where*: an import error must name the card and the line, and
//! calcard reports neither. So `read` keeps a small index of the lines where content lines
//! start and walks it alongside calcard's entries (one per content line between `BEGIN` and
//! `END`), checking each entry's name against its line. The same walk refuses what calcard
//! would quietly tolerate: a line it skipped, an `END` that is not `END:VCARD`, a property
//! name that is no name. Mapping a card to a person is `domain::people_vcard`'s business.

use calcard::vcard::{VCard, VCardEntry, VCardVersion};
use calcard::{Entry, Parser};

/// One `BEGIN:VCARD` … `END:VCARD` block as calcard read it, with where it came from.
#[derive(Debug, Clone)]
pub struct Card {
    pub vcard: VCard,
    /// Line of `BEGIN:VCARD` (1-based).
    pub line: usize,
    /// Line each of `vcard.entries` began on, index for index.
    pub lines: Vec<usize>,
}

impl Card {
    /// Each entry with the line it began on.
    pub fn entries(&self) -> impl Iterator<Item = (&VCardEntry, usize)> {
        self.vcard.entries.iter().zip(self.lines.iter().copied())
    }
}

/// Why a file could not be read: which card (1-based, when inside one) and which line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub card: Option<usize>,
    pub line: usize,
    pub message: String,
}

/// One content line: where it starts and its unfolded text (calcard unfolds for itself; this
/// copy only locates lines and checks names).
struct Line {
    number: usize,
    text: String,
}

impl Line {
    /// The property name: before the first `;` or `:`, group dropped.
    fn name(&self) -> &str {
        let head = self.text.split([';', ':']).next().unwrap_or_default();
        head.rsplit('.').next().unwrap_or_default().trim()
    }

    fn is(&self, name: &str, value: &str) -> bool {
        self.text
            .split_once(':')
            .is_some_and(|(n, v)| n.trim().eq_ignore_ascii_case(name) && v.trim().eq_ignore_ascii_case(value))
    }
}

/// Where content lines start: a line beginning with a space or tab continues the previous
/// one (RFC 6350 §3.2); blank lines are skipped, as calcard skips them.
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

fn clip(text: &str) -> String {
    text.chars().take(40).collect()
}

/// Most content lines a file may have (10,000 cards of about twenty lines).
pub const MAX_LINES: usize = 200_000;
/// Most bytes before a line's value (its name and parameters): far more than any real
/// property needs, and a bound on what one line can make the parser build.
pub const MAX_NAME_AND_PARAMETERS: usize = 1_000;

/// Splits a file into cards, every entry with its line. The size of what the parser will
/// build is checked first: the number of lines and the length of each line's name and
/// parameters.
pub fn read(text: &str) -> Result<Vec<Card>, ReadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = content_lines(text);
    if lines.len() > MAX_LINES {
        let message = format!("the file has more than {MAX_LINES} lines");
        return Err(ReadError { card: None, line: lines[MAX_LINES].number, message });
    }
    if let Some(long) =
        lines.iter().find(|line| line.text.split(':').next().map_or(0, str::len) > MAX_NAME_AND_PARAMETERS)
    {
        let message =
            format!("a property name with its parameters is longer than {MAX_NAME_AND_PARAMETERS} characters");
        return Err(ReadError { card: None, line: long.number, message });
    }
    let line_at = |index: usize| lines.get(index).or(lines.last()).map_or(1, |line| line.number);
    let mut parser = Parser::new(text).strict();
    let mut cards: Vec<Card> = Vec::new();
    // Index into `lines` of the next line calcard will read.
    let mut cursor = 0;
    loop {
        let card_no = cards.len() + 1;
        let in_card = |index: usize, message: String| ReadError { card: Some(card_no), line: line_at(index), message };
        match parser.entry() {
            Entry::Eof => break,
            Entry::VCard(vcard) => {
                let first = cursor + 1;
                for (index, entry) in (first..).zip(&vcard.entries) {
                    let Some(line) = lines.get(index) else {
                        return Err(in_card(index, "the card has no END:VCARD".into()));
                    };
                    let name = entry.name.as_str();
                    if !line.name().eq_ignore_ascii_case(name) {
                        return Err(in_card(index, format!("not a vCard content line: {}", clip(&line.text))));
                    }
                    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                        return Err(in_card(index, format!("not a valid property name: {}", clip(name))));
                    }
                    // calcard can take `END;…` (with parameters) for a property; kept and served
                    // back, it ended the card early for every reader (found by fuzzing).
                    if name.eq_ignore_ascii_case("BEGIN") || name.eq_ignore_ascii_case("END") {
                        return Err(in_card(index, format!("expected END:VCARD, found {}", clip(&line.text))));
                    }
                }
                let end = first + vcard.entries.len();
                match lines.get(end) {
                    Some(line) if line.is("END", "VCARD") => {}
                    Some(line) if line.name().eq_ignore_ascii_case("END") => {
                        return Err(in_card(end, format!("expected END:VCARD, found {}", clip(&line.text))));
                    }
                    // calcard skipped this line (say, one without a property name).
                    Some(line) => return Err(in_card(end, format!("not a vCard content line: {}", clip(&line.text)))),
                    None => return Err(in_card(cursor, "the card has no END:VCARD".into())),
                }
                cards.push(Card { vcard, line: line_at(cursor), lines: (first..end).map(line_at).collect() });
                cursor = end + 1;
            }
            Entry::InvalidLine(bad) => {
                // calcard drops the card it was in: find the line by its text.
                let bad = bad.trim();
                // The whole line, unless calcard trimmed it; never an empty match.
                let found = (cursor..lines.len()).find(|&i| lines[i].text.trim() == bad).or_else(|| {
                    (cursor..lines.len()).find(|&i| !bad.is_empty() && lines[i].text.trim().starts_with(bad))
                });
                let inside = lines.get(cursor).is_some_and(|line| line.is("BEGIN", "VCARD"));
                return Err(match found {
                    Some(index) if inside && index > cursor => {
                        in_card(index, format!("not a vCard content line (no ':'): {}", clip(bad)))
                    }
                    _ => ReadError { card: None, line: line_at(cursor), message: "expected BEGIN:VCARD".into() },
                });
            }
            Entry::UnterminatedComponent(_) => {
                // calcard ends a card at a nested BEGIN as it does at the end of the file.
                let nested = (cursor + 1..lines.len()).find(|&i| lines[i].name().eq_ignore_ascii_case("BEGIN"));
                return Err(match nested {
                    Some(index) => in_card(index, "a card cannot contain another (missing END:VCARD?)".into()),
                    None => in_card(cursor, "the card has no END:VCARD".into()),
                });
            }
            _ => return Err(ReadError { card: None, line: line_at(cursor), message: "expected BEGIN:VCARD".into() }),
        }
    }
    Ok(cards)
}

/// A card as vCard 4.0 text: CRLF line ends, folded at 75 octets.
pub fn write(card: &VCard, out: &mut String) {
    // Writing to a String cannot fail.
    let _ = card.write_to(out, VCardVersion::V4_0);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> (Option<usize>, usize) {
        let error = read(text).unwrap_err();
        (error.card, error.line)
    }

    #[test]
    fn the_parser_is_not_handed_more_than_the_bounds() {
        let many = "BEGIN:VCARD\nVERSION:4.0\nFN:x\n".to_string() + &"NOTE:a\n".repeat(MAX_LINES) + "END:VCARD\n";
        assert!(read(&many).unwrap_err().message.contains("lines"));
        let params = format!("BEGIN:VCARD\nVERSION:4.0\nFN:x\nEMAIL{}:a@b.co\nEND:VCARD\n", ";X=1".repeat(300));
        let error = read(&params).unwrap_err();
        assert_eq!((error.line, error.message.contains("parameters")), (4, true));
    }

    #[test]
    fn entries_know_their_lines_across_folds_and_blank_lines() {
        let text = "BEGIN:VCARD\r\nFN:A\r\n\r\nNOTE:long\r\n  folded\r\nitem1.EMAIL:a@b.c\r\nEND:VCARD\r\n\r\n\
                    BEGIN:VCARD\nFN:B\nEND:VCARD\n";
        let cards = read(text).unwrap();
        assert_eq!((cards[0].line, cards[0].lines.clone()), (1, vec![2, 4, 6]));
        assert_eq!((cards[1].line, cards[1].lines.clone()), (9, vec![10]));
        assert_eq!(cards[0].vcard.entries[1].values[0].as_text(), Some("long folded"));
    }

    #[test]
    fn errors_name_card_and_line() {
        assert_eq!(error("BEGIN:VCARD\nFN:A\nEND:VCARD\nBEGIN:VCARD\nnonsense\nEND:VCARD\n"), (Some(2), 5));
        assert_eq!(error("BEGIN:VCARD\nFN:A\n"), (Some(1), 1));
        assert_eq!(error("FN:A\n"), (None, 1));
        assert_eq!(error("BEGIN:VCARD\nFN:A\nBEGIN:VCARD\nFN:B\nEND:VCARD\n"), (Some(1), 3));
        assert_eq!(error("BEGIN:VCARD\nFN:A\nEND:VCARD\nBEGIN:VCARD\nFN:B\n:no name\nEND:VCARD\n"), (Some(2), 6));
        assert_eq!(error("BEGIN:VCARD\nFN:A\nEND:VCALENDAR\n"), (Some(1), 3));
        assert_eq!(error("BEGIN:VCARD\nFN:A\nBAD NAME:x\nEND:VCARD\n"), (Some(1), 3));
        assert_eq!(error("BEGIN:VCARD\nFN:A\nNOTE:x\nNOTE\nEND:VCARD\n"), (Some(1), 4));
        assert_eq!(error("BEGIN:VCARD\nFN:A\nEND:VCARD\njunk\n"), (None, 4));
        let end_with_parameters = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:u\r\nFN:Ann\r\nADR;TYPE=work:;x\r\n\
                                   END;;3 Mill Lan;;LS1;UK\r\nNOTE:x\r\nEND:VCARD\r\n";
        assert_eq!(error(end_with_parameters), (Some(1), 6));
    }
}
