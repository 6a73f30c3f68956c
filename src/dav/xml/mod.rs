//! The XML of WebDAV bodies: `parse` reads a request body into a small namespaced tree under
//! hard bounds (no DOCTYPE, so no entity expansion; limited depth and element count), `write`
//! builds multistatus answers with quick-xml's writer. Names are (namespace URI, local name)
//! pairs throughout, so a client's choice of prefixes never matters.

pub mod parse;
pub mod write;

pub use parse::{Element, XmlError, parse};
pub use write::{Node, Propstat, ResponseEntry, error_body, multistatus};

/// WebDAV (RFC 4918).
pub const DAV: &str = "DAV:";
/// CalDAV (RFC 4791).
pub const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
/// CardDAV (RFC 6352).
pub const CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";
/// Calendar Server extensions (`getctag`).
pub const CALSERVER: &str = "http://calendarserver.org/ns/";
/// Apple iCal extensions (`calendar-color`, `calendar-order`).
pub const APPLE: &str = "http://apple.com/ns/ical/";

/// A property or element name: namespace URI and local name.
pub type Name = (String, String);

pub fn name(ns: &str, local: &str) -> Name {
    (ns.to_string(), local.to_string())
}
