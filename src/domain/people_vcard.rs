//! People as vCards: a card read by `domain::vcard` becomes a person's fields (and the
//! properties UMBRA does not keep are reported); a person becomes a vCard 4.0 card.
//!
//! Mapping: FN ↔ name, NICKNAME, EMAIL;TYPE=label, TEL;TYPE=label, BDAY (`YYYYMMDD`,
//! `--MMDD` and the extended forms), ADR (structured; its non-empty parts become text lines,
//! and the text is written back whole as the street part), NOTE, CATEGORIES ↔ tags, UID,
//! X-UMBRA-FAVOURITE.

use crate::domain::people::{Birthday, ContactValue, PersonFields};
use crate::domain::vcard::{Card, Property, encode_param, escape, fold, split_value, unescape};

/// Properties read and deliberately not kept (structure, or derivable from what is kept):
/// not reported as unknown.
const IGNORED: [&str; 6] = ["VERSION", "PRODID", "N", "REV", "KIND", "X-UMBRA-ID"];

/// TYPE values that say nothing a label should show.
const NOISE_TYPES: [&str; 4] = ["INTERNET", "PREF", "VOICE", "X400"];

/// A card as a person: the UID if it had one, the fields (not yet validated), the names of
/// properties not kept, and the line each field came from (to point a validation error at).
#[derive(Debug)]
pub struct ImportedCard {
    pub uid: Option<String>,
    pub fields: PersonFields,
    pub unknown: Vec<String>,
    pub lines: Vec<(String, usize)>,
    pub end_line: usize,
}

/// Why a card could not become a person: the line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardError {
    pub line: usize,
    pub message: String,
}

pub fn from_card(card: &Card) -> Result<ImportedCard, CardError> {
    let mut fields = PersonFields {
        name: String::new(),
        nickname: String::new(),
        emails: Vec::new(),
        phones: Vec::new(),
        birthday: None,
        address: String::new(),
        notes: String::new(),
        tags: Vec::new(),
        favourite: false,
    };
    let mut uid = None;
    let mut unknown: Vec<String> = Vec::new();
    let mut lines: Vec<(String, usize)> = Vec::new();
    let mut seen_name = false;
    for property in &card.properties {
        let mut field = |name: &str| {
            if !lines.iter().any(|(n, _)| n == name) {
                lines.push((name.to_string(), property.line));
            }
        };
        match property.name.as_str() {
            "FN" => {
                if !seen_name {
                    fields.name = unescape(&property.value);
                    seen_name = true;
                    field("name");
                }
            }
            "NICKNAME" => {
                let names: Vec<String> =
                    split_value(&property.value, ',').into_iter().filter(|n| !n.is_empty()).collect();
                if fields.nickname.is_empty() {
                    fields.nickname = names.join(", ");
                    field("nickname");
                }
            }
            "EMAIL" => {
                fields.emails.push(ContactValue { label: label(property), value: unescape(&property.value) });
                field("emails");
            }
            "TEL" => {
                let value = unescape(&property.value);
                let value = value.strip_prefix("tel:").map(str::to_string).unwrap_or(value);
                fields.phones.push(ContactValue { label: label(property), value });
                field("phones");
            }
            "BDAY" => {
                let birthday = parse_bday(&property.value).ok_or_else(|| CardError {
                    line: property.line,
                    message: format!("BDAY is not a date UMBRA understands: {}", property.value),
                })?;
                fields.birthday = Some(birthday.to_string());
                field("birthday");
            }
            "ADR" => {
                let lines_of: Vec<String> =
                    split_value(&property.value, ';').into_iter().filter(|part| !part.trim().is_empty()).collect();
                if fields.address.is_empty() {
                    fields.address = lines_of.join("\n");
                    field("address");
                }
            }
            "NOTE" => {
                // Appended in place: a file of many NOTE lines must not cost quadratic time.
                if !fields.notes.is_empty() {
                    fields.notes.push('\n');
                }
                fields.notes.push_str(&unescape(&property.value));
                field("notes");
            }
            "CATEGORIES" => {
                fields.tags.extend(split_value(&property.value, ',').into_iter().filter(|t| !t.trim().is_empty()));
                field("tags");
            }
            "UID" => uid = Some(unescape(&property.value)).filter(|u| !u.trim().is_empty()),
            "X-UMBRA-FAVOURITE" => {
                fields.favourite = matches!(property.value.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes");
            }
            name if IGNORED.contains(&name) => {}
            name => {
                if !unknown.iter().any(|u| u == name) {
                    unknown.push(name.to_string());
                }
            }
        }
    }
    let end_line = card.properties.last().map_or(card.line, |p| p.line) + 1;
    if !seen_name || fields.name.trim().is_empty() {
        return Err(CardError { line: card.line, message: "the card has no FN (formatted name)".into() });
    }
    Ok(ImportedCard { uid, fields, unknown, lines, end_line })
}

/// The label of an EMAIL or TEL: its TYPE values without the noise ones, joined.
fn label(property: &Property) -> String {
    let types: Vec<&str> =
        property.param("TYPE").into_iter().filter(|t| !NOISE_TYPES.iter().any(|n| n.eq_ignore_ascii_case(t))).collect();
    types.join(",")
}

/// BDAY as `YYYYMMDD`, `YYYY-MM-DD`, `--MMDD`, `--MM-DD`, optionally followed by a time.
fn parse_bday(value: &str) -> Option<Birthday> {
    let date = value.trim().split('T').next()?;
    let normal = if let Some(rest) = date.strip_prefix("--") {
        match rest.len() {
            4 => format!("--{}-{}", &rest.get(..2)?, &rest.get(2..)?),
            _ => date.to_string(),
        }
    } else if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}-{}", &date[..4], &date[4..6], &date[6..])
    } else {
        date.to_string()
    };
    Birthday::parse(&normal)
}

