//! Projects: the member roles and their rules, the project and task states, and the actions
//! the activity feed records. Stored and sent in snake_case; parsed once here, never by hand.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendars::check_colour;
use super::id::ProjectMemberId;
use super::patch::Patch;
use super::time::parse_date;
use super::todos::Problems;

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

/// The longest project name and description, in characters.
pub const NAME_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 10_000;
/// The colour of a project made without one (the migration's default).
pub const DEFAULT_COLOUR: &str = "#5B8DEF";

/// `POST /api/projects`: the caller becomes its owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    /// 1–120 characters (trimmed).
    pub name: String,
    /// At most 10,000 characters.
    #[serde(default)]
    pub description: Option<String>,
    /// `#RRGGBB`; a calm blue when absent.
    #[serde(default)]
    pub colour: Option<String>,
    /// `active` when absent.
    #[serde(default)]
    pub status: Option<ProjectStatus>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub due_date: Option<String>,
}

/// `PATCH /api/projects/{id}` (owners): absent = unchanged, `null` clears (`description`,
/// `due_date`; the others cannot be null).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectPatch {
    #[serde(default)]
    pub name: Patch<String>,
    #[serde(default)]
    pub description: Patch<String>,
    #[serde(default)]
    pub colour: Patch<String>,
    #[serde(default)]
    pub status: Patch<ProjectStatus>,
    #[serde(default)]
    pub due_date: Patch<String>,
}

/// `POST /api/projects/{id}/members` (owners): one of the caller's accepted connections.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    pub username: String,
    pub role: ProjectRole,
}

/// `PATCH /api/projects/{id}/members/{member_id}` (owners).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    pub role: ProjectRole,
}

/// `POST /api/projects/{id}/transfer` (owners): that member becomes an owner, the caller an
/// editor.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    pub member_id: ProjectMemberId,
}

/// A project's validated editable values (what the database stores).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectValues {
    pub name: String,
    pub description: String,
    pub colour: String,
    pub status: ProjectStatus,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
}

impl ProjectValues {
    /// The names of the fields that differ from `other` (what an update's activity lists).
    pub fn changed_fields(&self, other: &Self) -> Vec<&'static str> {
        let mut fields = Vec::new();
        if self.name != other.name {
            fields.push("name");
        }
        if self.description != other.description {
            fields.push("description");
        }
        if self.colour != other.colour {
            fields.push("colour");
        }
        if self.status != other.status {
            fields.push("status");
        }
        if self.due_date != other.due_date {
            fields.push("due_date");
        }
        fields
    }
}

/// A create body as values, every problem reported at once.
pub fn new_values(body: NewProject) -> Result<ProjectValues, Problems> {
    let mut problems = Problems::default();
    let name = check_name(&body.name, &mut problems);
    let description = body.description.unwrap_or_default();
    check_description(&description, &mut problems);
    let colour = body.colour.unwrap_or_else(|| DEFAULT_COLOUR.to_string());
    check_colour("colour", &colour, &mut problems);
    let due_date = body.due_date.and_then(|text| check_due_date(&text, &mut problems));
    problems.into_result().map(|()| ProjectValues {
        name,
        description,
        colour,
        status: body.status.unwrap_or(ProjectStatus::Active),
        due_date,
    })
}

/// `current` with the patch applied, every problem reported at once.
pub fn patched_values(current: &ProjectValues, patch: ProjectPatch) -> Result<ProjectValues, Problems> {
    let mut problems = Problems::default();
    let mut next = current.clone();
    match patch.name {
        Patch::Unchanged => {}
        Patch::Clear => problems.add("name", "cannot be null"),
        Patch::Set(name) => next.name = check_name(&name, &mut problems),
    }
    match patch.description {
        Patch::Unchanged => {}
        Patch::Clear => next.description = String::new(),
        Patch::Set(text) => {
            check_description(&text, &mut problems);
            next.description = text;
        }
    }
    match patch.colour {
        Patch::Unchanged => {}
        Patch::Clear => problems.add("colour", "cannot be null"),
        Patch::Set(colour) => {
            check_colour("colour", &colour, &mut problems);
            next.colour = colour;
        }
    }
    match patch.status {
        Patch::Unchanged => {}
        Patch::Clear => problems.add("status", "cannot be null"),
        Patch::Set(status) => next.status = status,
    }
    if let Some(change) = patch.due_date.into_change() {
        next.due_date = change.and_then(|text| check_due_date(&text, &mut problems));
    }
    problems.into_result().map(|()| next)
}

/// The trimmed name, 1–120 characters.
fn check_name(name: &str, problems: &mut Problems) -> String {
    let name = name.trim();
    let length = name.chars().count();
    if length == 0 {
        problems.add("name", "is required");
    } else if length > NAME_MAX {
        problems.add("name", format!("must be at most {NAME_MAX} characters"));
    }
    name.to_string()
}

fn check_description(text: &str, problems: &mut Problems) {
    if text.chars().count() > DESCRIPTION_MAX {
        problems.add("description", format!("must be at most {DESCRIPTION_MAX} characters"));
    }
}

/// A real calendar date, stored as written (`YYYY-MM-DD`).
fn check_due_date(text: &str, problems: &mut Problems) -> Option<String> {
    let date = parse_date(text);
    if date.is_none() {
        problems.add("due_date", "must be a date written YYYY-MM-DD");
    }
    date.map(|date| date.format("%Y-%m-%d").to_string())
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

    #[test]
    fn project_fields_are_checked_all_at_once() {
        use super::{NewProject, ProjectPatch, ProjectStatus, new_values, patched_values};
        use crate::domain::patch::Patch;

        let body = |name: &str, colour: Option<&str>, due: Option<&str>| NewProject {
            name: name.into(),
            description: Some("d".repeat(10_001)),
            colour: colour.map(Into::into),
            status: None,
            due_date: due.map(Into::into),
        };
        let problems = new_values(body("  ", Some("#12345"), Some("2027-02-30"))).unwrap_err();
        let fields: Vec<&str> = problems.0.iter().map(|(field, _)| field.as_str()).collect();
        assert_eq!(fields, ["name", "description", "colour", "due_date"]);
        assert!(new_values(body(&"n".repeat(121), None, None)).is_err());

        let ok = NewProject { description: None, ..body(" Garden ", None, Some("2027-03-01")) };
        let values = new_values(ok).unwrap();
        assert_eq!(values.name, "Garden");
        assert_eq!((values.colour.as_str(), values.status), (super::DEFAULT_COLOUR, ProjectStatus::Active));
        assert_eq!(values.due_date.as_deref(), Some("2027-03-01"));

        let patch =
            ProjectPatch { due_date: Patch::Clear, status: Patch::Set(ProjectStatus::Done), ..Default::default() };
        let next = patched_values(&values, patch).unwrap();
        assert_eq!((next.due_date, next.status), (None, ProjectStatus::Done));
        let refused = ProjectPatch { name: Patch::Clear, colour: Patch::Clear, ..Default::default() };
        assert_eq!(patched_values(&values, refused).unwrap_err().0.len(), 2);
    }
}
