//! A person as a CardDAV address object (RFC 6352): vCard 3.0 out (what every CardDAV
//! client reads), 3.0 and 4.0 in. The fields are mapped by `people_vcard`, as for the API's
//! import and export; this module adds what a client syncing its own cards needs back:
//!
//! - the lines UMBRA has no field for (ORG, PHOTO, URL, X-…, Apple's grouped labels) are kept
//!   as the client's own unfolded content lines (`people.dav_extra`) and written back;
//! - N, ADR and BDAY, which UMBRA reads lossily (N is derived from FN; the first ADR becomes
//!   address text; Apple writes a birthday without a year as year 1604 with
//!   `X-APPLE-OMIT-YEAR`, read here as `--MM-DD`), are kept too and written back while they
//!   still say what UMBRA has: an N whose name parts all appear in the person's name, ADRs
//!   whose first one reads as the address, a BDAY that reads as the birthday. Once the person
//!   is renamed, moved or given another birthday in UMBRA, they are made from UMBRA's values.

use calcard::vcard::{VCardProperty, VCardVersion};

use crate::domain::ical::writer::{Writer, utc_stamp};
use crate::domain::people::{Birthday, PersonFields, UID_MAX};
use crate::domain::people_vcard;
use crate::domain::text::one_line;
use crate::domain::vcard;

/// The CardDAV preconditions a refusal names (RFC 6352 §6.3.2.1).
pub const VALID_DATA: &str = "valid-address-data";

/// A client's card, read but not yet validated.
#[derive(Debug, Clone)]
pub struct DavCard {
    pub uid: String,
    pub fields: PersonFields,
    /// The client's lines UMBRA keeps for it.
    pub extra: Vec<String>,
}

/// Why a body was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapError {
    pub precondition: &'static str,
    pub message: String,
}

fn refuse(message: impl Into<String>) -> MapError {
    MapError { precondition: VALID_DATA, message: message.into() }
}

/// The content lines of `text`, unfolded, by the number of the line each starts on (as
/// `vcard::read` numbers them).
fn unfolded(text: &str) -> Vec<(usize, String)> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some((_, last))) => last.push_str(rest),
            _ if raw.trim().is_empty() => {}
            _ => lines.push((index + 1, raw.to_string())),
        }
    }
    lines
}

/// Properties kept although UMBRA reads them: its reading loses something.
const SHADOWED: [&str; 3] = ["N", "ADR", "BDAY"];

/// Apple's mark of a birthday without a year: the year written is this parameter's value.
const OMIT_YEAR: &str = "X-APPLE-OMIT-YEAR";

/// A birthday written with Apple's placeholder year as the `--MM-DD` it means.
fn without_placeholder_year(birthday: &mut Option<String>, bday_line: &str) {
    let (head, _) = split_line(bday_line);
    let omitted = head.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim().eq_ignore_ascii_case(OMIT_YEAR).then(|| value.trim().trim_matches('"').to_string())
    });
    if let (Some(year), Some(text)) = (omitted, birthday.as_mut())
        && text.len() == 10
        && text.starts_with(&year)
    {
        *text = format!("--{}", &text[5..]);
    }
}

/// The fields a few kept lines give on their own, read as they will be written (without
/// control characters, `text::one_line`), to see whether they still agree with UMBRA's.
fn fields_of(lines: &[&str]) -> Option<PersonFields> {
    let lines: Vec<_> = lines.iter().map(|line| one_line(line)).collect();
    let card = format!("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\n{}\r\nEND:VCARD\r\n", lines.join("\r\n"));
    let cards = vcard::read(&card).ok()?;
    let mut fields = people_vcard::from_card(cards.first()?).ok()?.fields;
    if let Some(bday) = lines.iter().find(|line| name_of(line) == "BDAY") {
        without_placeholder_year(&mut fields.birthday, bday);
    }
    Some(fields)
}

/// Reads a client's address object: exactly one vCard, with a UID.
pub fn read(text: &str) -> Result<DavCard, MapError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let cards = vcard::read(text).map_err(|e| refuse(format!("line {}: {}", e.line, e.message)))?;
    let [card] = cards.as_slice() else {
        return Err(refuse("an address object holds exactly one vCard"));
    };
    let imported = people_vcard::from_card(card).map_err(|e| refuse(format!("line {}: {}", e.line, e.message)))?;
    let Some(uid) = imported.uid.clone() else {
        return Err(refuse("the vCard has no UID"));
    };
    if uid.chars().count() > UID_MAX {
        return Err(refuse(format!("the UID is longer than {UID_MAX} characters")));
    }
    let raw = unfolded(text);
    let mut fields = imported.fields;
    let mut extra = Vec::new();
    for (entry, line) in card.entries() {
        let name = entry.name.as_str().to_ascii_uppercase();
        if (imported.unknown.contains(&name) || SHADOWED.contains(&name.as_str()))
            && let Some((_, text)) = raw.iter().find(|(number, _)| *number == line)
        {
            if name == "BDAY" {
                without_placeholder_year(&mut fields.birthday, text);
            }
            // PostgreSQL cannot store NUL.
            extra.push(text.replace('\0', ""));
        }
    }
    Ok(DavCard { uid, fields, extra })
}

