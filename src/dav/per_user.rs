//! What the two per-user collections (todos, contacts) share: their ETags, resource names,
//! the check of a write's precondition and of the unknown lines it keeps, and the delta a sync token asks for, read from
//! `db::collection_changes`.

use std::collections::HashMap;

pub use super::calendar_text::EXTRA_MAX_BYTES;
use super::store::{DavError, DavResult, Delta, ObjectMeta, Precondition};
use crate::db::collection_changes::ChangeRow;
use crate::db::error::DbError;

/// Longest resource name a client may choose.
pub const NAME_MAX: usize = 255;

/// The strong ETag of a stored object. The row id is in it: a todo deleted and made again
/// under the same name starts at revision 1 again, and must not repeat an ETag the client
/// may still hold.
pub fn etag(id: i64, revision: i64) -> String {
    format!("\"{id}-{revision}\"")
}

/// An object's resource name: the one its client chose, else `<uid><suffix>`.
pub fn name_of(uid: &str, dav_name: Option<&str>, suffix: &str) -> String {
    dav_name.map_or_else(|| format!("{uid}{suffix}"), str::to_string)
}

/// A name a client may PUT under: a path segment (no `/`), no control characters, not `.`
/// or `..`, at most `NAME_MAX` characters.
pub fn check_name(name: &str) -> DavResult<()> {
    let ok = !name.is_empty()
        && name != "."
        && name != ".."
        && name.chars().count() <= NAME_MAX
        && !name.chars().any(|c| c == '/' || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(DavError::Invalid {
            precondition: None,
            detail: format!("a resource name is 1 to {NAME_MAX} characters without '/' or control characters"),
        })
    }
}

/// Refuses an object whose kept unknown lines exceed what an event may keep
/// (`EXTRA_MAX_BYTES`): every read of the collection writes them out again, so one client
/// must not make every listing of the user's todos or contacts heavy.
pub fn check_extra(extra: &str, precondition: &'static str) -> DavResult<()> {
    if extra.len() <= EXTRA_MAX_BYTES {
        return Ok(());
    }
    Err(DavError::Invalid {
        precondition: Some(precondition),
        detail: format!(
            "the object carries {} bytes of properties UMBRA keeps for the client; at most {EXTRA_MAX_BYTES} are kept",
            extra.len()
        ),
    })
}

/// Whether a write may go ahead, given the object's current ETag (`None`: no object).
pub fn check_precondition(current: Option<&str>, precondition: &Precondition) -> DavResult<()> {
    if precondition.holds(current) { Ok(()) } else { Err(DavError::PreconditionFailed) }
}

/// The log rows after a token, collapsed per resource name: the last change wins. A name
/// created and deleted within the delta is left out (RFC 6578 §3.5.2 lets a server omit a
/// member the client never saw). Returns (names changed or created, names deleted).
pub fn collapse(rows: &[ChangeRow], suffix: &str) -> (Vec<String>, Vec<String>) {
    // name → (first kind, last kind, order of first appearance)
    let mut seen: HashMap<String, (String, String, usize)> = HashMap::new();
    for (order, row) in rows.iter().enumerate() {
        let name = name_of(&row.uid, row.name.as_deref(), suffix);
        seen.entry(name).and_modify(|(_, last, _)| last.clone_from(&row.kind)).or_insert((
            row.kind.clone(),
            row.kind.clone(),
            order,
        ));
    }
    let mut ordered: Vec<(String, (String, String, usize))> = seen.into_iter().collect();
    ordered.sort_by_key(|(_, (_, _, order))| *order);
    let (mut changed, mut deleted) = (Vec::new(), Vec::new());
    for (name, (first, last, _)) in ordered {
        match (first.as_str(), last.as_str()) {
            ("created", "deleted") => {}
            (_, "deleted") => deleted.push(name),
            _ => changed.push(name),
        }
    }
    (changed, deleted)
}

/// The delta after a token: the log rows since it, collapsed, with the current ETags of the
/// objects changed (`current`: every object of the collection now). A changed name that is
/// no longer there was deleted after the token was read: reported deleted now, created again
/// in the next delta.
pub fn delta(token: i64, rows: &[ChangeRow], suffix: &str, current: Vec<ObjectMeta>) -> Delta {
    let (changed, mut deleted) = collapse(rows, suffix);
    let mut current: HashMap<String, ObjectMeta> = current.into_iter().map(|m| (m.name.clone(), m)).collect();
    let mut metas = Vec::with_capacity(changed.len());
    for name in changed {
        match current.remove(&name) {
            Some(meta) => metas.push(meta),
            None => deleted.push(name),
        }
    }
    Delta { token, changed: metas, deleted }
}

