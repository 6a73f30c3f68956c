//! Locations: create, read, change and delete a user's places. Every workflow takes the
//! owner; another user's location is `NotFound`, exactly like one that never existed.

use crate::db::locations::{self, LocationRow};
use crate::domain::id::{LocationId, UserId};
use crate::domain::locations::{LocationPatch, NewLocation};
use crate::error::FieldError;
use crate::service::Context;

/// What a create/read/update/delete of a user's record can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("not found")]
    NotFound,
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub type RecordResult<T> = Result<T, RecordError>;

pub async fn create(ctx: Context<'_>, owner: UserId, new: NewLocation) -> RecordResult<LocationRow> {
    let fields = new.into_fields().validate().map_err(RecordError::Invalid)?;
    let id = locations::insert(ctx.db.pool(), owner, &fields, ctx.now).await?;
    get(ctx, owner, id).await
}

pub async fn get(ctx: Context<'_>, owner: UserId, id: LocationId) -> RecordResult<LocationRow> {
    locations::get(ctx.db.pool(), owner, id).await?.ok_or(RecordError::NotFound)
}

pub async fn update(
    ctx: Context<'_>,
    owner: UserId,
    id: LocationId,
    patch: LocationPatch,
) -> RecordResult<LocationRow> {
    let mut tx = ctx.db.write().await?;
    let current = locations::get(&mut *tx, owner, id).await?.ok_or(RecordError::NotFound)?;
    let fields = patch.apply(current.into_fields()).map_err(RecordError::Invalid)?;
    locations::update(&mut *tx, owner, id, &fields, ctx.now).await?;
    tx.commit().await?;
    get(ctx, owner, id).await
}

pub async fn delete(ctx: Context<'_>, owner: UserId, id: LocationId) -> RecordResult<()> {
    if locations::delete(ctx.db.pool(), owner, id).await? { Ok(()) } else { Err(RecordError::NotFound) }
}

/// A page of the owner's locations by name, optionally matching `q` in name or address.
pub async fn list(
    ctx: Context<'_>,
    owner: UserId,
    q: Option<&str>,
    limit: i64,
    offset: i64,
) -> RecordResult<(Vec<LocationRow>, i64)> {
    Ok(locations::list(ctx.db.pool(), owner, q, limit, offset).await?)
}
