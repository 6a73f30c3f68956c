//! Project tasks and their comments: the request bodies, the rules for a task's fields
//! (title, notes, checklist, due date), comment bodies, `@username` mentions, and where a task
//! lands in its column (positions with gaps, renumbered when a move finds none). Pure: no I/O.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::id::{TaskId, UserId};
use crate::domain::patch::Patch;
use crate::domain::projects::{TaskPriority, TaskStatus};
use crate::domain::time::parse_date;
use crate::domain::todos::Problems;
use crate::domain::username::Username;

pub const TITLE_MAX: usize = 200;
pub const NOTES_MAX: usize = 10_000;
pub const CHECKLIST_MAX: usize = 100;
pub const CHECKLIST_TEXT_MAX: usize = 200;
pub const COMMENT_MAX: usize = 5_000;
/// The most assignees a task takes (a project's members, in practice far fewer).
pub const ASSIGNEES_MAX: usize = 100;
/// The distance between neighbours when a column is numbered afresh (and after the last).
pub const POSITION_STEP: i64 = 1024;

/// One line of a task's checklist: the todos' own type (one OpenAPI schema of that name);
/// its text is 1–200 characters here.
pub use crate::domain::todos::ChecklistItem;

/// `POST /api/projects/{id}/tasks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    pub title: String,
    #[serde(default)]
    pub notes: Option<String>,
    /// `todo` when absent.
    #[serde(default)]
    pub status: Option<TaskStatus>,
    /// `none` when absent.
    #[serde(default)]
    pub priority: Option<TaskPriority>,
    /// Members of the project; duplicates collapse.
    #[serde(default)]
    #[schema(value_type = Option<Vec<i64>>)]
    pub assignee_ids: Option<Vec<UserId>>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub due_date: Option<String>,
    #[serde(default)]
    pub checklist: Option<Vec<ChecklistItem>>,
}

/// `PATCH /api/projects/{id}/tasks/{task_id}`: absent = unchanged, `null` = clear (due date,
/// notes, checklist, assignees; title, status and priority cannot be cleared).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    #[serde(default)]
    pub title: Patch<String>,
    #[serde(default)]
    pub notes: Patch<String>,
    /// A change puts the task at the end of the new column.
    #[serde(default)]
    pub status: Patch<TaskStatus>,
    #[serde(default)]
    pub priority: Patch<TaskPriority>,
    #[serde(default)]
    pub due_date: Patch<String>,
    #[serde(default)]
    pub checklist: Patch<Vec<ChecklistItem>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<i64>>)]
    pub assignee_ids: Patch<Vec<UserId>>,
}

/// `POST /api/projects/{id}/tasks/{task_id}/move`: into `status`, before or after a task of
/// that column (not both), or at its end when neither is given.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveTask {
    pub status: TaskStatus,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub before_id: Option<TaskId>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub after_id: Option<TaskId>,
}

/// `POST /api/projects/{id}/tasks/{task_id}/comments`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    /// 1–5,000 characters; `@username` mentions a member.
    pub body: String,
}

/// `PATCH /api/projects/{id}/tasks/{task_id}/comments/{comment_id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentPatch {
    pub body: String,
}

/// A task's editable fields, validated: what the database stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFields {
    pub title: String,
    pub notes: String,
    pub status: TaskStatus,
    pub priority: TaskPriority,
    pub due_date: Option<NaiveDate>,
    pub checklist: Vec<ChecklistItem>,
}

impl TaskFields {
    /// Trims the title and checklist texts (surrounding blanks are never meant) and checks
    /// every field, collecting all problems.
    #[must_use]
    pub fn validate(mut self, problems: &mut Problems) -> Self {
        self.title = self.title.trim().to_string();
        length(problems, "title", &self.title, 1, TITLE_MAX);
        length(problems, "notes", &self.notes, 0, NOTES_MAX);
        if self.checklist.len() > CHECKLIST_MAX {
            // One problem for the list, not one more for each of its items.
            problems.add("checklist", format!("may have at most {CHECKLIST_MAX} items"));
            return self;
        }
        for (at, item) in self.checklist.iter_mut().enumerate() {
            item.text = item.text.trim().to_string();
            length(problems, &format!("checklist[{at}].text"), &item.text, 1, CHECKLIST_TEXT_MAX);
        }
        self
    }

