//! People: the rules for a contact's fields (lengths, list sizes, e-mail and phone shapes,
//! tags), birthdays with or without a year, and when the next birthday falls.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::locations::Problems;
use crate::domain::text;
use crate::error::FieldError;

pub const NAME_MAX: usize = 200;
pub const NICKNAME_MAX: usize = 200;
pub const ADDRESS_MAX: usize = 1_000;
pub const NOTES_MAX: usize = 10_000;
pub const VALUES_MAX: usize = 20;
pub const LABEL_MAX: usize = 40;
pub const EMAIL_MAX: usize = 254;
pub const PHONE_MAX: usize = 40;
pub const TAGS_MAX: usize = 30;
pub const TAG_MAX: usize = 40;
pub const UID_MAX: usize = 200;

/// One e-mail address or phone number with its label (`home`, `work`, … or empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactValue {
    #[serde(default)]
    pub label: String,
    pub value: String,
}

/// A birthday: a real date, or a month and day when the year is unknown (`--MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Birthday {
    pub year: Option<i32>,
    pub month: u32,
    pub day: u32,
}

impl Birthday {
    /// `YYYY-MM-DD` or `--MM-DD`. 29 February is valid without a year (someone was born on
    /// one), and with a year only in a leap year.
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if let Some(rest) = text.strip_prefix("--") {
            if rest.len() != 5 || rest.as_bytes()[2] != b'-' {
                return None;
            }
            let month = digits(&rest[..2])?;
            let day = digits(&rest[3..])?;
            // 2000 is a leap year: any month/day that exists in some year exists in it.
            NaiveDate::from_ymd_opt(2000, month, day)?;
            return Some(Self { year: None, month, day });
        }
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let year = digits(&text[..4])? as i32;
        let date = NaiveDate::from_ymd_opt(year, digits(&text[5..7])?, digits(&text[8..])?)?;
        Some(Self { year: Some(year), month: date.month(), day: date.day() })
    }

    /// The next day this birthday is observed on, today included. A 29 February birthday is
    /// observed on 28 February in a non-leap year (a common convention, and the one most
    /// legal systems use for coming of age).
    pub fn next_on_or_after(self, today: NaiveDate) -> NaiveDate {
        let this_year = self.observed_in(today.year());
        if this_year >= today { this_year } else { self.observed_in(today.year() + 1) }
    }

    fn observed_in(self, year: i32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
            .or_else(|| NaiveDate::from_ymd_opt(year, self.month, self.day - 1))
            .unwrap_or(NaiveDate::MIN)
    }

    /// The age turned on the observed date `on`, when the birth year is known.
    pub fn turns_on(self, on: NaiveDate) -> Option<i32> {
        self.year.map(|year| on.year() - year)
    }
}

impl std::fmt::Display for Birthday {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.year {
            Some(year) => write!(f, "{year:04}-{:02}-{:02}", self.month, self.day),
            None => write!(f, "--{:02}-{:02}", self.month, self.day),
        }
    }
}

fn digits(text: &str) -> Option<u32> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}

/// A person's fields as given (create, import) or as a patch left them (update).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFields {
    pub name: String,
    pub nickname: String,
    pub emails: Vec<ContactValue>,
    pub phones: Vec<ContactValue>,
    pub birthday: Option<String>,
    pub address: String,
    pub notes: String,
    pub tags: Vec<String>,
    pub favourite: bool,
}

