//! The calendar capability, in SQL: the caller's level on a calendar and on an event, from the
//! `calendar_members` view (owner, or an accepted share while the two users are connected) and,
//! for events, an invitation (while the invitee is connected to the organiser). Every calendar
//! and event query either calls these or joins the view itself with the same condition
//! (`JOIN calendar_members m ON m.calendar_id = … AND m.user_id = $caller`), so what a user
//! cannot see is never read. Nothing here caches: a revoked share or a removed connection
//! takes effect on the very next request.

use sqlx::{Any, Executor};

use crate::domain::calendars::{CalendarLevel, EventAccess};
use crate::domain::id::{CalendarId, EventId, UserId};

/// The caller's level on a calendar; `None` when they cannot see it (answer 404).
pub async fn calendar_level<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    calendar: CalendarId,
) -> Result<Option<CalendarLevel>, sqlx::Error> {
    let rank: Option<i64> =
        sqlx::query_scalar("SELECT MAX(level_rank) FROM calendar_members WHERE calendar_id = $1 AND user_id = $2")
            .bind(calendar)
            .bind(user)
            .fetch_one(db)
            .await?;
    Ok(rank.and_then(CalendarLevel::from_rank))
}

/// How the caller sees an event: through its calendar, else through an invitation they have
/// not declined (a pending invitee may look at what they are invited to); `None` → 404.
pub async fn event_access<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    event: EventId,
) -> Result<Option<EventAccess>, sqlx::Error> {
    let (rank, invited): (Option<i64>, i64) = sqlx::query_as(
        "SELECT (SELECT MAX(m.level_rank) FROM calendar_members m \
                 WHERE m.calendar_id = e.calendar_id AND m.user_id = $2), \
                (SELECT COUNT(*) FROM event_invitations i \
                 JOIN connections k \
                   ON k.user_low = CASE WHEN i.invitee_id < e.created_by THEN i.invitee_id ELSE e.created_by END \
                  AND k.user_high = CASE WHEN i.invitee_id < e.created_by THEN e.created_by ELSE i.invitee_id END \
                  AND k.status = 'accepted' \
                 WHERE i.event_id = e.id AND i.invitee_id = $2 AND i.status <> 'declined') \
         FROM events e WHERE e.id = $1",
    )
    .bind(event)
    .bind(user)
    .fetch_optional(db)
    .await?
    .unwrap_or((None, 0));
    Ok(match rank.and_then(CalendarLevel::from_rank) {
        Some(level) => Some(EventAccess::Calendar(level)),
        None if invited > 0 => Some(EventAccess::Invited),
        None => None,
    })
}
