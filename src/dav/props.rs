//! The properties of each kind of resource, computed from what `dispatch` loaded: which
//! names a resource has (for `allprop`/`propname`) and each one's value. A name a resource
//! does not have is `None`, which the multistatus reports as 404 (RFC 4918 §9.1).

use chrono::Datelike;
use rocket::http::Status;

use super::auth::DavAccount;
use super::paths;
use super::store::Collection;
use super::xml::{APPLE, CALDAV, CALSERVER, CARDDAV, DAV, Name, Node, Propstat, name};
use crate::db::calendars::CalendarRow;
use crate::domain::calendars::CalendarLevel;
use crate::domain::ical::export::PRODID;
use crate::domain::ical::vtimezone;
use crate::domain::ical::writer::Writer;

use super::requests::PropRequest;

/// The sync-token URI of a collection at `token` (RFC 6578 §3.2 wants a URI).
pub const SYNC_PREFIX: &str = "https://umbra.invalid/sync/";

pub fn sync_token(token: i64) -> String {
    format!("{SYNC_PREFIX}{token}")
}

/// The counter a sync-token URI names; `None` for anything this server never handed out.
pub fn parse_sync_token(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(SYNC_PREFIX)?;
    digits.bytes().all(|b| b.is_ascii_digit()).then(|| digits.parse().ok()).flatten()
}

/// A resource with what its properties are computed from.
#[derive(Debug, Clone)]
pub enum Target {
    Root,
    Principal,
    CalendarHome,
    AddressbookHome,
    /// A calendar the user can read, with its sync counter.
    Calendar {
        row: Box<CalendarRow>,
        token: i64,
    },
    /// The user's todos or address book, with its sync counter.
    Own {
        collection: Collection,
        token: i64,
    },
    /// An object: its ETag, the caller's level on its collection, and its text when asked for.
    Object {
        collection: Collection,
        level: CalendarLevel,
        etag: String,
        body: Option<String>,
    },
}

impl Target {
    /// The caller's level: the share level on a calendar, full on everything that is theirs.
    fn level(&self) -> CalendarLevel {
        match self {
            Target::Calendar { row, .. } => CalendarLevel::from_rank(row.level_rank).unwrap_or(CalendarLevel::Read),
            Target::Object { level, .. } => *level,
            _ => CalendarLevel::Owner,
        }
    }

    fn is_addressbook(&self) -> bool {
        matches!(self, Target::Own { collection: Collection::Contacts, .. })
    }

    fn is_calendar(&self) -> bool {
        matches!(self, Target::Calendar { .. } | Target::Own { collection: Collection::Todos, .. })
    }
}

/// The properties `allprop` and `propname` report for a resource.
pub fn names(target: &Target) -> Vec<Name> {
    let mut names =
        vec![name(DAV, "resourcetype"), name(DAV, "current-user-principal"), name(DAV, "current-user-privilege-set")];
    match target {
        Target::Root | Target::CalendarHome | Target::AddressbookHome => names.push(name(DAV, "displayname")),
        Target::Principal => {
            for (ns, local) in [
                (DAV, "displayname"),
                (DAV, "principal-URL"),
                (CALDAV, "calendar-home-set"),
                (CARDDAV, "addressbook-home-set"),
            ] {
                names.push(name(ns, local));
            }
        }
        Target::Calendar { .. } | Target::Own { .. } => {
            for (ns, local) in [
                (DAV, "displayname"),
                (DAV, "owner"),
                (DAV, "supported-report-set"),
                (DAV, "sync-token"),
                (CALSERVER, "getctag"),
            ] {
                names.push(name(ns, local));
            }
            if target.is_calendar() {
                names.push(name(CALDAV, "supported-calendar-component-set"));
            }
            if let Target::Calendar { .. } = target {
                for (ns, local) in
                    [(APPLE, "calendar-color"), (CALDAV, "calendar-description"), (CALDAV, "calendar-timezone")]
                {
                    names.push(name(ns, local));
                }
            }
        }
        Target::Object { .. } => {
            names.push(name(DAV, "getetag"));
            names.push(name(DAV, "getcontenttype"));
        }
    }
    names
}

