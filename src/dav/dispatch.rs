//! The DAV protocol: which resource a path names (`paths`) and what each method does with it.
//! Every method answers 404 for a path outside the user's tree before reading anything; the
//! methods themselves live in `propfind`, `proppatch`, `reports` and `methods`.

use rocket::http::Status;

use super::answer::{Answer, method_not_allowed, not_found};
use super::auth::DavAccount;
use super::paths::{self, Resource};
use super::store::Collection;
use super::xml::{self, Element};
use super::{DavMethod, DavRequest, DavResponse, methods, propfind, proppatch, reports};
use crate::db::dav_calendars;
use crate::server::AppState;
use crate::service::Context;

/// What may be done to each kind of resource (the `Allow` of a 405).
pub const ALLOW_OBJECT: &str = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT";
pub const ALLOW_COLLECTION: &str = "OPTIONS, GET, HEAD, DELETE, PROPFIND, PROPPATCH, REPORT";
pub const ALLOW_HOME: &str = "OPTIONS, GET, HEAD, PROPFIND";
pub const ALLOW_UNMAPPED: &str = "OPTIONS, MKCALENDAR";

pub async fn dispatch(state: &AppState, account: &DavAccount, request: DavRequest) -> DavResponse {
    let ctx = match state.context().await {
        Ok(ctx) => ctx,
        Err(e) => {
            tracing::error!("DAV: no database context: {e}");
            return DavResponse::text(Status::ServiceUnavailable, "Try again shortly.").with_header("Retry-After", "1");
        }
    };
    let Some(resource) = paths::resolve(&request.path, &account.username) else {
        return not_found();
    };
    let resource = match bind_names(ctx, account, resource).await {
        Ok(Some(resource)) => resource,
        Ok(None) => return not_found(),
        Err(refusal) => return refusal,
    };
    let answer: Answer = match request.method {
        DavMethod::Propfind => propfind::run(ctx, state.config.dav, account, &resource, &request).await,
        DavMethod::Proppatch => proppatch::run(ctx, account, &resource, &request).await,
        DavMethod::Mkcalendar => proppatch::mkcalendar(ctx, account, &resource, &request).await,
        DavMethod::Report => reports::run(ctx, state.config.dav, account, &resource, &request).await,
        DavMethod::Get | DavMethod::Head => methods::get(ctx, account, &resource, &request).await,
        DavMethod::Put => methods::put(ctx, account, &resource, &request).await,
        DavMethod::Delete => methods::delete(ctx, account, &resource, &request).await,
        DavMethod::Options | DavMethod::Mkcol | DavMethod::Other => Err(method_not_allowed(allow(&resource))),
    };
    answer.unwrap_or_else(|refusal| refusal)
}

/// A segment that is no id may be a calendar's DAV name (one its owner made with
/// MKCALENDAR): then it is that calendar. `None`: an object under a name nobody chose.
async fn bind_names(
    ctx: Context<'_>,
    account: &DavAccount,
    resource: Resource,
) -> Result<Option<Resource>, DavResponse> {
    let named = |segment: String| async move { dav_calendars::by_name(ctx.db.pool(), account.user_id, &segment).await };
    Ok(match resource {
        Resource::Unmapped(segment) => match named(segment.clone()).await? {
            Some(id) => Some(Resource::Collection(Collection::Calendar(id))),
            None => Some(Resource::Unmapped(segment)),
        },
        Resource::UnmappedObject(segment, name) => {
            named(segment).await?.map(|id| Resource::Object(Collection::Calendar(id), name))
        }
        other => Some(other),
    })
}

/// The methods a resource supports.
pub fn allow(resource: &Resource) -> &'static str {
    match resource {
        Resource::Object(..) => ALLOW_OBJECT,
        Resource::Collection(_) => ALLOW_COLLECTION,
        Resource::Unmapped(_) | Resource::UnmappedObject(..) => ALLOW_UNMAPPED,
        _ => ALLOW_HOME,
    }
}

/// The parsed body, or `None` when there is none (only whitespace counts as none).
// The refusal is the answer itself, built once per request: boxing it would buy nothing.
#[allow(clippy::result_large_err)]
pub fn body_xml(request: &DavRequest) -> Result<Option<Element>, DavResponse> {
    if request.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    Ok(Some(xml::parse(&request.body)?))
}
