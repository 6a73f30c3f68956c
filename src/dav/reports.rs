//! REPORT: calendar-query, calendar-multiget (RFC 4791 §7.8–7.9), addressbook-query,
//! addressbook-multiget (RFC 6352 §8.6–8.7) and sync-collection (RFC 6578). Each runs on one
//! collection the user can read; a report of the wrong kind for the collection is 403
//! `supported-report`.

use rocket::http::Status;

use super::answer::{Answer, condition, from_dav, xml};
use super::auth::DavAccount;
use super::calendar_objects;
use super::dispatch::body_xml;
use super::load;
use super::objects;
use super::paths::{self, Resource};
use super::propfind::wants_bodies;
use super::props::{self, Target, parse_sync_token};
use super::requests::{self, CalendarFilter, PropRequest, Report, TextFilter, TimeRange};
use super::store::{Collection, DavError, DavResult, ObjectMeta, StoredObject};
use super::xml::{Node, ResponseEntry, multistatus};
use super::{DavRequest, DavResponse};
use crate::domain::calendars::CalendarLevel;
use crate::service::Context;

/// Most objects one report answers with (a multiget of more is refused, a query truncated).
pub const MAX_RESULTS: usize = 5_000;

fn unsupported() -> DavResponse {
    condition(Status::Forbidden, Node::dav("supported-report"))
}

fn fits(report: &Report, collection: Collection) -> bool {
    let addressbook = collection == Collection::Contacts;
    match report {
        Report::CalendarQuery { .. } | Report::CalendarMultiget { .. } => !addressbook,
        Report::AddressbookQuery { .. } | Report::AddressbookMultiget { .. } => addressbook,
        Report::SyncCollection { .. } => true,
    }
}

pub async fn run(ctx: Context<'_>, account: &DavAccount, resource: &Resource, request: &DavRequest) -> Answer {
    let Some(root) = body_xml(request)? else {
        return Err(DavResponse::text(Status::BadRequest, "A REPORT needs a body."));
    };
    let report = requests::report(&root).map_err(|_| unsupported())?;
    let Resource::Collection(collection) = resource else {
        return Err(match resource {
            Resource::Unmapped(_) => super::answer::not_found(),
            _ => unsupported(),
        });
    };
    let collection = *collection;
    let target = load::collection(ctx, account, collection).await?;
    if !fits(&report, collection) {
        return Err(unsupported());
    }
    let base = paths::base(&request.path, false);
    let run = Run { ctx, account, collection, level: load::level_of(&target), base };
    let fail = |e: DavError| from_dav(e, Some(collection));
    let (responses, token) = match report {
        Report::CalendarQuery { props, filter, expand } => {
            (run.calendar_query(&props, &filter, expand).await.map_err(fail)?, None)
        }
        Report::CalendarMultiget { props, hrefs, expand } => {
            (run.multiget(&props, &hrefs, expand).await.map_err(fail)?, None)
        }
        Report::AddressbookMultiget { props, hrefs } => (run.multiget(&props, &hrefs, None).await.map_err(fail)?, None),
        Report::AddressbookQuery { props, filters, all_of, limit } => {
            (run.addressbook_query(request, &props, &filters, all_of, limit).await.map_err(fail)?, None)
        }
        Report::SyncCollection { token, props, limit } => {
            let (responses, token) = run.sync(&token, &props, limit).await?;
            (responses, Some(token))
        }
    };
    Ok(xml(Status { code: 207 }, multistatus(&responses, token.as_deref())))
}

struct Run<'a, 'c> {
    ctx: Context<'c>,
    account: &'a DavAccount,
    collection: Collection,
    level: CalendarLevel,
    /// The collection's href as the client addressed it.
    base: String,
}

impl Run<'_, '_> {
    fn href(&self, name: &str) -> String {
        format!("{}{}", self.base, paths::encode(name))
    }

    fn entry(&self, object: StoredObject, props: &PropRequest, with_body: bool) -> ResponseEntry {
        let target = Target::Object {
            collection: self.collection,
            level: self.level,
            etag: object.meta.etag,
            body: with_body.then_some(object.body),
        };
        ResponseEntry::props(
            self.href(&object.meta.name),
            props::propstats(self.account, &target, props, self.ctx.now.0),
        )
    }

