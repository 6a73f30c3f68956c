//! `/api/push-actions`: the Done and "Snooze 1 h" buttons of a push notification. ntfy
//! answers a button with a POST to its link (with `X-Requested-With`, so the CSRF rule holds
//! here as everywhere), and the link's token, not a session, says who may do what: exactly
//! one action on one item, once, until it expires (`service::dispatch::actions`). Anything
//! that does not fit is 404, whatever the reason.

use rocket::serde::json::Json;
use rocket::{State, post};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::id::{ReminderId, TodoId};
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::service::dispatch::actions::{self, Action, ActionError, ActionItem};

api_module![reminder_push_action, todo_push_action];

/// What the button did.
#[derive(Debug, Serialize, ToSchema)]
pub struct PushActionView {
    /// `done` or `snooze`.
    pub action: &'static str,
    /// In words, for whoever looks at the answer.
    pub message: &'static str,
}

impl From<ActionError> for ApiError {
    fn from(error: ActionError) -> Self {
        match error {
            ActionError::NotFound => ApiError::not_found(),
            ActionError::Conflict(detail) => ApiError::conflict(detail),
            ActionError::Db(error) => error.into(),
        }
    }
}

async fn act(
    state: &AppState,
    item: ActionItem,
    id: i64,
    action: &str,
    token: Option<&str>,
) -> ApiResult<Json<PushActionView>> {
    let (Some(action), Some(token)) = (Action::parse(action), token) else {
        return Err(ApiError::not_found());
    };
    let message = actions::redeem(state.context().await?, item, id, action, token).await?;
    Ok(Json(PushActionView { action: action.as_str(), message }))
}

#[utoipa::path(tag = "push-actions", params(("id" = i64, Path)),
    responses((status = 200, body = PushActionView),
              (status = 404, description = "no such link: unknown, used, expired, or for another item or action"),
              (status = 409, description = "the reminder cannot be snoozed as it is now")))]
#[post("/api/push-actions/reminders/<id>/<action>?<token>")]
pub async fn reminder_push_action(
    state: &State<AppState>,
    id: ReminderId,
    action: &str,
    token: Option<&str>,
) -> ApiResult<Json<PushActionView>> {
    act(state, ActionItem::Reminder, id.0, action, token).await
}

#[utoipa::path(tag = "push-actions", params(("id" = i64, Path)),
    responses((status = 200, body = PushActionView),
              (status = 404, description = "no such link: unknown, used, expired, or for another item or action")))]
#[post("/api/push-actions/todos/<id>/<action>?<token>")]
pub async fn todo_push_action(
    state: &State<AppState>,
    id: TodoId,
    action: &str,
    token: Option<&str>,
) -> ApiResult<Json<PushActionView>> {
    act(state, ActionItem::Todo, id.0, action, token).await
}
