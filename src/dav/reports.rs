//! REPORT: calendar-query, calendar-multiget (RFC 4791 §7.8–7.9), addressbook-query,
//! addressbook-multiget (RFC 6352 §8.6–8.7) and sync-collection (RFC 6578). Each runs on one
//! collection the user can read; a report of the wrong kind for the collection is 403
//! `supported-report`.
//!
//! An answer is bounded by what it writes, not only by how many objects it names: object
//! texts are loaded `CHUNK` at a time and added while the answer's allowance (`DavLimits`:
//! bytes of data, expanded occurrences) lasts. A query or multiget past it answers with the
//! entries so far and a 507 `number-of-matches-within-limits` for the request-URI
//! (RFC 4918 §9.1.2, RFC 5323 §5.6.2), so the client asks for the rest in smaller pieces; a
//! sync-collection cannot say which changes it left out, so one past it is refused whole.

use rocket::http::Status;

use super::answer::{Answer, condition, from_dav, xml};
use super::auth::DavAccount;
use super::calendar_objects;
use super::calendar_text::Allowance;
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
use crate::config::DavLimits;
use crate::domain::calendars::CalendarLevel;
use crate::service::Context;

/// Most objects one report answers with (a multiget of more is refused, a query truncated).
pub const MAX_RESULTS: usize = 5_000;

/// Objects loaded per query: what is held besides the answer is at most this many texts.
const CHUNK: usize = 32;

fn unsupported() -> DavResponse {
    condition(Status::Forbidden, Node::dav("supported-report"))
}

fn over_limits() -> Node {
    Node::dav("number-of-matches-within-limits")
}

fn fits(report: &Report, collection: Collection) -> bool {
    let addressbook = collection == Collection::Contacts;
    match report {
        Report::CalendarQuery { .. } | Report::CalendarMultiget { .. } => !addressbook,
        Report::AddressbookQuery { .. } | Report::AddressbookMultiget { .. } => addressbook,
        Report::SyncCollection { .. } => true,
    }
}

pub async fn run(
    ctx: Context<'_>,
    limits: DavLimits,
    account: &DavAccount,
    resource: &Resource,
    request: &DavRequest,
) -> Answer {
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
    let run = Run { ctx, account, collection, level: load::level_of(&target), base, uri: &request.path, limits };
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
            (run.addressbook_query(&props, &filters, all_of, limit).await.map_err(fail)?, None)
        }
        Report::SyncCollection { token, props, limit } => {
            let (responses, token) = run.sync(&token, &props, limit).await?;
            (responses, Some(token))
        }
    };
    Ok(xml(Status { code: 207 }, multistatus(&responses, token.as_deref())))
}

/// Entries, and whether some were left out for the answer's limits.
struct Filled {
    entries: Vec<ResponseEntry>,
    truncated: bool,
}

/// Keeps `objects` in order while their texts fit in `allowance`; false when one did not.
fn take_within(objects: Vec<StoredObject>, allowance: &mut Allowance) -> (Vec<StoredObject>, bool) {
    let mut kept = Vec::with_capacity(objects.len());
    for object in objects {
        if object.body.len() > allowance.bytes {
            return (kept, false);
        }
        allowance.bytes -= object.body.len();
        kept.push(object);
    }
    (kept, true)
}

struct Run<'a, 'c> {
    ctx: Context<'c>,
    account: &'a DavAccount,
    collection: Collection,
    level: CalendarLevel,
    /// The collection's href as the client addressed it.
    base: String,
    /// The request-URI, which a truncated answer's 507 names.
    uri: &'a str,
    limits: DavLimits,
}

impl Run<'_, '_> {
    fn href(&self, name: &str) -> String {
        format!("{}{}", self.base, paths::encode(name))
    }

    fn allowance(&self) -> Allowance {
        Allowance { occurrences: self.limits.expand_occurrences, bytes: self.limits.report_bytes }
    }

