//! Event invitations: rows and queries. An invitation shows (and grants its invitee read
//! access to that one event) only while the invitee and the organiser (`events.created_by`)
//! are connected, the same condition `calendar_access::event_access` uses; the organiser's
//! side is reached through the event, whose access the service checks first.

use sqlx::{Any, Executor, FromRow};

use super::WriteTx;
use crate::domain::flag::Flag;
use crate::domain::id::{EventId, EventInvitationId, UserId};

/// An invitation as its invitee sees it: with the event and the organiser.
#[derive(Debug, Clone, FromRow)]
pub struct InvitationRow {
    pub id: EventInvitationId,
    pub event_id: EventId,
    pub status: String,
    pub created_at: i64,
    pub responded_at: Option<i64>,
    pub title: String,
    pub location: String,
    pub all_day: Flag,
    pub start_at: Option<i64>,
    pub end_at: Option<i64>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub timezone: String,
    pub recurrence: Option<String>,
    pub organiser_id: Option<UserId>,
    pub organiser_username: Option<String>,
    pub organiser_display_name: Option<String>,
}

/// An invitation as the organiser sees it: who, and their answer.
#[derive(Debug, Clone, FromRow)]
pub struct GuestRow {
    pub id: EventInvitationId,
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub status: String,
    pub created_at: i64,
    pub responded_at: Option<i64>,
}

const INVITEE_SELECT: &str = "SELECT i.id, i.event_id, i.status, i.created_at, i.responded_at, e.title, \
     e.location, e.all_day, e.start_at, e.end_at, e.start_date, e.end_date, e.timezone, e.recurrence, \
     e.created_by AS organiser_id, o.username AS organiser_username, \
     COALESCE(os.display_name, '') AS organiser_display_name \
     FROM event_invitations i JOIN events e ON e.id = i.event_id \
     LEFT JOIN users o ON o.id = e.created_by LEFT JOIN user_settings os ON os.user_id = e.created_by ";

// `$1` is the invitee: theirs, while connected to the organiser.
const INVITEE_OF: &str = "WHERE i.invitee_id = $1 AND EXISTS (SELECT 1 FROM connections k \
     WHERE k.user_low = CASE WHEN i.invitee_id < e.created_by THEN i.invitee_id ELSE e.created_by END \
     AND k.user_high = CASE WHEN i.invitee_id < e.created_by THEN e.created_by ELSE i.invitee_id END \
     AND k.status = 'accepted')";

/// One page of the invitee's invitations (all, or one status), soonest event first.
pub async fn list_for_invitee(
    pool: &sqlx::AnyPool,
    invitee: UserId,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<InvitationRow>, i64), sqlx::Error> {
    let filter = if status.is_some() { " AND i.status = $4" } else { " AND $4 = ''" };
    let status = status.unwrap_or_default();
    let count = format!(
        "SELECT COUNT(*) FROM event_invitations i JOIN events e ON e.id = i.event_id {INVITEE_OF}{} ",
        filter.replace("$4", "$2")
    );
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count)).bind(invitee).bind(status).fetch_one(pool).await?;
    if total <= offset {
        return Ok((Vec::new(), total));
    }
    let sql = format!("{INVITEE_SELECT}{INVITEE_OF}{filter} ORDER BY e.span_start, i.id LIMIT $2 OFFSET $3");
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(invitee)
        .bind(limit)
        .bind(offset)
        .bind(status)
        .fetch_all(pool)
        .await?;
    Ok((rows, total))
}

/// The invitee's invitation `id` (while connected to the organiser).
pub async fn get_for_invitee<'c>(
    db: impl Executor<'c, Database = Any>,
    invitee: UserId,
    id: EventInvitationId,
) -> Result<Option<InvitationRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{INVITEE_SELECT}{INVITEE_OF} AND i.id = $2")))
        .bind(invitee)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// An event's title and organiser.
pub async fn event_summary<'c>(
    db: impl Executor<'c, Database = Any>,
    event: EventId,
) -> Result<Option<(String, Option<UserId>)>, sqlx::Error> {
    sqlx::query_as("SELECT title, created_by FROM events WHERE id = $1").bind(event).fetch_optional(db).await
}

