//! PROPFIND (RFC 4918 §9.1): Depth 0 or 1 over the user's tree; `infinity` is refused with
//! `propfind-finite-depth` (403), so one request never walks everything. Properties a
//! resource does not have come back 404 inside the 207, never as an error.

use rocket::http::Status;

use super::answer::{Answer, condition, not_found, xml};
use super::auth::DavAccount;
use super::dispatch::body_xml;
use super::load;
use super::objects;
use super::paths::{self, Resource};
use super::props::{self, Target};
use super::requests::{self, PropRequest};
use super::xml::{CALDAV, CARDDAV, Node, ResponseEntry, multistatus};
use super::{DavRequest, DavResponse};
use crate::config::DavLimits;
use crate::service::Context;

/// The `Depth` header: 0 or 1. Absent means 0 here (clients that want members say so).
// The refusal is the answer itself, built once per request: boxing it would buy nothing.
#[allow(clippy::result_large_err)]
pub fn depth(request: &DavRequest) -> Result<u8, DavResponse> {
    match request.header("depth").map(str::trim) {
        None | Some("0") => Ok(0),
        Some("1") => Ok(1),
        Some(d) if d.eq_ignore_ascii_case("infinity") => {
            Err(condition(Status::Forbidden, Node::dav("propfind-finite-depth")))
        }
        Some(_) => Err(DavResponse::text(Status::BadRequest, "Depth is 0 or 1.")),
    }
}

/// Whether a request asks for the objects' texts.
pub fn wants_bodies(request: &PropRequest) -> bool {
    !matches!(request, PropRequest::All)
        && (request.wants(CALDAV, "calendar-data") || request.wants(CARDDAV, "address-data"))
}

/// The resource and, at depth 1, its members, as (href, target).
async fn targets(
    ctx: Context<'_>,
    account: &DavAccount,
    path: &str,
    resource: &Resource,
    depth: u8,
    bodies: Option<usize>,
) -> Result<Vec<(String, Target)>, DavResponse> {
    let user = account.username.as_str();
    let mut out = Vec::new();
    match resource {
        Resource::Root => {
            out.push((paths::root(), Target::Root));
            if depth > 0 {
                out.push((paths::principal(user), Target::Principal));
                out.push((paths::calendar_home(user), Target::CalendarHome));
                out.push((paths::addressbook_home(user), Target::AddressbookHome));
            }
        }
        Resource::Principal => out.push((paths::principal(user), Target::Principal)),
        Resource::CalendarHome => {
            out.push((paths::calendar_home(user), Target::CalendarHome));
            if depth > 0 {
                out.extend(load::calendar_home(ctx, account).await?);
            }
        }
        Resource::AddressbookHome => {
            out.push((paths::addressbook_home(user), Target::AddressbookHome));
            if depth > 0 {
                let contacts = super::store::Collection::Contacts;
                out.push((paths::collection(user, contacts), load::collection(ctx, account, contacts).await?));
            }
        }
        Resource::Collection(collection) => {
            let target = load::collection(ctx, account, *collection).await?;
            let level = load::level_of(&target);
            let base = paths::base(path, false);
            out.push((base.clone(), target));
            if depth > 0 {
                let metas = objects::list(ctx, account, *collection).await?;
                out.extend(load::objects_of(ctx, account, &base, *collection, level, metas, bodies).await?);
            }
        }
        Resource::Object(collection, name) => {
            let level = load::level_of(&load::collection(ctx, account, *collection).await?);
            let found = objects::get(ctx, account, *collection, std::slice::from_ref(name)).await?;
            let object = found.into_iter().next().ok_or_else(not_found)?;
            let body = bodies.is_some().then_some(object.body);
            let href = format!("{}{}", paths::base(path, true), paths::encode(name));
            out.push((href, Target::Object { collection: *collection, level, etag: object.meta.etag, body }));
        }
        Resource::Unmapped(_) | Resource::UnmappedObject(..) => return Err(not_found()),
    }
    Ok(out)
}

pub async fn run(
    ctx: Context<'_>,
    limits: DavLimits,
    account: &DavAccount,
    resource: &Resource,
    request: &DavRequest,
) -> Answer {
    let depth = depth(request)?;
    let wanted = requests::propfind(body_xml(request)?.as_ref())?;
    let bodies = wants_bodies(&wanted).then_some(limits.report_bytes);
    let found = targets(ctx, account, &request.path, resource, depth, bodies).await?;
    let responses: Vec<ResponseEntry> = found
        .iter()
        .map(|(href, target)| ResponseEntry::props(href.clone(), props::propstats(account, target, &wanted, ctx.now.0)))
        .collect();
    Ok(xml(Status { code: 207 }, multistatus(&responses, None)))
}
