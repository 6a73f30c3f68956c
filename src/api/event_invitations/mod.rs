//! `/api/event-invitations`: inviting connected users to an event (those who may write its
//! calendar), the invitee's list and answer, and withdrawing an invitation. Every route takes
//! `UnlockedUser`; an invitation that is not the caller's (nor of an event they may write) is
//! 404. Names that cannot be invited are one 422 with the same words for each, whether the
//! name belongs to anyone or not.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::calendars::UserView;
use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::db::event_invitations::{GuestRow, InvitationRow};
use crate::domain::calendars::{NewInvitations, Respond, RsvpStatus};
use crate::domain::id::{EventId, EventInvitationId};
use crate::domain::time::UtcMillis;
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::event_invitations as service;

api_module![list_invitations, create_invitations, get_invitation, respond_to_invitation, delete_invitation];

/// An invitation as its invitee sees it, with the event it is to.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    pub id: EventInvitationId,
    pub event_id: EventId,
    pub status: RsvpStatus,
    pub title: String,
    pub location: String,
    pub all_day: bool,
    /// Timed events: the (first) start and end.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub start: Option<UtcMillis>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub end: Option<UtcMillis>,
    /// All-day events: `YYYY-MM-DD`, end exclusive.
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub timezone: String,
    /// RRULE text for a series.
    pub recurrence: Option<String>,
    /// Who organises it (null once their account is gone).
    pub organiser: Option<UserView>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub responded_at: Option<UtcMillis>,
}

impl From<InvitationRow> for InvitationView {
    fn from(row: InvitationRow) -> Self {
        let organiser = match (row.organiser_id, row.organiser_username) {
            (Some(id), Some(username)) => {
                Some(UserView { id, username, display_name: row.organiser_display_name.unwrap_or_default() })
            }
            _ => None,
        };
        Self {
            id: row.id,
            event_id: row.event_id,
            status: RsvpStatus::from_db(&row.status),
            title: row.title,
            location: row.location,
            all_day: row.all_day.get(),
            start: row.start_at.map(UtcMillis),
            end: row.end_at.map(UtcMillis),
            start_date: row.start_date,
            end_date: row.end_date,
            timezone: row.timezone,
            recurrence: row.recurrence,
            organiser,
            created_at: UtcMillis(row.created_at),
            responded_at: row.responded_at.map(UtcMillis),
        }
    }
}

/// An invitation as the event's organiser and writers see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct GuestView {
    pub id: EventInvitationId,
    pub user: UserView,
    pub status: RsvpStatus,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub responded_at: Option<UtcMillis>,
}

impl From<GuestRow> for GuestView {
    fn from(row: GuestRow) -> Self {
        Self {
            id: row.id,
            user: UserView { id: row.user_id, username: row.username, display_name: row.display_name },
            status: RsvpStatus::from_db(&row.status),
            created_at: UtcMillis(row.created_at),
            responded_at: row.responded_at.map(UtcMillis),
        }
    }
}

/// What an invite request answers: the named users' invitations.
#[derive(Debug, Serialize, ToSchema)]
pub struct Invited {
    pub items: Vec<GuestView>,
}

#[utoipa::path(tag = "event-invitations",
    params(("status" = Option<String>, Query, description = "pending, accepted, tentative or declined; all when absent"),
           ("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<InvitationView>, description = "your invitations, soonest event first"),
              (status = 422, description = "a bad status")))]
#[get("/api/event-invitations?<status>&<limit>&<offset>")]
pub async fn list_invitations(
    state: &State<AppState>,
    user: UnlockedUser,
    status: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<InvitationView>>> {
    let paging = Paging::parse(limit, offset)?;
    let status = status
        .map(|text| {
            RsvpStatus::parse(text)
                .ok_or_else(|| ApiError::invalid_field("status", "must be pending, accepted, tentative or declined"))
        })
        .transpose()?;
    let (rows, total) =
        service::list(state.context().await?, user.0.user_id, status, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(rows.into_iter().map(InvitationView::from).collect(), total)))
}

/// Invites connected users (connected to you and to the event's organiser): all or none.
#[utoipa::path(tag = "event-invitations", request_body = NewInvitations,
    responses((status = 201, body = Invited), (status = 403, description = "you may only read this event"),
              (status = 404, description = "no such event you can see"),
              (status = 422, description = "names that cannot be invited (each `usernames[i]`), or bad input")))]
#[post("/api/event-invitations", data = "<body>")]
pub async fn create_invitations(
    state: &State<AppState>,
    user: UnlockedUser,
    body: JsonBody<NewInvitations>,
) -> ApiResult<(Status, Json<Invited>)> {
    let rows = service::invite(state.context().await?, user.0.user_id, body.0).await?;
    Ok((Status::Created, Json(Invited { items: rows.into_iter().map(GuestView::from).collect() })))
}

#[utoipa::path(tag = "event-invitations", params(("id" = i64, Path)),
    responses((status = 200, body = InvitationView), (status = 404, description = "no such invitation of yours")))]
#[get("/api/event-invitations/<id>")]
pub async fn get_invitation(
    state: &State<AppState>,
    user: UnlockedUser,
    id: EventInvitationId,
) -> ApiResult<Json<InvitationView>> {
    Ok(Json(service::get(state.context().await?, user.0.user_id, id).await?.into()))
}

/// Answers an invitation; the organiser is told.
#[utoipa::path(tag = "event-invitations", params(("id" = i64, Path)), request_body = Respond,
    responses((status = 200, body = InvitationView), (status = 404, description = "no such invitation of yours"),
              (status = 422, description = "status must be accepted, tentative or declined")))]
#[post("/api/event-invitations/<id>/respond", data = "<body>")]
pub async fn respond_to_invitation(
    state: &State<AppState>,
    user: UnlockedUser,
    id: EventInvitationId,
    body: JsonBody<Respond>,
) -> ApiResult<Json<InvitationView>> {
    Ok(Json(service::respond(state.context().await?, user.0.user_id, id, body.0.status).await?.into()))
}

/// Withdraws an invitation (those who may write the event).
#[utoipa::path(tag = "event-invitations", params(("id" = i64, Path)),
    responses((status = 204, description = "withdrawn"), (status = 403, description = "the invitee: decline instead"),
              (status = 404, description = "no such invitation you can see")))]
#[delete("/api/event-invitations/<id>")]
pub async fn delete_invitation(
    state: &State<AppState>,
    user: UnlockedUser,
    id: EventInvitationId,
) -> ApiResult<Status> {
    service::withdraw(state.context().await?, user.0.user_id, id).await?;
    Ok(Status::NoContent)
}
