//! Id newtypes, one per table, so a session id cannot be passed where a user id is meant.
//! Each is an `i64` on the wire and in the database: sqlx encodes and decodes it as the
//! integer (through `Any`, on SQLite and PostgreSQL alike), serde as a JSON number, OpenAPI
//! as an `int64`; as a path segment only a positive integer matches, so `/users/abc` is a
//! 422 problem (Rocket's answer to a path parameter that does not parse), never a 500.

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize, sqlx::Type, utoipa::ToSchema,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        #[schema(value_type = i64, format = Int64)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl<'a> rocket::request::FromParam<'a> for $name {
            type Error = &'a str;

            fn from_param(param: &'a str) -> Result<Self, Self::Error> {
                crate::domain::id::parse_id(param).map(Self).ok_or(param)
            }
        }
    )*};
}

ids! {
    /// A row of `users`.
    UserId,
    /// A row of `sessions`.
    SessionId,
    /// A row of `passkeys`.
    PasskeyId,
    /// A row of `audit_log`.
    AuditId,
    /// A row of `todos`.
    TodoId,
    /// A row of `todo_categories`.
    TodoCategoryId,
    /// A row of `todo_completions`.
    TodoCompletionId,
    /// A row of `reminders`.
    ReminderId,
    /// A row of `people`.
    PersonId,
    /// A row of `locations`.
    LocationId,
    /// A row of `notifications`.
    NotificationId,
    /// A row of `due_alerts` (a todo's due alert or a birthday, for one occurrence).
    DueAlertId,
    /// A row of `push_deliveries`.
    PushDeliveryId,
    /// A row of `connections` (a pending request, and the connection it becomes).
    ConnectionId,
    /// A row of `connection_blocks`.
    ConnectionBlockId,
    /// A row of `calendars`.
    CalendarId,
    /// A row of `events` (a single event or a whole series).
    EventId,
    /// A row of `event_overrides` (one changed occurrence of a series).
    EventOverrideId,
    /// A row of `event_templates`.
    EventTemplateId,
    /// A row of `calendar_shares`.
    CalendarShareId,
    /// A row of `event_invitations`.
    EventInvitationId,
    /// A row of `projects`.
    ProjectId,
    /// A row of `project_members`.
    ProjectMemberId,
    /// A row of `project_tasks`.
    TaskId,
    /// A row of `task_comments`.
    TaskCommentId,
    /// A row of `project_activity`.
    ProjectActivityId,
    /// A row of `app_passwords`.
    AppPasswordId,
    /// A row of `oidc_identities`.
    OidcIdentityId,
}

/// A path segment as an id: digits only (no sign, no spaces), positive, in range.
pub fn parse_id(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>().ok().filter(|id| *id > 0)
}

#[cfg(test)]
mod tests {
    use rocket::request::FromParam;

    use super::{UserId, parse_id};

    #[test]
    fn only_positive_integers_are_ids() {
        assert_eq!(parse_id("42"), Some(42));
        for bad in ["", "0", "-1", "+1", " 1", "1e3", "abc", "99999999999999999999"] {
            assert_eq!(parse_id(bad), None, "{bad:?}");
        }
        assert_eq!(UserId::from_param("7"), Ok(UserId(7)));
        assert!(UserId::from_param("x").is_err());
    }

    #[test]
    fn ids_are_json_numbers() {
        assert_eq!(serde_json::to_string(&UserId(5)).unwrap(), "5");
        assert_eq!(serde_json::from_str::<UserId>("5").unwrap(), UserId(5));
    }
}
