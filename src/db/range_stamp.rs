//! What a user's calendar views are made of, as values: for each calendar they can read, its
//! level, change counter (`sync_seq`, which every event change takes the next value of),
//! `updated_at` (name and colour) and their own colour for it; for each invitation that
//! shows, its status and its calendar's counter and `updated_at`; their time zone. Two reads
//! with equal stamps read equal occurrences (`service::events::range_cache` relies on it), so
//! whatever a range read takes into account must be in here.

use std::sync::LazyLock;

use sqlx::{Any, Executor};

use super::Backend;
use crate::domain::id::UserId;

/// A user's stamp: every input of their views, one `part:id:level:seq:updated_at:text` entry
/// each (part 0 a calendar, 1 an invitation, 2 the zone; text the colour override, the
/// invitation's status, the zone — none of which can hold `:` or `;`), in a fixed order.
/// One row, not one per input: SQLite's driver hands each row over between threads.
pub type Stamp = String;

/// The conditions are the range read's own (`db::events::range`): the `calendar_members`
/// view, and invitations answered yes or maybe while the invitee and the organiser are
/// connected.
const INPUTS: &str = "\
    SELECT 0 AS part, m.calendar_id AS id, m.level_rank AS level, c.sync_seq AS seq, \
           c.updated_at AS updated_at, p.colour_override AS text \
    FROM (SELECT calendar_id, MAX(level_rank) AS level_rank FROM calendar_members WHERE user_id = $1 \
          GROUP BY calendar_id) m \
    JOIN calendars c ON c.id = m.calendar_id \
    LEFT JOIN calendar_preferences p ON p.calendar_id = m.calendar_id AND p.user_id = $1 \
    UNION ALL \
    SELECT 1, i.id, c.id, c.sync_seq, c.updated_at, i.status \
    FROM event_invitations i \
    JOIN events e ON e.id = i.event_id \
    JOIN calendars c ON c.id = e.calendar_id \
    JOIN connections k \
      ON k.user_low = CASE WHEN i.invitee_id < e.created_by THEN i.invitee_id ELSE e.created_by END \
     AND k.user_high = CASE WHEN i.invitee_id < e.created_by THEN e.created_by ELSE i.invitee_id END \
     AND k.status = 'accepted' \
    WHERE i.invitee_id = $1 AND i.status IN ('accepted', 'tentative') \
    UNION ALL \
    SELECT 2, 0, 0, 0, 0, s.timezone FROM user_settings s WHERE s.user_id = $1";

/// The inputs folded into one text; the two databases differ only in the aggregate's name.
fn folded(aggregate: &str) -> String {
    format!(
        "SELECT COALESCE({aggregate}(CAST(x.part AS TEXT) || ':' || CAST(x.id AS TEXT) || ':' || \
                CAST(x.level AS TEXT) || ':' || CAST(x.seq AS TEXT) || ':' || CAST(x.updated_at AS TEXT) || ':' || \
                COALESCE(x.text, '-'), ';' ORDER BY x.part, x.id), '') \
         FROM ({INPUTS}) x"
    )
}

static SQLITE: LazyLock<String> = LazyLock::new(|| folded("group_concat"));
static POSTGRES: LazyLock<String> = LazyLock::new(|| folded("string_agg"));

/// The user's stamp now.
pub async fn stamp<'c>(
    db: impl Executor<'c, Database = Any>,
    backend: Backend,
    user: UserId,
) -> Result<Stamp, sqlx::Error> {
    let sql = match backend {
        Backend::Sqlite => SQLITE.as_str(),
        Backend::Postgres => POSTGRES.as_str(),
    };
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(user).fetch_one(db).await
}
