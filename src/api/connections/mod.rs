//! `/api/connections`: the signed-in user's connections with other users, the requests
//! between them and the names they block. Every route takes `UnlockedUser` (401 signed out,
//! 423 locked); an id that is not the caller's (or not on the caller's side of a request) is
//! 404 on every verb, and nothing here says whether a username belongs to anyone.

pub mod blocks;
pub mod requests;

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::db::connections::PeerRow;
use crate::domain::id::{ConnectionId, UserId};
use crate::domain::time::UtcMillis;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::server::AppState;
use crate::service::connections::{self as service, ConnectionError};

api_module![
    list_connections,
    delete_connection,
    requests::create_connection_request,
    requests::list_connection_requests,
    requests::accept_connection_request,
    requests::decline_connection_request,
    requests::cancel_connection_request,
    blocks::create_block,
    blocks::list_blocks,
    blocks::delete_block,
];

/// The other user of a connection or request.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeerView {
    pub id: UserId,
    pub username: String,
    /// From their settings; empty when they set none.
    pub display_name: String,
}

/// A connection as either side sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionView {
    /// The connection's id (the request's id, kept when it was accepted).
    pub id: ConnectionId,
    pub user: PeerView,
    /// When the request was accepted.
    #[schema(value_type = String, format = DateTime)]
    pub since: UtcMillis,
}

fn peer(row: &PeerRow) -> PeerView {
    PeerView { id: row.user_id, username: row.username.clone(), display_name: row.display_name.clone() }
}

impl From<PeerRow> for ConnectionView {
    fn from(row: PeerRow) -> Self {
        Self { id: row.id, user: peer(&row), since: UtcMillis(row.at) }
    }
}

impl From<ConnectionError> for ApiError {
    fn from(error: ConnectionError) -> Self {
        match error {
            ConnectionError::NotFound => Self::not_found(),
            ConnectionError::Invalid(problems) => {
                let detail = problems
                    .iter()
                    .map(|(field, message)| format!("{field}: {message}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                let mut error = Self::new(Status::UnprocessableEntity, detail);
                error.errors = problems.into_iter().map(|(field, message)| FieldError { field, message }).collect();
                error
            }
            ConnectionError::RateLimited(retry_after) => Self::too_many_requests(retry_after),
            ConnectionError::TooManyBlocks => Self::conflict(format!(
                "You block {} names already, the most allowed. Unblock one to block another.",
                crate::domain::connections::BLOCKS_MAX
            )),
            ConnectionError::Db(error) => error.into(),
        }
    }
}

#[utoipa::path(tag = "connections",
    params(("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<ConnectionView>, description = "accepted connections, by username")))]
#[get("/api/connections?<limit>&<offset>")]
pub async fn list_connections(
    state: &State<AppState>,
    user: UnlockedUser,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<ConnectionView>>> {
    let paging = Paging::parse(limit, offset)?;
    let (rows, total) = service::list(state.context().await?, user.0.user_id, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(rows.into_iter().map(ConnectionView::from).collect(), total)))
}

#[utoipa::path(tag = "connections", params(("id" = i64, Path)),
    responses((status = 204, description = "the connection is ended for both sides"),
              (status = 404, description = "no such connection of yours")))]
#[delete("/api/connections/<id>")]
pub async fn delete_connection(state: &State<AppState>, user: UnlockedUser, id: ConnectionId) -> ApiResult<Status> {
    service::remove(state.context().await?, user.0.user_id, id).await?;
    Ok(Status::NoContent)
}
