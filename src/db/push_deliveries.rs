//! The push outbox and the single-use links behind a push's buttons (migration 0015).
//! A push is enqueued in the transaction that writes its in-app notification (same
//! `source_key`, idempotent), claimed with a lease while its HTTP request is in flight, and
//! its outcome recorded against that claim: a retry never touches the notification, and a
//! sender whose lease expired cannot record over the one that took over.

use sqlx::{Any, Executor, FromRow};

use super::WriteTx;
use crate::domain::id::{DueAlertId, PushDeliveryId, UserId};

/// Statuses of `push_deliveries.status`.
pub const PENDING: &str = "pending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";
pub const DROPPED: &str = "dropped";

/// A push to enqueue.
#[derive(Debug, Clone)]
pub struct NewPush<'a> {
    pub user_id: UserId,
    pub source_key: &'a str,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub link: Option<&'a str>,
    /// What the buttons act on: `reminder` or `todo`, and its id; `None` for no buttons.
    pub item: Option<(&'a str, i64)>,
    pub alert_id: Option<DueAlertId>,
    pub now: i64,
}

/// Enqueues pushes, many in one statement, each unless one with the same source key exists
/// for its user.
pub async fn enqueue_many(tx: &mut WriteTx, pushes: &[NewPush<'_>]) -> Result<(), sqlx::Error> {
    if pushes.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO push_deliveries (user_id, source_key, kind, title, body, link, item_kind, item_id, alert_id, \
                                      next_attempt_at, created_at) \
         VALUES {} ON CONFLICT (user_id, source_key) DO NOTHING",
        super::dispatch::values_list(1, pushes.len(), &[""; 11])
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for new in pushes {
        query = query
            .bind(new.user_id)
            .bind(new.source_key)
            .bind(new.kind)
            .bind(new.title)
            .bind(new.body)
            .bind(new.link)
            .bind(new.item.map(|(kind, _)| kind))
            .bind(new.item.map(|(_, id)| id))
            .bind(new.alert_id)
            .bind(new.now)
            .bind(new.now);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

/// A push claimed for sending.
#[derive(Debug, Clone, FromRow)]
pub struct ClaimedPush {
    pub id: PushDeliveryId,
    pub user_id: UserId,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub item_kind: Option<String>,
    pub item_id: Option<i64>,
    pub alert_id: Option<DueAlertId>,
    pub attempts: i64,
}

pub async fn waiting<'c>(
    db: impl Executor<'c, Database = Any>,
    now: i64,
    lease_cutoff: i64,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM push_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 \
           AND (claimed_at IS NULL OR claimed_at < $2) LIMIT 1",
    )
    .bind(now)
    .bind(lease_cutoff)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// Claims up to `limit` pushes whose turn has come.
pub async fn claim<'c>(
    db: impl Executor<'c, Database = Any>,
    now: i64,
    lease_cutoff: i64,
    limit: i64,
) -> Result<Vec<ClaimedPush>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE push_deliveries SET claimed_at = $1 \
         WHERE id IN (SELECT id FROM push_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 \
                        AND (claimed_at IS NULL OR claimed_at < $2) ORDER BY next_attempt_at, id LIMIT $3) \
           AND status = 'pending' AND next_attempt_at <= $1 AND (claimed_at IS NULL OR claimed_at < $2) \
         RETURNING id, user_id, kind, title, body, link, item_kind, item_id, alert_id, attempts",
    )
    .bind(now)
    .bind(lease_cutoff)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// What became of one claimed push.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The ntfy server accepted it with this status.
    Sent(u16),
    /// It failed; `retry_at` is when to try again, `None` to give up.
    Failed { status: Option<u16>, error: String, retry_at: Option<i64> },
    /// Quiet hours: not sent, not counted as an attempt; sent when they end.
    Held { until: i64 },
    /// The user has no push target any more.
    Dropped,
}

/// Records the outcome of the claim `claim` on push `id`; `false` when the claim is no
/// longer ours.
pub async fn record(
    tx: &mut WriteTx,
    id: PushDeliveryId,
    claim: i64,
    now: i64,
    outcome: &Outcome,
) -> Result<bool, sqlx::Error> {
    let query = match outcome {
        Outcome::Sent(status) => sqlx::query(
            "UPDATE push_deliveries SET status = 'sent', attempts = attempts + 1, claimed_at = NULL, sent_at = $3, \
                    last_status = $4, last_error = NULL WHERE id = $1 AND claimed_at = $2",
        )
        .bind(id)
        .bind(claim)
        .bind(now)
        .bind(i64::from(*status)),
        Outcome::Failed { status, error, retry_at } => sqlx::query(
            "UPDATE push_deliveries SET status = CASE WHEN $5 IS NULL THEN 'failed' ELSE 'pending' END, \
                    attempts = attempts + 1, claimed_at = NULL, next_attempt_at = COALESCE($5, next_attempt_at), \
                    last_status = $3, last_error = $4 WHERE id = $1 AND claimed_at = $2",
        )
        .bind(id)
        .bind(claim)
        .bind(status.map(i64::from))
        .bind(error.as_str())
        .bind(*retry_at),
        Outcome::Held { until } => sqlx::query(
            "UPDATE push_deliveries SET held = 1, claimed_at = NULL, next_attempt_at = $3 \
              WHERE id = $1 AND claimed_at = $2",
        )
        .bind(id)
        .bind(claim)
        .bind(*until),
        Outcome::Dropped => sqlx::query(
            "UPDATE push_deliveries SET status = 'dropped', claimed_at = NULL WHERE id = $1 AND claimed_at = $2",
        )
        .bind(id)
        .bind(claim),
    };
    let done = query.execute(&mut **tx).await?;
    Ok(done.rows_affected() == 1)
}