/// Invites `invitee`; `None` when they were invited already (nothing changes).
pub async fn insert(
    tx: &mut WriteTx,
    event: EventId,
    invitee: UserId,
    invited_by: UserId,
    now: i64,
) -> Result<Option<EventInvitationId>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO event_invitations (event_id, invitee_id, invited_by, status, created_at) \
         VALUES ($1, $2, $3, 'pending', $4) ON CONFLICT (event_id, invitee_id) DO NOTHING RETURNING id",
    )
    .bind(event)
    .bind(invitee)
    .bind(invited_by)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await
}

/// Gives `to` every invitation of `from`, each with its invitee's answer and dates: a series
/// split in two is still the event they answered. One already on `to` is left as it is.
pub async fn copy(tx: &mut WriteTx, from: EventId, to: EventId) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO event_invitations (event_id, invitee_id, invited_by, status, created_at, responded_at) \
         SELECT $2, invitee_id, invited_by, status, created_at, responded_at FROM event_invitations \
         WHERE event_id = $1 ORDER BY id ON CONFLICT (event_id, invitee_id) DO NOTHING",
    )
    .bind(from)
    .bind(to)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// One page of an event's invitations, by username.
pub async fn list_for_event<'c, E>(
    db: E,
    event: EventId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<GuestRow>, i64), sqlx::Error>
where
    E: Executor<'c, Database = Any> + Copy,
{
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM event_invitations WHERE event_id = $1")
        .bind(event)
        .fetch_one(db)
        .await?;
    let rows = sqlx::query_as(
        "SELECT i.id, u.id AS user_id, u.username, COALESCE(s.display_name, '') AS display_name, i.status, \
         i.created_at, i.responded_at FROM event_invitations i JOIN users u ON u.id = i.invitee_id \
         LEFT JOIN user_settings s ON s.user_id = u.id WHERE i.event_id = $1 \
         ORDER BY u.username, i.id LIMIT $2 OFFSET $3",
    )
    .bind(event)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    Ok((rows, total))
}

/// The invitations of an event for these invitees (what an invite request answers).
pub async fn guests(tx: &mut WriteTx, event: EventId, invitees: &[UserId]) -> Result<Vec<GuestRow>, sqlx::Error> {
    let mut rows = Vec::with_capacity(invitees.len());
    for invitee in invitees {
        let row: Option<GuestRow> = sqlx::query_as(
            "SELECT i.id, u.id AS user_id, u.username, COALESCE(s.display_name, '') AS display_name, i.status, \
             i.created_at, i.responded_at FROM event_invitations i JOIN users u ON u.id = i.invitee_id \
             LEFT JOIN user_settings s ON s.user_id = u.id WHERE i.event_id = $1 AND i.invitee_id = $2",
        )
        .bind(event)
        .bind(invitee)
        .fetch_optional(&mut **tx)
        .await?;
        rows.extend(row);
    }
    Ok(rows)
}

/// Records the invitee's answer.
pub async fn respond(tx: &mut WriteTx, id: EventInvitationId, status: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE event_invitations SET status = $2, responded_at = $3 WHERE id = $1")
        .bind(id)
        .bind(status)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The event and invitee of an invitation, whoever asks (the service checks the event).
pub async fn parties<'c>(
    db: impl Executor<'c, Database = Any>,
    id: EventInvitationId,
) -> Result<Option<(EventId, UserId)>, sqlx::Error> {
    sqlx::query_as("SELECT event_id, invitee_id FROM event_invitations WHERE id = $1").bind(id).fetch_optional(db).await
}

pub async fn delete(tx: &mut WriteTx, id: EventInvitationId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM event_invitations WHERE id = $1").bind(id).execute(&mut **tx).await?;
    Ok(done.rows_affected() > 0)
}

/// The invitees of an event who have not declined (who hear of changes).
pub async fn attending(tx: &mut WriteTx, event: EventId) -> Result<Vec<UserId>, sqlx::Error> {
    sqlx::query_scalar("SELECT invitee_id FROM event_invitations WHERE event_id = $1 AND status <> 'declined'")
        .bind(event)
        .fetch_all(&mut **tx)
        .await
}
