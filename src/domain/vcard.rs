//! vCard (RFC 6350, and 3.0 input where harmless): a small content-line reader and writer.
//! No crate in reach fitted (the vCard crates are either unmaintained, 4.0-only with no
//! 3.0 leniency, or far larger than the few properties UMBRA maps), and the format's hard
//! parts are few and testable here: unfolding, escaping, parameters and UTF-8-safe folding.
//!
//! Reading yields `Card`s of `Property`s with the line each began on, so a mapping error can
//! name the card and the line; mapping to a person is `service::people`'s business.

/// The longest physical line written, in octets (RFC 6350 §3.2), line break excluded.
const FOLD_AT: usize = 75;

/// One content line: `[group.]NAME;PARAM=a,b:value`, unfolded, with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// Upper-cased, group dropped.
    pub name: String,
    /// Parameter names upper-cased; values as given (quotes removed, RFC 6868 decoded).
    pub params: Vec<(String, Vec<String>)>,
    /// The raw value: still escaped (the meaning of `,` and `;` depends on the property).
    pub value: String,
    /// 1-based line number in the file where this property began.
    pub line: usize,
}

impl Property {
    /// Every value of a parameter (`TYPE=home,work` and `TYPE=home;TYPE=work` alike).
    pub fn param(&self, name: &str) -> Vec<&str> {
        self.params.iter().filter(|(n, _)| n == name).flat_map(|(_, v)| v.iter().map(String::as_str)).collect()
    }
}

/// One `BEGIN:VCARD` … `END:VCARD` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub properties: Vec<Property>,
    /// Line of `BEGIN:VCARD`.
    pub line: usize,
}

/// Why a file could not be read: which card (1-based, when inside one) and which line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub card: Option<usize>,
    pub line: usize,
    pub message: String,
}

/// Splits a file into cards. Lines may end in CRLF or LF; a line that starts with a space or
/// a tab continues the previous one (that one blank is removed). Blank lines between cards
/// are allowed.
pub fn read(text: &str) -> Result<Vec<Card>, ReadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut logical: Vec<(usize, String)> = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t']) {
            match logical.last_mut() {
                Some((_, line)) => line.push_str(rest),
                None => {
                    return Err(ReadError {
                        card: None,
                        line: index + 1,
                        message: "the file starts with a continuation line".into(),
                    });
                }
            }
        } else {
            logical.push((index + 1, raw.to_string()));
        }
    }
    let mut cards = Vec::new();
    let mut current: Option<Card> = None;
    for (line, content) in logical {
        if content.trim().is_empty() {
            continue;
        }
        let card_no = cards.len() + 1;
        let error = |message: String| ReadError { card: Some(card_no), line, message };
        let property = parse_line(&content, line).map_err(error)?;
        let name = property.name.clone();
        match (&mut current, name.as_str()) {
            (None, "BEGIN") if property.value.eq_ignore_ascii_case("VCARD") => {
                current = Some(Card { properties: Vec::new(), line });
            }
            (None, _) => {
                return Err(ReadError { card: None, line, message: "expected BEGIN:VCARD".into() });
            }
            (Some(_), "BEGIN") => return Err(error("a card cannot contain another (missing END:VCARD?)".into())),
            (Some(_), "END") => {
                if !property.value.eq_ignore_ascii_case("VCARD") {
                    return Err(error(format!("expected END:VCARD, found END:{}", property.value)));
                }
                if let Some(card) = current.take() {
                    cards.push(card);
                }
            }
            (Some(card), _) => card.properties.push(property),
        }
    }
    if let Some(card) = current {
        return Err(ReadError {
            card: Some(cards.len() + 1),
            line: card.line,
            message: "the card has no END:VCARD".into(),
        });
    }
    Ok(cards)
}

/// One unfolded content line.
fn parse_line(content: &str, line: usize) -> Result<Property, String> {
    // The name and parameters end at the first colon outside double quotes.
    let mut in_quotes = false;
    let mut colon = None;
    for (i, c) in content.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ':' if !in_quotes => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let Some(colon) = colon else { return Err(format!("not a vCard content line (no ':'): {}", clip(content))) };
    let (head, value) = (&content[..colon], &content[colon + 1..]);
    let mut parts = split_unquoted(head, ';').into_iter();
    let name = parts.next().unwrap_or_default();
    let name = name.rsplit('.').next().unwrap_or_default().to_ascii_uppercase();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(format!("not a valid property name: {}", clip(head)));
    }
    let mut params = Vec::new();
    for part in parts {
        let (pname, pvalue) = match part.split_once('=') {
            Some((n, v)) => (n.trim().to_ascii_uppercase(), v),
            // vCard 2.1/3.0 shorthand: `TEL;HOME:` means `TYPE=HOME`.
            None => ("TYPE".to_string(), part.as_str()),
        };
        let values = split_unquoted(pvalue, ',').into_iter().map(|v| decode_param(&v)).collect();
        params.push((pname, values));
    }
    Ok(Property { name, params, value: value.to_string(), line })
}

