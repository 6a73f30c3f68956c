//! The dispatcher's queries over what falls due: reminders (their own claim columns, see
//! migration 0009), todo due alerts and birthdays (`due_alerts`, migration 0015) and the
//! dispatcher's one-row state. Every claim is one `UPDATE … WHERE … RETURNING` whose WHERE
//! repeats the subquery's conditions, so on PostgreSQL a second process that waited for the
//! row lock re-checks them against the committed row and skips it; on SQLite the statement
//! runs under the single writer lock. Finishing names the claim it finishes
//! (`claimed_at = $claim`), so a deliverer whose lease expired cannot finish twice.

use sqlx::{Any, Executor, FromRow};
use std::fmt::Write as _;

use super::WriteTx;
use crate::domain::id::{DueAlertId, EventId, PersonId, ReminderId, TodoId, UserId};

/// The dispatcher's epoch and how far its birthday scan has come.
#[derive(Debug, Clone, Copy, FromRow)]
pub struct DispatchState {
    pub epoch: i64,
    pub scanned_through: i64,
}

/// The state, created at `now` by the first dispatcher that ever runs on this database. A
/// read when it exists (every pass asks; an idle pass takes no write lock).
pub async fn state<'c, E>(db: E, now: i64) -> Result<DispatchState, sqlx::Error>
where
    E: Executor<'c, Database = Any> + Copy,
{
    let sql = "SELECT epoch, scanned_through FROM dispatch_state WHERE id = 1";
    if let Some(state) = sqlx::query_as(sql).fetch_optional(db).await? {
        return Ok(state);
    }
    sqlx::query(
        "INSERT INTO dispatch_state (id, epoch, scanned_through) VALUES (1, $1, $1) ON CONFLICT (id) DO NOTHING",
    )
    .bind(now)
    .execute(db)
    .await?;
    sqlx::query_as(sql).fetch_one(db).await
}

/// Records that the birthday scan has covered everything up to `through` (never moves back,
/// whichever process writes last).
pub async fn set_scanned_through<'c>(db: impl Executor<'c, Database = Any>, through: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE dispatch_state SET scanned_through = CASE WHEN scanned_through < $1 THEN $1 ELSE scanned_through END \
         WHERE id = 1",
    )
    .bind(through)
    .execute(db)
    .await?;
    Ok(())
}

/// A reminder claimed for delivery.
#[derive(Debug, Clone, FromRow)]
pub struct ClaimedReminder {
    pub id: ReminderId,
    pub user_id: UserId,
    pub title: String,
    pub notes: String,
    pub remind_at: i64,
    pub timezone: String,
    pub recurrence: Option<String>,
    pub series_start: i64,
    pub snoozed_until: Option<i64>,
    pub fire_at: i64,
}

/// Whether any reminder is waiting (a read, so an idle tick takes no write lock).
pub async fn reminders_waiting<'c>(
    db: impl Executor<'c, Database = Any>,
    now: i64,
    lease_cutoff: i64,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM reminders WHERE status = 'active' AND fire_at <= $1 \
           AND (delivered_for IS NULL OR delivered_for <> fire_at) \
           AND (claimed_at IS NULL OR claimed_at < $2) LIMIT 1",
    )
    .bind(now)
    .bind(lease_cutoff)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// Claims up to `limit` due reminders at `now`: active, fire_at reached, not yet delivered for
/// this fire_at, and unclaimed or with a lease older than `lease_cutoff`.
pub async fn claim_reminders<'c>(
    db: impl Executor<'c, Database = Any>,
    now: i64,
    lease_cutoff: i64,
    limit: i64,
) -> Result<Vec<ClaimedReminder>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE reminders SET claimed_at = $1 \
         WHERE id IN (SELECT id FROM reminders WHERE status = 'active' AND fire_at <= $1 \
                        AND (delivered_for IS NULL OR delivered_for <> fire_at) \
                        AND (claimed_at IS NULL OR claimed_at < $2) ORDER BY fire_at, id LIMIT $3) \
           AND status = 'active' AND fire_at <= $1 AND (delivered_for IS NULL OR delivered_for <> fire_at) \
           AND (claimed_at IS NULL OR claimed_at < $2) \
         RETURNING id, user_id, title, notes, remind_at, timezone, recurrence, series_start, snoozed_until, fire_at",
    )
    .bind(now)
    .bind(lease_cutoff)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Where a delivered reminder goes next: for a series, its next occurrence.
