//! Notifications: the kinds a user can be told about. Stored as the `kind` column and sent as
//! the API's `type`, in snake_case; later domains add variants here, never free strings.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How long a notification that was read is kept before the cleanup job prunes it.
pub const READ_RETENTION_DAYS: i64 = 90;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// Someone asked to connect with you.
    ConnectionRequest,
    /// Someone accepted your request to connect.
    ConnectionAccepted,
    /// One of your reminders fell due.
    ReminderDue,
    /// One of your todos is about to be (or is) due.
    TodoDue,
    /// One of your people has a birthday today.
    Birthday,
    /// An event of yours (or one you accepted) starts soon.
    EventAlert,
    /// Someone invited you to an event.
    EventInvitation,
    /// An event you are invited to moved or changed.
    EventUpdated,
    /// An event you are invited to was cancelled.
    EventCancelled,
    /// Someone answered your invitation.
    InvitationResponse,
    /// Someone shared a calendar with you.
    CalendarShared,
    /// Someone assigned a project task to you.
    TaskAssigned,
    /// Someone commented on a project task you are assigned to.
    TaskComment,
    /// Someone mentioned you (`@username`) in a task comment.
    Mentioned,
}

impl NotificationKind {
    pub const ALL: [Self; 14] = [
        Self::ConnectionRequest,
        Self::ConnectionAccepted,
        Self::ReminderDue,
        Self::TodoDue,
        Self::Birthday,
        Self::EventAlert,
        Self::EventInvitation,
        Self::EventUpdated,
        Self::EventCancelled,
        Self::InvitationResponse,
        Self::CalendarShared,
        Self::TaskAssigned,
        Self::TaskComment,
        Self::Mentioned,
    ];

    /// The stored (and sent) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConnectionRequest => "connection_request",
            Self::ConnectionAccepted => "connection_accepted",
            Self::ReminderDue => "reminder_due",
            Self::TodoDue => "todo_due",
            Self::Birthday => "birthday",
            Self::EventAlert => "event_alert",
            Self::EventInvitation => "event_invitation",
            Self::EventUpdated => "event_updated",
            Self::EventCancelled => "event_cancelled",
            Self::InvitationResponse => "invitation_response",
            Self::CalendarShared => "calendar_shared",
            Self::TaskAssigned => "task_assigned",
            Self::TaskComment => "task_comment",
            Self::Mentioned => "mentioned",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

impl std::fmt::Display for NotificationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::NotificationKind;

    #[test]
    fn names_round_trip_and_match_serde() {
        for kind in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        assert_eq!(NotificationKind::parse("Birthday"), None);
    }
}