impl PersonFields {
    /// Normalises (control characters dropped and line breaks made `\n`, as `text::plain`
    /// does; the name, address and values trimmed; the nickname and tags one line of words, as
    /// `text::words` makes them; repeated tags dropped) and checks every field, reporting all
    /// problems at once. The birthday is normalised to its canonical text.
    pub fn validate(mut self) -> Result<Self, Vec<FieldError>> {
        let mut problems = Problems::default();
        self.name = text::plain(&self.name).trim().to_string();
        self.nickname = text::words(&self.nickname);
        // Blank lines around an address say nothing (and a blank address is none: the vCard
        // reader drops blank ADR parts).
        self.address = text::plain(&self.address).trim().to_string();
        self.notes = text::plain(&self.notes).into_owned();
        problems.length("name", &self.name, 1, NAME_MAX);
        problems.length("nickname", &self.nickname, 0, NICKNAME_MAX);
        problems.length("address", &self.address, 0, ADDRESS_MAX);
        problems.length("notes", &self.notes, 0, NOTES_MAX);
        check_values(&mut problems, "emails", &mut self.emails, EMAIL_MAX, is_email, "is not an e-mail address");
        check_values(
            &mut problems,
            "phones",
            &mut self.phones,
            PHONE_MAX,
            is_phone,
            "may hold only digits, spaces and + ( ) - .",
        );
        if let Some(given) = &self.birthday {
            match Birthday::parse(given.trim()) {
                Some(birthday) => self.birthday = Some(birthday.to_string()),
                None => {
                    problems.add("birthday", "must be a real date as YYYY-MM-DD, or --MM-DD when the year is unknown");
                }
            }
        }
        let mut tags: Vec<String> = Vec::new();
        if self.tags.len() > TAGS_MAX {
            // Refused before any per-tag work: a list is never walked past its bound.
            problems.add("tags", format!("at most {TAGS_MAX} tags"));
        } else {
            for (i, tag) in self.tags.iter().enumerate() {
                let tag = text::words(tag);
                let count = tag.chars().count();
                if count == 0 || count > TAG_MAX {
                    problems.add(format!("tags[{i}]"), format!("must be 1 to {TAG_MAX} characters"));
                } else if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
        }
        self.tags = tags;
        problems.into_result().map(|()| self)
    }
}

fn check_values(
    problems: &mut Problems,
    field: &str,
    values: &mut [ContactValue],
    max: usize,
    valid: fn(&str) -> bool,
    message: &str,
) {
    if values.len() > VALUES_MAX {
        problems.add(field, format!("at most {VALUES_MAX} entries"));
    }
    for (i, entry) in values.iter_mut().enumerate() {
        entry.label = text::one_line(&entry.label).trim().to_string();
        entry.value = text::plain(&entry.value).trim().to_string();
        if entry.label.chars().count() > LABEL_MAX {
            problems.add(format!("{field}[{i}].label"), format!("must be at most {LABEL_MAX} characters"));
        }
        if entry.value.is_empty() {
            problems.add(format!("{field}[{i}].value"), "is required");
        } else if entry.value.chars().count() > max {
            problems.add(format!("{field}[{i}].value"), format!("must be at most {max} characters"));
        } else if !valid(&entry.value) {
            problems.add(format!("{field}[{i}].value"), message);
        }
    }
}

/// A deliberately simple address check (no crate: the full RFC 5322 grammar accepts things
/// no mail form should): one `@`, a local part without blanks or control characters, and a
/// domain of dot-separated labels of letters, digits and hyphens (non-ASCII letters allowed
/// for internationalised domains), with at least one dot.
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else { return false };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| !c.is_whitespace() && !c.is_control() && !"@<>()[]\\,;:\"".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

/// Free text of digits, spaces and `+ ( ) - .`, with at least one digit.
pub fn is_phone(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit()) && text.chars().all(|c| c.is_ascii_digit() || " +()-.".contains(c))
}

/// One upcoming birthday: the date it is observed on, how many days away, the age turned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upcoming {
    pub date: NaiveDate,
    pub days_until: i64,
    pub turns: Option<i32>,
}

