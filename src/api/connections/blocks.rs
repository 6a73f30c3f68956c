//! Blocks: keep a username's connection requests out. A block is by name, so blocking answers
//! the same (201 with the block) and lists the same whether or not the name has an account.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::db::connections::BlockRow;
use crate::domain::connections::NewBlock;
use crate::domain::id::ConnectionBlockId;
use crate::domain::time::UtcMillis;
use crate::error::ApiResult;
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::connections::{self as service, Me};

#[derive(Debug, Serialize, ToSchema)]
pub struct BlockView {
    pub id: ConnectionBlockId,
    /// The blocked name, lower-case.
    pub username: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
}

impl From<BlockRow> for BlockView {
    fn from(row: BlockRow) -> Self {
        Self { id: row.id, username: row.username, created_at: UtcMillis(row.created_at) }
    }
}

#[utoipa::path(tag = "connections", request_body = NewBlock,
    responses((status = 201, body = BlockView,
               description = "blocked (blocking a name again answers the same block); any request or connection with its user is removed"),
              (status = 409, description = "you block the most names allowed (1,000) already"),
              (status = 422, description = "not a well-formed username")))]
#[post("/api/connections/blocks", data = "<body>")]
pub async fn create_block(
    state: &State<AppState>,
    user: UnlockedUser,
    body: JsonBody<NewBlock>,
) -> ApiResult<(Status, Json<BlockView>)> {
    let me = Me { id: user.0.user_id, username: &user.0.username };
    let row = service::block(state.context().await?, me, body.0).await?;
    Ok((Status::Created, Json(row.into())))
}

#[utoipa::path(tag = "connections",
    params(("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<BlockView>, description = "by username")))]
#[get("/api/connections/blocks?<limit>&<offset>")]
pub async fn list_blocks(
    state: &State<AppState>,
    user: UnlockedUser,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<BlockView>>> {
    let paging = Paging::parse(limit, offset)?;
    let (rows, total) = service::blocks(state.context().await?, user.0.user_id, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(rows.into_iter().map(BlockView::from).collect(), total)))
}

#[utoipa::path(tag = "connections", params(("id" = i64, Path)),
    responses((status = 204, description = "unblocked"), (status = 404, description = "no such block of yours")))]
#[delete("/api/connections/blocks/<id>")]
pub async fn delete_block(state: &State<AppState>, user: UnlockedUser, id: ConnectionBlockId) -> ApiResult<Status> {
    service::unblock(state.context().await?, user.0.user_id, id).await?;
    Ok(Status::NoContent)
}