    /// The fields of a new task (absent ones at their defaults).
    pub fn from_new(new: &NewTask, problems: &mut Problems) -> Self {
        let due_date = new.due_date.as_deref().and_then(|text| date_field("due_date", text, problems));
        Self {
            title: new.title.clone(),
            notes: new.notes.clone().unwrap_or_default(),
            status: new.status.unwrap_or(TaskStatus::Todo),
            priority: new.priority.unwrap_or(TaskPriority::None),
            due_date,
            checklist: new.checklist.clone().unwrap_or_default(),
        }
        .validate(problems)
    }

    /// The fields after a patch (the assignees are the caller's business).
    #[must_use]
    pub fn patched(self, patch: &TaskPatch, problems: &mut Problems) -> Self {
        let title = if let Ok(title) = patch.title.clone().required() {
            title.unwrap_or(self.title)
        } else {
            problems.add("title", "is required");
            self.title
        };
        let status = required(&patch.status, "status", self.status, problems);
        let priority = required(&patch.priority, "priority", self.priority, problems);
        let due_date = match &patch.due_date {
            Patch::Unchanged => self.due_date,
            Patch::Clear => None,
            Patch::Set(text) => date_field("due_date", text, problems),
        };
        let fields = Self {
            title,
            notes: patch.notes.clone().apply(Some(self.notes)).unwrap_or_default(),
            status,
            priority,
            due_date,
            checklist: patch.checklist.clone().apply(Some(self.checklist)).unwrap_or_default(),
        };
        let mut more = Problems::default();
        let fields = fields.validate(&mut more);
        // A cleared title was already reported; its emptiness is the same problem.
        let reported: Vec<String> = problems.0.iter().map(|(field, _)| field.clone()).collect();
        problems.0.extend(more.0.into_iter().filter(|(field, _)| !reported.contains(field)));
        fields
    }

    /// What `q` searches: title and notes, lower-cased here (SQLite's LOWER knows only ASCII).
    pub fn search_text(&self) -> String {
        format!("{}\n{}", self.title.to_lowercase(), self.notes.to_lowercase())
    }

    /// The names of the fields that differ from `before` (for the activity feed).
    pub fn changed_since(&self, before: &Self) -> Vec<&'static str> {
        let mut changed = Vec::new();
        if self.title != before.title {
            changed.push("title");
        }
        if self.notes != before.notes {
            changed.push("notes");
        }
        if self.status != before.status {
            changed.push("status");
        }
        if self.priority != before.priority {
            changed.push("priority");
        }
        if self.due_date != before.due_date {
            changed.push("due_date");
        }
        if self.checklist != before.checklist {
            changed.push("checklist");
        }
        changed
    }
}

fn required<T: Copy>(patch: &Patch<T>, field: &str, current: T, problems: &mut Problems) -> T {
    match patch {
        Patch::Unchanged => current,
        Patch::Set(value) => *value,
        Patch::Clear => {
            problems.add(field, "cannot be cleared");
            current
        }
    }
}

fn date_field(field: &str, text: &str, problems: &mut Problems) -> Option<NaiveDate> {
    let date = parse_date(text);
    if date.is_none() {
        problems.add(field, "must be a date written YYYY-MM-DD");
    }
    date
}

/// A text length in characters (a limit a person can count).
fn length(problems: &mut Problems, field: &str, value: &str, min: usize, max: usize) {
    let count = value.chars().count();
    if count < min {
        problems.add(field, "is required");
    } else if count > max {
        problems.add(field, format!("must be at most {max} characters"));
    }
}