fn privileges(level: CalendarLevel) -> Node {
    let mut granted = vec!["read", "read-current-user-privilege-set"];
    if level.can_write() {
        granted.extend(["write-content", "bind", "unbind"]);
    }
    if level.can_manage() {
        granted.extend(["write", "write-properties"]);
    }
    Node::dav("current-user-privilege-set")
        .with_children(granted.into_iter().map(|p| Node::dav("privilege").with_child(Node::dav(p))))
}

fn reports(target: &Target) -> Node {
    let names: &[(&str, &str)] = if target.is_addressbook() {
        &[(CARDDAV, "addressbook-query"), (CARDDAV, "addressbook-multiget"), (DAV, "sync-collection")]
    } else {
        &[(CALDAV, "calendar-query"), (CALDAV, "calendar-multiget"), (DAV, "sync-collection")]
    };
    Node::dav("supported-report-set").with_children(names.iter().map(|(ns, local)| {
        Node::dav("supported-report").with_child(Node::dav("report").with_child(Node::new(ns, local)))
    }))
}

/// The calendar's zone as a VCALENDAR holding its VTIMEZONE (RFC 4791 §5.2.2), covering the
/// years around now that clients show.
pub fn timezone_calendar(zone: &str, now: i64) -> String {
    let zone: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let year = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(now).unwrap_or_default().year();
    let mut out = Writer::default();
    out.begin("VCALENDAR");
    out.property("VERSION", "2.0");
    out.property("PRODID", PRODID);
    vtimezone::write(&mut out, zone, year - 1, year + 5);
    out.end("VCALENDAR");
    out.finish()
}

/// What a resource is: a collection (of which kind), or an object (nothing).
fn resource_types(target: &Target) -> Vec<Node> {
    let mut kinds = Vec::new();
    if !matches!(target, Target::Object { .. }) {
        kinds.push(Node::dav("collection"));
    }
    match target {
        Target::Principal => kinds.push(Node::dav("principal")),
        Target::Calendar { .. } | Target::Own { collection: Collection::Todos, .. } => {
            kinds.push(Node::new(CALDAV, "calendar"));
        }
        Target::Own { collection: Collection::Contacts, .. } => kinds.push(Node::new(CARDDAV, "addressbook")),
        _ => {}
    }
    kinds
}

