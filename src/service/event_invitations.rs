//! Invitations to events. `notify_invitees` is what the event workflows call when an event an
//! invitee may hold changes time or is cancelled: every invitee who has not declined hears of
//! it, in the same transaction as the change.

use crate::db::WriteTx;
use crate::domain::id::{EventId, UserId};
use crate::domain::notifications::NotificationKind;
use crate::domain::time::UtcMillis;
use crate::service::notifications::{Notice, notify};

/// What happened to an event its invitees should hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventChange {
    /// Its time (or an occurrence's time) changed.
    Rescheduled,
    /// It (or one occurrence) was cancelled. Call before deleting, while the invitations exist.
    Cancelled,
}

/// Tells every invitee of `event` who has not declined that it changed.
pub async fn notify_invitees(
    tx: &mut WriteTx,
    event: EventId,
    title: &str,
    change: EventChange,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    let invitees: Vec<UserId> =
        sqlx::query_scalar("SELECT invitee_id FROM event_invitations WHERE event_id = $1 AND status <> 'declined'")
            .bind(event)
            .fetch_all(&mut **tx)
            .await?;
    let (kind, heading) = match change {
        EventChange::Rescheduled => (NotificationKind::EventUpdated, "Event changed"),
        EventChange::Cancelled => (NotificationKind::EventCancelled, "Event cancelled"),
    };
    let heading = format!("{heading}: {title}");
    let link = "/calendar/invitations";
    for invitee in invitees {
        let notice = Notice {
            user_id: invitee,
            kind,
            title: &heading,
            body: "",
            link: Some(link),
            late: false,
            source_key: None,
        };
        notify(&mut **tx, &notice, now).await?;
    }
    Ok(())
}