fn clip(text: &str) -> String {
    text.chars().take(40).collect()
}

/// Splits on `sep` outside double quotes, keeping quotes (removed by `decode_param`).
fn split_unquoted(text: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut in_quotes = false;
    for c in text.chars() {
        if c == '"' {
            in_quotes = !in_quotes;
        }
        if c == sep && !in_quotes {
            parts.push(String::new());
        } else if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    parts
}

/// A parameter value: quotes dropped, RFC 6868 `^n`, `^'`, `^^` decoded.
fn decode_param(raw: &str) -> String {
    let raw = raw.trim();
    let inner = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')).unwrap_or(raw);
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '^' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('\'') => out.push('"'),
                // `^^` and a lone `^` at the end both stand for `^`.
                Some('^') | None => out.push('^'),
                Some(other) => {
                    out.push('^');
                    out.push(other);
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A parameter value for writing: quoted when it holds `:;,`, RFC 6868-encoded.
pub fn encode_param(value: &str) -> String {
    let encoded: String = value
        .chars()
        .map(|c| match c {
            '^' => "^^".to_string(),
            '"' => "^'".to_string(),
            '\n' => "^n".to_string(),
            '\r' => String::new(),
            other => other.to_string(),
        })
        .collect();
    if encoded.contains([':', ';', ',']) { format!("\"{encoded}\"") } else { encoded }
}

/// Splits an escaped value on unescaped `sep` and unescapes each part.
pub fn split_value(raw: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let (Some(next), Some(last)) = (chars.next(), parts.last_mut()) {
                last.push(unescape_char(next));
            }
        } else if c == sep {
            parts.push(String::new());
        } else if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    parts
}

/// An escaped text value as the text it stands for.
pub fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(next) => out.push(unescape_char(next)),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn unescape_char(c: char) -> char {
    match c {
        'n' | 'N' => '\n',
        other => other,
    }
}

/// Text escaped for a value: `\` `,` `;` and line breaks (RFC 6350 §3.4).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            other => out.push(other),
        }
    }
    out
}

/// Folds one content line to physical lines of at most 75 octets, never inside a UTF-8
/// sequence, each ending in CRLF; continuation lines start with one space.
pub fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > FOLD_AT {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_round_trips() {
        let text = "a\\b, c; d\nline";
        assert_eq!(escape(text), "a\\\\b\\, c\\; d\\nline");
        assert_eq!(unescape(&escape(text)), text);
        assert_eq!(split_value("a\\;b;c\\,d;", ';'), ["a;b", "c,d", ""]);
    }

    #[test]
    fn folding_is_utf8_safe_and_unfolds() {
        let long = format!("NOTE:{}", "é€😀x".repeat(40));
        let mut out = String::new();
        fold(&long, &mut out);
        for physical in out.split("\r\n") {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        let card = format!("BEGIN:VCARD\r\nVERSION:4.0\r\n{out}END:VCARD\r\n");
        let cards = read(&card).unwrap();
        assert_eq!(format!("NOTE:{}", cards[0].properties[1].value), long);
    }

    #[test]
    fn params_and_groups() {
        let cards =
            read("BEGIN:VCARD\nitem1.EMAIL;TYPE=\"a,b\";PREF=1:x@y.z\nTEL;HOME;type=cell:1\nEND:VCARD\n").unwrap();
        let email = &cards[0].properties[0];
        assert_eq!((email.name.as_str(), email.param("TYPE"), email.line), ("EMAIL", vec!["a,b"], 2));
        assert_eq!(cards[0].properties[1].param("TYPE"), ["HOME", "cell"]);
    }

    #[test]
    fn errors_name_card_and_line() {
        let error = read("BEGIN:VCARD\nFN:A\nEND:VCARD\nBEGIN:VCARD\nnonsense\nEND:VCARD\n").unwrap_err();
        assert_eq!((error.card, error.line), (Some(2), 5));
        assert_eq!(read("BEGIN:VCARD\nFN:A\n").unwrap_err().card, Some(1));
        assert_eq!(read("FN:A\n").unwrap_err().line, 1);
    }
}