/// The assignee ids with duplicates collapsed (first occurrence kept); a problem when there
/// are more than a task takes.
pub fn distinct_assignees(ids: &[UserId], problems: &mut Problems) -> Vec<UserId> {
    let mut out: Vec<UserId> = Vec::new();
    for id in ids {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    if out.len() > ASSIGNEES_MAX {
        problems.add("assignee_ids", format!("may name at most {ASSIGNEES_MAX} people"));
    }
    out
}

/// A comment body, checked: 1–5,000 characters, not only blanks. Kept as written (a
/// comment's line breaks and indentation are the author's).
pub fn comment_body(body: &str) -> Result<String, Problems> {
    let mut problems = Problems::default();
    if body.trim().is_empty() {
        problems.add("body", "is required");
    } else if body.chars().count() > COMMENT_MAX {
        problems.add("body", format!("must be at most {COMMENT_MAX} characters"));
    }
    problems.into_result().map(|()| body.to_string())
}

/// Characters a username is made of (see `domain::username`), in either case.
fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

/// The usernames a text mentions as `@username`, lower-cased, each once, in order of first
/// mention. An `@` inside a word (an e-mail address) is not a mention, and a trailing dot or
/// dash ends the sentence, not the name ("thanks @bob.").
pub fn mentions(text: &str) -> Vec<Username> {
    let mut found: Vec<Username> = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        if c != '@' {
            continue;
        }
        if i > 0 && (name_char(chars[i - 1].1) || chars[i - 1].1 == '@') {
            continue;
        }
        let start = at + 1;
        let end = text[start..].find(|c: char| !name_char(c)).map_or(text.len(), |len| start + len);
        let token = text[start..end].trim_end_matches(['.', '-']);
        if let Ok(name) = Username::parse(token)
            && !found.contains(&name)
        {
            found.push(name);
        }
    }
    found
}

/// Where a task goes in a column: the positions of the column's other tasks in order, and the
/// index it takes among them (0 = first, `len` = last). `Some(position)` when there is room
/// there; `None` when its neighbours are adjacent and the column must be renumbered
/// (`renumbered`).
pub fn slot(column: &[i64], index: usize) -> Option<i64> {
    let before = index.checked_sub(1).and_then(|i| column.get(i)).copied();
    let after = column.get(index).copied();
    match (before, after) {
        (None, None) => Some(POSITION_STEP),
        (Some(low), None) => low.checked_add(POSITION_STEP),
        (low, Some(high)) => {
            let low = low.unwrap_or(0);
            (high - low >= 2).then(|| low + (high - low) / 2)
        }
    }
}