#[derive(Debug, Clone, Copy)]
pub struct ReminderAfter {
    pub remind_at: i64,
    pub snoozed_until: Option<i64>,
}

/// How one claimed reminder is finished: which fire time it was claimed for and where it goes.
#[derive(Debug, Clone, Copy)]
pub struct ReminderFinish {
    pub id: ReminderId,
    pub claimed_fire_at: i64,
    pub after: ReminderAfter,
}

/// Records the deliveries of claimed fire times, many in one statement: `delivered_for` is
/// that fire time, and each reminder moves on (`after`). A row is finished only while the
/// claim is still ours, at the claimed fire time and still active (the lease may have expired
/// and another process taken it, or the owner rescheduled or deleted it meanwhile); the ids
/// finished are answered, and the caller delivers exactly those.
pub async fn finish_reminders(
    tx: &mut WriteTx,
    finishes: &[ReminderFinish],
    claim: i64,
    now: i64,
) -> Result<Vec<ReminderId>, sqlx::Error> {
    if finishes.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "UPDATE reminders SET claimed_at = NULL, delivered_at = $2, delivered_for = reminders.fire_at, \
                remind_at = v.column3, snoozed_until = v.column4, fire_at = v.column5 \
         FROM (VALUES {}) AS v \
         WHERE reminders.id = v.column1 AND reminders.fire_at = v.column2 AND reminders.claimed_at = $1 \
           AND reminders.status = 'active' \
         RETURNING reminders.id",
        values_list(3, finishes.len(), &["BIGINT"; 5])
    );
    let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(claim).bind(now);
    for finish in finishes {
        let after = finish.after;
        query = query
            .bind(finish.id.0)
            .bind(finish.claimed_fire_at)
            .bind(after.remind_at)
            .bind(after.snoozed_until)
            .bind(after.snoozed_until.unwrap_or(after.remind_at));
    }
    let ids: Vec<i64> = query.fetch_all(&mut **tx).await?;
    Ok(ids.into_iter().map(ReminderId).collect())
}

/// The `VALUES` rows of a multi-row statement: `rows` rows of `types.len()` placeholders,
/// numbered from `$first`. A non-empty type casts its placeholder, so that PostgreSQL knows
/// the column types of a `VALUES` list that is not an insert's (where it would guess text).
/// Only placeholders and the caller's constant type names go into the text, never a value, so
/// the statements built with it are safe to pass as `AssertSqlSafe`.
pub fn values_list(first: usize, rows: usize, types: &[&str]) -> String {
    let mut sql = String::with_capacity(rows * types.len() * 20);
    let mut n = first;
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for (i, ty) in types.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            if ty.is_empty() {
                let _ = write!(sql, "${n}");
            } else {
                let _ = write!(sql, "CAST(${n} AS {ty})");
            }
            n += 1;
        }
        sql.push(')');
    }
    sql
}

/// An open todo whose alert may be due (the caller computes the exact alert time).
#[derive(Debug, Clone, FromRow)]
pub struct TodoCandidate {
    pub id: TodoId,
    pub user_id: UserId,
    pub due_at: Option<i64>,
    pub due_date: Option<String>,
    pub timezone: String,
    pub created_at: i64,
}

