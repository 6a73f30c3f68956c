//! What a user's calendar views are made of, as values: for each calendar they can read, its
//! level, change counter (`sync_seq`, which every event change takes the next value of),
//! `updated_at` (name and colour) and their own colour for it; for each invitation that
//! shows, its status and its calendar's counter and `updated_at`; their time zone. Two reads
//! with equal stamps read equal occurrences (`service::events::range_cache` relies on it), so
//! whatever a range read takes into account must be in here.

use sqlx::{Any, Executor, FromRow};

use crate::domain::id::UserId;

/// One input of the views; a stamp is all of them in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct StampRow {
    /// 0 a calendar, 1 an invitation, 2 the time zone.
    pub part: i64,
    pub id: i64,
    pub level: i64,
    pub seq: i64,
    pub updated_at: i64,
    /// The colour override, the invitation's status, the zone.
    pub text: Option<String>,
}

/// The conditions are the range read's own (`db::events::range`): the `calendar_members`
/// view, and invitations answered yes or maybe while the invitee and the organiser are
/// connected.
const STAMP_SQL: &str = "\
    SELECT CAST(0 AS BIGINT) AS part, m.calendar_id AS id, m.level_rank AS level, c.sync_seq AS seq, \
           c.updated_at AS updated_at, p.colour_override AS text \
    FROM (SELECT calendar_id, MAX(level_rank) AS level_rank FROM calendar_members WHERE user_id = $1 \
          GROUP BY calendar_id) m \
    JOIN calendars c ON c.id = m.calendar_id \
    LEFT JOIN calendar_preferences p ON p.calendar_id = m.calendar_id AND p.user_id = $1 \
    UNION ALL \
    SELECT CAST(1 AS BIGINT), i.id, c.id, c.sync_seq, c.updated_at, i.status \
    FROM event_invitations i \
    JOIN events e ON e.id = i.event_id \
    JOIN calendars c ON c.id = e.calendar_id \
    JOIN connections k \
      ON k.user_low = CASE WHEN i.invitee_id < e.created_by THEN i.invitee_id ELSE e.created_by END \
     AND k.user_high = CASE WHEN i.invitee_id < e.created_by THEN e.created_by ELSE i.invitee_id END \
     AND k.status = 'accepted' \
    WHERE i.invitee_id = $1 AND i.status IN ('accepted', 'tentative') \
    UNION ALL \
    SELECT CAST(2 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), s.timezone \
    FROM user_settings s WHERE s.user_id = $1 \
    ORDER BY 1, 2";

/// The user's stamp, in a fixed order.
pub async fn stamp<'c>(db: impl Executor<'c, Database = Any>, user: UserId) -> Result<Vec<StampRow>, sqlx::Error> {
    sqlx::query_as(STAMP_SQL).bind(user).fetch_all(db).await
}