    /// The entries, with the 507 for the request-URI after them when some were left out.
    fn finish(&self, filled: Filled) -> Vec<ResponseEntry> {
        let mut entries = filled.entries;
        if filled.truncated {
            entries.push(ResponseEntry::failed(self.uri, Status::InsufficientStorage, over_limits()));
        }
        entries
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

    /// Entries for these objects: with their texts (or expanded) when asked for, as many as
    /// the answer's allowance holds.
    async fn entries(
        &self,
        metas: Vec<ObjectMeta>,
        props: &PropRequest,
        expand: Option<TimeRange>,
    ) -> DavResult<Filled> {
        if !wants_bodies(props) {
            let entries = metas.into_iter().map(|m| self.meta_entry(m, props)).collect();
            return Ok(Filled { entries, truncated: false });
        }
        let names: Vec<String> = metas.into_iter().map(|m| m.name).collect();
        let mut allowance = self.allowance();
        let mut entries = Vec::with_capacity(names.len());
        for chunk in names.chunks(CHUNK) {
            let (objects, complete) = self.fetch(chunk, expand, &mut allowance).await?;
            entries.extend(objects.into_iter().map(|o| self.entry(o, props, true)));
            if !complete {
                return Ok(Filled { entries, truncated: true });
            }
        }
        Ok(Filled { entries, truncated: false })
    }

    /// The named objects (in the store's order) while `allowance` lasts; false when it ran
    /// out before the last.
    async fn fetch(
        &self,
        names: &[String],
        expand: Option<TimeRange>,
        allowance: &mut Allowance,
    ) -> DavResult<(Vec<StoredObject>, bool)> {
        match (self.collection, expand) {
            (Collection::Calendar(id), Some(TimeRange { start: Some(start), end: Some(end) })) => {
                calendar_objects::get_expanded(self.ctx, self.account, id, names, (start, end), allowance).await
            }
            _ => Ok(take_within(objects::get(self.ctx, self.account, self.collection, names).await?, allowance)),
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
        let mut metas = match (self.collection, filter.range) {
            (Collection::Calendar(id), Some(range)) => {
                calendar_objects::in_range(self.ctx, self.account, id, range.start, range.end).await?
            }
            _ => objects::list(self.ctx, self.account, self.collection).await?,
        };
        let over = metas.len() > MAX_RESULTS;
        metas.truncate(MAX_RESULTS);
        let mut filled = self.entries(metas, props, expand).await?;
        filled.truncated |= over;
        Ok(self.finish(filled))
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
        let mut entries = Vec::new();
        for href in hrefs {
            let by_id = paths::collection(&self.account.username, self.collection);
            match paths::name_under(href, &[self.base.as_str(), by_id.as_str()]) {
                Some(name) => names.push((href.clone(), name)),
                None => entries.push(ResponseEntry::status(href.clone(), Status::NotFound)),
            }
        }
        let with_body = wants_bodies(props);
        let mut allowance = self.allowance();
        for chunk in names.chunks(CHUNK) {
            let wanted: Vec<String> = chunk.iter().map(|(_, n)| n.clone()).collect();
            let (found, complete) = if with_body {
                self.fetch(&wanted, expand, &mut allowance).await?
            } else {
                (objects::get(self.ctx, self.account, self.collection, &wanted).await?, true)
            };
            let mut found: Vec<Option<StoredObject>> = found.into_iter().map(Some).collect();
            for (href, name) in chunk {
                match found.iter_mut().find(|o| o.as_ref().is_some_and(|o| o.meta.name == *name)).and_then(Option::take)
                {
                    Some(object) => entries.push(self.entry(object, props, with_body)),
                    // Past the allowance a missing name may only be one left out: not a 404.
                    None if complete => entries.push(ResponseEntry::status(href.clone(), Status::NotFound)),
                    None => {}
                }
            }
            if !complete {
                return Ok(self.finish(Filled { entries, truncated: true }));
            }
        }
        Ok(entries)
    }

    async fn addressbook_query(
        &self,
        props: &PropRequest,
        filters: &[TextFilter],
        all_of: bool,
        limit: Option<usize>,
    ) -> DavResult<Vec<ResponseEntry>> {
        let metas = objects::list(self.ctx, self.account, self.collection).await?;
        let names: Vec<String> = metas.into_iter().map(|m| m.name).collect();
        let limit = limit.unwrap_or(MAX_RESULTS).min(MAX_RESULTS);
        let with_body = wants_bodies(props);
        let mut allowance = self.allowance();
        let mut entries = Vec::new();
        // Every card is read to match it, a chunk at a time; only matching ones are kept.
        for chunk in names.chunks(CHUNK) {
            let cards = objects::get(self.ctx, self.account, self.collection, chunk).await?;
            for card in cards.into_iter().filter(|c| card_matches(&c.body, filters, all_of)) {
                let fits = !with_body || card.body.len() <= allowance.bytes;
                if entries.len() == limit || !fits {
                    // RFC 6352 §8.6.1: a truncated answer says so for the collection itself.
                    return Ok(self.finish(Filled { entries, truncated: true }));
                }
                if with_body {
                    allowance.bytes -= card.body.len();
                }
                entries.push(self.entry(card, props, with_body));
            }
        }
        Ok(entries)
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
        let refused = || condition(Status::InsufficientStorage, over_limits());
        if limit.is_some_and(|l| changed.len() + deleted.len() > l) {
            return Err(refused());
        }
        let filled = self.entries(changed, props, None).await.map_err(fail)?;
        if filled.truncated {
            // Its token would claim changes it left out: the client asks for ETags, then multigets.
            return Err(refused());
        }
        let mut out = filled.entries;
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
