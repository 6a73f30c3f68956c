//! The user's people as one address book (`/dav/addressbooks/<user>/contacts/`): vCard 3.0
//! out, 3.0 and 4.0 in (`domain::people_dav`, on top of the API's own vCard mapping). A
//! client's card is checked by the API's rules (`PersonFields::validate`), so a client cannot
//! store what the API would refuse; every write happens in one write transaction that also
//! checks the precondition, and `db::people` records it in the change log the sync token
//! counts. A person's location link is UMBRA's alone and survives a client's PUT.

use super::auth::DavAccount;
use super::per_user::{
    check_extra, check_name, check_precondition, check_token, delta, etag, made_meanwhile, name_of, uid_conflict,
    uid_taken,
};
use super::store::{DavError, DavResult, Delta, ObjectMeta, Precondition, PutOutcome, StoredObject};
use crate::db::collection_changes::{self as log, SyncCollection};
use crate::db::people::{self as db, DavParts};
use crate::db::person_objects::{self as objects, PersonObjectRow, SUFFIX};
use crate::domain::people_dav;
use crate::error::FieldError;
use crate::service::Context;

const COLLECTION: SyncCollection = SyncCollection::Contacts;

fn meta(id: i64, uid: &str, dav_name: Option<&str>, revision: i64) -> ObjectMeta {
    ObjectMeta { name: name_of(uid, dav_name, SUFFIX), etag: etag(id, revision) }
}

fn object(row: &PersonObjectRow) -> StoredObject {
    let person = &row.person;
    let body = people_dav::write(&person.uid, &person.fields(), &row.dav_extra, person.updated_at);
    StoredObject { meta: meta(person.id.0, &person.uid, row.dav_name.as_deref(), row.revision), body }
}

/// The API's field errors in the client's terms.
fn invalid(errors: &[FieldError]) -> DavError {
    let detail: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
    DavError::Invalid { precondition: Some(people_dav::VALID_DATA), detail: detail.join("; ") }
}

/// Every object of the collection: its name and ETag.
pub async fn list(ctx: Context<'_>, account: &DavAccount) -> DavResult<Vec<ObjectMeta>> {
    let rows = objects::list(ctx.db.pool(), account.user_id).await?;
    Ok(rows.iter().map(|r| meta(r.id.0, &r.uid, r.dav_name.as_deref(), r.revision)).collect())
}

/// The named objects that exist (others are left out; the caller answers 404 for them), in
/// the order asked.
pub async fn get(ctx: Context<'_>, account: &DavAccount, names: &[String]) -> DavResult<Vec<StoredObject>> {
    let rows = objects::by_names(ctx.db.pool(), account.user_id, names).await?;
    let mut found: Vec<StoredObject> = rows.iter().map(object).collect();
    found.sort_by_key(|o| names.iter().position(|n| *n == o.meta.name));
    Ok(found)
}

/// Creates or replaces the named object from a client's vCard text.
pub async fn put(
    ctx: Context<'_>,
    account: &DavAccount,
    name: &str,
    body: &str,
    precondition: &Precondition,
) -> DavResult<PutOutcome> {
    check_name(name)?;
    let user = account.user_id;
    let card = people_dav::read(body)
        .map_err(|e| DavError::Invalid { precondition: Some(e.precondition), detail: e.message })?;
    let fields = card.fields.clone().validate().map_err(|errors| invalid(&errors))?;
    let dav_name = (name != format!("{}{SUFFIX}", card.uid)).then_some(name);
    let extra = card.extra.join("\n");
    check_extra(&extra, people_dav::VALID_DATA)?;

    let mut tx = ctx.db.write().await?;
    let existing = objects::by_name_for_update(&mut tx, user, name).await?;
    let current_etag = existing.as_ref().map(|row| etag(row.person.id.0, row.revision));
    check_precondition(current_etag.as_deref(), precondition)?;
    let (id, created) = match &existing {
        Some(row) if row.person.uid != card.uid => {
            return Err(uid_conflict(format!(
                "{name} holds the card with UID {}; its UID cannot change",
                row.person.uid
            )));
        }
        Some(row) => {
            let person = &row.person;
            db::update(&mut tx, user, person.id, &fields, person.location_id, Some(&extra), ctx.now).await?;
            (person.id, false)
        }
        None => {
            if let Some(other) = objects::by_uid(&mut tx, user, &card.uid).await? {
                let other = name_of(&other.uid, other.dav_name.as_deref(), SUFFIX);
                return Err(uid_taken(&card.uid, &other, name, precondition));
            }
            let parts = DavParts { name: dav_name, extra: &extra };
            let id = db::insert(&mut tx, user, &card.uid, &fields, None, parts, ctx.now)
                .await
                .map_err(|e| made_meanwhile(e, precondition))?;
            (id, true)
        }
    };
    let revision = objects::revision(&mut tx, user, id).await?;
    tx.commit().await?;
    Ok(PutOutcome { etag: etag(id.0, revision), created, changed_by_server: false })
}

pub async fn delete(ctx: Context<'_>, account: &DavAccount, name: &str, precondition: &Precondition) -> DavResult<()> {
    let user = account.user_id;
    let mut tx = ctx.db.write().await?;
    let existing = objects::by_name_for_update(&mut tx, user, name).await?;
    let current_etag = existing.as_ref().map(|row| etag(row.person.id.0, row.revision));
    check_precondition(current_etag.as_deref(), precondition)?;
    let Some(row) = existing else { return Err(DavError::NotFound) };
    db::delete(&mut tx, user, row.person.id, ctx.now).await?;
    tx.commit().await?;
    Ok(())
}

/// The collection's sync token now (also its CTag).
pub async fn token(ctx: Context<'_>, account: &DavAccount) -> DavResult<i64> {
    Ok(log::token(ctx.db.pool(), account.user_id, COLLECTION).await?)
}

/// What changed after `since` (0: everything there is now).
pub async fn changes(ctx: Context<'_>, account: &DavAccount, since: i64) -> DavResult<Delta> {
    let user = account.user_id;
    // The token first: a change made while this runs is reported now or next time, never lost.
    let token = log::token(ctx.db.pool(), user, COLLECTION).await?;
    check_token(since, token)?;
    if since == 0 {
        return Ok(Delta { token, changed: list(ctx, account).await?, deleted: Vec::new() });
    }
    let rows = log::since(ctx.db.pool(), user, COLLECTION, since, token).await?;
    // The floor after the log: a prune committed since the log was read shows here.
    if since < log::pruned_through(ctx.db.pool(), user, COLLECTION).await? {
        return Err(DavError::InvalidSyncToken);
    }
    Ok(delta(token, &rows, SUFFIX, list(ctx, account).await?))
}
