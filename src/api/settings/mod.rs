//! `/api/settings`: the signed-in user's own settings (`GET`, partial `PATCH`) and the ntfy
//! test push. HTTP only: the rules live in `domain::user_settings` and `service::settings`.
//! The ntfy token is write-only: answers say `ntfy_token_set`, never the token.

use std::collections::BTreeMap;

use rocket::serde::json::Json;
use rocket::{State, get, patch, post};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::guards::UnlockedUser;
use crate::domain::user_settings::{DateFormat, QuietHoursBody, SettingsPatch, Theme, TimeFormat, WeekStart};
use crate::domain::weather::Units;
use crate::error::ApiResult;
use crate::http::json::JsonBody;
use crate::outbound::Requester;
use crate::server::AppState;
use crate::service::settings::{self as service, Stored, TestOutcome};

api_module![get_settings, update_settings, test_ntfy];

/// A user's settings as they see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsView {
    /// Shown instead of the username where set; empty when not.
    pub display_name: String,
    /// IANA time zone; null until set (the app sets the browser's at the first sign-in).
    pub timezone: Option<String>,
    pub week_start: WeekStart,
    pub date_format: DateFormat,
    pub time_format: TimeFormat,
    pub theme: Theme,
    pub quiet_hours: Option<QuietHoursBody>,
    pub ntfy_server: Option<String>,
    pub ntfy_topic: Option<String>,
    /// Whether an ntfy access token is stored (the token is never returned).
    pub ntfy_token_set: bool,
    /// Push priority (1..5) per notification type.
    pub ntfy_priority: BTreeMap<String, u8>,
    /// How long before a todo's due time its alert comes.
    pub todo_due_alert_minutes: i64,
    /// Where the weather is for (both or neither).
    pub weather_latitude: Option<f64>,
    pub weather_longitude: Option<f64>,
    /// The place name the coordinates were looked up for; null when they were typed.
    pub weather_place: Option<String>,
    pub units: Units,
}

impl From<Stored> for SettingsView {
    fn from(stored: Stored) -> Self {
        let settings = stored.settings;
        Self {
            display_name: settings.display_name,
            timezone: settings.timezone.map(|z| z.name().to_string()),
            week_start: settings.week_start,
            date_format: settings.date_format,
            time_format: settings.time_format,
            theme: settings.theme,
            quiet_hours: settings.quiet_hours.map(|q| q.body()),
            ntfy_server: settings.ntfy_server,
            ntfy_topic: settings.ntfy_topic,
            ntfy_token_set: stored.ntfy_token_set,
            ntfy_priority: settings.ntfy_priority,
            todo_due_alert_minutes: settings.todo_due_alert_minutes,
            weather_latitude: settings.weather_at.map(|at| at.latitude),
            weather_longitude: settings.weather_at.map(|at| at.longitude),
            weather_place: settings.weather_place,
            units: settings.units,
        }
    }
}

/// The outcome of a test push. `error` names the rule that refused the URL or what failed;
/// it never carries what the ntfy server answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct NtfyTestView {
    pub delivered: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl From<TestOutcome> for NtfyTestView {
    fn from(outcome: TestOutcome) -> Self {
        Self { delivered: outcome.delivered, status: outcome.status, error: outcome.error }
    }
}

#[utoipa::path(tag = "settings", responses((status = 200, body = SettingsView)))]
#[get("/api/settings")]
pub async fn get_settings(state: &State<AppState>, user: UnlockedUser) -> ApiResult<Json<SettingsView>> {
    Ok(Json(service::get(state.context().await?, user.0.user_id).await?.into()))
}

#[utoipa::path(tag = "settings", request_body = SettingsPatch,
    responses((status = 200, body = SettingsView),
        (status = 422, description = "a value is invalid, the outbound rules refuse the ntfy server (the rule is named), or the weather place cannot be looked up")))]
#[patch("/api/settings", data = "<body>")]
pub async fn update_settings(
    state: &State<AppState>,
    user: UnlockedUser,
    body: JsonBody<SettingsPatch>,
) -> ApiResult<Json<SettingsView>> {
    let who = Requester::user(user.0.user_id, &user.0.username);
    let stored = service::update(
        state.context().await?,
        &state.outbound,
        &state.weather,
        &state.secrets,
        &who,
        user.0.user_id,
        body.0,
    )
    .await?;
    Ok(Json(stored.into()))
}

#[utoipa::path(tag = "settings",
    responses((status = 200, body = NtfyTestView), (status = 422, description = "no ntfy server and topic saved yet")))]
#[post("/api/settings/ntfy/test")]
pub async fn test_ntfy(state: &State<AppState>, user: UnlockedUser) -> ApiResult<Json<NtfyTestView>> {
    let who = Requester::user(user.0.user_id, &user.0.username);
    let click =
        state.config.public_url.as_deref().map(|base| format!("{}/settings/notifications", base.trim_end_matches('/')));
    let outcome =
        service::send_test(state.context().await?, &state.ntfy, &state.secrets, &who, user.0.user_id, click).await?;
    Ok(Json(outcome.into()))
}