/// Positions for a column numbered afresh: `count` tasks `POSITION_STEP` apart.
pub fn renumbered(count: usize) -> Vec<i64> {
    (1..=count).map(|n| i64::try_from(n).unwrap_or(i64::MAX / POSITION_STEP) * POSITION_STEP).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        mentions(text).into_iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn mentions_are_usernames_after_an_at_sign() {
        assert_eq!(names("@Alice and @bob, please (cc @carol_2)"), ["alice", "bob", "carol_2"]);
        assert_eq!(names("thanks @bob. And @bob again"), ["bob"]);
        assert_eq!(names("mail me at dan@example.com"), Vec::<String>::new());
        assert_eq!(names("@ab is too short, @@eve is not one, @-eve starts badly"), Vec::<String>::new());
        assert_eq!(names("@alice.b's idea"), ["alice.b"]);
        assert_eq!(names(&format!("@{}", "a".repeat(33))), Vec::<String>::new());
        assert_eq!(names("@élise @zoë"), Vec::<String>::new());
        assert_eq!(names("end @frank"), ["frank"]);
    }

    #[test]
    fn comment_bodies_are_bounded() {
        assert_eq!(comment_body(" hi ").unwrap(), " hi ");
        assert_eq!(comment_body("  \n").unwrap_err().0[0].0, "body");
        assert!(comment_body(&"x".repeat(COMMENT_MAX)).is_ok());
        assert!(comment_body(&"x".repeat(COMMENT_MAX + 1)).is_err());
    }

    fn new_task(json: serde_json::Value) -> (TaskFields, Problems) {
        let new: NewTask = serde_json::from_value(json).unwrap();
        let mut problems = Problems::default();
        (TaskFields::from_new(&new, &mut problems), problems)
    }

    fn fields_of(problems: &Problems) -> Vec<&str> {
        problems.0.iter().map(|(field, _)| field.as_str()).collect()
    }

    #[test]
    fn task_fields_are_checked_together() {
        let (fields, problems) = new_task(serde_json::json!({"title": "  Paint  ", "checklist": [{"text": " a "}]}));
        assert!(problems.is_empty());
        assert_eq!(
            (fields.title.as_str(), fields.status, fields.priority),
            ("Paint", TaskStatus::Todo, TaskPriority::None)
        );
        assert_eq!(fields.checklist, [ChecklistItem { text: "a".into(), done: false }]);
        let long_list: Vec<_> = (0..=CHECKLIST_MAX).map(|n| serde_json::json!({"text": n.to_string()})).collect();
        let (_, problems) = new_task(serde_json::json!({
            "title": " ", "notes": "n".repeat(NOTES_MAX + 1), "due_date": "2027-02-30",
            "checklist": long_list,
        }));
        assert_eq!(fields_of(&problems), ["due_date", "title", "notes", "checklist"]);
        let (_, problems) = new_task(serde_json::json!({"title": "t".repeat(TITLE_MAX + 1),
            "checklist": [{"text": ""}, {"text": "x".repeat(CHECKLIST_TEXT_MAX + 1)}]}));
        assert_eq!(fields_of(&problems), ["title", "checklist[0].text", "checklist[1].text"]);
        assert!(serde_json::from_value::<NewTask>(serde_json::json!({"title": "x", "position": 1})).is_err());
    }

    #[test]
    fn a_patch_changes_what_it_names() {
        let (current, _) = new_task(serde_json::json!({"title": "Paint", "notes": "white", "due_date": "2027-01-02"}));
        let patch: TaskPatch =
            serde_json::from_value(serde_json::json!({"notes": null, "due_date": null, "status": "done"})).unwrap();
        let mut problems = Problems::default();
        let next = current.clone().patched(&patch, &mut problems);
        assert!(problems.is_empty());
        assert_eq!((next.notes.as_str(), next.due_date, next.status), ("", None, TaskStatus::Done));
        assert_eq!(next.changed_since(&current), ["notes", "status", "due_date"]);
        let patch: TaskPatch =
            serde_json::from_value(serde_json::json!({"title": null, "status": null, "priority": null})).unwrap();
        let mut problems = Problems::default();
        let _ = current.patched(&patch, &mut problems);
        assert_eq!(fields_of(&problems), ["title", "status", "priority"]);
    }

    #[test]
    fn duplicate_assignees_collapse() {
        let mut problems = Problems::default();
        assert_eq!(distinct_assignees(&[UserId(3), UserId(2), UserId(3)], &mut problems), [UserId(3), UserId(2)]);
        assert!(problems.is_empty());
    }

    #[test]
    fn a_slot_is_found_between_neighbours_or_not_at_all() {
        assert_eq!(slot(&[], 0), Some(POSITION_STEP));
        assert_eq!(slot(&[1024, 2048], 2), Some(2048 + POSITION_STEP));
        assert_eq!(slot(&[1024, 2048], 1), Some(1536));
        assert_eq!(slot(&[1024, 2048], 0), Some(512));
        assert_eq!(slot(&[1, 2048], 0), None);
        assert_eq!(slot(&[5, 6], 1), None);
        assert_eq!(slot(&[5, 7], 1), Some(6));
        assert_eq!(renumbered(3), [1024, 2048, 3072]);
    }
}
