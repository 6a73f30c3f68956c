//! Calendar shares: rows and queries. A share is offered (pending) and grants nothing until
//! its member accepts it; it grants its level only while member and owner are connected
//! (the `calendar_members` view judges that at use). The member sees their shares only while
//! that connection holds; whoever manages the calendar sees all of its shares.

use sqlx::{Any, Executor, FromRow};

use super::WriteTx;
use crate::domain::id::{CalendarId, CalendarShareId, UserId};

/// A share with what either side needs to show it.
#[derive(Debug, Clone, FromRow)]
pub struct ShareRow {
    pub id: CalendarShareId,
    pub calendar_id: CalendarId,
    pub calendar_name: String,
    pub calendar_colour: String,
    pub owner_id: UserId,
    pub owner_username: String,
    pub owner_display_name: String,
    pub member_id: UserId,
    pub member_username: String,
    pub member_display_name: String,
    pub shared_by_username: Option<String>,
    pub level: String,
    pub status: String,
    pub created_at: i64,
    pub accepted_at: Option<i64>,
}

const SELECT: &str = "SELECT s.id, s.calendar_id, c.name AS calendar_name, c.colour AS calendar_colour, \
     c.owner_id, o.username AS owner_username, COALESCE(os.display_name, '') AS owner_display_name, \
     s.member_id, mu.username AS member_username, COALESCE(ms.display_name, '') AS member_display_name, \
     b.username AS shared_by_username, s.level, s.status, s.created_at, s.accepted_at \
     FROM calendar_shares s \
     JOIN calendars c ON c.id = s.calendar_id \
     JOIN users o ON o.id = c.owner_id \
     LEFT JOIN user_settings os ON os.user_id = o.id \
     JOIN users mu ON mu.id = s.member_id \
     LEFT JOIN user_settings ms ON ms.user_id = mu.id \
     LEFT JOIN users b ON b.id = s.shared_by ";

// `$1` is the member: their shares while they and the owner are connected.
const INCOMING: &str = "WHERE s.member_id = $1 AND EXISTS (SELECT 1 FROM connections k \
     WHERE k.user_low = CASE WHEN s.member_id < c.owner_id THEN s.member_id ELSE c.owner_id END \
     AND k.user_high = CASE WHEN s.member_id < c.owner_id THEN c.owner_id ELSE s.member_id END \
     AND k.status = 'accepted')";

// `$1` manages the calendar (owner, or an accepted manage share with a live connection).
const OUTGOING: &str = "WHERE s.calendar_id IN (SELECT m.calendar_id FROM calendar_members m \
     WHERE m.user_id = $1 AND m.level_rank >= 3)";

async fn page(
    pool: &sqlx::AnyPool,
    user: UserId,
    clause: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ShareRow>, i64), sqlx::Error> {
    let count = format!("SELECT COUNT(*) FROM calendar_shares s JOIN calendars c ON c.id = s.calendar_id {clause}");
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count)).bind(user).fetch_one(pool).await?;
    if total <= offset {
        return Ok((Vec::new(), total));
    }
    let sql = format!("{SELECT}{clause} ORDER BY s.created_at DESC, s.id DESC LIMIT $2 OFFSET $3");
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(user).bind(limit).bind(offset).fetch_all(pool).await?;
    Ok((rows, total))
}

/// The shares offered to `member` (pending and accepted), newest first.
pub async fn list_incoming(
    pool: &sqlx::AnyPool,
    member: UserId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ShareRow>, i64), sqlx::Error> {
    page(pool, member, INCOMING, limit, offset).await
}

/// The shares of every calendar `manager` owns or manages, newest first.
pub async fn list_outgoing(
    pool: &sqlx::AnyPool,
    manager: UserId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ShareRow>, i64), sqlx::Error> {
    page(pool, manager, OUTGOING, limit, offset).await
}

/// A share by id, whoever asks (the service decides who may see it).
pub async fn get<'c>(
    db: impl Executor<'c, Database = Any>,
    id: CalendarShareId,
) -> Result<Option<ShareRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT}WHERE s.id = $1"))).bind(id).fetch_optional(db).await
}

