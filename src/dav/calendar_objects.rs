//! A calendar's events as a CalDAV calendar collection, for any calendar the user can read:
//! writes need a write share or better (else `DavError::ReadOnly`).
//! CONTRACT STUB: replaced by the calendars slice of issue 12.
#![allow(clippy::unused_async)] // The stub: the slice that fills this in awaits.

use super::auth::DavAccount;
use super::store::{DavError, DavResult, Delta, ObjectMeta, Precondition, PutOutcome, StoredObject};
use crate::domain::id::CalendarId;
use crate::service::Context;

pub async fn list(_ctx: Context<'_>, _account: &DavAccount, _calendar: CalendarId) -> DavResult<Vec<ObjectMeta>> {
    Err(DavError::NotFound)
}

pub async fn get(
    _ctx: Context<'_>,
    _account: &DavAccount,
    _calendar: CalendarId,
    _names: &[String],
) -> DavResult<Vec<StoredObject>> {
    Err(DavError::NotFound)
}

pub async fn put(
    _ctx: Context<'_>,
    _account: &DavAccount,
    _calendar: CalendarId,
    _name: &str,
    _body: &str,
    _precondition: &Precondition,
) -> DavResult<PutOutcome> {
    Err(DavError::NotFound)
}

pub async fn delete(
    _ctx: Context<'_>,
    _account: &DavAccount,
    _calendar: CalendarId,
    _name: &str,
    _precondition: &Precondition,
) -> DavResult<()> {
    Err(DavError::NotFound)
}

pub async fn token(_ctx: Context<'_>, _account: &DavAccount, _calendar: CalendarId) -> DavResult<i64> {
    Err(DavError::NotFound)
}

pub async fn changes(_ctx: Context<'_>, _account: &DavAccount, _calendar: CalendarId, _since: i64) -> DavResult<Delta> {
    Err(DavError::NotFound)
}
