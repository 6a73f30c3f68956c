//! A request body as a tree of namespaced elements. Bounded on purpose: a DOCTYPE is refused
//! outright (no internal subset, so no entity can be declared, expanded or fetched: no
//! billion laughs, no external entities), only the five predefined entities and character
//! references are understood, nesting stops at `MAX_DEPTH` and the whole body at
//! `MAX_ELEMENTS` elements. The body itself is at most 1 MiB (the handler's limit).

use quick_xml::events::Event;
use quick_xml::name::{NamespaceError, ResolveResult};
use quick_xml::{NsReader, XmlVersion};

/// Deepest nesting a DAV body needs is about 8 (`calendar-query` filters); 32 leaves room.
pub const MAX_DEPTH: usize = 32;
/// A multiget of a few thousand hrefs fits easily.
pub const MAX_ELEMENTS: usize = 10_000;
/// The most attributes (namespace declarations included) one element may carry.
pub const MAX_ATTRIBUTES: usize = 64;

/// One element: its namespace URI (empty when none), local name, attributes (by local name)
/// and the text directly inside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub ns: String,
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    /// The first child with this name.
    pub fn child(&self, ns: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    pub fn children_named<'a>(&'a self, ns: &'a str, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(ns, name))
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("The body is not well-formed XML: {0}")]
    Malformed(String),
    #[error("Document type declarations are not accepted.")]
    Doctype,
    #[error("The body nests elements deeper than {MAX_DEPTH}.")]
    TooDeep,
    #[error("The body has more than {MAX_ELEMENTS} elements.")]
    TooMany,
    #[error("An element has more than {MAX_ATTRIBUTES} attributes.")]
    TooManyAttributes,
    #[error("The body has no root element.")]
    Empty,
}

fn malformed(e: impl std::fmt::Display) -> XmlError {
    XmlError::Malformed(e.to_string())
}

