//! Importing a file into a calendar in one write transaction: every event is created, or
//! updated when its UID is already in the calendar and something differs, or left alone. Each
//! create and change is recorded in the calendar's change log.

use std::collections::HashMap;

use chrono_tz::Tz;

use super::convert::{overrides_to_write, same_content, series_problem, to_ics, to_write};
use super::{IcalError, IcalResult, level};
use crate::db::calendar_changes::{self, ChangeKind};
use crate::db::calendar_ics;
use crate::domain::calendars::CalendarLevel;
use crate::domain::ical::{self, IcsEvent, Unsupported};
use crate::domain::id::{CalendarId, EventId, UserId};
use crate::service::Context;

#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    pub imported: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub unsupported: Vec<Unsupported>,
}

/// Most events (series count once) one import writes.
pub const IMPORT_EVENTS_MAX: usize = 10_000;

/// `POST /api/calendars/{id}/import`: needs write access; a malformed file changes nothing.
pub async fn import(ctx: Context<'_>, user: UserId, calendar: CalendarId, text: &str) -> IcalResult<ImportSummary> {
    level(&ctx, user, calendar, CalendarLevel::Write).await?;
    let head = calendar_ics::head(ctx.db.pool(), calendar).await?.ok_or(IcalError::NotFound)?;
    let zone: Tz = head.timezone.parse().unwrap_or(chrono_tz::UTC);
    let parsed = ical::read(text, zone).map_err(IcalError::Malformed)?;
    if parsed.events.len() > IMPORT_EVENTS_MAX {
        // One import is one write transaction; a bigger file would hold the write lock for long.
        return Err(IcalError::TooLarge(format!(
            "The file holds {} events; one import takes at most {IMPORT_EVENTS_MAX}. Nothing was imported.",
            parsed.events.len()
        )));
    }
    let mut summary = ImportSummary { unsupported: parsed.unsupported, ..ImportSummary::default() };
    let mut tx = ctx.db.write().await?;
    // Access again, inside the transaction: a share revoked meanwhile must not let this write.
    let still = crate::db::calendar_access::calendar_level(&mut *tx, user, calendar).await?;
    if !still.is_some_and(CalendarLevel::can_write) {
        return Err(IcalError::NotFound);
    }
    let rows = crate::db::events::in_calendar(&mut *tx, calendar).await?;
    let overrides = crate::db::events::overrides_in_calendar(&mut *tx, calendar).await?;
    let ids: Vec<EventId> = rows.iter().map(|r| r.id).collect();
    let stored: HashMap<String, (EventId, IcsEvent)> =
        ids.into_iter().zip(to_ics(rows, overrides)).map(|(id, e)| (e.uid.clone(), (id, e))).collect();
    let now = ctx.now.0;
    for event in &parsed.events {
        if let Some(problem) = series_problem(event) {
            // Left out like any other part UMBRA cannot represent, and said so.
            summary.unsupported.push(Unsupported { line: None, what: format!("event {}", event.uid), detail: problem });
            continue;
        }
        let write = to_write(event);
        let kind = match stored.get(&event.uid) {
            Some((_, old)) if same_content(old, event) => {
                summary.unchanged += 1;
                continue;
            }
            Some((id, _)) => {
                calendar_ics::update_event(&mut tx, *id, &write, now).await?;
                calendar_ics::replace_overrides(&mut tx, *id, &overrides_to_write(event), now).await?;
                summary.updated += 1;
                ChangeKind::Changed
            }
            None => {
                let id = calendar_ics::insert_event(&mut tx, calendar, user, &write, now).await?;
                // Its UID may be the name a DAV client chose for another event here.
                crate::db::dav_names::settle_event(&mut tx, id).await?;
                calendar_ics::replace_overrides(&mut tx, id, &overrides_to_write(event), now).await?;
                summary.imported += 1;
                ChangeKind::Created
            }
        };
        calendar_changes::record(&mut tx, calendar, &event.uid, kind, now).await?;
    }
    tx.commit().await?;
    Ok(summary)
}
