//! The user's todos as one VTODO calendar collection.
//! CONTRACT STUB: replaced by the todos/contacts slice of issue 12.
#![allow(clippy::unused_async)] // The stub: the slice that fills this in awaits.

use super::auth::DavAccount;
use super::store::{DavError, DavResult, Delta, ObjectMeta, Precondition, PutOutcome, StoredObject};
use crate::service::Context;

/// Every object of the collection: its name and ETag.
pub async fn list(_ctx: Context<'_>, _account: &DavAccount) -> DavResult<Vec<ObjectMeta>> {
    Err(DavError::NotFound)
}

/// The named objects that exist (others are left out; the caller answers 404 for them).
pub async fn get(_ctx: Context<'_>, _account: &DavAccount, _names: &[String]) -> DavResult<Vec<StoredObject>> {
    Err(DavError::NotFound)
}

/// Creates or replaces the named object from a client's iCalendar text.
pub async fn put(
    _ctx: Context<'_>,
    _account: &DavAccount,
    _name: &str,
    _body: &str,
    _precondition: &Precondition,
) -> DavResult<PutOutcome> {
    Err(DavError::NotFound)
}

pub async fn delete(
    _ctx: Context<'_>,
    _account: &DavAccount,
    _name: &str,
    _precondition: &Precondition,
) -> DavResult<()> {
    Err(DavError::NotFound)
}

/// The collection's sync token now (also its CTag).
pub async fn token(_ctx: Context<'_>, _account: &DavAccount) -> DavResult<i64> {
    Err(DavError::NotFound)
}

/// What changed after `since` (0: everything there is now).
pub async fn changes(_ctx: Context<'_>, _account: &DavAccount, _since: i64) -> DavResult<Delta> {
    Err(DavError::NotFound)
}
