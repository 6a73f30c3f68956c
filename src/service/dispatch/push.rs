//! Sending the push outbox: claim what is due with a lease, hold back what falls in the
//! user's quiet hours (until they end), mint the Done / Snooze links, send concurrently so one
//! slow ntfy server delays nobody else's push, and record each outcome against the claim. A
//! failure is retried with backoff, five attempts at most.

use std::time::Duration;

use futures::StreamExt;
use sha2::{Digest, Sha256};

use super::settings::SettingsCache;
use super::{ACTION_TTL_MS, Dispatcher, MAX_ATTEMPTS, PUSH_LEASE_MS};
use crate::db::Db;
use crate::db::push_deliveries::{self, ClaimedPush, NewActionToken, Outcome};
use crate::domain::id::{DueAlertId, PushDeliveryId, UserId};
use crate::push::{NtfyTarget, PushAction, PushError, PushMessage};

const CLAIM_BATCH: i64 = 256;
/// Pushes in flight at once per process (mostly to one ntfy server: ntfy.sh or the user's own).
const CONCURRENCY: usize = 64;
/// A push that takes longer than this has failed (the outbound client's own limit is 10 s).
const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// How long to wait before attempt `n + 1` after `n` failed attempts.
fn backoff_ms(failed_attempts: i64) -> i64 {
    match failed_attempts {
        ..=1 => 30_000,
        2 => 2 * 60_000,
        3 => 10 * 60_000,
        _ => 30 * 60_000,
    }
}

/// What a pass did with the pushes it claimed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PushReport {
    pub sent: usize,
    pub failed: usize,
    pub held: usize,
    pub dropped: usize,
}

/// A fresh link token and the hash that is stored for it.
fn new_token() -> (String, String) {
    use base64::Engine as _;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let hash = token_hash(&token);
    (token, hash)
}

/// The stored form of a link token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

enum Plan {
    Send { id: PushDeliveryId, attempts: i64, target: NtfyTarget, message: PushMessage },
    Skip { id: PushDeliveryId, outcome: Outcome },
}

impl Dispatcher {
    /// Sends every push whose turn has come.
    pub async fn send_pushes(&self, db: &Db, now: i64) -> Result<PushReport, sqlx::Error> {
        let mut report = PushReport::default();
        let mut cache = SettingsCache::new(&self.secrets);
        loop {
            if !push_deliveries::waiting(db.pool(), now, now - PUSH_LEASE_MS).await? {
                return Ok(report);
            }
            let claimed = push_deliveries::claim(db.pool(), now, now - PUSH_LEASE_MS, CLAIM_BATCH).await?;
            if claimed.is_empty() {
                return Ok(report);
            }
            cache.load(db, claimed.iter().map(|p| p.user_id).collect()).await?;
            let mut plans = Vec::with_capacity(claimed.len());
            let mut tokens = Vec::new();
            for push in &claimed {
                plans.push(self.plan(push, &cache, now, &mut tokens));
            }
            if !tokens.is_empty() {
                let mut tx = db.write().await?;
                let rows: Vec<NewActionToken<'_>> = tokens.iter().map(|t| t.as_new(now)).collect();
                push_deliveries::insert_tokens(&mut tx, &rows).await?;
                tx.commit().await?;
            }
            let mut outcomes = Vec::with_capacity(plans.len());
            let mut sends = Vec::new();
            for plan in plans {
                match plan {
                    Plan::Skip { id, outcome } => outcomes.push((id, outcome)),
                    Plan::Send { id, attempts, target, message } => sends.push((id, attempts, target, message)),
                }
            }
            let pusher = &self.pusher;
            let sent: Vec<(PushDeliveryId, Outcome)> = futures::stream::iter(sends)
                .map(|(id, attempts, target, message)| async move {
                    let answer = tokio::time::timeout(SEND_TIMEOUT, pusher.push(&target, &message)).await;
                    (id, outcome_of(answer, attempts, now))
                })
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
            outcomes.extend(sent);
            record(db, &outcomes, now, &mut report).await?;
            if claimed.len() < usize::try_from(CLAIM_BATCH).unwrap_or(usize::MAX) {
                return Ok(report);
            }
        }
    }

