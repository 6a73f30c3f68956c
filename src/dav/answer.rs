//! How failures become DAV answers: the protocol code returns `Answer` and uses `?`; every
//! error type it meets converts to the response a client expects (RFC 4918 §16 error bodies
//! naming the failed precondition, 404 for what the user cannot see, 500 only for real faults,
//! logged once here).

use rocket::http::{ContentType, Status};

use super::DavResponse;
use super::requests::BadRequest;
use super::store::{Collection, DavError};
use super::xml::{CALDAV, CARDDAV, Node, XmlError, error_body};
use crate::db::error::DbError;
use crate::service::calendars::CalendarError;

/// A DAV answer, or the answer to a failure.
pub type Answer = Result<DavResponse, DavResponse>;

pub fn xml(status: Status, body: Vec<u8>) -> DavResponse {
    DavResponse::status(status)
        .with_body(ContentType::new("application", "xml").with_params(("charset", "utf-8")), body)
}

/// `status` with a `<D:error>` naming the condition.
pub fn condition(status: Status, condition: Node) -> DavResponse {
    xml(status, error_body(condition))
}

pub fn not_found() -> DavResponse {
    DavResponse::text(Status::NotFound, "There is nothing here.")
}

pub fn method_not_allowed(allow: &str) -> DavResponse {
    DavResponse::text(Status::MethodNotAllowed, "This resource does not support that method.")
        .with_header("Allow", allow)
}

fn internal(what: &dyn std::fmt::Display) -> DavResponse {
    tracing::error!("DAV request failed: {what}");
    DavResponse::text(Status::InternalServerError, "Something went wrong on the server.")
}

/// A DAV error from an object store, for an object in `collection` (the namespace of the
/// precondition element depends on the kind).
pub fn from_dav(error: DavError, collection: Option<Collection>) -> DavResponse {
    match error {
        DavError::NotFound => not_found(),
        DavError::ReadOnly => need_privileges(),
        DavError::PreconditionFailed => {
            DavResponse::text(Status::PreconditionFailed, "The resource changed: read it again before writing.")
        }
        DavError::Invalid { precondition: Some(name), detail } => {
            let ns = if collection == Some(Collection::Contacts) { CARDDAV } else { CALDAV };
            let mut response = condition(Status::Forbidden, Node::new(ns, name));
            // The detail may quote the client's text: only printable ASCII is a header value.
            let reason: String =
                detail.chars().map(|c| if c.is_ascii() && !c.is_ascii_control() { c } else { ' ' }).collect();
            response.headers.push(("X-Umbra-Reason", reason));
            response
        }
        DavError::Invalid { precondition: None, detail } => DavResponse::text(Status::BadRequest, &detail),
        DavError::InvalidSyncToken => condition(Status::Forbidden, Node::dav("valid-sync-token")),
        DavError::OverLimits => condition(Status::InsufficientStorage, Node::dav("number-of-matches-within-limits")),
        DavError::Db(DbError::Unique { .. }) => {
            DavResponse::text(Status::Conflict, "Another change to the same resource came first: try again.")
        }
        DavError::Db(DbError::Contention) => {
            DavResponse::text(Status::ServiceUnavailable, "Busy: try again.").with_header("Retry-After", "1")
        }
        DavError::Db(DbError::InvalidText) => {
            DavResponse::text(Status::BadRequest, "The text holds characters that cannot be stored.")
        }
        DavError::Db(e) => from_db(e),
    }
}

/// A database failure: 503 while the database is unreachable, 507 when its disk is full (both
/// worth a client's retry later), 500 for the rest.
fn from_db(error: DbError) -> DavResponse {
    match error {
        DbError::Unavailable(_) => {
            DavResponse::text(Status::ServiceUnavailable, "The database is unavailable: try again shortly.")
                .with_header("Retry-After", "5")
        }
        DbError::StorageFull(_) => DavResponse::text(Status::InsufficientStorage, "The server's disk is full."),
        other => internal(&other),
    }
}

/// 403 with `need-privileges` (RFC 3744 §7.1.1): a read share writing.
pub fn need_privileges() -> DavResponse {
    condition(Status::Forbidden, Node::dav("need-privileges"))
}

impl From<DavError> for DavResponse {
    fn from(error: DavError) -> Self {
        from_dav(error, None)
    }
}

impl From<BadRequest> for DavResponse {
    fn from(error: BadRequest) -> Self {
        DavResponse::text(Status::BadRequest, &error.0)
    }
}

impl From<XmlError> for DavResponse {
    fn from(error: XmlError) -> Self {
        DavResponse::text(Status::BadRequest, &error.to_string())
    }
}

impl From<sqlx::Error> for DavResponse {
    fn from(error: sqlx::Error) -> Self {
        from_db(DbError::classify(error))
    }
}

impl From<CalendarError> for DavResponse {
    fn from(error: CalendarError) -> Self {
        match error {
            CalendarError::NotFound => not_found(),
            CalendarError::Forbidden(why) => {
                let mut response = need_privileges();
                response.headers.push(("X-Umbra-Reason", why.to_string()));
                response
            }
            CalendarError::Conflict(why) => DavResponse::text(Status::Conflict, why),
            CalendarError::Invalid(problems) => {
                let text: Vec<String> =
                    problems.0.iter().map(|(field, message)| format!("{field}: {message}")).collect();
                DavResponse::text(Status::BadRequest, &text.join("; "))
            }
            CalendarError::Db(e) => from_db(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use rocket::http::Status;

    use super::{DavResponse, from_dav};
    use crate::dav::store::DavError;
    use crate::db::error::DbError;

    /// A database that cannot be reached or is out of space is a condition a DAV client
    /// should retry later (503 with Retry-After, 507), not a server bug (500).
    #[test]
    fn an_unreachable_or_full_database_is_503_or_507_not_500() {
        let unreachable = from_dav(DavError::Db(DbError::classify(sqlx::Error::PoolTimedOut)), None);
        assert_eq!(unreachable.status, Status::ServiceUnavailable);
        assert!(unreachable.headers.iter().any(|(name, _)| *name == "Retry-After"));
        let full = from_dav(DavError::Db(DbError::StorageFull(sqlx::Error::PoolClosed)), None);
        assert_eq!(full.status, Status::InsufficientStorage);
        assert_eq!(DavResponse::from(sqlx::Error::PoolTimedOut).status, Status::ServiceUnavailable);
        let other = from_dav(DavError::Db(DbError::classify(sqlx::Error::RowNotFound)), None);
        assert_eq!(other.status, Status::InternalServerError);
    }
}