/// Open todos due between `from` and `to` (`due_sort`) whose current due occurrence has no
/// alert row yet; a timed todo only once its alert time (the owner's minutes before `due_at`)
/// has come, a date-only todo whenever it is in the window (its 09:00 is the caller's).
pub async fn todo_candidates<'c>(
    db: impl Executor<'c, Database = Any>,
    from: i64,
    to: i64,
    now: i64,
    limit: i64,
) -> Result<Vec<TodoCandidate>, sqlx::Error> {
    sqlx::query_as(
        "SELECT t.id, t.user_id, t.due_at, t.due_date, t.timezone, t.created_at \
           FROM todos t LEFT JOIN user_settings s ON s.user_id = t.user_id \
          WHERE t.completed = 0 AND t.due_sort >= $1 AND t.due_sort <= $2 \
            AND ((t.due_at IS NOT NULL AND t.due_at - 60000 * COALESCE(s.todo_due_alert_minutes, 60) <= $3) \
                 OR (t.due_at IS NULL AND t.due_date IS NOT NULL)) \
            AND NOT EXISTS (SELECT 1 FROM due_alerts a WHERE a.todo_id = t.id AND a.occurrence = \
                 CASE WHEN t.due_at IS NOT NULL THEN 'at:' || CAST(t.due_at AS TEXT) ELSE 'date:' || t.due_date END) \
          ORDER BY t.due_sort, t.id LIMIT $4",
    )
    .bind(from)
    .bind(to)
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A person whose birthday falls in the scanned window.
#[derive(Debug, Clone, FromRow)]
pub struct BirthdayCandidate {
    pub id: PersonId,
    pub user_id: UserId,
    pub name: String,
    pub birthday: String,
    pub created_at: i64,
}

/// People whose birthday's `MM-DD` lies between `lo` and `hi` (inclusive; across the new year
/// when `wraps`) and who had no birthday alert since `since`.
pub async fn birthday_candidates<'c>(
    db: impl Executor<'c, Database = Any>,
    lo: &str,
    hi: &str,
    wraps: bool,
    since: i64,
) -> Result<Vec<BirthdayCandidate>, sqlx::Error> {
    // `MM-DD` is the last five characters of both `YYYY-MM-DD` and `--MM-DD`.
    let sql = if wraps {
        "SELECT p.id, p.user_id, p.name, p.birthday, p.created_at FROM people p \
          WHERE p.birthday IS NOT NULL \
            AND (SUBSTR(p.birthday, LENGTH(p.birthday) - 4, 5) >= $1 OR SUBSTR(p.birthday, LENGTH(p.birthday) - 4, 5) <= $2) \
            AND NOT EXISTS (SELECT 1 FROM due_alerts a WHERE a.person_id = p.id AND a.fire_at >= $3)"
    } else {
        "SELECT p.id, p.user_id, p.name, p.birthday, p.created_at FROM people p \
          WHERE p.birthday IS NOT NULL \
            AND SUBSTR(p.birthday, LENGTH(p.birthday) - 4, 5) >= $1 AND SUBSTR(p.birthday, LENGTH(p.birthday) - 4, 5) <= $2 \
            AND NOT EXISTS (SELECT 1 FROM due_alerts a WHERE a.person_id = p.id AND a.fire_at >= $3)"
    };
    sqlx::query_as(sql).bind(lo).bind(hi).bind(since).fetch_all(db).await
}

/// An alert to write when an item's occurrence falls due.
#[derive(Debug, Clone)]
pub struct NewDueAlert<'a> {
    pub user_id: UserId,
    pub kind: &'a str,
    pub todo_id: Option<TodoId>,
    pub person_id: Option<PersonId>,
    pub event_id: Option<EventId>,
    pub occurrence: &'a str,
    pub item_key: &'a str,
    pub fire_at: i64,
    /// `false` records an occurrence that is not to be announced (it predates the dispatcher
    /// or the item), so the scan does not find it again.
    pub pending: bool,
    pub now: i64,
}

/// Writes the alert unless one for the same item and occurrence exists (idempotent).
pub async fn insert_due_alert<'c>(
    db: impl Executor<'c, Database = Any>,
    new: &NewDueAlert<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO due_alerts (user_id, kind, todo_id, person_id, occurrence, item_key, fire_at, pending, created_at, \
                                 event_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (item_key) DO NOTHING",
    )
    .bind(new.user_id)
    .bind(new.kind)
    .bind(new.todo_id)
    .bind(new.person_id)
    .bind(new.occurrence)
    .bind(new.item_key)
    .bind(new.fire_at)
    .bind(i64::from(new.pending))
    .bind(new.now)
    .bind(new.event_id)
    .execute(db)
    .await?;
    Ok(())
}

/// A due alert claimed for delivery.
#[derive(Debug, Clone, FromRow)]
pub struct ClaimedAlert {
    pub id: DueAlertId,
    pub user_id: UserId,
    pub kind: String,
    pub todo_id: Option<TodoId>,
    pub person_id: Option<PersonId>,
    pub event_id: Option<EventId>,
    pub occurrence: String,
    pub fire_at: i64,
}

pub async fn alerts_waiting<'c>(
    db: impl Executor<'c, Database = Any>,
    now: i64,
    lease_cutoff: i64,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM due_alerts WHERE pending = 1 AND fire_at <= $1 \
           AND (claimed_at IS NULL OR claimed_at < $2) LIMIT 1",
    )
    .bind(now)
    .bind(lease_cutoff)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

