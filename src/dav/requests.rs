//! What a DAV request body asks for, read from the parsed XML: which properties a PROPFIND
//! wants, what a PROPPATCH or MKCALENDAR sets, and which REPORT with which filters. Anything
//! that is not one of these shapes is a `BadRequest` with a reason.

use chrono::NaiveDateTime;

use super::xml::{CALDAV, CARDDAV, DAV, Element, Name};

/// Which properties to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropRequest {
    /// `allprop` (or an empty PROPFIND body): the live properties that are cheap to compute.
    All,
    /// `propname`: the names only.
    Names,
    /// `prop`: these.
    Props(Vec<Name>),
}

impl PropRequest {
    pub fn wants(&self, ns: &str, name: &str) -> bool {
        match self {
            Self::Props(names) => names.iter().any(|(n, l)| n == ns && l == name),
            Self::All => true,
            Self::Names => false,
        }
    }
}

/// A UTC instant range (unix milliseconds); an open end is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub start: Option<i64>,
    pub end: Option<i64>,
}

/// A `calendar-query` filter: the component asked for, and a time range on it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CalendarFilter {
    /// `VEVENT` or `VTODO` (upper case); `None` for the whole VCALENDAR.
    pub component: Option<String>,
    pub range: Option<TimeRange>,
}

/// An `addressbook-query` `prop-filter` with a `text-match` (or none: the property exists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFilter {
    pub property: String,
    pub text: Option<String>,
    pub negate: bool,
    /// `equals`, `contains`, `starts-with`, `ends-with`.
    pub match_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    CalendarQuery { props: PropRequest, filter: CalendarFilter, expand: Option<TimeRange> },
    CalendarMultiget { props: PropRequest, hrefs: Vec<String>, expand: Option<TimeRange> },
    AddressbookQuery { props: PropRequest, filters: Vec<TextFilter>, all_of: bool, limit: Option<usize> },
    AddressbookMultiget { props: PropRequest, hrefs: Vec<String> },
    SyncCollection { token: String, props: PropRequest, limit: Option<usize> },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadRequest(pub String);

fn bad(message: impl Into<String>) -> BadRequest {
    BadRequest(message.into())
}

fn prop_names(prop: &Element) -> Vec<Name> {
    prop.children.iter().map(|c| (c.ns.clone(), c.name.clone())).collect()
}

/// The properties a PROPFIND (or a REPORT's `prop`/`allprop`/`propname`) asks for.
fn prop_request(parent: &Element) -> Option<PropRequest> {
    if let Some(prop) = parent.child(DAV, "prop") {
        return Some(PropRequest::Props(prop_names(prop)));
    }
    if parent.child(DAV, "allprop").is_some() {
        return Some(PropRequest::All);
    }
    parent.child(DAV, "propname").map(|_| PropRequest::Names)
}

/// A PROPFIND body; an empty one means `allprop` (RFC 4918 §9.1).
pub fn propfind(root: Option<&Element>) -> Result<PropRequest, BadRequest> {
    let Some(root) = root else { return Ok(PropRequest::All) };
    if !root.is(DAV, "propfind") {
        return Err(bad("A PROPFIND body is a DAV:propfind element."));
    }
    prop_request(root).ok_or_else(|| bad("A propfind names prop, allprop or propname."))
}

/// One property a PROPPATCH or MKCALENDAR sets (with its element, for the value) or removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropUpdate {
    pub prop: Element,
    pub remove: bool,
}

/// A PROPPATCH body (`propertyupdate` with `set`/`remove`), in document order.
pub fn proppatch(root: &Element) -> Result<Vec<PropUpdate>, BadRequest> {
    if !root.is(DAV, "propertyupdate") {
        return Err(bad("A PROPPATCH body is a DAV:propertyupdate element."));
    }
    let mut updates = Vec::new();
    for action in &root.children {
        let remove = match (action.ns.as_str(), action.name.as_str()) {
            (DAV, "set") => false,
            (DAV, "remove") => true,
            _ => continue,
        };
        for prop in action.children_named(DAV, "prop") {
            updates.extend(prop.children.iter().map(|p| PropUpdate { prop: p.clone(), remove }));
        }
    }
    if updates.is_empty() {
        return Err(bad("The propertyupdate sets or removes nothing."));
    }
    Ok(updates)
}