/// Records `Outcome::Sent` for many claimed pushes in one statement (`(id, status)` each),
/// each only while the claim `claim` is still its own; the ids recorded. Sent is what nearly
/// every push of a burst comes to, so it is the outcome worth a statement for many.
pub async fn record_sent(
    tx: &mut WriteTx,
    sent: &[(PushDeliveryId, u16)],
    claim: i64,
    now: i64,
) -> Result<Vec<PushDeliveryId>, sqlx::Error> {
    let mut recorded = Vec::with_capacity(sent.len());
    for chunk in sent.chunks(500) {
        let sql = format!(
            "UPDATE push_deliveries SET status = 'sent', attempts = attempts + 1, claimed_at = NULL, sent_at = $2, \
                    last_status = v.column2, last_error = NULL \
             FROM (VALUES {}) AS v \
             WHERE push_deliveries.id = v.column1 AND push_deliveries.claimed_at = $1 \
             RETURNING push_deliveries.id",
            super::dispatch::values_list(3, chunk.len(), &["BIGINT"; 2])
        );
        let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(claim).bind(now);
        for (id, status) in chunk {
            query = query.bind(id.0).bind(i64::from(*status));
        }
        let ids: Vec<i64> = query.fetch_all(&mut **tx).await?;
        recorded.extend(ids.into_iter().map(PushDeliveryId));
    }
    Ok(recorded)
}

/// A link to write (the token itself is never stored).
#[derive(Debug, Clone)]
pub struct NewActionToken<'a> {
    pub token_hash: &'a str,
    pub delivery_id: PushDeliveryId,
    pub user_id: UserId,
    pub action: &'a str,
    pub item_kind: &'a str,
    pub item_id: i64,
    pub alert_id: Option<DueAlertId>,
    pub expires_at: i64,
    pub now: i64,
}

/// Writes pushes' links, up to a hundred per statement: a push's tokens are written just
/// before it is sent, and a burst of thousands of pushes should not pay a round trip per link.
pub async fn insert_tokens(tx: &mut WriteTx, tokens: &[NewActionToken<'_>]) -> Result<(), sqlx::Error> {
    for chunk in tokens.chunks(100) {
        let sql = format!(
            "INSERT INTO push_action_tokens (token_hash, delivery_id, user_id, action, item_kind, item_id, \
                                             alert_id, expires_at, created_at) VALUES {}",
            super::dispatch::values_list(1, chunk.len(), &[""; 9])
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for new in chunk {
            query = query
                .bind(new.token_hash)
                .bind(new.delivery_id)
                .bind(new.user_id)
                .bind(new.action)
                .bind(new.item_kind)
                .bind(new.item_id)
                .bind(new.alert_id)
                .bind(new.expires_at)
                .bind(new.now);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// A redeemed link: whose it was and which alert it names.
#[derive(Debug, Clone, FromRow)]
pub struct RedeemedToken {
    pub user_id: UserId,
    pub delivery_id: PushDeliveryId,
    pub alert_id: Option<DueAlertId>,
}

/// Uses the link with this token hash for exactly this action on exactly this item, once,
/// before it expires; every other link of the same push is used up with it. `None` for any
/// token that does not fit (unknown, used, expired, or for another item or action) and for
/// the links of a disabled account.
pub async fn redeem(
    tx: &mut WriteTx,
    token_hash: &str,
    action: &str,
    item_kind: &str,
    item_id: i64,
    now: i64,
) -> Result<Option<RedeemedToken>, sqlx::Error> {
    let redeemed: Option<RedeemedToken> = sqlx::query_as(
        "UPDATE push_action_tokens SET used_at = $6 \
          WHERE token_hash = $1 AND action = $2 AND item_kind = $3 AND item_id = $4 \
            AND used_at IS NULL AND expires_at > $5 \
            AND user_id IN (SELECT id FROM users WHERE active = 1) \
         RETURNING user_id, delivery_id, alert_id",
    )
    .bind(token_hash)
    .bind(action)
    .bind(item_kind)
    .bind(item_id)
    .bind(now)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(token) = &redeemed {
        sqlx::query("UPDATE push_action_tokens SET used_at = $2 WHERE delivery_id = $1 AND used_at IS NULL")
            .bind(token.delivery_id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(redeemed)
}

/// Drops links that expired before `before`, and finished pushes created before `before`.
pub async fn prune<'c, E>(db: E, before: i64) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any> + Copy,
{
    sqlx::query("DELETE FROM push_action_tokens WHERE expires_at < $1").bind(before).execute(db).await?;
    sqlx::query("DELETE FROM push_deliveries WHERE status <> 'pending' AND created_at < $1")
        .bind(before)
        .execute(db)
        .await?;
    Ok(())
}