/// A UID the collection holds under another name, or a name holding another UID.
pub fn uid_conflict(detail: String) -> DavError {
    DavError::Invalid { precondition: Some("no-uid-conflict"), detail }
}

/// The UID is already the object `other` (named so): when that is the name this request
/// writes, a request stored it since this one looked (PostgreSQL runs writers side by side),
/// and `If-None-Match: *` has failed (412) rather than the UID conflicting.
pub fn uid_taken(uid: &str, other: &str, name: &str, precondition: &Precondition) -> DavError {
    if other == name && *precondition == Precondition::IfNoneMatchAny {
        return DavError::PreconditionFailed;
    }
    uid_conflict(format!("the UID {uid} is already the object {other}"))
}

/// An insert that met the UID or name another request stored since this one looked (on
/// PostgreSQL, where writers run side by side): the object exists now.
pub fn made_meanwhile(error: sqlx::Error, precondition: &Precondition) -> DavError {
    let error = DbError::classify(error);
    if !error.is_unique_violation() {
        return DavError::Db(error);
    }
    if *precondition == Precondition::IfNoneMatchAny {
        DavError::PreconditionFailed
    } else {
        uid_conflict("another request stored an object with this UID or name meanwhile".into())
    }
}

/// Checks a client's sync token against the collection's counter.
pub fn check_token(since: i64, token: i64) -> DavResult<()> {
    if since < 0 || since > token { Err(DavError::InvalidSyncToken) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seq: i64, uid: &str, name: Option<&str>, kind: &str) -> ChangeRow {
        ChangeRow { seq, uid: uid.into(), name: name.map(str::to_string), kind: kind.into(), changed_at: 0 }
    }

    #[test]
    fn the_last_change_wins_and_short_lived_objects_are_left_out() {
        let rows = [
            row(1, "a", None, "created"),
            row(2, "b", Some("mine.ics"), "changed"),
            row(3, "c", None, "created"),
            row(4, "c", None, "deleted"),
            row(5, "a", None, "changed"),
            row(6, "b", Some("mine.ics"), "deleted"),
            row(7, "d", None, "deleted"),
            row(8, "d", None, "created"),
        ];
        let (changed, deleted) = collapse(&rows, ".ics");
        assert_eq!(changed, ["a.ics", "d.ics"]);
        assert_eq!(deleted, ["mine.ics"]);
    }

    #[test]
    fn preconditions() {
        let tag = "\"3-2\"";
        assert!(check_precondition(Some(tag), &Precondition::None).is_ok());
        assert!(check_precondition(None, &Precondition::IfNoneMatchAny).is_ok());
        assert!(check_precondition(Some(tag), &Precondition::IfNoneMatchAny).is_err());
        assert!(check_precondition(Some(tag), &Precondition::IfMatch(tag.into())).is_ok());
        assert!(check_precondition(Some(tag), &Precondition::IfMatch("\"x\", \"3-2\"".into())).is_ok());
        assert!(check_precondition(Some(tag), &Precondition::IfMatch("\"3-1\"".into())).is_err());
        assert!(
            check_precondition(Some(tag), &Precondition::IfMatch("W/\"3-2\"".into())).is_err(),
            "weak never matches"
        );
        assert!(check_precondition(None, &Precondition::IfMatch("*".into())).is_err());
        assert!(check_precondition(Some(tag), &Precondition::IfMatch("*".into())).is_ok());
        let none_match = |tags: &str| Precondition::IfNoneMatch(tags.into());
        assert!(check_precondition(Some(tag), &none_match("\"3-2\"")).is_err());
        assert!(check_precondition(Some(tag), &none_match("\"x\", W/\"3-2\"")).is_err(), "weak matches here");
        assert!(check_precondition(Some(tag), &none_match("\"3-1\"")).is_ok());
        assert!(check_precondition(None, &none_match("\"3-2\"")).is_ok());
    }

    #[test]
    fn a_uid_stored_meanwhile_under_the_same_name_fails_if_none_match() {
        let any = Precondition::IfNoneMatchAny;
        assert!(matches!(uid_taken("u", "u.ics", "u.ics", &any), DavError::PreconditionFailed));
        assert!(matches!(uid_taken("u", "u.ics", "other.ics", &any), DavError::Invalid { .. }));
        assert!(matches!(uid_taken("u", "u.ics", "u.ics", &Precondition::None), DavError::Invalid { .. }));
    }

    #[test]
    fn names_and_tokens() {
        assert!(check_name("a b@c.ics").is_ok());
        for bad in ["", ".", "..", "a/b.ics", "a\nb", &"x".repeat(NAME_MAX + 1)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_token(0, 0).is_ok() && check_token(3, 3).is_ok());
        assert!(check_token(4, 3).is_err() && check_token(-1, 3).is_err());
    }
}