/// When `birthday` next comes, from `today`, if within `days` days (today counts as 0).
pub fn upcoming(birthday: Birthday, today: NaiveDate, days: i64) -> Option<Upcoming> {
    let date = birthday.next_on_or_after(today);
    let days_until = (date - today).num_days();
    (days_until < days).then(|| Upcoming { date, days_until, turns: birthday.turns_on(date) })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn birthdays_parse_with_and_without_a_year() {
        assert_eq!(Birthday::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        assert_eq!(Birthday::parse("--02-29").unwrap().to_string(), "--02-29");
        for bad in ["2027-02-29", "--02-30", "--13-01", "2020-1-01", "20200101", "", "--0229", "abcd-01-01"] {
            assert_eq!(Birthday::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn leap_day_birthdays_are_observed_on_28_february_in_other_years() {
        let leap = Birthday::parse("2000-02-29").unwrap();
        let next = upcoming(leap, day("2027-02-20"), 30).unwrap();
        assert_eq!((next.date, next.days_until, next.turns), (day("2027-02-28"), 8, Some(27)));
        let next = upcoming(leap, day("2028-02-20"), 30).unwrap();
        assert_eq!((next.date, next.turns), (day("2028-02-29"), Some(28)));
        // Across the year end.
        let new_year = Birthday::parse("--01-02").unwrap();
        let next = upcoming(new_year, day("2026-12-30"), 30).unwrap();
        assert_eq!((next.date, next.days_until, next.turns), (day("2027-01-02"), 3, None));
        assert!(upcoming(new_year, day("2026-12-30"), 3).is_none());
    }

    #[test]
    fn emails_and_phones() {
        for good in ["a@b.co", "first.last+tag@example.org", "x@bücher.de"] {
            assert!(is_email(good), "{good}");
        }
        for bad in ["", "a", "a@b", "a b@c.de", "@c.de", "a@-c.de", "a@c..de", ".a@c.de"] {
            assert!(!is_email(bad), "{bad}");
        }
        assert!(is_phone("+1 (555) 123-45.67"));
        assert!(!is_phone("call me") && !is_phone("+ -"));
    }
}

/// `POST /api/people`: a new person. The `uid` is the server's to assign.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    pub name: String,
    #[serde(default)]
    pub nickname: Option<String>,
    #[serde(default)]
    pub emails: Option<Vec<ContactValue>>,
    #[serde(default)]
    pub phones: Option<Vec<ContactValue>>,
    /// `YYYY-MM-DD`, or `--MM-DD` when the year is unknown.
    #[serde(default)]
    pub birthday: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub favourite: Option<bool>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub location_id: Option<crate::domain::id::LocationId>,
}

impl NewPerson {
    pub fn into_fields(self) -> (PersonFields, Option<crate::domain::id::LocationId>) {
        let fields = PersonFields {
            name: self.name,
            nickname: self.nickname.unwrap_or_default(),
            emails: self.emails.unwrap_or_default(),
            phones: self.phones.unwrap_or_default(),
            birthday: self.birthday.filter(|b| !b.trim().is_empty()),
            address: self.address.unwrap_or_default(),
            notes: self.notes.unwrap_or_default(),
            tags: self.tags.unwrap_or_default(),
            favourite: self.favourite.unwrap_or(false),
        };
        (fields, self.location_id)
    }
}

/// `PATCH /api/people/{id}`: absent fields stay, `null` clears (not the name or favourite).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    #[serde(default)]
    pub name: Patch<String>,
    #[serde(default)]
    pub nickname: Patch<String>,
    #[serde(default)]
    pub emails: Patch<Vec<ContactValue>>,
    #[serde(default)]
    pub phones: Patch<Vec<ContactValue>>,
    #[serde(default)]
    pub birthday: Patch<String>,
    #[serde(default)]
    pub address: Patch<String>,
    #[serde(default)]
    pub notes: Patch<String>,
    #[serde(default)]
    pub tags: Patch<Vec<String>>,
    #[serde(default)]
    pub favourite: Patch<bool>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub location_id: Patch<crate::domain::id::LocationId>,
}

use crate::domain::patch::Patch;

impl PersonPatch {
    /// The fields after the patch, checked; the location change is returned apart (its
    /// ownership is the database's to check).
    #[allow(clippy::type_complexity)]
    pub fn apply(
        self,
        current: PersonFields,
        location: Option<crate::domain::id::LocationId>,
    ) -> Result<(PersonFields, Option<crate::domain::id::LocationId>), Vec<FieldError>> {
        let mut problems = Problems::default();
        let name = self.name.required().unwrap_or_else(|_| {
            problems.add("name", "is required");
            None
        });
        let favourite = self.favourite.required().unwrap_or_else(|_| {
            problems.add("favourite", "must be true or false");
            None
        });
        let fields = PersonFields {
            name: name.unwrap_or(current.name),
            nickname: self.nickname.apply(Some(current.nickname)).unwrap_or_default(),
            emails: self.emails.apply(Some(current.emails)).unwrap_or_default(),
            phones: self.phones.apply(Some(current.phones)).unwrap_or_default(),
            birthday: self.birthday.apply(current.birthday).filter(|b| !b.trim().is_empty()),
            address: self.address.apply(Some(current.address)).unwrap_or_default(),
            notes: self.notes.apply(Some(current.notes)).unwrap_or_default(),
            tags: self.tags.apply(Some(current.tags)).unwrap_or_default(),
            favourite: favourite.unwrap_or(current.favourite),
        };
        let location = self.location_id.apply(location);
        match fields.validate() {
            Ok(fields) if problems.is_empty() => Ok((fields, location)),
            Ok(_) => Err(problems.0),
            Err(more) => {
                problems.0.extend(more);
                Err(problems.0)
            }
        }
    }
}
