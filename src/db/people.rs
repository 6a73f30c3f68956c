//! People: one row per contact, owned by one user; e-mails, phones and tags are JSON text,
//! with the tags also as `person_tags` rows for the exact tag filter. Every query filters by
//! the owner.
//!
//! Every write that changes what a CardDAV client sees (insert, update, delete) bumps the
//! person's `revision` (its ETag) and records the change in the user's address-book change
//! log (`collection_changes`), in the same transaction: here, so that no caller (the API, the
//! vCard import, CardDAV) can forget it.

use sqlx::{Any, AnyConnection, Executor, FromRow};

use super::collection_changes::{self as changes, ChangeKind, SyncCollection};
use super::dav_names::{self, Objects};
use super::locations::like_pattern;
use crate::domain::flag::Flag;
use crate::domain::id::{LocationId, PersonId, UserId};
use crate::domain::people::PersonFields;
use crate::domain::time::UtcMillis;

#[derive(Debug, Clone, FromRow)]
pub struct PersonRow {
    pub id: PersonId,
    pub uid: String,
    pub name: String,
    pub nickname: String,
    pub emails: String,
    pub phones: String,
    pub birthday: Option<String>,
    pub address: String,
    pub notes: String,
    pub tags: String,
    pub favourite: Flag,
    pub location_id: Option<LocationId>,
    pub location_name: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(super) const COLUMNS: &str = "p.id, p.uid, p.name, p.nickname, p.emails, p.phones, p.birthday, p.address, p.notes, \
     p.tags, p.favourite, p.location_id, l.name AS location_name, p.created_at, p.updated_at";
pub(super) const FROM: &str = "people p LEFT JOIN locations l ON l.id = p.location_id";

/// The list filters of `GET /api/people`.
#[derive(Debug, Default)]
pub struct Filter<'a> {
    pub q: Option<&'a str>,
    pub tag: Option<&'a str>,
    pub favourite: Option<bool>,
}

/// Name, nickname and addresses, lower-cased here (SQLite's LOWER knows only ASCII), one a
/// line: the text `q` searches.
fn search_text(fields: &PersonFields) -> String {
    let mut parts = vec![fields.name.to_lowercase(), fields.nickname.to_lowercase()];
    parts.extend(fields.emails.iter().map(|e| e.value.to_lowercase()));
    parts.join("\n")
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

/// Binds a person's fields after the statement's leading keys, in the order insert and update
/// share (name … search_text). A macro: `query` and `query_scalar` differ in type, not in `bind`.
macro_rules! bind_fields {
    ($query:expr, $fields:expr, $location:expr, $now:expr) => {
        $query
            .bind(&$fields.name)
            .bind(&$fields.nickname)
            .bind(json(&$fields.emails))
            .bind(json(&$fields.phones))
            .bind($fields.birthday.as_deref())
            .bind(&$fields.address)
            .bind(&$fields.notes)
            .bind(json(&$fields.tags))
            .bind(Flag($fields.favourite))
            .bind($location)
            .bind($now.0)
            .bind(search_text($fields))
    };
}

/// What a CardDAV client gave a person beyond its fields.
#[derive(Debug, Clone, Copy, Default)]
pub struct DavParts<'a> {
    /// The resource name it chose; `None`: `<uid>.vcf`.
    pub name: Option<&'a str>,
    /// Its lines UMBRA keeps for it (`dav_extra`).
    pub extra: &'a str,
}

/// Inserts a person (tags included) inside the caller's transaction.
pub async fn insert(
    conn: &mut AnyConnection,
    owner: UserId,
    uid: &str,
    fields: &PersonFields,
    location: Option<LocationId>,
    dav: DavParts<'_>,
    now: UtcMillis,
) -> Result<PersonId, sqlx::Error> {
    // Without a chosen name it answers to `<uid>.vcf`, unless a client chose that for another.
    let name = match dav.name {
        Some(name) => Some(name.to_string()),
        None => dav_names::name_for(conn, Objects::People(owner), uid, 0).await?,
    };
    let insert = sqlx::query_scalar(
        "INSERT INTO people (user_id, uid, name, nickname, emails, phones, birthday, address, notes, tags, \
         favourite, location_id, created_at, updated_at, search_text, dav_name, dav_extra) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15, $16) RETURNING id",
    )
    .bind(owner)
    .bind(uid);
    let id: PersonId =
        bind_fields!(insert, fields, location, now).bind(name.as_deref()).bind(dav.extra).fetch_one(&mut *conn).await?;
    set_tags(conn, id, &fields.tags).await?;
    changes::record(conn, owner, SyncCollection::Contacts, uid, name.as_deref(), ChangeKind::Created, now.0).await?;
    Ok(id)
}