/// A MKCALENDAR body's properties (an empty body sets none).
pub fn mkcalendar(root: Option<&Element>) -> Result<Vec<Element>, BadRequest> {
    let Some(root) = root else { return Ok(Vec::new()) };
    if !root.is(CALDAV, "mkcalendar") {
        return Err(bad("A MKCALENDAR body is a CALDAV:mkcalendar element."));
    }
    Ok(root
        .children_named(DAV, "set")
        .flat_map(|set| set.children_named(DAV, "prop"))
        .flat_map(|prop| prop.children.iter().cloned())
        .collect())
}

/// `20260101T000000Z` as unix milliseconds (CalDAV time ranges are UTC date-times).
pub fn utc_instant(text: &str) -> Option<i64> {
    let at = NaiveDateTime::parse_from_str(text.trim().strip_suffix('Z')?, "%Y%m%dT%H%M%S").ok()?;
    Some(at.and_utc().timestamp_millis())
}

fn time_range(element: &Element) -> Result<TimeRange, BadRequest> {
    let read = |name| match element.attr(name) {
        None => Ok(None),
        Some(text) => {
            utc_instant(text).map(Some).ok_or_else(|| bad(format!("time-range {name} is not a UTC date-time.")))
        }
    };
    let range = TimeRange { start: read("start")?, end: read("end")? };
    if range.start.is_none() && range.end.is_none() {
        return Err(bad("A time-range needs start or end."));
    }
    Ok(range)
}

/// `expand` inside `prop/calendar-data` (both ends required, RFC 4791 §9.6.5).
fn expand_of(parent: &Element) -> Result<Option<TimeRange>, BadRequest> {
    let expand = parent
        .child(DAV, "prop")
        .and_then(|p| p.child(CALDAV, "calendar-data"))
        .and_then(|d| d.child(CALDAV, "expand"));
    match expand {
        None => Ok(None),
        Some(e) => {
            let range = time_range(e)?;
            if range.start.is_none() || range.end.is_none() {
                return Err(bad("expand needs start and end."));
            }
            Ok(Some(range))
        }
    }
}

fn calendar_filter(root: &Element) -> Result<CalendarFilter, BadRequest> {
    let Some(filter) = root.child(CALDAV, "filter") else { return Ok(CalendarFilter::default()) };
    let Some(calendar) = filter.child(CALDAV, "comp-filter") else { return Ok(CalendarFilter::default()) };
    if !calendar.attr("name").is_some_and(|n| n.eq_ignore_ascii_case("VCALENDAR")) {
        return Err(bad("The outer comp-filter names VCALENDAR."));
    }
    let Some(inner) = calendar.child(CALDAV, "comp-filter") else { return Ok(CalendarFilter::default()) };
    let component = inner.attr("name").unwrap_or_default().to_ascii_uppercase();
    let range = inner.child(CALDAV, "time-range").map(time_range).transpose()?;
    Ok(CalendarFilter { component: Some(component), range })
}

fn hrefs(root: &Element) -> Vec<String> {
    root.children_named(DAV, "href").map(|h| h.text.trim().to_string()).collect()
}

fn limit(root: &Element) -> Result<Option<usize>, BadRequest> {
    root.child(DAV, "limit")
        .or_else(|| root.child(CARDDAV, "limit"))
        .and_then(|l| l.child(DAV, "nresults").or_else(|| l.child(CARDDAV, "nresults")))
        .map(|n| n.text.trim().parse::<usize>().map_err(|_| bad("nresults is not a number.")))
        .transpose()
}

