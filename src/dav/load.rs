//! Loads what the properties of a resource are computed from (`props::Target`): calendars
//! through `service::calendars` (only those the user can read), tokens and objects through
//! `objects`. Object texts are read only when a request asks for them.

use super::auth::DavAccount;
use super::objects;
use super::paths;
use super::props::Target;
use super::store::{Collection, DavError, DavResult, ObjectMeta};
use crate::db::dav_calendars;
use crate::domain::calendars::CalendarLevel;
use crate::service::{Context, calendars};

/// Most calendars one home lists (far more than a household has).
const HOME_LIMIT: i64 = 500;

fn not_found(e: calendars::CalendarError) -> DavError {
    match e {
        calendars::CalendarError::Db(db) => DavError::Db(db),
        _ => DavError::NotFound,
    }
}

/// A collection's own target.
pub async fn collection(ctx: Context<'_>, account: &DavAccount, collection: Collection) -> DavResult<Target> {
    if let Collection::Calendar(id) = collection {
        let row = calendars::get(ctx, account.user_id, id).await.map_err(not_found)?;
        let token = objects::token(ctx, account, collection).await?;
        return Ok(Target::Calendar { row: Box::new(row), token });
    }
    // The user's own todos and address book always exist: a store with nothing to say
    // about them yet (no change ever) has token 0, never a 404 for the collection.
    let token = match objects::token(ctx, account, collection).await {
        Err(DavError::NotFound) => 0,
        other => other?,
    };
    Ok(Target::Own { collection, token })
}

/// The caller's level on a collection's objects.
pub fn level_of(target: &Target) -> CalendarLevel {
    match target {
        Target::Calendar { row, .. } => CalendarLevel::from_rank(row.level_rank).unwrap_or(CalendarLevel::Read),
        _ => CalendarLevel::Owner,
    }
}

/// The calendar home's collections: every readable calendar, then the todos.
pub async fn calendar_home(ctx: Context<'_>, account: &DavAccount) -> DavResult<Vec<(String, Target)>> {
    let (rows, _) = calendars::list(ctx, account.user_id, HOME_LIMIT, 0).await.map_err(not_found)?;
    let names = dav_calendars::names(ctx.db.pool(), account.user_id).await?;
    let mut out = Vec::with_capacity(rows.len() + 1);
    for row in rows {
        let collection = Collection::Calendar(row.id);
        let token = objects::token(ctx, account, collection).await?;
        // A calendar a client made and named is listed under that name, the URL it knows.
        let href = match names.iter().find(|(id, _)| *id == row.id) {
            Some((_, name)) => format!("{}{}/", paths::calendar_home(&account.username), paths::encode(name)),
            None => paths::collection(&account.username, collection),
        };
        out.push((href, Target::Calendar { row: Box::new(row), token }));
    }
    let todos = Collection::Todos;
    out.push((paths::collection(&account.username, todos), collection(ctx, account, todos).await?));
    Ok(out)
}

/// Object texts loaded at once for a PROPFIND that asks for them.
const BODY_CHUNK: usize = 32;

/// Objects as targets: with their texts when `bodies` holds the bytes of text the answer
/// may carry (loaded a few at a time, `OverLimits` past them), else by their list entries.
pub async fn objects_of(
    ctx: Context<'_>,
    account: &DavAccount,
    base: &str,
    collection: Collection,
    level: CalendarLevel,
    metas: Vec<ObjectMeta>,
    bodies: Option<usize>,
) -> DavResult<Vec<(String, Target)>> {
    let href = |name: &str| format!("{base}{}", paths::encode(name));
    let Some(mut allowance) = bodies else {
        return Ok(metas
            .into_iter()
            .map(|m| (href(&m.name), Target::Object { collection, level, etag: m.etag, body: None }))
            .collect());
    };
    let names: Vec<String> = metas.into_iter().map(|m| m.name).collect();
    let mut out = Vec::with_capacity(names.len());
    for chunk in names.chunks(BODY_CHUNK) {
        for o in objects::get(ctx, account, collection, chunk).await? {
            allowance = allowance.checked_sub(o.body.len()).ok_or(DavError::OverLimits)?;
            out.push((href(&o.meta.name), Target::Object { collection, level, etag: o.meta.etag, body: Some(o.body) }));
        }
    }
    Ok(out)
}