pub async fn claim_alerts<'c>(
    db: impl Executor<'c, Database = Any>,
    now: i64,
    lease_cutoff: i64,
    limit: i64,
) -> Result<Vec<ClaimedAlert>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE due_alerts SET claimed_at = $1 \
         WHERE id IN (SELECT id FROM due_alerts WHERE pending = 1 AND fire_at <= $1 \
                        AND (claimed_at IS NULL OR claimed_at < $2) ORDER BY fire_at, id LIMIT $3) \
           AND pending = 1 AND fire_at <= $1 AND (claimed_at IS NULL OR claimed_at < $2) \
         RETURNING id, user_id, kind, todo_id, person_id, event_id, occurrence, fire_at",
    )
    .bind(now)
    .bind(lease_cutoff)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Marks claimed alerts delivered (or stale), many in one statement; only those whose claim
/// is still ours at the claimed fire time. The ids finished.
pub async fn finish_alerts(
    tx: &mut WriteTx,
    alerts: &[&ClaimedAlert],
    claim: i64,
    now: i64,
) -> Result<Vec<DueAlertId>, sqlx::Error> {
    if alerts.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "UPDATE due_alerts SET pending = 0, claimed_at = NULL, delivered_at = $2 \
         FROM (VALUES {}) AS v \
         WHERE due_alerts.id = v.column1 AND due_alerts.fire_at = v.column2 AND due_alerts.claimed_at = $1 \
           AND due_alerts.pending = 1 \
         RETURNING due_alerts.id",
        values_list(3, alerts.len(), &["BIGINT"; 2])
    );
    let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(claim).bind(now);
    for alert in alerts {
        query = query.bind(alert.id.0).bind(alert.fire_at);
    }
    let ids: Vec<i64> = query.fetch_all(&mut **tx).await?;
    Ok(ids.into_iter().map(DueAlertId).collect())
}

/// What a claimed todo alert is about, read when it is delivered: still open, still due then?
#[derive(Debug, Clone, FromRow)]
pub struct TodoNow {
    pub title: String,
    pub notes: String,
    pub completed: crate::domain::flag::Flag,
    pub due_at: Option<i64>,
    pub due_date: Option<String>,
}

pub async fn todo_now(tx: &mut WriteTx, user_id: UserId, id: TodoId) -> Result<Option<TodoNow>, sqlx::Error> {
    sqlx::query_as("SELECT title, notes, completed, due_at, due_date FROM todos WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await
}

/// What a birthday alert is about.
#[derive(Debug, Clone, FromRow)]
pub struct PersonNow {
    pub name: String,
    pub birthday: Option<String>,
}

pub async fn person_now(tx: &mut WriteTx, user_id: UserId, id: PersonId) -> Result<Option<PersonNow>, sqlx::Error> {
    sqlx::query_as("SELECT name, birthday FROM people WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await
}

/// "Snooze 1 h" on a todo's alert: it fires again at `until`. `false` when the alert is not
/// the user's (or is gone).
pub async fn snooze_alert<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    id: DueAlertId,
    until: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE due_alerts SET fire_at = $3, pending = 1, claimed_at = NULL WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .bind(until)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Drops finished alert rows whose time is before `before` and also well behind where the
/// scans have come (`dispatch_state.scanned_through`): a scan after downtime looks back nine
/// days from there (todos; events and birthdays less), so a pruned row is never written again
/// and its item never alerts twice, even when cleanup ran while no dispatcher did.
pub async fn prune_alerts<'c>(db: impl Executor<'c, Database = Any>, before: i64) -> Result<u64, sqlx::Error> {
    const BEHIND_SCANS_MS: i64 = 10 * 24 * 3_600_000;
    let done = sqlx::query(
        "DELETE FROM due_alerts WHERE pending = 0 AND fire_at < $1 \
           AND fire_at < (SELECT scanned_through FROM dispatch_state WHERE id = 1) - $2",
    )
    .bind(before)
    .bind(BEHIND_SCANS_MS)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// The occurrence a todo alert was for, to check that a push's Done still means that one.
pub async fn alert_occurrence<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    id: DueAlertId,
) -> Result<Option<(Option<TodoId>, String)>, sqlx::Error> {
    sqlx::query_as("SELECT todo_id, occurrence FROM due_alerts WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await
}
