//! `/api/shared-calendars`: offering a calendar to a connected user, the incoming and
//! outgoing lists, accept and decline, level changes, revoking and leaving. Every route takes
//! `UnlockedUser`; a share the caller is neither the member of nor manages is 404, and so is
//! offering a calendar to anyone who is not a connection (one body, whoever the name is).

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, patch, post};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::calendars::UserView;
use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::db::calendar_shares::ShareRow;
use crate::domain::calendars::{NewShare, ShareDirection, ShareLevel, SharePatch};
use crate::domain::id::{CalendarId, CalendarShareId};
use crate::domain::time::UtcMillis;
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::calendar_shares as service;

api_module![list_shares, create_share, update_share, delete_share, accept_share, decline_share];

/// A share as its member and the calendar's managers see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShareView {
    pub id: CalendarShareId,
    pub calendar_id: CalendarId,
    pub calendar_name: String,
    /// The calendar's colour, `#RRGGBB`.
    pub calendar_colour: String,
    pub owner: UserView,
    /// Who it is shared with.
    pub member: UserView,
    /// Who offered it (null once their account is gone).
    pub shared_by: Option<String>,
    pub level: ShareLevel,
    /// `pending` until the member accepts, then `accepted`.
    pub status: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub accepted_at: Option<UtcMillis>,
}

impl From<ShareRow> for ShareView {
    fn from(row: ShareRow) -> Self {
        Self {
            id: row.id,
            calendar_id: row.calendar_id,
            calendar_name: row.calendar_name,
            calendar_colour: row.calendar_colour,
            owner: UserView { id: row.owner_id, username: row.owner_username, display_name: row.owner_display_name },
            member: UserView {
                id: row.member_id,
                username: row.member_username,
                display_name: row.member_display_name,
            },
            shared_by: row.shared_by_username,
            level: ShareLevel::parse(&row.level).unwrap_or(ShareLevel::Read),
            status: row.status,
            created_at: UtcMillis(row.created_at),
            accepted_at: row.accepted_at.map(UtcMillis),
        }
    }
}

#[utoipa::path(tag = "shared-calendars",
    params(("direction" = Option<String>, Query, description = "incoming (default: offered to you) or outgoing (of calendars you manage)"),
           ("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<ShareView>, description = "newest first"), (status = 422, description = "a bad direction")))]
#[get("/api/shared-calendars?<direction>&<limit>&<offset>")]
pub async fn list_shares(
    state: &State<AppState>,
    user: UnlockedUser,
    direction: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<ShareView>>> {
    let paging = Paging::parse(limit, offset)?;
    let direction = ShareDirection::parse(direction.unwrap_or("incoming"))
        .ok_or_else(|| ApiError::invalid_field("direction", "must be incoming or outgoing"))?;
    let (rows, total) =
        service::list(state.context().await?, user.0.user_id, direction, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(rows.into_iter().map(ShareView::from).collect(), total)))
}

/// Offers a calendar you own or manage to one of your connections (who must also be connected
/// to its owner). Anyone else, whoever the name belongs to, is the same 404.
#[utoipa::path(tag = "shared-calendars", request_body = NewShare,
    responses((status = 201, body = ShareView), (status = 403, description = "you may not share this calendar"),
              (status = 404, description = "no such calendar you can see, or the user is not a connection"),
              (status = 409, description = "already shared with that user"), (status = 422, description = "invalid input")))]
#[post("/api/shared-calendars", data = "<body>")]
pub async fn create_share(
    state: &State<AppState>,
    user: UnlockedUser,
    body: JsonBody<NewShare>,
) -> ApiResult<(Status, Json<ShareView>)> {
    let row = service::share(state.context().await?, user.0.user_id, body.0).await?;
    Ok((Status::Created, Json(row.into())))
}

/// The owner (any share) or a manager (read and write shares, up to manage) changes the level.
#[utoipa::path(tag = "shared-calendars", params(("id" = i64, Path)), request_body = SharePatch,
    responses((status = 200, body = ShareView), (status = 403, description = "not allowed to change this share"),
              (status = 404, description = "no such share you can see")))]
#[patch("/api/shared-calendars/<id>", data = "<body>")]
pub async fn update_share(
    state: &State<AppState>,
    user: UnlockedUser,
    id: CalendarShareId,
    body: JsonBody<SharePatch>,
) -> ApiResult<Json<ShareView>> {
    Ok(Json(service::set_level(state.context().await?, user.0.user_id, id, body.0.level).await?.into()))
}

/// Revokes the share (owner, or a manager for read and write shares) or leaves it (member).
#[utoipa::path(tag = "shared-calendars", params(("id" = i64, Path)),
    responses((status = 204, description = "the share is gone; access ends with the next request"),
              (status = 403, description = "not allowed to revoke this share"),
              (status = 404, description = "no such share you can see")))]
#[delete("/api/shared-calendars/<id>")]
pub async fn delete_share(state: &State<AppState>, user: UnlockedUser, id: CalendarShareId) -> ApiResult<Status> {
    service::revoke(state.context().await?, user.0.user_id, id).await?;
    Ok(Status::NoContent)
}

#[utoipa::path(tag = "shared-calendars", params(("id" = i64, Path)),
    responses((status = 200, body = ShareView), (status = 403, description = "you manage it; only its member accepts"),
              (status = 404, description = "no such share of yours")))]
#[post("/api/shared-calendars/<id>/accept")]
pub async fn accept_share(
    state: &State<AppState>,
    user: UnlockedUser,
    id: CalendarShareId,
) -> ApiResult<Json<ShareView>> {
    Ok(Json(service::accept(state.context().await?, user.0.user_id, id).await?.into()))
}

#[utoipa::path(tag = "shared-calendars", params(("id" = i64, Path)),
    responses((status = 204, description = "declined: the share is deleted"),
              (status = 403, description = "you manage it; revoke it instead"),
              (status = 404, description = "no such share of yours")))]
#[post("/api/shared-calendars/<id>/decline")]
pub async fn decline_share(state: &State<AppState>, user: UnlockedUser, id: CalendarShareId) -> ApiResult<Status> {
    service::decline(state.context().await?, user.0.user_id, id).await?;
    Ok(Status::NoContent)
}