/// Parses a body into its root element.
pub fn parse(body: &[u8]) -> Result<Element, XmlError> {
    let text = std::str::from_utf8(body).map_err(|_| XmlError::Malformed("not UTF-8".into()))?;
    let mut reader = NsReader::from_str(text);
    // The resolver records a start tag's namespace declarations before the event reaches the
    // loop below (RUSTSEC-2026-0195): capped there, at the attribute cap, so a tag of 100,000
    // `xmlns:…` costs no more than one of 65.
    reader.resolver_mut().set_max_declarations_per_element(MAX_ATTRIBUTES);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        let (ns, event) = reader.read_resolved_event().map_err(|e| match e {
            quick_xml::Error::Namespace(NamespaceError::TooManyDeclarations(_)) => XmlError::TooManyAttributes,
            other => malformed(other),
        })?;
        match event {
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Start(ref start) | Event::Empty(ref start) => {
                if root.is_some() {
                    return Err(XmlError::Malformed("content after the root element".into()));
                }
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(XmlError::TooMany);
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                let ns = match ns {
                    ResolveResult::Bound(ns) => String::from_utf8_lossy(ns.as_ref()).into_owned(),
                    ResolveResult::Unbound => String::new(),
                    ResolveResult::Unknown(prefix) => {
                        return Err(XmlError::Malformed(format!(
                            "undeclared prefix {}",
                            String::from_utf8_lossy(&prefix)
                        )));
                    }
                };
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                let mut attrs = Vec::new();
                // Capped before anything is compared: quick-xml's duplicate check is quadratic
                // in the attributes of one element, and DAV elements carry a handful at most.
                let mut seen = 0;
                for attr in start.attributes().with_checks(false) {
                    seen += 1;
                    if seen > MAX_ATTRIBUTES {
                        return Err(XmlError::TooManyAttributes);
                    }
                    let attr = attr.map_err(malformed)?;
                    let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
                    // Unescaped and normalised as XML 1.0 says (DAV bodies are 1.0).
                    let value = attr.normalized_value(XmlVersion::Implicit1_0).map_err(malformed)?.into_owned();
                    attrs.push((key, value));
                }
                let element = Element { ns, name, attrs, ..Element::default() };
                if matches!(event, Event::Empty(_)) {
                    close(element, &mut stack, &mut root);
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                let element = stack.pop().ok_or_else(|| malformed("unexpected end tag"))?;
                close(element, &mut stack, &mut root);
            }
            Event::Text(t) => {
                let decoded = t.decode().map_err(malformed)?;
                push_text(&mut stack, &decoded)?;
            }
            Event::CData(t) => {
                let decoded = t.decode().map_err(malformed)?;
                push_text(&mut stack, &decoded)?;
            }
            Event::GeneralRef(r) => {
                // Only what needs no declaration: character references and the predefined five.
                let resolved = if let Some(c) = r.resolve_char_ref().map_err(malformed)? {
                    c.to_string()
                } else {
                    let name = r.decode().map_err(malformed)?;
                    quick_xml::escape::resolve_predefined_entity(&name)
                        .ok_or_else(|| XmlError::Malformed(format!("unknown entity &{name};")))?
                        .to_string()
                };
                push_text(&mut stack, &resolved)?;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed("unclosed element".into()));
    }
    root.ok_or(XmlError::Empty)
}

fn close(element: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn push_text(stack: &mut [Element], text: &str) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(element) => {
            element.text.push_str(text);
            Ok(())
        }
        // Whitespace around the root is fine; anything else is not XML.
        None if text.trim().is_empty() => Ok(()),
        None => Err(XmlError::Malformed("text outside the root element".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_capped_before_they_are_compared() {
        let many = |n: usize| {
            let attrs: Vec<String> = (0..n).map(|i| format!("a{i}=\"\"")).collect();
            let attrs = attrs.join(" ");
            format!("<D:propfind xmlns:D=\"DAV:\" {attrs}/>")
        };
        assert!(parse(many(MAX_ATTRIBUTES - 1).as_bytes()).is_ok());
        let started = std::time::Instant::now();
        assert_eq!(parse(many(100_000).as_bytes()), Err(XmlError::TooManyAttributes));
        // Refused after the 65th attribute, not after comparing 100,000 with each other.
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
    }

    #[test]
    fn namespace_declarations_are_capped_like_attributes() {
        let many = |n: usize| {
            let declarations: Vec<String> = (0..n).map(|i| format!("xmlns:p{i}=\"urn:x:{i}\"")).collect();
            format!("<D:propfind xmlns:D=\"DAV:\" {}/>", declarations.join(" "))
        };
        assert!(parse(many(MAX_ATTRIBUTES - 1).as_bytes()).is_ok());
        assert_eq!(parse(many(MAX_ATTRIBUTES + 1).as_bytes()), Err(XmlError::TooManyAttributes));
        assert_eq!(parse(many(100_000).as_bytes()), Err(XmlError::TooManyAttributes));
    }

    #[test]
    fn reads_namespaces_whatever_the_prefix() {
        let body = br#"<?xml version="1.0"?><x:propfind xmlns:x="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><x:prop><c:calendar-data/><displayname xmlns="DAV:"/></x:prop></x:propfind>"#;
        let root = parse(body).unwrap();
        assert!(root.is("DAV:", "propfind"));
        let prop = root.child("DAV:", "prop").unwrap();
        assert!(prop.children[0].is("urn:ietf:params:xml:ns:caldav", "calendar-data"));
        assert!(prop.children[1].is("DAV:", "displayname"));
    }

    #[test]
    fn resolves_predefined_and_character_references() {
        let root = parse(b"<a xmlns='DAV:'>x &amp; y &#65;&#x42;</a>").unwrap();
        assert_eq!(root.text, "x & y AB");
    }

    #[test]
    fn refuses_doctypes_entities_depth_and_breadth() {
        let bomb =
            br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>"#;
        assert_eq!(parse(bomb), Err(XmlError::Doctype));
        assert!(matches!(parse(b"<a>&custom;</a>"), Err(XmlError::Malformed(_))));
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert_eq!(parse(deep.as_bytes()), Err(XmlError::TooDeep));
        let wide = format!("<a>{}</a>", "<b/>".repeat(MAX_ELEMENTS + 1));
        assert_eq!(parse(wide.as_bytes()), Err(XmlError::TooMany));
        assert!(matches!(parse(b"<a><b></a>"), Err(XmlError::Malformed(_))));
        assert!(matches!(parse(b"<p:a/>"), Err(XmlError::Malformed(_))));
        assert_eq!(parse(b"  "), Err(XmlError::Empty));
    }
}
