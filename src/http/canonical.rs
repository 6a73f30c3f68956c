//! The canonical form of a request path. Rocket routes on decoded, non-empty segments, so
//! `/%61pi/auth/lock`, `//api/auth/lock` and `/api/auth/lock` reach the same handler while
//! anything that compares the raw path (CSRF, rate-limit buckets, cache headers) sees three
//! different strings. Rather than teach every such rule to normalise, the gate refuses every
//! path that is not already in the one spelling routing and classification agree on.
//!
//! Not canonical: percent-encoded unreserved characters (RFC 3986 §2.3: ALPHA, DIGIT and
//! `-._~`, which must never be encoded) and `%2F` (an encoded `/`, which a router may or may
//! not treat as a separator), malformed percent escapes, empty segments (`//`, a trailing `/`
//! except the root `/` itself and DAV collections) and `.` or `..` segments.

/// Why a path is not canonical; the message is for the 400's detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotCanonical {
    EncodedUnreserved,
    EncodedSlash,
    MalformedEscape,
    EmptySegment,
    DotSegment,
    NotAbsolute,
}

impl NotCanonical {
    pub fn explain(self) -> &'static str {
        match self {
            Self::EncodedUnreserved => "The path percent-encodes a character that must be sent as it is.",
            Self::EncodedSlash => "The path contains an encoded slash (%2F).",
            Self::MalformedEscape => "The path contains a malformed percent escape.",
            Self::EmptySegment => "The path contains an empty segment (// or a trailing /).",
            Self::DotSegment => "The path contains a . or .. segment.",
            Self::NotAbsolute => "The path must start with /.",
        }
    }
}

/// `Ok` when `path` (without the query) is in canonical form.
pub fn check(path: &str) -> Result<(), NotCanonical> {
    if path == "/" {
        return Ok(());
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(NotCanonical::NotAbsolute);
    };
    // WebDAV names collections with a trailing slash (RFC 4918 §5.2) and every DAV client
    // sends them so: one final empty segment is canonical there, and nowhere else.
    let rest = match rest.strip_suffix('/') {
        Some(collection) if crate::dav::is_dav_path(path) => collection,
        _ => rest,
    };
    for segment in rest.split('/') {
        match segment {
            "" => return Err(NotCanonical::EmptySegment),
            "." | ".." => return Err(NotCanonical::DotSegment),
            _ => check_escapes(segment)?,
        }
    }
    Ok(())
}

fn check_escapes(segment: &str) -> Result<(), NotCanonical> {
    let bytes = segment.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            // Two hex digits, checked as such: `from_str_radix` alone would also take `+f`.
            let hex = bytes.get(i + 1..i + 3).filter(|h| h.iter().all(u8::is_ascii_hexdigit));
            let hex = hex.and_then(|h| std::str::from_utf8(h).ok());
            let value = hex.and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or(NotCanonical::MalformedEscape)?;
            if value == b'/' {
                return Err(NotCanonical::EncodedSlash);
            }
            if value.is_ascii_alphanumeric() || matches!(value, b'-' | b'.' | b'_' | b'~') {
                return Err(NotCanonical::EncodedUnreserved);
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_paths_pass() {
        for path in ["/", "/api/auth/login", "/app.js", "/api/todos/12", "/a%20b", "/%C3%A9t%C3%A9", "/x%3Fy", "/%25"] {
            assert_eq!(check(path), Ok(()), "{path}");
        }
    }

    #[test]
    fn encoded_unreserved_characters_are_refused_in_either_case() {
        for path in
            ["/%61pi/auth/login", "/api/auth/%6Cogin", "/api/auth/%6cogin", "/api%2Dx", "/%2e%2E", "/%7E", "/%30"]
        {
            assert_eq!(check(path), Err(NotCanonical::EncodedUnreserved), "{path}");
        }
    }

    #[test]
    fn encoded_slashes_and_bad_escapes_are_refused() {
        assert_eq!(check("/api%2Fauth/login"), Err(NotCanonical::EncodedSlash));
        assert_eq!(check("/api%2fauth/login"), Err(NotCanonical::EncodedSlash));
        assert_eq!(check("/api/%zz"), Err(NotCanonical::MalformedEscape));
        assert_eq!(check("/api/%4"), Err(NotCanonical::MalformedEscape));
        assert_eq!(check("/api/%"), Err(NotCanonical::MalformedEscape));
        // Found by fuzzing (fuzz/fuzz_targets/request_path.rs): a sign is no hex digit.
        assert_eq!(check("/api/%+f"), Err(NotCanonical::MalformedEscape));
        assert_eq!(check("/api/a%+0b"), Err(NotCanonical::MalformedEscape));
    }

    #[test]
    fn empty_and_dot_segments_are_refused() {
        for path in ["//api/auth/logout", "/api//auth/login", "/api/auth/login/", "/api/", "//"] {
            assert_eq!(check(path), Err(NotCanonical::EmptySegment), "{path}");
        }
        for path in ["/./api/auth/lock", "/api/../api/auth/lock", "/api/auth/..", "/api/."] {
            assert_eq!(check(path), Err(NotCanonical::DotSegment), "{path}");
        }
        assert_eq!(check("/api/.well/x..y/..."), Ok(()));
        assert_eq!(check(""), Err(NotCanonical::NotAbsolute));
    }

    #[test]
    fn dav_collections_may_end_in_one_slash() {
        for path in ["/dav/", "/dav/calendars/ann/", "/dav/calendars/ann/12/", "/dav/calendars/ann/12/a%40b.ics"] {
            assert_eq!(check(path), Ok(()), "{path}");
        }
        for path in ["/dav//", "/dav/calendars//ann/", "/dav/calendars/ann//", "/davx/", "/.well-known/caldav/"] {
            assert_eq!(check(path), Err(NotCanonical::EmptySegment), "{path}");
        }
        assert_eq!(check("/dav/calendars/../"), Err(NotCanonical::DotSegment));
    }
}
