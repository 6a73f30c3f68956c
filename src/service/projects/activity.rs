//! The activity feed as members read it: each entry with its actor and an English sentence
//! saying what happened ("alice moved “Paint” from To do to Done"), built here from the
//! stored action and detail so that every client shows the same words.

use super::{ProjectResult, role_of};
use crate::db::project_activity::{self, ActivityRow};
use crate::domain::id::{ProjectActivityId, ProjectId, TaskId, UserId};
use crate::domain::projects::{ActivityAction, ProjectRole, TaskStatus};
use crate::domain::time::UtcMillis;
use crate::service::Context;

/// Who did it (`None` once their account is gone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
}

/// One entry, ready to show.
#[derive(Debug, Clone)]
pub struct ActivityEntry {
    pub id: ProjectActivityId,
    pub actor: Option<Actor>,
    pub action: ActivityAction,
    pub task_id: Option<TaskId>,
    pub task_title: Option<String>,
    pub summary: String,
    pub created_at: UtcMillis,
}

/// A page of the feed, newest first; a non-member gets `NotFound`.
pub async fn list(
    ctx: Context<'_>,
    me: UserId,
    project: ProjectId,
    limit: i64,
    offset: i64,
) -> ProjectResult<(Vec<ActivityEntry>, i64)> {
    role_of(ctx.db.pool(), me, project).await?;
    let (rows, total) = project_activity::list(ctx.db.pool(), me, project, limit, offset).await?;
    Ok((rows.into_iter().filter_map(entry).collect(), total))
}

/// An entry from its row; a row with an action this version does not know is skipped (the
/// feed shows what it can say).
fn entry(row: ActivityRow) -> Option<ActivityEntry> {
    let action = ActivityAction::parse(&row.action)?;
    let detail: serde_json::Value = serde_json::from_str(&row.detail).unwrap_or_default();
    let actor = match (row.actor_id, row.actor_username) {
        (Some(id), Some(username)) => {
            Some(Actor { id, username, display_name: row.actor_display_name.unwrap_or_default() })
        }
        _ => None,
    };
    let summary = summary(action, actor.as_ref(), row.task_title.as_deref(), &detail);
    Some(ActivityEntry {
        id: row.id,
        actor,
        action,
        task_id: row.task_id,
        task_title: row.task_title,
        summary,
        created_at: UtcMillis(row.created_at),
    })
}

/// How a person is named in a sentence: their display name, else their username.
fn name(actor: Option<&Actor>) -> String {
    match actor {
        Some(actor) if !actor.display_name.trim().is_empty() => actor.display_name.trim().to_string(),
        Some(actor) => actor.username.clone(),
        None => "A former member".to_string(),
    }
}

/// A board column as the board shows it.
pub fn status_label(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Todo => "To do",
        TaskStatus::InProgress => "In progress",
        TaskStatus::Blocked => "Blocked",
        TaskStatus::Done => "Done",
    }
}

/// "an owner", "an editor", "a viewer".
fn role_phrase(role: Option<ProjectRole>) -> &'static str {
    match role {
        Some(ProjectRole::Owner) => "an owner",
        Some(ProjectRole::Editor) => "an editor",
        Some(ProjectRole::Viewer) => "a viewer",
        None => "a member",
    }
}

/// A field name of the detail as words.
fn field_label(field: &str) -> String {
    match field {
        "due_date" => "due date".to_string(),
        "assignee_ids" | "assignees" => "assignees".to_string(),
        other => other.replace('_', " "),
    }
}

/// "a", "a and b", "a, b and c".
fn join_words(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn text<'a>(detail: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    detail.get(key).and_then(serde_json::Value::as_str)
}

/// The changed fields a detail lists (`{"fields": [...]}`), as words.
fn fields_of(detail: &serde_json::Value) -> Vec<String> {
    detail
        .get("fields")
        .and_then(serde_json::Value::as_array)
        .map(|fields| fields.iter().filter_map(serde_json::Value::as_str).map(field_label).collect())
        .unwrap_or_default()
}

