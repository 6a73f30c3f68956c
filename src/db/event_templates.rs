//! Event templates: presets for new events, one owner each; every query names the owner, so
//! another user's template is never found.

use sqlx::{Any, Executor, FromRow};

use crate::domain::id::{CalendarId, EventTemplateId, UserId};

const COLUMNS: &str = "id, name, title, duration_minutes, calendar_id, description, location, alerts, colour, \
     created_at, updated_at";

#[derive(Debug, Clone, FromRow)]
pub struct TemplateRow {
    pub id: EventTemplateId,
    pub name: String,
    pub title: String,
    pub duration_minutes: i64,
    pub calendar_id: Option<CalendarId>,
    pub description: String,
    pub location: String,
    /// JSON array of minutes.
    pub alerts: String,
    pub colour: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The stored form of a template's fields.
#[derive(Debug, Clone)]
pub struct TemplateValues {
    pub name: String,
    pub title: String,
    pub duration_minutes: i64,
    pub calendar_id: Option<CalendarId>,
    pub description: String,
    pub location: String,
    pub alerts: String,
    pub colour: Option<String>,
}

pub async fn get<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: UserId,
    id: EventTemplateId,
) -> Result<Option<TemplateRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM event_templates WHERE id = $1 AND owner_id = $2"
    )))
    .bind(id)
    .bind(owner)
    .fetch_optional(db)
    .await
}

/// A page of the owner's templates by name, and how many there are.
pub async fn list(
    db: &sqlx::AnyPool,
    owner: UserId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<TemplateRow>, i64), sqlx::Error> {
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM event_templates WHERE owner_id = $1 ORDER BY LOWER(name), id LIMIT $2 OFFSET $3"
    )))
    .bind(owner)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    let total = sqlx::query_scalar("SELECT COUNT(*) FROM event_templates WHERE owner_id = $1")
        .bind(owner)
        .fetch_one(db)
        .await?;
    Ok((rows, total))
}

pub async fn insert<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: UserId,
    values: &TemplateValues,
    now: i64,
) -> Result<EventTemplateId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO event_templates (owner_id, name, title, duration_minutes, calendar_id, description, location, \
         alerts, colour, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
    )
    .bind(owner)
    .bind(&values.name)
    .bind(&values.title)
    .bind(values.duration_minutes)
    .bind(values.calendar_id)
    .bind(&values.description)
    .bind(&values.location)
    .bind(&values.alerts)
    .bind(&values.colour)
    .bind(now)
    .fetch_one(db)
    .await
}

pub async fn update<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: UserId,
    id: EventTemplateId,
    values: &TemplateValues,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE event_templates SET name = $3, title = $4, duration_minutes = $5, calendar_id = $6, \
         description = $7, location = $8, alerts = $9, colour = $10, updated_at = $11 \
         WHERE id = $1 AND owner_id = $2",
    )
    .bind(id)
    .bind(owner)
    .bind(&values.name)
    .bind(&values.title)
    .bind(values.duration_minutes)
    .bind(values.calendar_id)
    .bind(&values.description)
    .bind(&values.location)
    .bind(&values.alerts)
    .bind(&values.colour)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: UserId,
    id: EventTemplateId,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM event_templates WHERE id = $1 AND owner_id = $2")
        .bind(id)
        .bind(owner)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}
