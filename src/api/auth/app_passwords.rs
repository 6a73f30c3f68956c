//! `/api/auth/app-passwords`: the signed-in user's per-device passwords for CalDAV/CardDAV
//! clients (`service::app_passwords`). Creating one needs a recent re-authentication, like
//! adding a passkey: a stolen cookie alone must not mint a lasting credential. The secret is
//! in the creation answer only.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::auth::session::RequestOrigin;
use crate::db::app_passwords::{self as store, AppPasswordRow};
use crate::domain::id::AppPasswordId;
use crate::domain::time::UtcMillis;
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::Caller;
use crate::service::app_passwords::{self as service, AppPasswordError};

#[derive(Debug, Serialize, ToSchema)]
pub struct AppPasswordView {
    pub id: AppPasswordId,
    pub name: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<UtcMillis>,
}

impl From<&AppPasswordRow> for AppPasswordView {
    fn from(row: &AppPasswordRow) -> Self {
        Self {
            id: row.id,
            name: row.name.clone(),
            created_at: UtcMillis(row.created_at),
            last_used_at: row.last_used_at.map(UtcMillis),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAppPassword {
    /// What the device is, e.g. "Anna's phone" (1–64 characters).
    pub name: String,
}

/// A new app password: `password` is shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedAppPassword {
    pub id: AppPasswordId,
    pub name: String,
    pub password: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
}

pub fn app_password_error(error: AppPasswordError) -> ApiError {
    match error {
        AppPasswordError::Name => {
            ApiError::invalid_field("name", "Give the device a name of 1 to 64 characters, on one line.")
        }
        AppPasswordError::TooMany => ApiError::conflict(format!(
            "An account may have at most {} app passwords: revoke one you no longer use.",
            service::MAX_PER_USER
        )),
        AppPasswordError::NotFound => ApiError::not_found(),
        AppPasswordError::Db(error) => error.into(),
    }
}

#[utoipa::path(tag = "auth",
    params(("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<AppPasswordView>)))]
#[get("/api/auth/app-passwords?<limit>&<offset>")]
pub async fn list_app_passwords(
    state: &State<AppState>,
    user: UnlockedUser,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<AppPasswordView>>> {
    let paging = Paging::parse(limit, offset)?;
    let (rows, total) = store::page_for_user(state.db.pool(), user.0.user_id, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(rows.iter().map(AppPasswordView::from).collect(), total)))
}

#[utoipa::path(tag = "auth", request_body = NewAppPassword,
    responses((status = 201, body = CreatedAppPassword),
        (status = 403, description = "re-authenticate first (POST /api/auth/reauth)"),
        (status = 409, description = "the account has the most app passwords it may have"),
        (status = 422, description = "the name is not 1–64 characters")))]
#[post("/api/auth/app-passwords", data = "<body>")]
pub async fn create_app_password(
    state: &State<AppState>,
    origin: RequestOrigin,
    user: UnlockedUser,
    body: JsonBody<NewAppPassword>,
) -> ApiResult<(Status, Json<CreatedAppPassword>)> {
    let user = user.0;
    if !user.recently_reauthenticated(state.clock.now()) {
        return Err(ApiError::reauth_required());
    }
    let caller = Caller::user(user.user_id, &user.username, &origin);
    let created = service::create(state.context().await?, &caller, user.user_id, &user.username, &body.0.name)
        .await
        .map_err(app_password_error)?;
    let row = created.row;
    let view = CreatedAppPassword {
        id: row.id,
        name: row.name,
        password: created.password,
        created_at: UtcMillis(row.created_at),
    };
    Ok((Status::Created, Json(view)))
}

#[utoipa::path(tag = "auth", params(("id" = i64, Path)),
    responses((status = 204, description = "revoked: the next request with it fails"),
        (status = 404, description = "no such app password of yours")))]
#[delete("/api/auth/app-passwords/<id>")]
pub async fn revoke_app_password(
    state: &State<AppState>,
    origin: RequestOrigin,
    user: UnlockedUser,
    id: AppPasswordId,
) -> ApiResult<Status> {
    let user = user.0;
    let caller = Caller::user(user.user_id, &user.username, &origin);
    service::revoke(state.context().await?, &caller, user.user_id, &user.username, id)
        .await
        .map_err(app_password_error)?;
    Ok(Status::NoContent)
}
