//! People as vCards: a card read by `domain::vcard` (calcard) becomes a person's fields (and
//! the properties UMBRA does not keep are reported); a person becomes a vCard 4.0 card.
//!
//! Mapping: FN ↔ name, NICKNAME, EMAIL/TEL with their label, BDAY (a date with or without a
//! year), ADR (structured; its non-empty parts become text lines, and the text is written back
//! whole as the street part), NOTE, CATEGORIES ↔ tags, UID, X-UMBRA-FAVOURITE.
//!
//! Labels: TYPE is a set of tokens to calcard (as to RFC 6350) — known types come back
//! upper-cased and a quoted value's commas split it, dropping unknown parts — so a label
//! would not survive a round trip in TYPE alone. It is written to TYPE (for other programs)
//! and, exactly, to X-UMBRA-LABEL, which wins when reading.

use calcard::common::{IanaParse, PartialDateTime};
use calcard::vcard::{
    VCard, VCardEntry, VCardParameter, VCardParameterName, VCardParameterValue, VCardProperty, VCardType, VCardValue,
};

use crate::domain::people::{Birthday, ContactValue, PersonFields};
use crate::domain::text::{one_line, plain};
use crate::domain::vcard::{self, Card};

/// The parameter holding a label exactly as typed.
const LABEL_PARAM: &str = "X-UMBRA-LABEL";

const FAVOURITE: &str = "X-UMBRA-FAVOURITE";

/// Extension properties read and deliberately not kept: not reported as unknown.
const IGNORED_OTHER: [&str; 1] = ["X-UMBRA-ID"];

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
}

/// Why a card could not become a person: the line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardError {
    pub line: usize,
    pub message: String,
}

/// An entry's values as text: structured parts joined by `;`'s meaning aside (the caller
/// decides), list items by `,`. A value that is no text (a date, binary data) is refused.
fn texts(entry: &VCardEntry, line: usize) -> Result<Vec<String>, CardError> {
    entry
        .values
        .iter()
        .map(|value| match value {
            VCardValue::Text(text) => Ok(text.clone()),
            VCardValue::Component(parts) => Ok(parts.join(",")),
            VCardValue::Integer(number) => Ok(number.to_string()),
            _ => Err(CardError { line, message: format!("{} is not text", entry.name.as_str()) }),
        })
        .collect()
}

fn text(entry: &VCardEntry, line: usize) -> Result<String, CardError> {
    Ok(texts(entry, line)?.join(","))
}

/// The FN of a card, to name it in an error.
/// The card's FN for messages about it, shortened: a message never repeats a huge value.
pub fn name_of(card: &Card) -> Option<String> {
    let name = card
        .entries()
        .find(|(entry, _)| entry.name == VCardProperty::Fn)
        .and_then(|(entry, line)| text(entry, line).ok())?;
    let mut chars = name.chars();
    let short: String = chars.by_ref().take(60).collect();
    Some(if chars.next().is_some() { format!("{short}…") } else { short })
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
    let mut unknown_seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut lines: Vec<(String, usize)> = Vec::new();
    let mut seen_name = false;
    for (entry, line) in card.entries() {
        let mut field = |name: &str| {
            if !lines.iter().any(|(n, _)| n == name) {
                lines.push((name.to_string(), line));
            }
        };
        match &entry.name {
            VCardProperty::Fn => {
                if !seen_name {
                    fields.name = text(entry, line)?;
                    seen_name = true;
                    field("name");
                }
            }
            VCardProperty::Nickname => {
                if fields.nickname.is_empty() {
                    let names: Vec<String> = texts(entry, line)?.into_iter().filter(|n| !n.is_empty()).collect();
                    fields.nickname = names.join(", ");
                    field("nickname");
                }
            }
            VCardProperty::Email => {
                fields.emails.push(ContactValue { label: label(entry), value: text(entry, line)? });
                field("emails");
            }
            VCardProperty::Tel => {
                let value = text(entry, line)?;
                let value = value.strip_prefix("tel:").map(str::to_string).unwrap_or(value);
                fields.phones.push(ContactValue { label: label(entry), value });
                field("phones");
            }
            VCardProperty::Bday => {
                fields.birthday = Some(birthday(entry, line)?.to_string());
                field("birthday");
            }
            VCardProperty::Adr => {
                if fields.address.is_empty() {
                    let parts: Vec<String> = texts(entry, line)?.into_iter().filter(|p| !p.trim().is_empty()).collect();
                    fields.address = parts.join("\n");
                    field("address");
                }
            }
            VCardProperty::Note => {
                // Appended in place: a file of many NOTE lines must not cost quadratic time.
                if !fields.notes.is_empty() {
                    fields.notes.push('\n');
                }
                fields.notes.push_str(&text(entry, line)?);
                field("notes");
            }
            VCardProperty::Categories => {
                fields.tags.extend(texts(entry, line)?.into_iter().filter(|t| !t.trim().is_empty()));
                field("tags");
            }
            VCardProperty::Uid => {
                // As the writers write it (`text::plain`): one with a control character would
                // come back as another UID.
                uid = Some(plain(&text(entry, line)?).into_owned()).filter(|u| !u.trim().is_empty());
                field("uid");
            }
            VCardProperty::Other(name) if name.eq_ignore_ascii_case(FAVOURITE) => {
                let value = text(entry, line)?.trim().to_ascii_lowercase();
                fields.favourite = matches!(value.as_str(), "1" | "true" | "yes");
            }
            // Structure, or derivable from what is kept.
            VCardProperty::Version
            | VCardProperty::Prodid
            | VCardProperty::N
            | VCardProperty::Rev
            | VCardProperty::Kind => {}
            VCardProperty::Other(name) if IGNORED_OTHER.iter().any(|i| name.eq_ignore_ascii_case(i)) => {}
            other => {
                let name = other.as_str().to_ascii_uppercase();
                if unknown_seen.insert(name.clone()) {
                    unknown.push(name);
                }
            }
        }
    }
    if !seen_name || fields.name.trim().is_empty() {
        return Err(CardError { line: card.line, message: "the card has no FN (formatted name)".into() });
    }
    Ok(ImportedCard { uid, fields, unknown, lines })
}