/// The name of a kept line (group dropped, upper case).
fn name_of(line: &str) -> String {
    let head = line.split([';', ':']).next().unwrap_or_default();
    head.rsplit('.').next().unwrap_or_default().trim().to_ascii_uppercase()
}

/// The value of a kept line: after the first `:` outside a quoted parameter.
fn split_line(line: &str) -> (&str, &str) {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => return (&line[..i], &line[i + 1..]),
            _ => {}
        }
    }
    (line, "")
}

/// The components of a structured value (`;`-separated, `\;` escaped), unescaped.
fn components(value: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n' | 'N') => parts.last_mut().expect("one part").push('\n'),
                Some(other) => parts.last_mut().expect("one part").push(other),
                None => {}
            },
            ';' => parts.push(String::new()),
            c => parts.last_mut().expect("one part").push(c),
        }
    }
    parts
}

/// Whether a kept N still names the person: its family and given names (the words of them)
/// all appear in the name.
fn n_fits(line: &str, name: &str) -> bool {
    let parts = components(split_line(line).1);
    let name = name.to_lowercase();
    let words: Vec<String> = parts
        .iter()
        .take(2)
        .flat_map(|part| part.split([',', ' ']).map(str::to_lowercase).collect::<Vec<_>>())
        .filter(|word| !word.is_empty())
        .collect();
    !words.is_empty() && words.iter().all(|word| name.contains(word.as_str()))
}

/// N made from the name: the last word is the family name, the others the given names.
fn derived_n(name: &str) -> String {
    let escape = |text: &str| text.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,");
    let words: Vec<&str> = name.split_whitespace().collect();
    match words.split_last() {
        Some((family, given)) if !given.is_empty() => format!("{};{};;;", escape(family), escape(&given.join(" "))),
        _ => format!(";{};;;", escape(name.trim())),
    }
}

/// BDAY's value: `YYYY-MM-DD`, or `--MMDD` without a year (RFC 6350's form, which vCard 3.0
/// readers take as ISO 8601's; the extended `--MM-DD` is read as a month alone by some).
fn bday_value(birthday: Birthday) -> String {
    match birthday.year {
        Some(year) => format!("{year:04}-{:02}-{:02}", birthday.month, birthday.day),
        None => format!("--{:02}{:02}", birthday.month, birthday.day),
    }
}

/// The person as a vCard 3.0 card with the client's kept lines. Only stored values go in, so
/// the same revision is always the same text, as a strong ETag promises.
pub fn write(uid: &str, fields: &PersonFields, extra: &str, updated_at: i64) -> String {
    let extra: Vec<&str> = extra.lines().filter(|line| !line.is_empty()).collect();
    let named = |name: &'static str| extra.iter().copied().filter(move |line| name_of(line) == name);
    // The client's ADRs stand while the first still reads as the address.
    let first_adr = named("ADR").next();
    let keep_adr = !fields.address.is_empty()
        && first_adr.and_then(|line| fields_of(&[line])).is_some_and(|kept| kept.address == fields.address);
    let keep_bday = fields.birthday.is_some()
        && named("BDAY")
            .next()
            .and_then(|line| fields_of(&[line]))
            .is_some_and(|kept| kept.birthday == fields.birthday);
    let kept_n = named("N").find(|line| n_fits(line, &fields.name));

    let mut card = people_vcard::card(uid, fields);
    // A birthday is written below: calcard writes one without a year in the 3.0 form
    // `--MM-DD`, which its own reader (and so UMBRA's) takes for a month without a day.
    card.entries.retain(|entry| match entry.name {
        VCardProperty::Adr => !keep_adr,
        VCardProperty::Bday => false,
        _ => true,
    });
    // A card has one birthday (RFC 6350: BDAY at most once): only the first kept BDAY, the one
    // checked above, is written back.
    let mut bday_written = false;
    let mut text = String::with_capacity(512 + extra.iter().map(|l| l.len() + 8).sum::<usize>());
    // Writing to a String cannot fail.
    let _ = card.write_to(&mut text, VCardVersion::V3_0);
    let end = text.rfind("END:VCARD").unwrap_or(text.len());
    text.truncate(end);
    let mut out = Writer::default();
    match kept_n {
        Some(line) => {
            let (head, value) = split_line(line);
            out.property(head, value);
        }
        None => out.property("N", &derived_n(&fields.name)),
    }
    if !keep_bday && let Some(birthday) = fields.birthday.as_deref().and_then(Birthday::parse) {
        out.property("BDAY", &bday_value(birthday));
    }
    out.property("REV", &utc_stamp(updated_at));
    for line in extra {
        let name = name_of(line);
        let kept = match name.as_str() {
            "N" => false,
            "ADR" => keep_adr,
            "BDAY" => keep_bday && !std::mem::replace(&mut bday_written, true),
            _ => true,
        };
        if kept {
            let (head, value) = split_line(line);
            out.property(head, value);
        }
    }
    text.push_str(&out.finish());
    text.push_str("END:VCARD\r\n");
    text
}

#[cfg(test)]
mod tests;
