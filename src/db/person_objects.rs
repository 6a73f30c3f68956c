//! People as CardDAV resources: found by resource name (the one a client chose, kept in
//! `dav_name`, else `<uid>.vcf`) or by UID, with their revision (the ETag) and the lines kept
//! for the client. Writes go through `db::people`, which keeps the change log.

use sqlx::{Any, Executor, FromRow};

use super::people::{COLUMNS, FROM, PersonRow};
use super::{Backend, WriteTx};
use crate::domain::id::{PersonId, UserId};

/// The resource name suffix of a person whose client chose no name.
pub const SUFFIX: &str = ".vcf";

/// A person with what their vCard needs.
#[derive(Debug, Clone, FromRow)]
pub struct PersonObjectRow {
    #[sqlx(flatten)]
    pub person: PersonRow,
    pub revision: i64,
    pub dav_name: Option<String>,
    pub dav_extra: String,
}

/// What a listing needs: the name and the ETag's parts.
#[derive(Debug, Clone, FromRow)]
pub struct PersonMetaRow {
    pub id: PersonId,
    pub uid: String,
    pub dav_name: Option<String>,
    pub revision: i64,
}

fn object_columns() -> String {
    format!("{COLUMNS}, p.revision, p.dav_name, p.dav_extra")
}

/// The UID a name derived from it stands for (`abc.vcf` → `abc`).
fn uid_in(name: &str) -> Option<&str> {
    name.strip_suffix(SUFFIX).filter(|uid| !uid.is_empty())
}

/// Every person of the user, oldest first.
pub async fn list<'c>(db: impl Executor<'c, Database = Any>, owner: UserId) -> Result<Vec<PersonMetaRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, uid, dav_name, revision FROM people WHERE user_id = $1 ORDER BY id")
        .bind(owner)
        .fetch_all(db)
        .await
}

/// The user's people with these resource names (names that name none are left out).
pub async fn by_names<'c, E>(db: E, owner: UserId, names: &[String]) -> Result<Vec<PersonObjectRow>, sqlx::Error>
where
    E: Executor<'c, Database = Any> + Copy,
{
    let mut found = Vec::with_capacity(names.len());
    // In chunks: one statement's bind count stays far below both databases' limits.
    for chunk in names.chunks(100) {
        let chosen: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let derived: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2 + chunk.len())).collect();
        let sql = format!(
            "SELECT {} FROM {FROM} WHERE p.user_id = $1 AND (p.dav_name IN ({}) OR (p.dav_name IS NULL AND p.uid IN ({})))",
            object_columns(),
            chosen.join(", "),
            derived.join(", ")
        );
        let mut query = sqlx::query_as::<_, PersonObjectRow>(sqlx::AssertSqlSafe(sql)).bind(owner);
        for name in chunk {
            query = query.bind(name.as_str());
        }
        for name in chunk {
            query = query.bind(uid_in(name));
        }
        found.extend(query.fetch_all(db).await?);
    }
    Ok(found)
}

/// The user's person with this resource name, locked for the rest of the transaction on
/// PostgreSQL (SQLite's write transaction holds the database's write lock already).
pub async fn by_name_for_update(
    tx: &mut WriteTx,
    owner: UserId,
    name: &str,
) -> Result<Option<PersonObjectRow>, sqlx::Error> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE OF p" } else { "" };
    let sql = format!(
        "SELECT {} FROM {FROM} WHERE p.user_id = $1 AND (p.dav_name = $2 OR (p.dav_name IS NULL AND p.uid = $3)){lock}",
        object_columns()
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(owner).bind(name).bind(uid_in(name)).fetch_optional(&mut **tx).await
}

/// The user's person with this UID, whatever their name.
pub async fn by_uid(tx: &mut WriteTx, owner: UserId, uid: &str) -> Result<Option<PersonMetaRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, uid, dav_name, revision FROM people WHERE user_id = $1 AND uid = $2")
        .bind(owner)
        .bind(uid)
        .fetch_optional(&mut **tx)
        .await
}

/// The revision a write left the person at.
pub async fn revision(tx: &mut WriteTx, owner: UserId, id: PersonId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT revision FROM people WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(owner)
        .fetch_one(&mut **tx)
        .await
}
