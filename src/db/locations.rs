//! Locations: one row per place, owned by one user; every query filters by that owner.

use sqlx::{Any, Executor, FromRow};

use crate::domain::id::{LocationId, UserId};
use crate::domain::locations::LocationFields;
use crate::domain::time::UtcMillis;

/// A location with how many of its owner's people link to it.
#[derive(Debug, Clone, FromRow)]
pub struct LocationRow {
    pub id: LocationId,
    pub name: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub category: String,
    pub notes: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub people_count: i64,
}

const COLUMNS: &str = "l.id, l.name, l.address, l.latitude, l.longitude, l.category, l.notes, l.created_at, \
     l.updated_at, (SELECT COUNT(*) FROM people p WHERE p.location_id = l.id) AS people_count";

/// Escapes `%`, `_` and `\` so a search text matches literally in `LIKE … ESCAPE '\'`.
pub fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Name and address, lower-cased here (SQLite's LOWER knows only ASCII): what `q` searches.
fn search_text(fields: &LocationFields) -> String {
    format!("{}\n{}", fields.name.to_lowercase(), fields.address.to_lowercase())
}

pub async fn insert<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: UserId,
    fields: &LocationFields,
    now: UtcMillis,
) -> Result<LocationId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO locations (user_id, name, address, latitude, longitude, category, notes, created_at, updated_at, \
         search_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING id",
    )
    .bind(owner)
    .bind(&fields.name)
    .bind(&fields.address)
    .bind(fields.latitude)
    .bind(fields.longitude)
    .bind(&fields.category)
    .bind(&fields.notes)
    .bind(now.0)
    .bind(search_text(fields))
    // Not kept prepared: a NULL `f64` is typed as a 4-byte float (see db::user_settings::upsert).
    .persistent(false)
    .fetch_one(db)
    .await
}

pub async fn get<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: UserId,
    id: LocationId,
) -> Result<Option<LocationRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM locations l WHERE l.id = $1 AND l.user_id = $2")))
        .bind(id)
        .bind(owner)
        .fetch_optional(db)
        .await
}

/// Whether the location exists and is the owner's (for links from people).
pub async fn is_owned<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: UserId,
    id: LocationId,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM locations WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(owner)
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}

/// A page of the owner's locations by name, optionally matching `q` in name or address.
pub async fn list(
    db: &sqlx::AnyPool,
    owner: UserId,
    q: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<LocationRow>, i64), sqlx::Error> {
    let pattern = q.map_or_else(|| "%".to_string(), like_pattern);
    let filter = "l.user_id = $1 AND l.search_text LIKE $2 ESCAPE '\\'";
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM locations l WHERE {filter} ORDER BY LOWER(l.name), l.id LIMIT $3 OFFSET $4"
    )))
    .bind(owner)
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    let total = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM locations l WHERE {filter}")))
        .bind(owner)
        .bind(&pattern)
        .fetch_one(db)
        .await?;
    Ok((rows, total))
}

pub async fn update<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: UserId,
    id: LocationId,
    fields: &LocationFields,
    now: UtcMillis,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE locations SET name = $3, address = $4, latitude = $5, longitude = $6, category = $7, notes = $8, \
         updated_at = $9, search_text = $10 WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(owner)
    .bind(&fields.name)
    .bind(&fields.address)
    .bind(fields.latitude)
    .bind(fields.longitude)
    .bind(&fields.category)
    .bind(&fields.notes)
    .bind(now.0)
    .bind(search_text(fields))
    // Not kept prepared: a NULL `f64` is typed as a 4-byte float (see db::user_settings::upsert).
    .persistent(false)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes the location; people linked to it are unlinked by the foreign key (SET NULL).
pub async fn delete<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: UserId,
    id: LocationId,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM locations WHERE id = $1 AND user_id = $2").bind(id).bind(owner).execute(db).await?;
    Ok(done.rows_affected() == 1)
}

impl LocationRow {
    pub fn into_fields(self) -> LocationFields {
        LocationFields {
            name: self.name,
            address: self.address,
            latitude: self.latitude,
            longitude: self.longitude,
            category: self.category,
            notes: self.notes,
        }
    }
}
