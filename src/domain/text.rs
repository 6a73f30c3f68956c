//! User text as UMBRA stores and writes it: every line break (CR, CRLF, LF, NEL and the
//! Unicode line and paragraph separators) as one `\n`, tabs kept, and every other control
//! character dropped. A control character is never meant in a name or a note, no export
//! format can carry it (iCalendar and vCard TEXT may not hold one, PostgreSQL cannot store
//! NUL), and one stored would read back as something else in every client it reached.

use std::borrow::Cow;

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// `text` with its line breaks as `\n` and its other control characters but the tab dropped
/// (borrowed when it is that already, as nearly all text is).
pub fn plain(text: &str) -> Cow<'_, str> {
    if text.chars().all(|c| c == '\n' || c == '\t' || !(c.is_control() || is_break(c))) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // CRLF is one break.
            '\r' if chars.peek() == Some(&'\n') => {}
            c if is_break(c) => out.push('\n'),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text` on one line: every control character and line break dropped (a UID, a label, a
/// value that is not TEXT).
pub fn one_line(text: &str) -> Cow<'_, str> {
    let dropped = |c: &char| c.is_control() || is_break(*c);
    if text.chars().any(|c| dropped(&c)) {
        Cow::Owned(text.chars().filter(|c| !dropped(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// `text` as words on one line: control characters dropped, every run of blanks and line
/// breaks one space, none at either end (a nickname, a tag: the vCard list values, which
/// calcard reads back with a run of spaces after an escape collapsed).
pub fn words(text: &str) -> String {
    plain(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_become_one_newline_and_other_controls_go() {
        assert_eq!(plain("a\r\nb\rc\nd\u{2028}e\u{85}f"), "a\nb\nc\nd\ne\nf");
        assert_eq!(plain("tab\there\u{7}\u{0}\u{e}!"), "tab\there!");
        assert!(matches!(plain("plain text,\nünïcode\t"), Cow::Borrowed(_)));
        assert_eq!(one_line("uid-\u{7}1\r\n\u{2029}"), "uid-1");
        assert_eq!(words(" JD\r\n  Jr\u{7}.\t "), "JD Jr.");
    }
}
