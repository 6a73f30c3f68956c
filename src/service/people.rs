//! People: a user's contacts — create, read, change, delete, list, upcoming birthdays, and
//! vCard export and import. Every workflow takes the owner; another user's person (or
//! location, named in a body) is `NotFound`, exactly like one that never existed.

use chrono::NaiveDate;

use crate::db::locations;
use crate::db::people::{self, DavParts, Filter, PersonRow};
use crate::domain::id::{LocationId, PersonId, UserId};
use crate::domain::people::{self as rules, Birthday, NewPerson, PersonFields, PersonPatch, UID_MAX, Upcoming};
use crate::domain::people_vcard::{self, ImportedCard};
use crate::domain::vcard;
use crate::service::Context;
use crate::service::locations::{RecordError, RecordResult};

/// The most cards one import may carry (the 5 MiB body bounds it too; this bounds the
/// transaction).
pub const MAX_IMPORT_CARDS: usize = 10_000;

impl PersonRow {
    /// The stored fields as domain values (the JSON columns are written only by this module).
    pub fn fields(&self) -> PersonFields {
        PersonFields {
            name: self.name.clone(),
            nickname: self.nickname.clone(),
            emails: serde_json::from_str(&self.emails).unwrap_or_default(),
            phones: serde_json::from_str(&self.phones).unwrap_or_default(),
            birthday: self.birthday.clone(),
            address: self.address.clone(),
            notes: self.notes.clone(),
            tags: serde_json::from_str(&self.tags).unwrap_or_default(),
            favourite: self.favourite.get(),
        }
    }
}