/// The label of an EMAIL or TEL: X-UMBRA-LABEL as written, else the TYPE values without the
/// noise ones, joined.
fn label(entry: &VCardEntry) -> String {
    let exact = entry
        .params
        .iter()
        .find(|p| matches!(&p.name, VCardParameterName::Other(n) if n.eq_ignore_ascii_case(LABEL_PARAM)));
    if let Some(text) = exact.and_then(|p| p.value.as_text()) {
        return text.to_string();
    }
    let types: Vec<&str> = entry
        .parameters(&VCardParameterName::Type)
        .filter_map(VCardParameterValue::as_text)
        .filter(|t| !NOISE_TYPES.iter().any(|n| n.eq_ignore_ascii_case(t)))
        .collect();
    types.join(",")
}

/// BDAY as a date (calcard reads the 4.0 and the 3.0 forms): month and day are needed, the
/// year and any time are not.
fn birthday(entry: &VCardEntry, line: usize) -> Result<Birthday, CardError> {
    let date = match entry.values.first() {
        Some(VCardValue::PartialDateTime(PartialDateTime { year, month: Some(month), day: Some(day), .. })) => {
            Birthday::parse(&match year {
                Some(year) => format!("{year:04}-{month:02}-{day:02}"),
                None => format!("--{month:02}-{day:02}"),
            })
        }
        _ => None,
    };
    date.ok_or_else(|| {
        let shown = entry.values.first().and_then(VCardValue::as_text).map(|t| format!(": {t}")).unwrap_or_default();
        CardError { line, message: format!("BDAY is not a date UMBRA understands (YYYYMMDD or --MMDD){shown}") }
    })
}

/// A person as a vCard 4.0 card, folded, with CRLF line ends.
pub fn to_card(uid: &str, fields: &PersonFields) -> String {
    let mut out = String::new();
    vcard::write(&card(uid, fields), &mut out);
    out
}

