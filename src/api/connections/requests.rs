//! Connection requests: send one by exact username (202, the same body whoever the name
//! belongs to, if anyone), list them by direction, and the receiver's accept and decline and
//! the sender's cancel.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post};
use serde::Serialize;
use utoipa::ToSchema;

use super::{ConnectionView, PeerView, peer};
use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::db::connections::{PeerRow, SentRow};
use crate::domain::connections::{Direction, NewConnectionRequest};
use crate::domain::id::ConnectionId;
use crate::domain::time::UtcMillis;
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::connections::{self as service, Me, RequestPage};

/// The one answer to a connection request, whatever became of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestReceipt {
    pub message: &'static str,
}

const RECEIPT: RequestReceipt =
    RequestReceipt { message: "If that user can receive a request from you, it has been sent." };

/// A pending request as the caller sees it. An outgoing one shows only the name the caller
/// typed: the same for a name that belongs to nobody, a disabled account, someone who
/// blocked the caller or declined, so the list says nothing about who exists. The other
/// user's id and display name appear once they accept.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionRequestView {
    pub id: ConnectionId,
    /// The sender's username (incoming), or the name as typed (outgoing).
    pub username: String,
    /// The sender of an incoming request; absent on outgoing ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<PeerView>,
    /// `incoming` or `outgoing`.
    pub direction: &'static str,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
}

fn incoming_view(row: &PeerRow) -> ConnectionRequestView {
    ConnectionRequestView {
        id: row.id,
        username: row.username.clone(),
        user: Some(peer(row)),
        direction: Direction::Incoming.as_str(),
        created_at: UtcMillis(row.at),
    }
}

fn outgoing_view(row: SentRow) -> ConnectionRequestView {
    ConnectionRequestView {
        id: row.id,
        username: row.username,
        user: None,
        direction: Direction::Outgoing.as_str(),
        created_at: UtcMillis(row.created_at),
    }
}

#[utoipa::path(tag = "connections", request_body = NewConnectionRequest,
    responses((status = 202, body = RequestReceipt,
               description = "the same answer whether the name exists, is you, is already connected or has blocked you"),
              (status = 422, description = "not a well-formed username"),
              (status = 429, description = "too many requests sent this hour (Retry-After)")))]
#[post("/api/connections", data = "<body>")]
pub async fn create_connection_request(
    state: &State<AppState>,
    user: UnlockedUser,
    body: JsonBody<NewConnectionRequest>,
) -> ApiResult<(Status, Json<RequestReceipt>)> {
    let me = Me { id: user.0.user_id, username: &user.0.username };
    service::request(state.context().await?, me, body.0).await?;
    Ok((Status::Accepted, Json(RECEIPT)))
}

#[utoipa::path(tag = "connections",
    params(("direction" = Option<String>, Query, description = "incoming (default) or outgoing"),
        ("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<ConnectionRequestView>, description = "pending requests, newest first"),
              (status = 422, description = "a parameter does not parse")))]
#[get("/api/connections/requests?<direction>&<limit>&<offset>")]
pub async fn list_connection_requests(
    state: &State<AppState>,
    user: UnlockedUser,
    direction: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<ConnectionRequestView>>> {
    let paging = Paging::parse(limit, offset)?;
    let direction = Direction::parse(direction.unwrap_or("incoming"))
        .ok_or_else(|| ApiError::invalid_field("direction", "must be incoming or outgoing"))?;
    let page =
        service::requests(state.context().await?, user.0.user_id, direction, paging.limit, paging.offset).await?;
    Ok(Json(match page {
        RequestPage::Incoming(rows, total) => paging.page(rows.iter().map(incoming_view).collect(), total),
        RequestPage::Outgoing(rows, total) => paging.page(rows.into_iter().map(outgoing_view).collect(), total),
    }))
}

#[utoipa::path(tag = "connections", params(("id" = i64, Path)),
    responses((status = 200, body = ConnectionView, description = "connected; the sender is notified"),
              (status = 404, description = "no pending request to you with this id")))]
#[post("/api/connections/requests/<id>/accept")]
pub async fn accept_connection_request(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ConnectionId,
) -> ApiResult<Json<ConnectionView>> {
    Ok(Json(service::accept(state.context().await?, user.0.user_id, id).await?.into()))
}

#[utoipa::path(tag = "connections", params(("id" = i64, Path)),
    responses((status = 204, description = "declined: gone from your list; the sender's list shows it unchanged"),
              (status = 404, description = "no pending request to you with this id")))]
#[post("/api/connections/requests/<id>/decline")]
pub async fn decline_connection_request(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ConnectionId,
) -> ApiResult<Status> {
    service::decline(state.context().await?, user.0.user_id, id).await?;
    Ok(Status::NoContent)
}

#[utoipa::path(tag = "connections", params(("id" = i64, Path)),
    responses((status = 204, description = "withdrawn (whether or not it reached anyone)"),
              (status = 404, description = "no pending request of yours with this id")))]
#[delete("/api/connections/requests/<id>")]
pub async fn cancel_connection_request(
    state: &State<AppState>,
    user: UnlockedUser,
    id: ConnectionId,
) -> ApiResult<Status> {
    service::cancel(state.context().await?, user.0.user_id, id).await?;
    Ok(Status::NoContent)
}
