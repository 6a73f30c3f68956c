//! One door to the three kinds of collection: each call goes to `calendar_objects`,
//! `todo_objects` or `contact_objects` by the `Collection` a path named, so the protocol code
//! never cares which kind it serves.

use super::auth::DavAccount;
use super::store::{Collection, DavResult, Delta, ObjectMeta, Precondition, PutOutcome, StoredObject};
use super::{calendar_objects, contact_objects, todo_objects};
use crate::service::Context;

pub async fn list(ctx: Context<'_>, account: &DavAccount, collection: Collection) -> DavResult<Vec<ObjectMeta>> {
    match collection {
        Collection::Calendar(id) => calendar_objects::list(ctx, account, id).await,
        Collection::Todos => todo_objects::list(ctx, account).await,
        Collection::Contacts => contact_objects::list(ctx, account).await,
    }
}

pub async fn get(
    ctx: Context<'_>,
    account: &DavAccount,
    collection: Collection,
    names: &[String],
) -> DavResult<Vec<StoredObject>> {
    match collection {
        Collection::Calendar(id) => calendar_objects::get(ctx, account, id, names).await,
        Collection::Todos => todo_objects::get(ctx, account, names).await,
        Collection::Contacts => contact_objects::get(ctx, account, names).await,
    }
}

pub async fn put(
    ctx: Context<'_>,
    account: &DavAccount,
    collection: Collection,
    name: &str,
    body: &str,
    precondition: &Precondition,
) -> DavResult<PutOutcome> {
    match collection {
        Collection::Calendar(id) => calendar_objects::put(ctx, account, id, name, body, precondition).await,
        Collection::Todos => todo_objects::put(ctx, account, name, body, precondition).await,
        Collection::Contacts => contact_objects::put(ctx, account, name, body, precondition).await,
    }
}

pub async fn delete(
    ctx: Context<'_>,
    account: &DavAccount,
    collection: Collection,
    name: &str,
    precondition: &Precondition,
) -> DavResult<()> {
    match collection {
        Collection::Calendar(id) => calendar_objects::delete(ctx, account, id, name, precondition).await,
        Collection::Todos => todo_objects::delete(ctx, account, name, precondition).await,
        Collection::Contacts => contact_objects::delete(ctx, account, name, precondition).await,
    }
}

pub async fn token(ctx: Context<'_>, account: &DavAccount, collection: Collection) -> DavResult<i64> {
    match collection {
        Collection::Calendar(id) => calendar_objects::token(ctx, account, id).await,
        Collection::Todos => todo_objects::token(ctx, account).await,
        Collection::Contacts => contact_objects::token(ctx, account).await,
    }
}

pub async fn changes(ctx: Context<'_>, account: &DavAccount, collection: Collection, since: i64) -> DavResult<Delta> {
    match collection {
        Collection::Calendar(id) => calendar_objects::changes(ctx, account, id, since).await,
        Collection::Todos => todo_objects::changes(ctx, account, since).await,
        Collection::Contacts => contact_objects::changes(ctx, account, since).await,
    }
}
