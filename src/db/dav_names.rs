//! One resource name, one object. A DAV object answers to the name its client chose
//! (`dav_name`) or else to `<uid>.ics`/`<uid>.vcf`; the unique indexes cover only the chosen
//! names, so an object made without one (an import, the API, a move to another calendar)
//! could take over a name a client chose for another object: a client PUTs UID `a` as
//! `b.ics`, then an import brings UID `b`. Such a later object gets a name of its own here
//! (`<uid>-2.ics`, …), so both stay reachable, are listed once each and sync reports each
//! under its own name.

use sqlx::AnyConnection;

use crate::domain::id::{CalendarId, EventId, UserId};

/// How many `<uid>-<n>` names are tried before a random one.
const READABLE_TRIES: u64 = 9;

/// A collection of objects: the table, the column naming the collection, the name suffix.
#[derive(Debug, Clone, Copy)]
pub enum Objects {
    /// A calendar's events.
    Events(CalendarId),
    /// A user's todos.
    Todos(UserId),
    /// A user's people.
    People(UserId),
}

impl Objects {
    fn parts(self) -> (&'static str, &'static str, i64, &'static str) {
        match self {
            Self::Events(calendar) => ("events", "calendar_id", calendar.0, ".ics"),
            Self::Todos(user) => ("todos", "user_id", user.0, ".ics"),
            Self::People(user) => ("people", "user_id", user.0, ".vcf"),
        }
    }
}

/// Whether an object of the collection other than row `except` answers to `name`.
pub async fn taken(conn: &mut AnyConnection, objects: Objects, name: &str, except: i64) -> Result<bool, sqlx::Error> {
    let (table, owner, key, suffix) = objects.parts();
    // The derived side by UID, so both sides use an index (an import checks every event).
    let uid = name.strip_suffix(suffix);
    let sql = format!(
        "SELECT COUNT(*) FROM {table} WHERE {owner} = $1 AND id <> $3 \
         AND (dav_name = $2 OR (dav_name IS NULL AND uid = $4))"
    );
    let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(key)
        .bind(name)
        .bind(except)
        .bind(uid)
        .fetch_one(&mut *conn)
        .await?;
    Ok(count > 0)
}

/// The name a new object with `uid` and no chosen name is stored under: `None` (it answers
/// to `<uid><suffix>`) while no other object answers to that, else the first free
/// `<uid>-<n><suffix>`. `except`: the object's own row, when it exists already.
pub async fn name_for(
    conn: &mut AnyConnection,
    objects: Objects,
    uid: &str,
    except: i64,
) -> Result<Option<String>, sqlx::Error> {
    let suffix = objects.parts().3;
    if !taken(conn, objects, &format!("{uid}{suffix}"), except).await? {
        return Ok(None);
    }
    // A few readable tries, then a random suffix: names a client chose on purpose to fill
    // `<uid>-2` … `<uid>-N` must not make one write run N queries.
    for n in 2..=READABLE_TRIES {
        let candidate = format!("{uid}-{n}{suffix}");
        if !taken(conn, objects, &candidate, except).await? {
            return Ok(Some(candidate));
        }
    }
    loop {
        let candidate = format!("{uid}-{:016x}{suffix}", rand::random::<u64>());
        if !taken(conn, objects, &candidate, except).await? {
            return Ok(Some(candidate));
        }
    }
}

/// Gives event `id` a name of its own when another event of its calendar answers to the one
/// it has (after an insert without a chosen name, or a move to another calendar). Returns
/// the name it was given.
pub async fn settle_event(conn: &mut AnyConnection, id: EventId) -> Result<Option<String>, sqlx::Error> {
    let (calendar, uid, dav_name): (CalendarId, String, Option<String>) =
        sqlx::query_as("SELECT calendar_id, uid, dav_name FROM events WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    let objects = Objects::Events(calendar);
    let current = dav_name.clone().unwrap_or_else(|| format!("{uid}.ics"));
    if !taken(conn, objects, &current, id.0).await? {
        return Ok(None);
    }
    // A chosen name that clashes is given up first: the derived one may be free.
    let name = name_for(conn, objects, &uid, id.0).await?;
    sqlx::query("UPDATE events SET dav_name = $2 WHERE id = $1")
        .bind(id)
        .bind(name.as_deref())
        .execute(&mut *conn)
        .await?;
    Ok(name)
}

/// Before event `id` moves to `calendar`: drops the name its client chose when that name is
/// an event's there already (the unique index would refuse the move); `settle_event` after
/// the move then finds it a free one.
pub async fn before_move(conn: &mut AnyConnection, id: EventId, calendar: CalendarId) -> Result<(), sqlx::Error> {
    let dav_name: Option<String> =
        sqlx::query_scalar("SELECT dav_name FROM events WHERE id = $1").bind(id).fetch_one(&mut *conn).await?;
    if let Some(name) = dav_name
        && taken(conn, Objects::Events(calendar), &name, id.0).await?
    {
        sqlx::query("UPDATE events SET dav_name = NULL WHERE id = $1").bind(id).execute(&mut *conn).await?;
    }
    Ok(())
}