fn text_filters(root: &Element) -> Result<(Vec<TextFilter>, bool), BadRequest> {
    let Some(filter) = root.child(CARDDAV, "filter") else { return Ok((Vec::new(), false)) };
    let all_of = filter.attr("test").is_some_and(|t| t.eq_ignore_ascii_case("allof"));
    let mut filters = Vec::new();
    for prop in filter.children_named(CARDDAV, "prop-filter") {
        let property = prop.attr("name").ok_or_else(|| bad("A prop-filter names its property."))?.to_ascii_uppercase();
        let matched = prop.child(CARDDAV, "text-match");
        filters.push(TextFilter {
            property,
            text: matched.map(|m| m.text.clone()),
            negate: matched.and_then(|m| m.attr("negate-condition")).is_some_and(|v| v == "yes"),
            match_type: matched.and_then(|m| m.attr("match-type")).unwrap_or("contains").to_string(),
        });
    }
    Ok((filters, all_of))
}

/// A REPORT body.
pub fn report(root: &Element) -> Result<Report, BadRequest> {
    let props = || prop_request(root).unwrap_or(PropRequest::Props(vec![(DAV.into(), "getetag".into())]));
    match (root.ns.as_str(), root.name.as_str()) {
        (CALDAV, "calendar-query") => {
            Ok(Report::CalendarQuery { props: props(), filter: calendar_filter(root)?, expand: expand_of(root)? })
        }
        (CALDAV, "calendar-multiget") => {
            Ok(Report::CalendarMultiget { props: props(), hrefs: hrefs(root), expand: expand_of(root)? })
        }
        (CARDDAV, "addressbook-query") => {
            let (filters, all_of) = text_filters(root)?;
            Ok(Report::AddressbookQuery { props: props(), filters, all_of, limit: limit(root)? })
        }
        (CARDDAV, "addressbook-multiget") => Ok(Report::AddressbookMultiget { props: props(), hrefs: hrefs(root) }),
        (DAV, "sync-collection") => {
            let level = root.child(DAV, "sync-level").map(|l| l.text.trim().to_string());
            if level.as_deref().is_some_and(|l| l != "1") {
                return Err(bad("Only sync-level 1 is supported."));
            }
            let token = root.child(DAV, "sync-token").map(|t| t.text.trim().to_string()).unwrap_or_default();
            Ok(Report::SyncCollection { token, props: props(), limit: limit(root)? })
        }
        _ => Err(bad("unsupported report")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dav::xml::parse;

    #[test]
    fn reads_a_calendar_query_with_range_and_expand() {
        let body = br#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
            <d:prop><d:getetag/><c:calendar-data><c:expand start="20260101T000000Z" end="20260201T000000Z"/></c:calendar-data></d:prop>
            <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">
              <c:time-range start="20260105T000000Z"/></c:comp-filter></c:comp-filter></c:filter>
          </c:calendar-query>"#;
        let Report::CalendarQuery { props, filter, expand } = report(&parse(body).unwrap()).unwrap() else { panic!() };
        assert!(props.wants(CALDAV, "calendar-data"));
        assert_eq!(filter.component.as_deref(), Some("VEVENT"));
        assert_eq!(filter.range, Some(TimeRange { start: utc_instant("20260105T000000Z"), end: None }));
        assert_eq!(expand.unwrap().end, utc_instant("20260201T000000Z"));
        assert_eq!(utc_instant("19700101T000001Z"), Some(1000));
        assert_eq!(utc_instant("19700101T000001"), None);
    }

    #[test]
    fn reads_sync_collection_and_refuses_other_levels() {
        let body = br#"<sync-collection xmlns="DAV:"><sync-token>https://umbra.invalid/sync/4</sync-token><sync-level>1</sync-level><limit><nresults>10</nresults></limit><prop><getetag/></prop></sync-collection>"#;
        let Report::SyncCollection { token, limit, .. } = report(&parse(body).unwrap()).unwrap() else { panic!() };
        assert_eq!((token.as_str(), limit), ("https://umbra.invalid/sync/4", Some(10)));
        let infinite =
            br#"<sync-collection xmlns="DAV:"><sync-token/><sync-level>infinite</sync-level><prop/></sync-collection>"#;
        assert!(report(&parse(infinite).unwrap()).is_err());
    }
}
