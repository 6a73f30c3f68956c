//! `/api/todos/categories`: the caller's todo categories (name unique per user regardless of
//! case, `#RRGGBB` colour). Deleting one leaves its todos uncategorised.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, patch, post};

use super::CategoryView;
use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::domain::id::TodoCategoryId;
use crate::domain::todos::{NewTodoCategory, TodoCategoryPatch};
use crate::error::ApiResult;
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::todos as service;

#[utoipa::path(tag = "todos",
    params(("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<CategoryView>)))]
#[get("/api/todos/categories?<limit>&<offset>")]
pub async fn list_categories(
    state: &State<AppState>,
    user: UnlockedUser,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<CategoryView>>> {
    let paging = Paging::parse(limit, offset)?;
    let (rows, total) =
        service::list_categories(state.context().await?, user.0.user_id, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(rows.into_iter().map(CategoryView::from).collect(), total)))
}

#[utoipa::path(tag = "todos", request_body = NewTodoCategory,
    responses((status = 201, body = CategoryView), (status = 409, description = "name taken"),
              (status = 422, description = "invalid input")))]
#[post("/api/todos/categories", data = "<body>")]
pub async fn create_category(
    state: &State<AppState>,
    user: UnlockedUser,
    body: JsonBody<NewTodoCategory>,
) -> ApiResult<(Status, Json<CategoryView>)> {
    let row = service::create_category(state.context().await?, user.0.user_id, body.0).await?;
    Ok((Status::Created, Json(row.into())))
}

#[utoipa::path(tag = "todos", params(("id" = i64, Path)), request_body = TodoCategoryPatch,
    responses((status = 200, body = CategoryView), (status = 404, description = "no such category of yours"),
              (status = 409, description = "name taken"), (status = 422, description = "invalid input")))]
#[patch("/api/todos/categories/<id>", data = "<body>")]
pub async fn update_category(
    state: &State<AppState>,
    user: UnlockedUser,
    id: TodoCategoryId,
    body: JsonBody<TodoCategoryPatch>,
) -> ApiResult<Json<CategoryView>> {
    let row = service::update_category(state.context().await?, user.0.user_id, id, body.0).await?;
    Ok(Json(row.into()))
}

#[utoipa::path(tag = "todos", params(("id" = i64, Path)),
    responses((status = 204, description = "deleted; its todos are uncategorised"),
              (status = 404, description = "no such category of yours")))]
#[delete("/api/todos/categories/<id>")]
pub async fn delete_category(state: &State<AppState>, user: UnlockedUser, id: TodoCategoryId) -> ApiResult<Status> {
    service::delete_category(state.context().await?, user.0.user_id, id).await?;
    Ok(Status::NoContent)
}
