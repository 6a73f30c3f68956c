//! Which resource a DAV path names, for the signed-in user. The tree is fixed (see the
//! module header of `dav`); anything else, another user's name included, is `None` (404).
//! Paths arrive percent-encoded; only an object's name is decoded (clients encode `@` and
//! spaces in resource names), and hrefs going out are built here too, encoded the same way.

use super::store::Collection;
use crate::domain::id::CalendarId;

/// The segment of the user's VTODO calendar in the calendar home.
pub const TODOS: &str = "todos";
/// The segment of the user's address book in the address-book home.
pub const CONTACTS: &str = "contacts";

/// A resource in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// `/dav/`
    Root,
    /// `/dav/principals/<user>/`
    Principal,
    /// `/dav/calendars/<user>/`
    CalendarHome,
    /// `/dav/addressbooks/<user>/`
    AddressbookHome,
    /// A collection of objects.
    Collection(Collection),
    /// `/dav/calendars/<user>/<segment>/` that names no collection: where MKCALENDAR may make one.
    Unmapped(String),
    /// An object in a collection, by its decoded name.
    Object(Collection, String),
    /// `/dav/calendars/<user>/<segment>/<name>` under a segment that is no id: an object of
    /// the calendar a client named with MKCALENDAR, if there is one.
    UnmappedObject(String, String),
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// An href segment: unreserved characters and the sub-delimiters stay, the rest is encoded.
pub fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
    out
}

/// A percent-decoded segment; `None` for a bad escape or bytes that are not UTF-8.
pub fn decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let pair = bytes.get(i + 1..i + 3)?;
            if !pair.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            out.push(u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A calendar id segment: digits only, no leading zero (one spelling per calendar).
fn calendar_id(segment: &str) -> Option<CalendarId> {
    let canonical = !segment.is_empty()
        && segment.len() <= 18
        && segment.bytes().all(|b| b.is_ascii_digit())
        && !segment.starts_with('0');
    canonical.then(|| segment.parse().ok().map(CalendarId)).flatten()
}

/// An object name: decoded, non-empty, no slash or control characters, at most 255 bytes.
fn object_name(segment: &str) -> Option<String> {
    let name = decode(segment)?;
    let fine = !name.is_empty()
        && name.len() <= 255
        && name != "."
        && name != ".."
        && !name.chars().any(|c| c == '/' || c.is_control());
    fine.then_some(name)
}

/// The resource `path` names for `username`; `None` is 404.
pub fn resolve(path: &str, username: &str) -> Option<Resource> {
    let rest = path.strip_prefix("/dav")?;
    if rest.is_empty() || rest == "/" {
        return Some(Resource::Root);
    }
    let rest = rest.strip_prefix('/')?;
    let trailing = rest.ends_with('/');
    let segments: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return None;
    }
    let user = segments.get(1)?;
    if decode(user)? != username {
        return None;
    }
    match (segments[0], &segments[2..]) {
        ("principals", []) => Some(Resource::Principal),
        ("calendars", []) => Some(Resource::CalendarHome),
        ("addressbooks", []) => Some(Resource::AddressbookHome),
        ("calendars", [TODOS]) => Some(Resource::Collection(Collection::Todos)),
        ("calendars", [segment]) => Some(match calendar_id(segment) {
            Some(id) => Resource::Collection(Collection::Calendar(id)),
            None => Resource::Unmapped(object_name(segment)?),
        }),
        ("addressbooks", [CONTACTS]) => Some(Resource::Collection(Collection::Contacts)),
        ("calendars", [TODOS, name]) if !trailing => Some(Resource::Object(Collection::Todos, object_name(name)?)),
        ("calendars", [segment, name]) if !trailing => Some(match calendar_id(segment) {
            Some(id) => Resource::Object(Collection::Calendar(id), object_name(name)?),
            None => Resource::UnmappedObject(object_name(segment)?, object_name(name)?),
        }),
        ("addressbooks", [CONTACTS, name]) if !trailing => {
            Some(Resource::Object(Collection::Contacts, object_name(name)?))
        }
        _ => None,
    }
}

pub fn root() -> String {
    "/dav/".into()
}

pub fn principal(username: &str) -> String {
    format!("/dav/principals/{}/", encode(username))
}

pub fn calendar_home(username: &str) -> String {
    format!("/dav/calendars/{}/", encode(username))
}

pub fn addressbook_home(username: &str) -> String {
    format!("/dav/addressbooks/{}/", encode(username))
}