    fn meta_entry(&self, meta: ObjectMeta, props: &PropRequest) -> ResponseEntry {
        let target = Target::Object { collection: self.collection, level: self.level, etag: meta.etag, body: None };
        ResponseEntry::props(self.href(&meta.name), props::propstats(self.account, &target, props, self.ctx.now.0))
    }

    /// Entries for these objects: with their texts (or expanded) when asked for.
    async fn entries(
        &self,
        metas: Vec<ObjectMeta>,
        props: &PropRequest,
        expand: Option<TimeRange>,
    ) -> DavResult<Vec<ResponseEntry>> {
        if !wants_bodies(props) {
            return Ok(metas.into_iter().map(|m| self.meta_entry(m, props)).collect());
        }
        let names: Vec<String> = metas.into_iter().map(|m| m.name).collect();
        let objects = self.fetch(&names, expand).await?;
        Ok(objects.into_iter().map(|o| self.entry(o, props, true)).collect())
    }

    async fn fetch(&self, names: &[String], expand: Option<TimeRange>) -> DavResult<Vec<StoredObject>> {
        match (self.collection, expand) {
            (Collection::Calendar(id), Some(TimeRange { start: Some(start), end: Some(end) })) => {
                calendar_objects::get_expanded(self.ctx, self.account, id, names, start, end).await
            }
            _ => objects::get(self.ctx, self.account, self.collection, names).await,
        }
    }

    async fn calendar_query(
        &self,
        props: &PropRequest,
        filter: &CalendarFilter,
        expand: Option<TimeRange>,
    ) -> DavResult<Vec<ResponseEntry>> {
        let holds = match self.collection {
            Collection::Todos => "VTODO",
            _ => "VEVENT",
        };
        if filter.component.as_deref().is_some_and(|c| c != holds) {
            return Ok(Vec::new());
        }
        let metas = match (self.collection, filter.range) {
            (Collection::Calendar(id), Some(range)) => {
                calendar_objects::in_range(self.ctx, self.account, id, range.start, range.end).await?
            }
            _ => objects::list(self.ctx, self.account, self.collection).await?,
        };
        let metas: Vec<ObjectMeta> = metas.into_iter().take(MAX_RESULTS).collect();
        self.entries(metas, props, expand).await
    }

    async fn multiget(
        &self,
        props: &PropRequest,
        hrefs: &[String],
        expand: Option<TimeRange>,
    ) -> DavResult<Vec<ResponseEntry>> {
        if hrefs.len() > MAX_RESULTS {
            return Err(DavError::Invalid {
                precondition: None,
                detail: format!("At most {MAX_RESULTS} hrefs per multiget."),
            });
        }
        let mut names = Vec::with_capacity(hrefs.len());
        let mut out = Vec::new();
        for href in hrefs {
            let by_id = paths::collection(&self.account.username, self.collection);
            match paths::name_under(href, &[self.base.as_str(), by_id.as_str()]) {
                Some(name) => names.push((href.clone(), name)),
                None => out.push(ResponseEntry::status(href.clone(), Status::NotFound)),
            }
        }
        let wanted: Vec<String> = names.iter().map(|(_, n)| n.clone()).collect();
        let found = self.fetch(&wanted, expand).await?;
        let with_body = wants_bodies(props);
        let mut found: Vec<Option<StoredObject>> = found.into_iter().map(Some).collect();
        for (href, name) in names {
            match found.iter_mut().find(|o| o.as_ref().is_some_and(|o| o.meta.name == name)).and_then(Option::take) {
                Some(object) => out.push(self.entry(object, props, with_body)),
                None => out.push(ResponseEntry::status(href, Status::NotFound)),
            }
        }
        Ok(out)
    }

