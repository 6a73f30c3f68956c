//! iCalendar workflows: export a calendar (signed in, or through its secret feed), manage the
//! feed, and import a file. Access is the calendar capability: reading to export, writing to
//! import, managing for the feed; a calendar the caller cannot see is `NotFound`.

pub mod convert;
mod import;

use base64::Engine as _;
use sha2::{Digest, Sha256};

pub use import::{ImportSummary, import};

use crate::db::error::DbError;
use crate::db::{calendar_access, calendar_feeds, calendar_ics};
use crate::domain::calendars::CalendarLevel;
use crate::domain::ical::{self, CalendarHead, LineError};
use crate::domain::id::{CalendarId, UserId};
use crate::service::Context;

#[derive(Debug, thiserror::Error)]
pub enum IcalError {
    /// The calendar (or feed) is not one the caller can see.
    #[error("not found")]
    NotFound,
    /// The caller sees the calendar but may not do this (a read member importing, say).
    #[error("not allowed")]
    Forbidden,
    /// The file is malformed; nothing was imported.
    #[error("line {}: {}", .0.line, .0.message)]
    Malformed(LineError),
    /// The file holds more than one import may write (nothing was imported).
    #[error("{0}")]
    TooLarge(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for IcalError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::classify(error))
    }
}

pub type IcalResult<T> = Result<T, IcalError>;

/// The caller's level on the calendar, at least `needed`.
async fn level(
    ctx: &Context<'_>,
    user: UserId,
    calendar: CalendarId,
    needed: CalendarLevel,
) -> IcalResult<CalendarLevel> {
    match calendar_access::calendar_level(ctx.db.pool(), user, calendar).await? {
        None => Err(IcalError::NotFound),
        Some(level) if level < needed => Err(IcalError::Forbidden),
        Some(level) => Ok(level),
    }
}

/// The calendar as an iCalendar file (two queries, however many events).
async fn export_calendar(ctx: &Context<'_>, calendar: CalendarId) -> IcalResult<String> {
    let pool = ctx.db.pool();
    let head = calendar_ics::head(pool, calendar).await?.ok_or(IcalError::NotFound)?;
    let rows = crate::db::events::in_calendar(pool, calendar).await?;
    let overrides = crate::db::events::overrides_in_calendar(pool, calendar).await?;
    let events = convert::to_ics(rows, overrides);
    let head = CalendarHead { name: &head.name, description: &head.description };
    Ok(ical::calendar(&head, &events, ctx.now.0))
}

/// `GET /api/calendars/{id}/export.ics`: needs read access.
pub async fn export(ctx: Context<'_>, user: UserId, calendar: CalendarId) -> IcalResult<String> {
    level(&ctx, user, calendar, CalendarLevel::Read).await?;
    export_calendar(&ctx, calendar).await
}

/// The SHA-256 of a feed token, as stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A feed token as it may appear in a URL: 43 characters of base64url.
fn well_formed(token: &str) -> bool {
    token.len() == 43 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `GET /ics/<token>.ics`: the calendar whose feed the token opens. A token that is not the
/// shape of one is refused before any lookup; one that is, is looked up by its hash.
pub async fn feed(ctx: Context<'_>, token: &str) -> IcalResult<String> {
    if !well_formed(token) {
        return Err(IcalError::NotFound);
    }
    let calendar = calendar_feeds::calendar_of(ctx.db.pool(), &token_hash(token)).await?.ok_or(IcalError::NotFound)?;
    export_calendar(&ctx, calendar).await
}

/// A new feed token (256 random bits), replacing any earlier one. Only its hash is kept; the
/// token is shown this once. Only the owner may: a feed outlives any share, so a manager's
/// feed would keep the calendar readable after their access was revoked, and a manager's
/// regeneration would break the owner's subscribed apps.
pub async fn create_feed(ctx: Context<'_>, user: UserId, calendar: CalendarId) -> IcalResult<String> {
    level(&ctx, user, calendar, CalendarLevel::Owner).await?;
    let bytes: [u8; 32] = rand::random();
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    calendar_feeds::replace(ctx.db.pool(), calendar, &token_hash(&token), ctx.now.0).await?;
    Ok(token)
}

/// Revokes the feed: its URL answers 404 from the next request on.
pub async fn delete_feed(ctx: Context<'_>, user: UserId, calendar: CalendarId) -> IcalResult<()> {
    level(&ctx, user, calendar, CalendarLevel::Owner).await?;
    if calendar_feeds::delete(ctx.db.pool(), calendar).await? { Ok(()) } else { Err(IcalError::NotFound) }
}

/// Whether the calendar has a feed, and since when (never the token).
pub async fn feed_status(ctx: Context<'_>, user: UserId, calendar: CalendarId) -> IcalResult<Option<i64>> {
    level(&ctx, user, calendar, CalendarLevel::Read).await?;
    Ok(calendar_feeds::created_at(ctx.db.pool(), calendar).await?)
}