/// A person as a card (written as 4.0 by the export, as 3.0 by CardDAV).
pub fn card(uid: &str, fields: &PersonFields) -> VCard {
    // Values go out as `text::plain` makes them, as the other writers do: a person stored
    // before control characters were dropped on the way in must not carry them out.
    let text = |name: VCardProperty, value: &str| VCardEntry::new(name).with_value(plain(value).into_owned());
    let mut entries = vec![
        text(VCardProperty::Prodid, "-//UMBRA//People//EN"),
        text(VCardProperty::Uid, uid),
        text(VCardProperty::Fn, &fields.name),
    ];
    if !fields.nickname.is_empty() {
        entries.push(text(VCardProperty::Nickname, &fields.nickname));
    }
    for email in &fields.emails {
        entries.push(labelled(text(VCardProperty::Email, &email.value), &email.label));
    }
    for phone in &fields.phones {
        entries.push(labelled(text(VCardProperty::Tel, &phone.value), &phone.label));
    }
    if let Some(birthday) = fields.birthday.as_deref().and_then(Birthday::parse) {
        let date = PartialDateTime {
            year: birthday.year.and_then(|year| u16::try_from(year).ok()),
            month: u8::try_from(birthday.month).ok(),
            day: u8::try_from(birthday.day).ok(),
            ..PartialDateTime::default()
        };
        entries.push(VCardEntry::new(VCardProperty::Bday).with_value(VCardValue::PartialDateTime(date)));
    }
    if !fields.address.is_empty() {
        let mut parts = vec![VCardValue::Text(String::new()); 7];
        parts[2] = VCardValue::Text(plain(&fields.address).into_owned());
        entries.push(VCardEntry::new(VCardProperty::Adr).with_values(parts));
    }
    if !fields.notes.is_empty() {
        entries.push(text(VCardProperty::Note, &fields.notes));
    }
    if !fields.tags.is_empty() {
        let tags = fields.tags.iter().map(|tag| VCardValue::Text(plain(tag).into_owned())).collect();
        entries.push(VCardEntry::new(VCardProperty::Categories).with_values(tags));
    }
    if fields.favourite {
        entries.push(text(VCardProperty::Other(FAVOURITE.into()), "1"));
    }
    VCard { entries }
}

/// A label as TYPE values (known types as such, other words as text) for other programs,
/// and whole in X-UMBRA-LABEL for UMBRA.
fn labelled(mut entry: VCardEntry, label: &str) -> VCardEntry {
    // A parameter value holds no line break.
    let label = one_line(label);
    if label.is_empty() {
        return entry;
    }
    for part in label.split(',').map(str::trim).filter(|part| !part.is_empty()) {
        let value = VCardType::parse(part.as_bytes())
            .map_or_else(|| VCardParameterValue::Text(part.to_string()), VCardParameterValue::Type);
        entry.add_param(VCardParameter::typ(value));
    }
    entry.add_param(VCardParameter::new(VCardParameterName::Other(LABEL_PARAM.into()), label.into_owned()));
    entry
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
        // 2.1: quoted-printable and bare TYPE values.
        let text = "BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Zo=C3=AB\r\n\
                    TEL;CELL:123\r\nEND:VCARD\r\n";
        let card = from_card(&read(text).unwrap()[0]).unwrap();
        assert_eq!((card.fields.name.as_str(), card.fields.phones[0].label.as_str()), ("Zoë", "CELL"));
        let bday = |version: &str, value: &str| {
            let text = format!("BEGIN:VCARD\r\nVERSION:{version}\r\nFN:x\r\nBDAY:{value}\r\nEND:VCARD\r\n");
            from_card(&read(&text).unwrap()[0]).map(|card| card.fields.birthday.unwrap_or_default())
        };
        assert_eq!(bday("4.0", "--0229").unwrap(), "--02-29");
        assert_eq!(bday("4.0", "19850412T000000Z").unwrap(), "1985-04-12");
        assert_eq!(bday("3.0", "1985-04-12T00:00:00Z").unwrap(), "1985-04-12");
        assert_eq!(bday("4.0", "20270229").unwrap_err().line, 4);
        assert!(bday("4.0", "2027-02-29").is_err(), "month precision is no birthday");
        assert!(bday("4.0", "someday").is_err());
    }

    #[test]
    fn labels_survive_and_types_are_read() {
        let fields = PersonFields {
            name: "L".into(),
            nickname: String::new(),
            emails: vec![
                ContactValue { label: "work".into(), value: "a@example.org".into() },
                ContactValue { label: "Mum's \"other\", cell".into(), value: "b@example.org".into() },
            ],
            phones: Vec::new(),
            birthday: None,
            address: String::new(),
            notes: String::new(),
            tags: Vec::new(),
            favourite: false,
        };
        let text = to_card("u", &fields);
        assert!(text.contains("EMAIL;TYPE=WORK;X-UMBRA-LABEL=work:a@example.org\r\n"), "{text}");
        assert_eq!(from_card(&read(&text).unwrap()[0]).unwrap().fields, fields);
        let other = "BEGIN:VCARD\nFN:x\nTEL;HOME;type=cell,\"pager\":1\nEND:VCARD\n";
        assert_eq!(from_card(&read(other).unwrap()[0]).unwrap().fields.phones[0].label, "HOME,CELL,PAGER");
    }
}