    fn plan(&self, push: &ClaimedPush, cache: &SettingsCache<'_>, now: i64, tokens: &mut Vec<MintedToken>) -> Plan {
        let settings = cache.get(push.user_id);
        let Some(target) = settings.target.clone() else {
            return Plan::Skip { id: push.id, outcome: Outcome::Dropped };
        };
        if let Some(until) = settings.quiet_until(now) {
            return Plan::Skip { id: push.id, outcome: Outcome::Held { until } };
        }
        let mut actions = Vec::new();
        if let (Some(kind), Some(item_id)) = (push.item_kind.as_deref(), push.item_id) {
            let segment = if kind == "reminder" { "reminders" } else { "todos" };
            for (action, label) in [("done", "Done"), ("snooze", "Snooze 1 h")] {
                let (token, hash) = new_token();
                tokens.push(MintedToken {
                    hash,
                    delivery_id: push.id,
                    user_id: push.user_id,
                    action,
                    item_kind: if kind == "reminder" { "reminder" } else { "todo" },
                    item_id,
                    alert_id: push.alert_id,
                });
                let url = format!("{}/api/push-actions/{segment}/{item_id}/{action}?token={token}", self.public_url);
                actions.push(PushAction { label: label.into(), url });
            }
        }
        let message = PushMessage {
            title: push.title.clone(),
            body: push.body.clone(),
            priority: settings.priority(&push.kind),
            click: push.link.as_deref().map(|link| format!("{}{link}", self.public_url)),
            actions,
        };
        Plan::Send { id: push.id, attempts: push.attempts, target, message }
    }
}

/// Records what became of a batch of claimed pushes, in one transaction: the sent ones in one
/// statement, the rest (failures, held, dropped: few in a burst) one by one.
async fn record(
    db: &Db,
    outcomes: &[(PushDeliveryId, Outcome)],
    now: i64,
    report: &mut PushReport,
) -> Result<(), sqlx::Error> {
    let sent: Vec<(PushDeliveryId, u16)> = outcomes
        .iter()
        .filter_map(|(id, outcome)| match outcome {
            Outcome::Sent(status) => Some((*id, *status)),
            _ => None,
        })
        .collect();
    let mut tx = db.write().await?;
    report.sent += push_deliveries::record_sent(&mut tx, &sent, now, now).await?.len();
    for (id, outcome) in outcomes {
        let counter = match outcome {
            Outcome::Sent(_) => continue,
            Outcome::Failed { .. } => &mut report.failed,
            Outcome::Held { .. } => &mut report.held,
            Outcome::Dropped => &mut report.dropped,
        };
        if push_deliveries::record(&mut tx, *id, now, now, outcome).await? {
            *counter += 1;
        }
    }
    tx.commit().await
}

/// A link minted for a push about to be sent.
struct MintedToken {
    hash: String,
    delivery_id: PushDeliveryId,
    user_id: UserId,
    action: &'static str,
    item_kind: &'static str,
    item_id: i64,
    alert_id: Option<DueAlertId>,
}

impl MintedToken {
    fn as_new(&self, now: i64) -> NewActionToken<'_> {
        NewActionToken {
            token_hash: &self.hash,
            delivery_id: self.delivery_id,
            user_id: self.user_id,
            action: self.action,
            item_kind: self.item_kind,
            item_id: self.item_id,
            alert_id: self.alert_id,
            expires_at: now + ACTION_TTL_MS,
            now,
        }
    }
}

/// The outcome of attempt number `attempts + 1`.
fn outcome_of(answer: Result<Result<u16, PushError>, tokio::time::error::Elapsed>, attempts: i64, now: i64) -> Outcome {
    let made = attempts + 1;
    let retry_at = (made < MAX_ATTEMPTS).then(|| now + backoff_ms(made));
    match answer {
        Ok(Ok(status)) => Outcome::Sent(status),
        // A refused target will be refused again: give up at once, naming the rule.
        Ok(Err(PushError::Refused(rule))) => {
            Outcome::Failed { status: None, error: format!("refused: {rule}"), retry_at: None }
        }
        Ok(Err(PushError::Failed { status, error })) => Outcome::Failed { status, error, retry_at },
        Err(_) => Outcome::Failed { status: None, error: "timed out".into(), retry_at },
    }
}
