//! `/api/notifications`: the signed-in user's notification centre — the list (newest first,
//! optionally unread only), the bell's unread count, mark one or all read, delete. Another
//! user's notification is 404 on every verb.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::domain::id::NotificationId;
use crate::domain::time::UtcMillis;
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::service::notifications::{self as service, Notification, NotificationError};

api_module![
    list_notifications,
    unread_notification_count,
    read_notification,
    read_all_notifications,
    delete_notification,
];

/// A notification as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: NotificationId,
    /// `connection_request`, `connection_accepted`, `reminder_due`, `todo_due`, `birthday` (more may come).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub body: String,
    /// An app path to open, e.g. `/connections`.
    pub link: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub read_at: Option<UtcMillis>,
    /// Delivered after downtime, later than it fell due.
    pub late: bool,
}

impl From<Notification> for NotificationView {
    fn from(n: Notification) -> Self {
        Self {
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            link: n.link,
            created_at: n.created_at,
            read_at: n.read_at,
            late: n.late,
        }
    }
}

/// `{"count": N}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    pub count: i64,
}

/// `{"marked": N}`: how many were unread.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    pub marked: u64,
}

impl From<NotificationError> for ApiError {
    fn from(error: NotificationError) -> Self {
        match error {
            NotificationError::NotFound => Self::not_found(),
            NotificationError::Db(error) => error.into(),
        }
    }
}

#[utoipa::path(tag = "notifications",
    params(("unread" = Option<bool>, Query, description = "true: only unread ones"),
        ("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<NotificationView>, description = "newest first"),
              (status = 422, description = "a parameter does not parse")))]
#[get("/api/notifications?<unread>&<limit>&<offset>")]
pub async fn list_notifications(
    state: &State<AppState>,
    user: UnlockedUser,
    unread: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<NotificationView>>> {
    let paging = Paging::parse(limit, offset)?;
    let unread_only = match unread {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(ApiError::invalid_field("unread", "must be true or false")),
    };
    let (items, total) =
        service::list(state.context().await?, user.0.user_id, unread_only, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(items.into_iter().map(NotificationView::from).collect(), total)))
}

#[utoipa::path(tag = "notifications", responses((status = 200, body = UnreadCount)))]
#[get("/api/notifications/unread-count")]
pub async fn unread_notification_count(state: &State<AppState>, user: UnlockedUser) -> ApiResult<Json<UnreadCount>> {
    Ok(Json(UnreadCount { count: service::unread_count(state.context().await?, user.0.user_id).await? }))
}

#[utoipa::path(tag = "notifications", params(("id" = i64, Path)),
    responses((status = 200, body = NotificationView, description = "read (reading again keeps the first read time)"),
              (status = 404, description = "no such notification of yours")))]
#[post("/api/notifications/<id>/read")]
pub async fn read_notification(
    state: &State<AppState>,
    user: UnlockedUser,
    id: NotificationId,
) -> ApiResult<Json<NotificationView>> {
    Ok(Json(service::mark_read(state.context().await?, user.0.user_id, id).await?.into()))
}

#[utoipa::path(tag = "notifications", responses((status = 200, body = MarkedRead)))]
#[post("/api/notifications/read-all")]
pub async fn read_all_notifications(state: &State<AppState>, user: UnlockedUser) -> ApiResult<Json<MarkedRead>> {
    Ok(Json(MarkedRead { marked: service::mark_all_read(state.context().await?, user.0.user_id).await? }))
}

#[utoipa::path(tag = "notifications", params(("id" = i64, Path)),
    responses((status = 204, description = "deleted"), (status = 404, description = "no such notification of yours")))]
#[delete("/api/notifications/<id>")]
pub async fn delete_notification(state: &State<AppState>, user: UnlockedUser, id: NotificationId) -> ApiResult<Status> {
    service::delete(state.context().await?, user.0.user_id, id).await?;
    Ok(Status::NoContent)
}