/// Whether `member`'s share row `id` is one they may see now (connected to the owner).
pub async fn visible_to_member<'c>(
    db: impl Executor<'c, Database = Any>,
    member: UserId,
    id: CalendarShareId,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "SELECT COUNT(*) FROM calendar_shares s JOIN calendars c ON c.id = s.calendar_id {INCOMING} AND s.id = $2"
    );
    let found: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(member).bind(id).fetch_one(db).await?;
    Ok(found > 0)
}

/// The active user named `username` when they may be offered a calendar owned by `owner` by
/// `sharer`: not the owner, not the sharer, and connected to both. `None` otherwise, whatever
/// the reason (one answer for a name nobody has and one that is not a connection).
pub async fn shareable_user<'c>(
    db: impl Executor<'c, Database = Any>,
    username: &str,
    owner: UserId,
    sharer: UserId,
) -> Result<Option<UserId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT u.id FROM users u WHERE u.username = $1 AND u.active = 1 AND u.id <> $2 AND u.id <> $3 \
         AND EXISTS (SELECT 1 FROM connections k WHERE k.status = 'accepted' \
             AND k.user_low = CASE WHEN u.id < $2 THEN u.id ELSE $2 END \
             AND k.user_high = CASE WHEN u.id < $2 THEN $2 ELSE u.id END) \
         AND EXISTS (SELECT 1 FROM connections k WHERE k.status = 'accepted' \
             AND k.user_low = CASE WHEN u.id < $3 THEN u.id ELSE $3 END \
             AND k.user_high = CASE WHEN u.id < $3 THEN $3 ELSE u.id END)",
    )
    .bind(username)
    .bind(owner)
    .bind(sharer)
    .fetch_optional(db)
    .await
}

/// Offers the calendar; `None` when the member already has a share of it.
pub async fn insert(
    tx: &mut WriteTx,
    calendar: CalendarId,
    member: UserId,
    shared_by: UserId,
    level: &str,
    now: i64,
) -> Result<Option<CalendarShareId>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO calendar_shares (calendar_id, member_id, shared_by, level, status, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5) ON CONFLICT (calendar_id, member_id) DO NOTHING RETURNING id",
    )
    .bind(calendar)
    .bind(member)
    .bind(shared_by)
    .bind(level)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await
}

/// The member accepts (again: keeps the first acceptance time).
pub async fn accept(tx: &mut WriteTx, id: CalendarShareId, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE calendar_shares SET status = 'accepted', accepted_at = COALESCE(accepted_at, $2) WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn set_level(tx: &mut WriteTx, id: CalendarShareId, level: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE calendar_shares SET level = $2 WHERE id = $1").bind(id).bind(level).execute(&mut **tx).await?;
    Ok(())
}

/// Deletes the share and the member's view preferences of its calendar.
pub async fn delete(tx: &mut WriteTx, id: CalendarShareId) -> Result<Option<(CalendarId, UserId)>, sqlx::Error> {
    let gone: Option<(CalendarId, UserId)> =
        sqlx::query_as("DELETE FROM calendar_shares WHERE id = $1 RETURNING calendar_id, member_id")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    if let Some((calendar, member)) = gone {
        sqlx::query("DELETE FROM calendar_preferences WHERE calendar_id = $1 AND user_id = $2")
            .bind(calendar)
            .bind(member)
            .execute(&mut **tx)
            .await?;
    }
    Ok(gone)
}

/// What a connection allowed between `a` and `b` ends with it: shares of either one's
/// calendars with the other and invitations between them are deleted, so the two connecting
/// again later does not quietly restore them. `b` may be `None` (a blocked name that belongs
/// to nobody): the same statements run and delete nothing.
pub async fn end_between(tx: &mut WriteTx, a: UserId, b: Option<UserId>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM calendar_shares WHERE id IN (SELECT s.id FROM calendar_shares s \
         JOIN calendars c ON c.id = s.calendar_id \
         WHERE (s.member_id = $1 AND c.owner_id = $2) OR (s.member_id = $2 AND c.owner_id = $1))",
    )
    .bind(a)
    .bind(b)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "DELETE FROM event_invitations WHERE id IN (SELECT i.id FROM event_invitations i \
         JOIN events e ON e.id = i.event_id \
         WHERE (i.invitee_id = $1 AND e.created_by = $2) OR (i.invitee_id = $2 AND e.created_by = $1))",
    )
    .bind(a)
    .bind(b)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
