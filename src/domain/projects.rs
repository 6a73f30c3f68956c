//! Projects: the member roles and their rules, the project and task states, and the actions
//! the activity feed records. Stored and sent in snake_case; parsed once here, never by hand.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Declares a closed set of snake_case values with `as_str`, `parse` and `ALL`.
macro_rules! stored_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),* }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The stored (and sent) name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }

            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|value| value.as_str() == text)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

stored_enum! {
    /// A member's role. Ordered: an owner can do all an editor can, an editor all a viewer can.
    ProjectRole {
        /// Reads everything in the project.
        Viewer => "viewer",
        /// Also writes tasks and comments.
        Editor => "editor",
        /// Also changes the project, manages members, moderates comments, deletes the project.
        Owner => "owner",
    }
}

impl ProjectRole {
    /// Tasks and comments may be written (editors and owners).
    pub fn can_write(self) -> bool {
        self >= Self::Editor
    }

    /// The project and its members may be managed (owners).
    pub fn can_manage(self) -> bool {
        self == Self::Owner
    }
}

impl PartialOrd for ProjectRole {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ProjectRole {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let rank = |role: &Self| match role {
            Self::Viewer => 1,
            Self::Editor => 2,
            Self::Owner => 3,
        };
        rank(self).cmp(&rank(other))
    }
}

stored_enum! {
    /// Where a project stands.
    ProjectStatus {
        Active => "active",
        OnHold => "on_hold",
        Done => "done",
        Archived => "archived",
    }
}

stored_enum! {
    /// A task's board column.
    TaskStatus {
        Todo => "todo",
        InProgress => "in_progress",
        Blocked => "blocked",
        Done => "done",
    }
}

stored_enum! {
    /// How urgent a task is.
    TaskPriority {
        None => "none",
        Low => "low",
        Medium => "medium",
        High => "high",
    }
}

stored_enum! {
    /// What an activity entry records (`project_activity.action`).
    ActivityAction {
        ProjectCreated => "project_created",
        ProjectUpdated => "project_updated",
        MemberAdded => "member_added",
        MemberRoleChanged => "member_role_changed",
        MemberRemoved => "member_removed",
        MemberLeft => "member_left",
        OwnershipTransferred => "ownership_transferred",
        TaskCreated => "task_created",
        TaskUpdated => "task_updated",
        TaskMoved => "task_moved",
        TaskAssigned => "task_assigned",
        TaskDeleted => "task_deleted",
        CommentAdded => "comment_added",
        CommentEdited => "comment_edited",
        CommentDeleted => "comment_deleted",
    }
}

#[cfg(test)]
mod tests {
    use super::{ActivityAction, ProjectRole, TaskStatus};

    #[test]
    fn roles_are_ordered_and_round_trip() {
        assert!(ProjectRole::Owner > ProjectRole::Editor && ProjectRole::Editor > ProjectRole::Viewer);
        assert!(!ProjectRole::Viewer.can_write() && ProjectRole::Editor.can_write());
        assert!(!ProjectRole::Editor.can_manage() && ProjectRole::Owner.can_manage());
        for role in ProjectRole::ALL {
            assert_eq!(ProjectRole::parse(role.as_str()), Some(*role));
        }
        assert_eq!(ProjectRole::parse("admin"), None);
    }

    #[test]
    fn stored_names_are_snake_case() {
        assert_eq!(TaskStatus::InProgress.as_str(), "in_progress");
        assert_eq!(serde_json::to_string(&TaskStatus::InProgress).unwrap(), "\"in_progress\"");
        assert_eq!(ActivityAction::parse("task_moved"), Some(ActivityAction::TaskMoved));
    }
}