/// The value of one property of `target` at `href`; `None` when it has no such property.
pub fn value(account: &DavAccount, target: &Target, ns: &str, local: &str, now: i64) -> Option<Node> {
    let node = Node::new(ns, local);
    let href = |h: String| Some(Node::new(ns, local).with_child(Node::href(h)));
    match (ns, local) {
        (DAV, "resourcetype") => Some(node.with_children(resource_types(target))),
        (DAV, "current-user-principal") => href(paths::principal(&account.username)),
        (DAV, "current-user-privilege-set") => Some(privileges(target.level())),
        (DAV, "principal-URL") if matches!(target, Target::Principal) => href(paths::principal(&account.username)),
        (CALDAV, "calendar-home-set") if matches!(target, Target::Principal) => {
            href(paths::calendar_home(&account.username))
        }
        (CARDDAV, "addressbook-home-set") if matches!(target, Target::Principal) => {
            href(paths::addressbook_home(&account.username))
        }
        (DAV, "displayname") => {
            let text = match target {
                Target::Root => "UMBRA".to_string(),
                Target::Principal => account.username.clone(),
                Target::CalendarHome => "Calendars".to_string(),
                Target::AddressbookHome => "Address books".to_string(),
                Target::Calendar { row, .. } => row.name.clone(),
                Target::Own { collection: Collection::Contacts, .. } => "Contacts".to_string(),
                Target::Own { .. } => "Todos".to_string(),
                Target::Object { .. } => return None,
            };
            Some(node.with_text(text))
        }
        (DAV, "owner") => match target {
            Target::Calendar { row, .. } => href(paths::principal(&row.owner_username)),
            Target::Own { .. } => href(paths::principal(&account.username)),
            _ => None,
        },
        (DAV, "supported-report-set") => {
            matches!(target, Target::Calendar { .. } | Target::Own { .. }).then(|| reports(target))
        }
        (DAV, "sync-token") | (CALSERVER, "getctag") => match target {
            Target::Calendar { token, .. } | Target::Own { token, .. } => {
                let text = if ns == DAV { sync_token(*token) } else { token.to_string() };
                Some(node.with_text(text))
            }
            _ => None,
        },
        (CALDAV, "supported-calendar-component-set") => {
            let component = match target {
                Target::Calendar { .. } => "VEVENT",
                Target::Own { collection: Collection::Todos, .. } => "VTODO",
                _ => return None,
            };
            Some(node.with_child(Node::new(CALDAV, "comp").with_attr("name", component)))
        }
        (APPLE, "calendar-color") => match target {
            Target::Calendar { row, .. } => {
                Some(node.with_text(row.colour_override.clone().unwrap_or_else(|| row.colour.clone())))
            }
            _ => None,
        },
        (CALDAV, "calendar-description") => match target {
            Target::Calendar { row, .. } => Some(node.with_text(row.description.clone())),
            _ => None,
        },
        (CALDAV, "calendar-timezone") => match target {
            Target::Calendar { row, .. } => Some(node.with_text(timezone_calendar(&row.effective_timezone, now))),
            _ => None,
        },
        (DAV, "getetag") => match target {
            Target::Object { etag, .. } => Some(node.with_text(etag.clone())),
            _ => None,
        },
        (DAV, "getcontenttype") => match target {
            Target::Object { collection: Collection::Contacts, .. } => {
                Some(node.with_text("text/vcard; charset=utf-8"))
            }
            Target::Object { collection: Collection::Todos, .. } => {
                Some(node.with_text("text/calendar; charset=utf-8; component=VTODO"))
            }
            Target::Object { .. } => Some(node.with_text("text/calendar; charset=utf-8; component=VEVENT")),
            _ => None,
        },
        (CALDAV, "calendar-data") | (CARDDAV, "address-data") => match target {
            Target::Object { body: Some(body), collection, .. }
                if (ns == CARDDAV) == (*collection == Collection::Contacts) =>
            {
                Some(node.with_text(body.clone()))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The propstats of `target` for a request: found ones 200, the rest 404.
pub fn propstats(account: &DavAccount, target: &Target, request: &PropRequest, now: i64) -> Vec<Propstat> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    match request {
        PropRequest::Names => {
            found = names(target).iter().map(|(ns, local)| Node::new(ns, local)).collect();
        }
        PropRequest::All => {
            found = names(target).iter().filter_map(|(ns, local)| value(account, target, ns, local, now)).collect();
        }
        PropRequest::Props(wanted) => {
            for (ns, local) in wanted {
                match value(account, target, ns, local, now) {
                    Some(node) => found.push(node),
                    None => missing.push(Node::new(ns, local)),
                }
            }
        }
    }
    vec![Propstat { status: Status::Ok, props: found }, Propstat { status: Status::NotFound, props: missing }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_tokens_round_trip_and_refuse_strangers() {
        assert_eq!(parse_sync_token(&sync_token(42)), Some(42));
        assert_eq!(parse_sync_token("https://umbra.invalid/sync/-1"), None);
        assert_eq!(parse_sync_token("https://umbra.invalid/sync/"), None);
        assert_eq!(parse_sync_token("http://example.com/sync/4"), None);
        assert_eq!(parse_sync_token("https://umbra.invalid/sync/99999999999999999999999"), None);
    }

    #[test]
    fn the_timezone_is_a_vcalendar_with_its_vtimezone() {
        let text = timezone_calendar("Europe/Berlin", 1_800_000_000_000);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
        assert!(text.contains("TZID:Europe/Berlin"), "{text}");
    }
}
