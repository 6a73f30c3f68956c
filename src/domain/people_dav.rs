//! A person as a CardDAV address object (RFC 6352): vCard 3.0 out (what every CardDAV
//! client reads), 3.0 and 4.0 in. The fields are mapped by `people_vcard`, as for the API's
//! import and export; this module adds what a client syncing its own cards needs back:
//!
//! - the lines UMBRA has no field for (ORG, PHOTO, URL, X-…, Apple's grouped labels) are kept
//!   as the client's own unfolded content lines (`people.dav_extra`) and written back;
//! - N and ADR, which UMBRA reads lossily (N is derived from FN; the first ADR becomes address
//!   text), are kept too and written back while they still say what UMBRA has: an N whose name
//!   parts all appear in the person's name, ADRs whose first one reads as the address. Once
//!   the person is renamed or the address edited in UMBRA, both are made from UMBRA's values.

use calcard::vcard::{VCardProperty, VCardVersion};

use crate::domain::ical::writer::{Writer, utc_stamp};
use crate::domain::people::{PersonFields, UID_MAX};
use crate::domain::people_vcard;
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
const SHADOWED: [&str; 2] = ["N", "ADR"];

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
    let mut extra = Vec::new();
    for (entry, line) in card.entries() {
        let name = entry.name.as_str().to_ascii_uppercase();
        if (imported.unknown.contains(&name) || SHADOWED.contains(&name.as_str()))
            && let Some((_, text)) = raw.iter().find(|(number, _)| *number == line)
        {
            // PostgreSQL cannot store NUL.
            extra.push(text.replace('\0', ""));
        }
    }
    Ok(DavCard { uid, fields: imported.fields, extra })
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

/// Whether the kept ADR lines still give the person's address: the first, read as UMBRA
/// reads it, is the address text.
fn adr_fits(lines: &[&str], address: &str) -> bool {
    let Some(first) = lines.first() else { return false };
    let card = format!("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\n{first}\r\nEND:VCARD\r\n");
    let Ok(cards) = vcard::read(&card) else { return false };
    cards.first().and_then(|card| people_vcard::from_card(card).ok()).is_some_and(|c| c.fields.address == address)
}

/// The person as a vCard 3.0 card with the client's kept lines. Only stored values go in, so
/// the same revision is always the same text, as a strong ETag promises.
pub fn write(uid: &str, fields: &PersonFields, extra: &str, updated_at: i64) -> String {
    let extra: Vec<&str> = extra.lines().filter(|line| !line.is_empty()).collect();
    let adrs: Vec<&str> = extra.iter().copied().filter(|line| name_of(line) == "ADR").collect();
    let keep_adr = !fields.address.is_empty() && adrs.len() == adrs.len().max(1) && adr_fits(&adrs, &fields.address);
    let kept_n = extra.iter().copied().find(|line| name_of(line) == "N" && n_fits(line, &fields.name));

    let mut card = people_vcard::card(uid, fields);
    if keep_adr {
        card.entries.retain(|entry| entry.name != VCardProperty::Adr);
    }
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
    out.property("REV", &utc_stamp(updated_at));
    for line in extra {
        let name = name_of(line);
        let kept = match name.as_str() {
            "N" => false,
            "ADR" => keep_adr,
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
