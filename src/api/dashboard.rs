//! `GET /api/dashboard`: the signed-in user's day at a glance, in their time zone (see
//! `service::dashboard`). HTTP only.

use rocket::serde::json::Json;
use rocket::{State, get};

use crate::auth::guards::UnlockedUser;
use crate::error::{ApiError, ApiResult};
use crate::outbound::Requester;
use crate::server::AppState;
use crate::service::dashboard::{self as service, DashboardError, DashboardView};

api_module![get_dashboard];

impl From<DashboardError> for ApiError {
    fn from(error: DashboardError) -> Self {
        match error {
            DashboardError::Db(error) => error.into(),
        }
    }
}

#[utoipa::path(tag = "dashboard", responses((status = 200, body = DashboardView)))]
#[get("/api/dashboard")]
pub async fn get_dashboard(state: &State<AppState>, user: UnlockedUser) -> ApiResult<Json<DashboardView>> {
    let who = Requester::user(user.0.user_id, &user.0.username);
    let view =
        service::dashboard(state.context().await?, &state.dashboard_events, &state.weather, &who, user.0.user_id)
            .await?;
    Ok(Json(view))
}
