//! `GET /api/weather`: the signed-in user's weather, always 200 (`available: false` with a
//! reason when there is none to show), and the admin's provider URLs at
//! `GET/PUT /api/admin/weather` — two `system_config` keys kept apart from
//! `/api/admin/config`, whose shape is a fixed set of scalar settings (as the outbound
//! allow-list is). HTTP only: the rules live in `service::weather`.

use rocket::serde::json::Json;
use rocket::{State, get, put};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::guards::{AdminUser, UnlockedUser};
use crate::db::weather::WeatherConfig;
use crate::domain::weather::WeatherView;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::json::JsonBody;
use crate::outbound::Requester;
use crate::server::AppState;
use crate::service::settings;
use crate::service::weather::check_base_url;

api_module![get_weather, get_weather_config, put_weather_config];

#[utoipa::path(tag = "weather", responses((status = 200, body = WeatherView,
    description = "current conditions and 5 days, or `{available: false, reason}`")))]
#[get("/api/weather")]
pub async fn get_weather(state: &State<AppState>, user: UnlockedUser) -> ApiResult<Json<WeatherView>> {
    let stored = settings::get(state.context().await?, user.0.user_id).await?;
    let who = Requester::user(user.0.user_id, &user.0.username);
    let view = state.weather.current(&who, &settings::weather_for(&stored.settings)).await?;
    Ok(Json(view))
}

/// The weather provider: Open-Meteo-compatible base URLs. An empty `weather_base_url` turns
/// weather off (no request is made); an empty `weather_geocoding_url` turns place lookups off.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeatherSettings {
    pub weather_base_url: String,
    pub weather_geocoding_url: String,
}

impl From<WeatherConfig> for WeatherSettings {
    fn from(config: WeatherConfig) -> Self {
        Self { weather_base_url: config.base_url, weather_geocoding_url: config.geocoding_url }
    }
}

#[utoipa::path(tag = "admin", responses((status = 200, body = WeatherSettings)))]
#[get("/api/admin/weather")]
pub async fn get_weather_config(state: &State<AppState>, _admin: AdminUser) -> ApiResult<Json<WeatherSettings>> {
    Ok(Json(crate::db::weather::config(state.db.pool()).await?.into()))
}

#[utoipa::path(tag = "admin", request_body = WeatherSettings,
    responses((status = 200, body = WeatherSettings), (status = 422, description = "a URL is not an http(s) URL")))]
#[put("/api/admin/weather", data = "<body>")]
pub async fn put_weather_config(
    state: &State<AppState>,
    admin: AdminUser,
    body: JsonBody<WeatherSettings>,
) -> ApiResult<Json<WeatherSettings>> {
    let mut errors = Vec::new();
    let mut check = |field: &str, text: &str| {
        check_base_url(text).unwrap_or_else(|message| {
            errors.push(FieldError { field: field.into(), message });
            String::new()
        })
    };
    let config = WeatherConfig {
        base_url: check("weather_base_url", &body.0.weather_base_url),
        geocoding_url: check("weather_geocoding_url", &body.0.weather_geocoding_url),
    };
    if let Some(first) = errors.first() {
        let mut error = ApiError::invalid_field(first.field.clone(), first.message.clone());
        error.errors = errors;
        return Err(error);
    }
    let who = Requester::user(admin.0.user_id, &admin.0.username);
    state.weather.save_config(&who, &config).await?;
    Ok(Json(config.into()))
}
