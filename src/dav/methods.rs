//! GET, HEAD, PUT and DELETE. Objects go to their collection's store with the request's
//! precondition (`If-Match`, `If-None-Match`); a GET or HEAD of a version the client names in
//! `If-None-Match` answers 304 without a body; a calendar collection is deleted through
//! `service::calendars` (the owner only, never the default calendar).

use rocket::http::{ContentType, Status};

use super::answer::{Answer, from_dav, method_not_allowed, not_found};
use super::auth::DavAccount;
use super::dispatch::{ALLOW_COLLECTION, ALLOW_HOME};
use super::objects;
use super::paths::Resource;
use super::store::{Collection, Precondition, none_match_lists};
use super::{DavMethod, DavRequest, DavResponse};
use crate::service::{Context, calendars};

fn content_type(collection: Collection) -> ContentType {
    match collection {
        Collection::Contacts => ContentType::new("text", "vcard").with_params(("charset", "utf-8")),
        _ => ContentType::new("text", "calendar").with_params(("charset", "utf-8")),
    }
}

/// The write precondition the headers state (RFC 7232 §3.1, §3.2).
pub fn precondition(request: &DavRequest) -> Precondition {
    if let Some(tag) = request.header("if-match") {
        return Precondition::IfMatch(tag.trim().to_string());
    }
    match request.header("if-none-match") {
        Some(tag) if tag.trim() == "*" => Precondition::IfNoneMatchAny,
        Some(tags) => Precondition::IfNoneMatch(tags.trim().to_string()),
        None => Precondition::None,
    }
}

pub async fn get(ctx: Context<'_>, account: &DavAccount, resource: &Resource, request: &DavRequest) -> Answer {
    let head = request.method == DavMethod::Head;
    let Resource::Object(collection, name) = resource else {
        if matches!(resource, Resource::Unmapped(_)) {
            return Err(not_found());
        }
        // A person opening a DAV address in a browser learns what it is.
        return Ok(DavResponse::text(
            Status::Ok,
            "UMBRA CalDAV/CardDAV: add this address to your calendar or contacts app.",
        ));
    };
    let found = objects::get(ctx, account, *collection, std::slice::from_ref(name))
        .await
        .map_err(|e| from_dav(e, Some(*collection)))?;
    let object = found.into_iter().next().ok_or_else(not_found)?;
    // A client revalidating what it holds gets no body back (RFC 7232 §3.2); If-Match
    // is for writes, so a GET ignores it.
    if request.header("if-none-match").is_some_and(|tags| none_match_lists(tags, &object.meta.etag)) {
        return Ok(DavResponse::status(Status::NotModified).with_header("ETag", object.meta.etag));
    }
    let response = DavResponse::status(Status::Ok).with_header("ETag", object.meta.etag);
    if head {
        return Ok(response.with_header("Content-Type", content_type(*collection).to_string()));
    }
    Ok(response.with_body(content_type(*collection), object.body.into_bytes()))
}

pub async fn put(ctx: Context<'_>, account: &DavAccount, resource: &Resource, request: &DavRequest) -> Answer {
    let Resource::Object(collection, name) = resource else {
        return Err(match resource {
            Resource::Collection(_) => method_not_allowed(ALLOW_COLLECTION),
            Resource::Unmapped(_) => not_found(),
            _ => method_not_allowed(ALLOW_HOME),
        });
    };
    let Ok(body) = std::str::from_utf8(&request.body) else {
        return Err(DavResponse::text(Status::BadRequest, "The body is not UTF-8 text."));
    };
    let outcome = objects::put(ctx, account, *collection, name, body, &precondition(request))
        .await
        .map_err(|e| from_dav(e, Some(*collection)))?;
    let status = if outcome.created { Status::Created } else { Status::NoContent };
    let answer = DavResponse::status(status);
    Ok(if outcome.changed_by_server { answer } else { answer.with_header("ETag", outcome.etag) })
}

pub async fn delete(ctx: Context<'_>, account: &DavAccount, resource: &Resource, request: &DavRequest) -> Answer {
    match resource {
        Resource::Object(collection, name) => {
            objects::delete(ctx, account, *collection, name, &precondition(request))
                .await
                .map_err(|e| from_dav(e, Some(*collection)))?;
            Ok(DavResponse::status(Status::NoContent))
        }
        Resource::Collection(Collection::Calendar(id)) => {
            calendars::delete(ctx, account.user_id, *id).await?;
            Ok(DavResponse::status(Status::NoContent))
        }
        // The todos and the address book are the user's own lists, not something to delete.
        Resource::Collection(_) => Err(DavResponse::text(
            Status::Forbidden,
            "This collection is your todos or contacts list; delete its items instead.",
        )),
        Resource::Unmapped(_) => Err(not_found()),
        _ => Err(method_not_allowed(ALLOW_HOME)),
    }
}
