//! Multistatus and error bodies, written with quick-xml's writer (which escapes text and
//! attribute values). The well-known namespaces get fixed prefixes declared once on the root;
//! any other namespace (an unknown property a client asked for) is declared on the element
//! that uses it.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use rocket::http::Status;

use super::{APPLE, CALDAV, CALSERVER, CARDDAV, DAV};

const PREFIXES: [(&str, &str); 5] = [("D", DAV), ("C", CALDAV), ("CR", CARDDAV), ("CS", CALSERVER), ("A", APPLE)];

/// An element to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Node {
    pub ns: String,
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: Option<String>,
    pub children: Vec<Node>,
}

impl Node {
    pub fn new(ns: &str, name: &str) -> Node {
        Node { ns: ns.to_string(), name: name.to_string(), ..Node::default() }
    }

    pub fn dav(name: &str) -> Node {
        Node::new(DAV, name)
    }

    #[must_use]
    pub fn with_text(mut self, text: impl Into<String>) -> Node {
        self.text = Some(text.into());
        self
    }

    #[must_use]
    pub fn with_child(mut self, child: Node) -> Node {
        self.children.push(child);
        self
    }

    #[must_use]
    pub fn with_children(mut self, children: impl IntoIterator<Item = Node>) -> Node {
        self.children.extend(children);
        self
    }

    #[must_use]
    pub fn with_attr(mut self, name: &str, value: impl Into<String>) -> Node {
        self.attrs.push((name.to_string(), value.into()));
        self
    }

    /// `<D:href>…</D:href>`.
    pub fn href(href: impl Into<String>) -> Node {
        Node::dav("href").with_text(href)
    }

    /// The same name, without content (for `propname` and 404 propstats).
    #[must_use]
    pub fn empty(&self) -> Node {
        Node { ns: self.ns.clone(), name: self.name.clone(), ..Node::default() }
    }
}

/// One `propstat`: a status and the properties it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Propstat {
    pub status: Status,
    pub props: Vec<Node>,
}

/// One `response` of a multistatus: either properties by status, or a status for the whole
/// resource (a deleted member in a sync report, a missing href in a multiget), optionally
/// with the condition it failed (a truncated report's `number-of-matches-within-limits`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseEntry {
    pub href: String,
    pub propstats: Vec<Propstat>,
    pub status: Option<Status>,
    pub error: Option<Node>,
}

impl ResponseEntry {
    pub fn props(href: impl Into<String>, propstats: Vec<Propstat>) -> Self {
        Self {
            href: href.into(),
            propstats: propstats.into_iter().filter(|p| !p.props.is_empty()).collect(),
            status: None,
            error: None,
        }
    }

    pub fn status(href: impl Into<String>, status: Status) -> Self {
        Self { href: href.into(), propstats: Vec::new(), status: Some(status), error: None }
    }

    /// A status with the `<D:error>` naming why (RFC 4918 §14.5, §16).
    pub fn failed(href: impl Into<String>, status: Status, condition: Node) -> Self {
        Self { error: Some(condition), ..Self::status(href, status) }
    }
}

pub fn status_line(status: Status) -> String {
    format!("HTTP/1.1 {} {}", status.code, status.reason_lossy())
}

struct Out {
    writer: Writer<Vec<u8>>,
}

impl Out {
    fn new() -> Out {
        let mut out = Out { writer: Writer::new(Vec::with_capacity(4096)) };
        out.event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)));
        out
    }

    fn event(&mut self, event: Event<'_>) {
        // Writing into a Vec cannot fail.
        let _ = self.writer.write_event(event);
    }

    fn node(&mut self, node: &Node, root: bool) {
        let known = PREFIXES.iter().find(|(_, ns)| *ns == node.ns).map(|(p, _)| *p);
        let tag = match known {
            Some(prefix) => format!("{prefix}:{}", node.name),
            None if node.ns.is_empty() => node.name.clone(),
            None => format!("x:{}", node.name),
        };
        let mut start = BytesStart::new(tag.as_str());
        if root {
            for (prefix, ns) in PREFIXES {
                start.push_attribute((format!("xmlns:{prefix}").as_str(), ns));
            }
        }
        if known.is_none() && !node.ns.is_empty() {
            start.push_attribute(("xmlns:x", node.ns.as_str()));
        }
        for (name, value) in &node.attrs {
            start.push_attribute((name.as_str(), value.as_str()));
        }
        if node.text.is_none() && node.children.is_empty() {
            self.event(Event::Empty(start));
            return;
        }
        self.event(Event::Start(start));
        if let Some(text) = &node.text {
            self.event(Event::Text(BytesText::new(text)));
        }
        for child in &node.children {
            self.node(child, false);
        }
        self.event(Event::End(BytesEnd::new(tag.as_str())));
    }

    fn finish(self) -> Vec<u8> {
        self.writer.into_inner()
    }
}

/// A `207 Multi-Status` body; `sync_token` for a sync-collection report.
pub fn multistatus(responses: &[ResponseEntry], sync_token: Option<&str>) -> Vec<u8> {
    let mut root = Node::dav("multistatus");
    for entry in responses {
        let mut response = Node::dav("response").with_child(Node::href(&entry.href));
        for propstat in &entry.propstats {
            response.children.push(
                Node::dav("propstat")
                    .with_child(Node::dav("prop").with_children(propstat.props.iter().cloned()))
                    .with_child(Node::dav("status").with_text(status_line(propstat.status))),
            );
        }
        if let Some(status) = entry.status {
            response.children.push(Node::dav("status").with_text(status_line(status)));
        }
        if let Some(condition) = &entry.error {
            response.children.push(Node::dav("error").with_child(condition.clone()));
        }
        root.children.push(response);
    }
    if let Some(token) = sync_token {
        root.children.push(Node::dav("sync-token").with_text(token));
    }
    let mut out = Out::new();
    out.node(&root, true);
    out.finish()
}

/// A `<D:error>` body naming the precondition that failed (RFC 4918 §16).
pub fn error_body(condition: Node) -> Vec<u8> {
    let mut out = Out::new();
    out.node(&Node::dav("error").with_child(condition), true);
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dav::xml::parse;

    #[test]
    fn writes_well_formed_escaped_multistatus() {
        let props = vec![
            Node::dav("displayname").with_text("<Tom & Jerry's>"),
            Node::new("urn:x-odd", "thing"),
            Node::new(CALDAV, "calendar-data").with_text("BEGIN:VCALENDAR\r\nSUMMARY:a<b\r\n"),
        ];
        let entry = ResponseEntry::props("/dav/a%20b/", vec![Propstat { status: Status::Ok, props }]);
        let body = multistatus(&[entry, ResponseEntry::status("/dav/gone.ics", Status::NotFound)], Some("t"));
        let root = parse::parse(&body).unwrap();
        assert!(root.is(DAV, "multistatus"));
        let prop = &root.children[0].children[1].children[0];
        assert_eq!(prop.children[0].text, "<Tom & Jerry's>");
        assert!(prop.children[1].is("urn:x-odd", "thing"));
        assert_eq!(prop.children[2].text, "BEGIN:VCALENDAR\r\nSUMMARY:a<b\r\n");
        assert_eq!(root.children[1].child(DAV, "status").unwrap().text, "HTTP/1.1 404 Not Found");
        assert_eq!(root.child(DAV, "sync-token").unwrap().text, "t");
    }
}