pub fn collection(username: &str, collection: Collection) -> String {
    match collection {
        Collection::Calendar(id) => format!("{}{}/", calendar_home(username), id.0),
        Collection::Todos => format!("{}{TODOS}/", calendar_home(username)),
        Collection::Contacts => format!("{}{CONTACTS}/", addressbook_home(username)),
    }
}

pub fn object(username: &str, collection: Collection, name: &str) -> String {
    format!("{}{}", self::collection(username, collection), encode(name))
}

/// The collection href a request path addresses: itself (with its trailing slash) for a
/// collection, the part up to the last `/` for an object. Hrefs in answers are built on it,
/// so a client sees the URL it used (a calendar's id or the name it chose).
pub fn base(path: &str, object: bool) -> String {
    if object {
        return path.rfind('/').map_or_else(|| path.to_string(), |i| path[..=i].to_string());
    }
    if path.ends_with('/') { path.to_string() } else { format!("{path}/") }
}

/// The object name an href names under one of `bases` (for multiget); `None` when it names
/// something else. Absolute URLs are cut to their path.
pub fn name_under(href: &str, bases: &[&str]) -> Option<String> {
    let path = match href.find("://") {
        Some(i) => &href[i + 3..][href[i + 3..].find('/')?..],
        None => href,
    };
    let rest = bases.iter().find_map(|b| path.strip_prefix(b))?;
    if rest.contains('/') {
        return None;
    }
    object_name(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_the_tree_for_its_user_only() {
        let r = |p| resolve(p, "ann");
        assert_eq!(r("/dav"), Some(Resource::Root));
        assert_eq!(r("/dav/"), Some(Resource::Root));
        assert_eq!(r("/dav/principals/ann/"), Some(Resource::Principal));
        assert_eq!(r("/dav/principals/ann"), Some(Resource::Principal));
        assert_eq!(r("/dav/principals/bob/"), None);
        assert_eq!(r("/dav/calendars/ann/"), Some(Resource::CalendarHome));
        assert_eq!(r("/dav/calendars/ann/7/"), Some(Resource::Collection(Collection::Calendar(CalendarId(7)))));
        assert_eq!(r("/dav/calendars/ann/07/"), Some(Resource::Unmapped("07".into())));
        assert_eq!(r("/dav/calendars/ann/todos/"), Some(Resource::Collection(Collection::Todos)));
        assert_eq!(r("/dav/addressbooks/ann/contacts/"), Some(Resource::Collection(Collection::Contacts)));
        assert_eq!(r("/dav/addressbooks/ann/other/"), None);
        assert_eq!(
            r("/dav/calendars/ann/7/a%40b.ics"),
            Some(Resource::Object(Collection::Calendar(CalendarId(7)), "a@b.ics".into()))
        );
        assert_eq!(r("/dav/calendars/ann/07/a.ics"), Some(Resource::UnmappedObject("07".into(), "a.ics".into())));
        assert_eq!(r("/dav/calendars/ann/7/a.ics/"), None);
        assert_eq!(r("/dav/calendars/ann/7/a/b.ics"), None);
        assert_eq!(r("/dav/calendars/ann//7/"), None);
        assert_eq!(r("/dav/calendars/ann/7/%2e%2e"), None);
        assert_eq!(r("/dav/calendars/ann/7/a%2Fb"), None);
        assert_eq!(r("/dav/elsewhere/ann/"), None);
        assert_eq!(r("/davx/"), None);
    }

    #[test]
    fn hrefs_round_trip() {
        let c = Collection::Calendar(CalendarId(3));
        let href = object("ann", c, "x y@z.ics");
        assert_eq!(href, "/dav/calendars/ann/3/x%20y@z.ics");
        let bases = ["/dav/calendars/ann/3/"];
        assert_eq!(name_under(&href, &bases), Some("x y@z.ics".into()));
        assert_eq!(name_under(&format!("https://h:8443{href}"), &bases), Some("x y@z.ics".into()));
        assert_eq!(name_under(&href, &["/dav/calendars/ann/todos/"]), None);
        assert_eq!(name_under("/dav/calendars/ann/3/a/b.ics", &bases), None);
        assert_eq!(base("/dav/calendars/ann/3/x.ics", true), "/dav/calendars/ann/3/");
        assert_eq!(base("/dav/calendars/ann/mine", false), "/dav/calendars/ann/mine/");
    }
}