/// Replaces a person's fields (tags included) inside the caller's transaction; `extra`
/// replaces the lines kept for a CardDAV client (`None`: kept, as for a change in the app).
pub async fn update(
    conn: &mut AnyConnection,
    owner: UserId,
    id: PersonId,
    fields: &PersonFields,
    location: Option<LocationId>,
    extra: Option<&str>,
    now: UtcMillis,
) -> Result<bool, sqlx::Error> {
    let update = sqlx::query_as(
        "UPDATE people SET name = $3, nickname = $4, emails = $5, phones = $6, birthday = $7, address = $8, \
         notes = $9, tags = $10, favourite = $11, location_id = $12, updated_at = $13, search_text = $14, \
         dav_extra = COALESCE($15, dav_extra), revision = revision + 1 WHERE id = $1 AND user_id = $2 \
         RETURNING uid, dav_name",
    )
    .bind(id)
    .bind(owner);
    let done: Option<(String, Option<String>)> =
        bind_fields!(update, fields, location, now).bind(extra).fetch_optional(&mut *conn).await?;
    let Some((uid, name)) = done else { return Ok(false) };
    set_tags(conn, id, &fields.tags).await?;
    changes::record(conn, owner, SyncCollection::Contacts, &uid, name.as_deref(), ChangeKind::Changed, now.0).await?;
    Ok(true)
}

async fn set_tags(conn: &mut AnyConnection, id: PersonId, tags: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM person_tags WHERE person_id = $1").bind(id).execute(&mut *conn).await?;
    for tag in tags {
        sqlx::query("INSERT INTO person_tags (person_id, tag) VALUES ($1, $2)")
            .bind(id)
            .bind(tag)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn get<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: UserId,
    id: PersonId,
) -> Result<Option<PersonRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM {FROM} WHERE p.id = $1 AND p.user_id = $2")))
        .bind(id)
        .bind(owner)
        .fetch_optional(db)
        .await
}

/// The owner's person with this vCard UID, if any (import matches on it).
pub async fn id_by_uid<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: UserId,
    uid: &str,
) -> Result<Option<(PersonId, Option<LocationId>)>, sqlx::Error> {
    sqlx::query_as("SELECT id, location_id FROM people WHERE user_id = $1 AND uid = $2")
        .bind(owner)
        .bind(uid)
        .fetch_optional(db)
        .await
}

/// A page of the owner's people by name, filtered.
pub async fn list(
    db: &sqlx::AnyPool,
    owner: UserId,
    filter: &Filter<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PersonRow>, i64), sqlx::Error> {
    let pattern = filter.q.map_or_else(|| "%".to_string(), like_pattern);
    // $3/$4 switch the optional filters off when not given, so one SQL text serves all.
    let conditions = "p.user_id = $1 AND p.search_text LIKE $2 ESCAPE '\\' \
         AND ($3 = '' OR EXISTS (SELECT 1 FROM person_tags t WHERE t.person_id = p.id AND t.tag = $3)) \
         AND ($4 < 0 OR p.favourite = $4)";
    let tag = filter.tag.unwrap_or_default();
    let favourite = filter.favourite.map_or(-1_i64, i64::from);
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE {conditions} ORDER BY LOWER(p.name), p.id LIMIT $5 OFFSET $6"
    )))
    .bind(owner)
    .bind(&pattern)
    .bind(tag)
    .bind(favourite)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    let total = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM people p WHERE {conditions}")))
        .bind(owner)
        .bind(&pattern)
        .bind(tag)
        .bind(favourite)
        .fetch_one(db)
        .await?;
    Ok((rows, total))
}

/// Every person of the owner, by name (export); `ids` narrows to those (the caller checks
/// that all of them were found).
pub async fn all<'c>(db: impl Executor<'c, Database = Any>, owner: UserId) -> Result<Vec<PersonRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE p.user_id = $1 ORDER BY LOWER(p.name), p.id"
    )))
    .bind(owner)
    .fetch_all(db)
    .await
}

/// The owner's people with a birthday (the upcoming list is computed from these).
pub async fn with_birthday<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: UserId,
) -> Result<Vec<PersonRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE p.user_id = $1 AND p.birthday IS NOT NULL ORDER BY LOWER(p.name), p.id"
    )))
    .bind(owner)
    .fetch_all(db)
    .await
}

pub async fn delete(
    conn: &mut AnyConnection,
    owner: UserId,
    id: PersonId,
    now: UtcMillis,
) -> Result<bool, sqlx::Error> {
    let done: Option<(String, Option<String>)> =
        sqlx::query_as("DELETE FROM people WHERE id = $1 AND user_id = $2 RETURNING uid, dav_name")
            .bind(id)
            .bind(owner)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((uid, name)) = done else { return Ok(false) };
    changes::record(conn, owner, SyncCollection::Contacts, &uid, name.as_deref(), ChangeKind::Deleted, now.0).await?;
    Ok(true)
}