    async fn addressbook_query(
        &self,
        request: &DavRequest,
        props: &PropRequest,
        filters: &[TextFilter],
        all_of: bool,
        limit: Option<usize>,
    ) -> DavResult<Vec<ResponseEntry>> {
        let metas = objects::list(self.ctx, self.account, self.collection).await?;
        let names: Vec<String> = metas.into_iter().map(|m| m.name).collect();
        let cards = objects::get(self.ctx, self.account, self.collection, &names).await?;
        let limit = limit.unwrap_or(MAX_RESULTS).min(MAX_RESULTS);
        let with_body = wants_bodies(props);
        let mut matching = cards.into_iter().filter(|c| card_matches(&c.body, filters, all_of));
        let mut out: Vec<ResponseEntry> =
            matching.by_ref().take(limit).map(|c| self.entry(c, props, with_body)).collect();
        if matching.next().is_some() {
            // RFC 6352 §8.6.1: a truncated answer says so for the collection itself.
            out.push(ResponseEntry::status(request.path.clone(), Status::InsufficientStorage));
        }
        Ok(out)
    }

    async fn sync(
        &self,
        token: &str,
        props: &PropRequest,
        limit: Option<usize>,
    ) -> Result<(Vec<ResponseEntry>, String), DavResponse> {
        let fail = |e: DavError| from_dav(e, Some(self.collection));
        let (changed, deleted, now) = if token.is_empty() {
            // The initial sync: everything there is, under the token read first.
            let now = objects::token(self.ctx, self.account, self.collection).await.map_err(fail)?;
            let metas = objects::list(self.ctx, self.account, self.collection).await.map_err(fail)?;
            (metas, Vec::new(), now)
        } else {
            let since = parse_sync_token(token).ok_or_else(|| fail(DavError::InvalidSyncToken))?;
            let delta = objects::changes(self.ctx, self.account, self.collection, since).await.map_err(fail)?;
            (delta.changed, delta.deleted, delta.token)
        };
        if limit.is_some_and(|l| changed.len() + deleted.len() > l) {
            return Err(condition(Status::InsufficientStorage, Node::dav("number-of-matches-within-limits")));
        }
        let mut out = self.entries(changed, props, None).await.map_err(fail)?;
        out.extend(deleted.iter().map(|name| ResponseEntry::status(self.href(name), Status::NotFound)));
        Ok((out, props::sync_token(now)))
    }
}

/// Unfolded vCard lines.
fn unfolded(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix(' ').or_else(|| raw.strip_prefix('\t')), lines.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => lines.push(raw.to_string()),
        }
    }
    lines
}

/// Whether a card passes the `prop-filter`s (case-insensitive text-match, RFC 6352 §10.5).
pub fn card_matches(card: &str, filters: &[TextFilter], all_of: bool) -> bool {
    if filters.is_empty() {
        return true;
    }
    let lines = unfolded(card);
    let one = |f: &TextFilter| {
        let values = lines.iter().filter_map(|l| {
            let (head, value) = l.split_once(':')?;
            let name = head.split(';').next()?.rsplit('.').next()?;
            name.eq_ignore_ascii_case(&f.property).then(|| value.to_lowercase())
        });
        let Some(text) = &f.text else { return values.count() > 0 };
        let needle = text.to_lowercase();
        let hit = values.into_iter().any(|v| match f.match_type.as_str() {
            "equals" => v == needle,
            "starts-with" => v.starts_with(&needle),
            "ends-with" => v.ends_with(&needle),
            _ => v.contains(&needle),
        });
        hit != f.negate
    };
    if all_of { filters.iter().all(one) } else { filters.iter().any(one) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(property: &str, text: &str) -> TextFilter {
        TextFilter { property: property.into(), text: Some(text.into()), negate: false, match_type: "contains".into() }
    }

    #[test]
    fn text_match_reads_unfolded_grouped_properties() {
        let card = "BEGIN:VCARD\r\nFN:Ann\r\n  Smith\r\nitem1.EMAIL;TYPE=work:ann@example.com\r\nEND:VCARD\r\n";
        assert!(card_matches(card, &[filter("FN", "ann smith")], false));
        assert!(card_matches(card, &[filter("EMAIL", "EXAMPLE")], false));
        assert!(!card_matches(card, &[filter("FN", "bob")], false));
        assert!(card_matches(card, &[filter("FN", "bob"), filter("EMAIL", "ann")], false));
        assert!(!card_matches(card, &[filter("FN", "bob"), filter("EMAIL", "ann")], true));
        let negated = TextFilter { negate: true, ..filter("FN", "bob") };
        assert!(card_matches(card, &[negated], false));
    }
}
