//! What the protocol layer (`dispatch`) asks of the three kinds of collection: a calendar's
//! events (`calendar_objects`), the user's todos (`todo_objects`) and the user's people
//! (`contact_objects`). Each of those modules offers the same functions with the same
//! meaning; `Collection` says which one a path names. Objects are the same rows the API and
//! the UI use: a change through one is visible through the other at once.

use crate::db::error::DbError;
use crate::domain::id::CalendarId;

/// A collection holding objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// `/dav/calendars/<user>/<id>/`: the events of a calendar the user can read.
    Calendar(CalendarId),
    /// `/dav/calendars/<user>/todos/`: the user's todos, as VTODO.
    Todos,
    /// `/dav/addressbooks/<user>/contacts/`: the user's people, as vCard.
    Contacts,
}

/// An object's resource name (the last path segment, decoded, e.g. `abc@umbra.ics`) and its
/// strong ETag (quoted, as sent in the `ETag` header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    pub name: String,
    pub etag: String,
}

/// An object with its iCalendar or vCard text.
#[derive(Debug, Clone)]
pub struct StoredObject {
    pub meta: ObjectMeta,
    pub body: String,
}

/// What a write requires of the object's current state (RFC 7232).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    None,
    /// `If-Match: "<etag>"` (or `*`: the object must exist).
    IfMatch(String),
    /// `If-None-Match: *`: the object must not exist.
    IfNoneMatchAny,
    /// `If-None-Match: "<etag>", …`: the object must not be in one of these versions.
    IfNoneMatch(String),
}

impl Precondition {
    /// Whether an object whose current ETag is `current` (`None`: no object) lets a write go
    /// ahead (RFC 7232 §3.1, §3.2): `If-Match` compares strongly, `If-None-Match` weakly.
    pub fn holds(&self, current: Option<&str>) -> bool {
        match self {
            Self::None => true,
            Self::IfNoneMatchAny => current.is_none(),
            Self::IfMatch(tag) if tag.trim() == "*" => current.is_some(),
            Self::IfMatch(tags) => current.is_some_and(|etag| tags.split(',').any(|t| t.trim() == etag)),
            Self::IfNoneMatch(tags) => current.is_none_or(|etag| !none_match_lists(tags, etag)),
        }
    }
}

/// Whether an `If-None-Match` list names `etag` (weak comparison: `W/"x"` is `"x"`), or is
/// `*`. A GET or HEAD it names answers 304, a PUT or DELETE 412.
pub fn none_match_lists(tags: &str, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    tags.trim() == "*" || tags.split(',').any(|t| bare(t) == bare(etag))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutOutcome {
    pub etag: String,
    /// A new object (201) rather than a changed one (204).
    pub created: bool,
    /// The server changed what the client sent beyond writing it its own way (a repeating
    /// todo completed by the client moved on to its next due date): the answer then carries
    /// no ETag (RFC 4791 §5.3.4), so the client fetches the object instead of keeping its own.
    pub changed_by_server: bool,
}

/// What changed after a sync token: objects created or changed (with their ETags now), and
/// names of objects deleted. `token` is the collection's token now.
#[derive(Debug, Clone, Default)]
pub struct Delta {
    pub token: i64,
    pub changed: Vec<ObjectMeta>,
    pub deleted: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DavError {
    /// No such collection or object that the user can see: 404.
    #[error("not found")]
    NotFound,
    /// The user can read but not write here (a read share): 403.
    #[error("read only")]
    ReadOnly,
    /// `If-Match`/`If-None-Match` not met: 412.
    #[error("precondition failed")]
    PreconditionFailed,
    /// The body is not an object this collection takes (unparseable, wrong component, a UID
    /// already used by another resource, a value out of range): 400/403 with a reason the
    /// client can show. `precondition` names the CalDAV/CardDAV precondition element when one
    /// applies (e.g. `valid-calendar-data`, `no-uid-conflict`, `supported-calendar-component`).
    #[error("{detail}")]
    Invalid { precondition: Option<&'static str>, detail: String },
    /// The answer would hold more object text than the server gives in one: 507
    /// `number-of-matches-within-limits` (a client then asks in smaller parts).
    #[error("over the answer's limits")]
    OverLimits,
    /// A sync token this collection never gave or no longer remembers: 403 `valid-sync-token`.
    #[error("invalid sync token")]
    InvalidSyncToken,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for DavError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::classify(error))
    }
}

pub type DavResult<T> = Result<T, DavError>;
