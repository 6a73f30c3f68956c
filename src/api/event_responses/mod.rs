//! `GET /api/events/{id}/invitations`: every invitation of an event with its answer, for
//! those who may write the event (its organiser normally among them). Invisible events are
//! 404; readers and invitees see the event but not its guest list (403). (The rest of
//! `/api/events` lives in `api::events`.)

use rocket::serde::json::Json;
use rocket::{State, get};

use crate::api::event_invitations::GuestView;
use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::domain::id::EventId;
use crate::error::ApiResult;
use crate::server::AppState;
use crate::service::event_invitations as service;

api_module![list_event_invitations];

#[utoipa::path(tag = "event-invitations",
    params(("id" = i64, Path), ("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<GuestView>, description = "by username"),
              (status = 403, description = "you may only read this event"),
              (status = 404, description = "no such event you can see")))]
#[get("/api/events/<id>/invitations?<limit>&<offset>")]
pub async fn list_event_invitations(
    state: &State<AppState>,
    user: UnlockedUser,
    id: EventId,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<GuestView>>> {
    let paging = Paging::parse(limit, offset)?;
    let (rows, total) =
        service::guests(state.context().await?, user.0.user_id, id, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(rows.into_iter().map(GuestView::from).collect(), total)))
}