/// The people a detail names: `username`, or `usernames` / `assignees` as a list.
fn people_of(detail: &serde_json::Value) -> Vec<String> {
    if let Some(one) = text(detail, "username") {
        return vec![one.to_string()];
    }
    ["usernames", "assignees", "added"]
        .iter()
        .find_map(|key| detail.get(*key).and_then(serde_json::Value::as_array))
        .map(|names| {
            names
                .iter()
                .filter_map(|name| name.as_str().or_else(|| name.get("username").and_then(serde_json::Value::as_str)))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The English sentence for an entry. Every action has one; a detail that lacks what a
/// richer sentence needs falls back to a plainer one rather than to nothing.
pub fn summary(
    action: ActivityAction,
    actor: Option<&Actor>,
    task_title: Option<&str>,
    detail: &serde_json::Value,
) -> String {
    let who = name(actor);
    let task = task_title.map_or_else(|| "a task".to_string(), |title| format!("“{title}”"));
    let member = text(detail, "username").unwrap_or("a member");
    let role = text(detail, "role").and_then(ProjectRole::parse);
    match action {
        ActivityAction::ProjectCreated => format!("{who} created the project"),
        ActivityAction::ProjectUpdated => match fields_of(detail).as_slice() {
            [] => format!("{who} updated the project"),
            fields => format!("{who} changed the project’s {}", join_words(fields)),
        },
        ActivityAction::MemberAdded => format!("{who} added {member} as {}", role_phrase(role)),
        ActivityAction::MemberRoleChanged => format!("{who} made {member} {}", role_phrase(role)),
        ActivityAction::MemberRemoved => format!("{who} removed {member} from the project"),
        ActivityAction::MemberLeft => format!("{who} left the project"),
        ActivityAction::OwnershipTransferred => format!("{who} handed ownership to {member}"),
        ActivityAction::TaskCreated => format!("{who} created {task}"),
        ActivityAction::TaskUpdated => match fields_of(detail).as_slice() {
            [] => format!("{who} updated {task}"),
            fields => format!("{who} changed the {} of {task}", join_words(fields)),
        },
        ActivityAction::TaskMoved => {
            let column = |key| text(detail, key).and_then(TaskStatus::parse).map(status_label);
            match (column("from"), column("to")) {
                (Some(from), Some(to)) if from != to => format!("{who} moved {task} from {from} to {to}"),
                (_, Some(to)) => format!("{who} moved {task} within {to}"),
                _ => format!("{who} moved {task}"),
            }
        }
        ActivityAction::TaskAssigned => match people_of(detail).as_slice() {
            [] => format!("{who} changed who is assigned to {task}"),
            people => format!("{who} assigned {task} to {}", join_words(people)),
        },
        ActivityAction::TaskDeleted => format!("{who} deleted {task}"),
        ActivityAction::CommentAdded => format!("{who} commented on {task}"),
        ActivityAction::CommentEdited => format!("{who} edited a comment on {task}"),
        ActivityAction::CommentDeleted => format!("{who} deleted a comment on {task}"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Actor, summary};
    use crate::domain::id::UserId;
    use crate::domain::projects::ActivityAction;

    fn alice() -> Actor {
        Actor { id: UserId(1), username: "alice".into(), display_name: String::new() }
    }

    #[test]
    fn every_action_has_a_sentence() {
        let actor = alice();
        for action in ActivityAction::ALL {
            let text = summary(*action, Some(&actor), Some("Paint"), &json!({}));
            assert!(text.starts_with("alice "), "{action}: {text}");
            assert!(!text.contains("{}") && text.len() > 12, "{action}: {text}");
        }
    }

    #[test]
    fn sentences_use_the_detail() {
        let actor = alice();
        let said = |action, detail| summary(action, Some(&actor), Some("Paint"), &detail);
        assert_eq!(
            said(ActivityAction::TaskMoved, json!({"from": "todo", "to": "done"})),
            "alice moved “Paint” from To do to Done"
        );
        assert_eq!(
            said(ActivityAction::MemberAdded, json!({"username": "bob", "role": "editor"})),
            "alice added bob as an editor"
        );
        assert_eq!(
            said(ActivityAction::MemberRoleChanged, json!({"username": "bob", "role": "viewer"})),
            "alice made bob a viewer"
        );
        assert_eq!(
            said(ActivityAction::ProjectUpdated, json!({"fields": ["name", "due_date", "colour"]})),
            "alice changed the project’s name, due date and colour"
        );
        assert_eq!(
            said(ActivityAction::TaskAssigned, json!({"usernames": ["bob", "carol"]})),
            "alice assigned “Paint” to bob and carol"
        );
        let named = Actor { display_name: "Alice A.".into(), ..alice() };
        assert_eq!(summary(ActivityAction::MemberLeft, Some(&named), None, &json!({})), "Alice A. left the project");
        assert_eq!(summary(ActivityAction::TaskDeleted, None, None, &json!({})), "A former member deleted a task");
    }
}