/// A person as a vCard 4.0 card, folded, with CRLF line ends.
pub fn to_card(uid: &str, fields: &PersonFields) -> String {
    let mut out = String::new();
    let mut line = |text: String| fold(&text, &mut out);
    line("BEGIN:VCARD".into());
    line("VERSION:4.0".into());
    line("PRODID:-//UMBRA//People//EN".into());
    line(format!("UID:{}", escape(uid)));
    line(format!("FN:{}", escape(&fields.name)));
    if !fields.nickname.is_empty() {
        line(format!("NICKNAME:{}", escape(&fields.nickname)));
    }
    for email in &fields.emails {
        line(format!("EMAIL{}:{}", type_param(&email.label), escape(&email.value)));
    }
    for phone in &fields.phones {
        line(format!("TEL{}:{}", type_param(&phone.label), escape(&phone.value)));
    }
    if let Some(birthday) = fields.birthday.as_deref().and_then(Birthday::parse) {
        let text = match birthday.year {
            Some(year) => format!("{year:04}{:02}{:02}", birthday.month, birthday.day),
            None => format!("--{:02}{:02}", birthday.month, birthday.day),
        };
        line(format!("BDAY:{text}"));
    }
    if !fields.address.is_empty() {
        line(format!("ADR:;;{};;;;", escape(&fields.address)));
    }
    if !fields.notes.is_empty() {
        line(format!("NOTE:{}", escape(&fields.notes)));
    }
    if !fields.tags.is_empty() {
        line(format!("CATEGORIES:{}", fields.tags.iter().map(|t| escape(t)).collect::<Vec<_>>().join(",")));
    }
    if fields.favourite {
        line("X-UMBRA-FAVOURITE:1".into());
    }
    line("END:VCARD".into());
    out
}

fn type_param(label: &str) -> String {
    if label.is_empty() { String::new() } else { format!(";TYPE={}", encode_param(label)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vcard::read;

    #[test]
    fn a_person_survives_a_round_trip() {
        let fields = PersonFields {
            name: "Zoë; O'Brien, Jr.\\".into(),
            nickname: "Zo".into(),
            emails: vec![ContactValue { label: "work, main".into(), value: "z@example.org".into() }],
            phones: vec![ContactValue { label: String::new(), value: "+44 (20) 1234-5678".into() }],
            birthday: Some("--02-29".into()),
            address: "1 Long Road\nLondon".into(),
            notes: "line one\nline two; with, punctuation ".repeat(10),
            tags: vec!["family".into(), "a,b".into()],
            favourite: true,
        };
        let text = to_card("urn:uuid:1", &fields);
        let cards = read(&text).unwrap();
        let card = from_card(&cards[0]).unwrap();
        assert_eq!(card.uid.as_deref(), Some("urn:uuid:1"));
        assert_eq!(card.fields, fields);
        assert!(card.unknown.is_empty(), "{:?}", card.unknown);
    }

    #[test]
    fn vcard3_forms_are_understood() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nEMAIL;TYPE=INTERNET,HOME:j@d.org\r\n\
                    TEL;TYPE=CELL:+1 555\r\nBDAY:1990-02-15\r\nORG:Acme\r\nX-FOO:bar\r\nEND:VCARD\r\n";
        let card = from_card(&read(text).unwrap()[0]).unwrap();
        assert_eq!(card.fields.emails[0].label, "HOME");
        assert_eq!(card.fields.birthday.as_deref(), Some("1990-02-15"));
        assert_eq!(card.unknown, ["ORG", "X-FOO"]);
        assert_eq!(parse_bday("--0229").unwrap().to_string(), "--02-29");
        assert_eq!(parse_bday("19850412T000000Z").unwrap().to_string(), "1985-04-12");
        assert!(parse_bday("20270229").is_none());
    }
}