/// A fresh vCard UID: a random (version 4) UUID URN, as RFC 6350 recommends.
pub(crate) fn new_uid() -> String {
    let mut bytes: [u8; 16] = rand::random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!("urn:uuid:{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

async fn check_location(
    conn: &mut sqlx::AnyConnection,
    owner: UserId,
    location: Option<LocationId>,
) -> RecordResult<()> {
    match location {
        Some(id) if !locations::is_owned(&mut *conn, owner, id).await? => Err(RecordError::NotFound),
        _ => Ok(()),
    }
}

pub async fn create(ctx: Context<'_>, owner: UserId, new: NewPerson) -> RecordResult<PersonRow> {
    let (fields, location) = new.into_fields();
    let fields = fields.validate().map_err(RecordError::Invalid)?;
    let mut tx = ctx.db.write().await?;
    check_location(&mut tx, owner, location).await?;
    let id = people::insert(&mut tx, owner, &new_uid(), &fields, location, DavParts::default(), ctx.now).await?;
    tx.commit().await?;
    get(ctx, owner, id).await
}

pub async fn get(ctx: Context<'_>, owner: UserId, id: PersonId) -> RecordResult<PersonRow> {
    people::get(ctx.db.pool(), owner, id).await?.ok_or(RecordError::NotFound)
}

pub async fn list(
    ctx: Context<'_>,
    owner: UserId,
    filter: &Filter<'_>,
    limit: i64,
    offset: i64,
) -> RecordResult<(Vec<PersonRow>, i64)> {
    Ok(people::list(ctx.db.pool(), owner, filter, limit, offset).await?)
}

pub async fn update(ctx: Context<'_>, owner: UserId, id: PersonId, patch: PersonPatch) -> RecordResult<PersonRow> {
    let mut tx = ctx.db.write().await?;
    let current = people::get(&mut *tx, owner, id).await?.ok_or(RecordError::NotFound)?;
    let (fields, location) = patch.apply(current.fields(), current.location_id).map_err(RecordError::Invalid)?;
    if location != current.location_id {
        check_location(&mut tx, owner, location).await?;
    }
    people::update(&mut tx, owner, id, &fields, location, None, ctx.now).await?;
    tx.commit().await?;
    get(ctx, owner, id).await
}

pub async fn delete(ctx: Context<'_>, owner: UserId, id: PersonId) -> RecordResult<()> {
    let mut tx = ctx.db.write().await?;
    if !people::delete(&mut tx, owner, id, ctx.now).await? {
        return Err(RecordError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// The birthdays observed within `days` days from `today` (today included), soonest first,
/// then by name.
pub async fn birthdays(
    ctx: Context<'_>,
    owner: UserId,
    today: NaiveDate,
    days: i64,
) -> RecordResult<Vec<(PersonRow, Upcoming)>> {
    let rows = people::with_birthday(ctx.db.pool(), owner).await?;
    let mut upcoming: Vec<(PersonRow, Upcoming)> = rows
        .into_iter()
        .filter_map(|row| {
            let birthday = Birthday::parse(row.birthday.as_deref()?)?;
            rules::upcoming(birthday, today, days).map(|next| (row, next))
        })
        .collect();
    upcoming.sort_by(|(a, x), (b, y)| {
        x.days_until.cmp(&y.days_until).then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok(upcoming)
}

/// The owner's people as one vCard 4.0 file: all of them, or those of `ids` (every one of
/// which must be the owner's, else `NotFound`).
pub async fn export(ctx: Context<'_>, owner: UserId, ids: Option<&[PersonId]>) -> RecordResult<String> {
    let rows = people::all(ctx.db.pool(), owner).await?;
    let chosen: Vec<&PersonRow> = match ids {
        None => rows.iter().collect(),
        Some(ids) => {
            if ids.iter().any(|id| !rows.iter().any(|row| row.id == *id)) {
                return Err(RecordError::NotFound);
            }
            rows.iter().filter(|row| ids.contains(&row.id)).collect()
        }
    };
    Ok(chosen.into_iter().map(|row| people_vcard::to_card(&row.uid, &row.fields())).collect())
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportSummary {
    pub created: u64,
    pub updated: u64,
    /// (card number from 1, property name) for every property that was not kept.
    pub unknown_properties: Vec<(usize, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file (or one card) cannot be imported; nothing was.
    #[error("card {card:?}, line {line}: {message}")]
    Malformed { card: Option<usize>, name: Option<String>, line: usize, message: String },
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Imports a vCard file: every card is read and checked first, then all are written in one
/// transaction, so a broken card anywhere imports nothing. A card whose UID matches one of
/// the owner's people updates that person (its location link kept) instead of adding one.
pub async fn import(ctx: Context<'_>, owner: UserId, text: &str) -> Result<ImportSummary, ImportError> {
    let cards = vcard::read(text).map_err(|e| ImportError::Malformed {
        card: e.card,
        name: None,
        line: e.line,
        message: e.message,
    })?;
    if cards.len() > MAX_IMPORT_CARDS {
        return Err(ImportError::Malformed {
            card: None,
            name: None,
            line: 1,
            message: format!("the file has {} cards; import at most {MAX_IMPORT_CARDS} at a time", cards.len()),
        });
    }
    let mut checked: Vec<ImportedCard> = Vec::with_capacity(cards.len());
    for (index, card) in cards.iter().enumerate() {
        let number = index + 1;
        let malformed = |line: usize, message: String| ImportError::Malformed {
            card: Some(number),
            name: people_vcard::name_of(card),
            line,
            message,
        };
        let mut imported = people_vcard::from_card(card).map_err(|e| malformed(e.line, e.message))?;
        if imported.uid.as_ref().is_some_and(|uid| uid.chars().count() > UID_MAX) {
            let line = imported.lines.iter().find(|(n, _)| n == "uid").map_or(card.line, |(_, l)| *l);
            return Err(malformed(line, format!("UID is longer than {UID_MAX} characters")));
        }
        imported.fields = imported.fields.clone().validate().map_err(|errors| {
            let first = &errors[0];
            let base = first.field.split(['[', '.']).next().unwrap_or_default();
            let line = imported.lines.iter().find(|(n, _)| n == base).map_or(card.line, |(_, l)| *l);
            malformed(line, format!("{}: {}", first.field, first.message))
        })?;
        checked.push(imported);
    }
    let mut summary = ImportSummary::default();
    let mut tx = ctx.db.write().await?;
    for (index, card) in checked.into_iter().enumerate() {
        summary.unknown_properties.extend(card.unknown.iter().map(|name| (index + 1, name.clone())));
        let existing = match &card.uid {
            Some(uid) => people::id_by_uid(&mut *tx, owner, uid).await?,
            None => None,
        };
        if let Some((id, location)) = existing {
            people::update(&mut tx, owner, id, &card.fields, location, None, ctx.now).await?;
            summary.updated += 1;
        } else {
            let uid = card.uid.unwrap_or_else(new_uid);
            people::insert(&mut tx, owner, &uid, &card.fields, None, DavParts::default(), ctx.now).await?;
            summary.created += 1;
        }
    }
    tx.commit().await?;
    Ok(summary)
}
