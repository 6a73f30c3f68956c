//! Weather as values, no I/O: units, the cache key (a location rounded to 2 decimals, about
//! a kilometre, so neighbours share one provider request), the provider's JSON (Open-Meteo's
//! forecast and geocoding answers) parsed into typed structs, the WMO weather code mapped to
//! a label and an icon, and the answer `GET /api/weather` gives (`WeatherView`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::time::UtcMillis;

/// How long a fetched forecast counts as fresh.
pub const FRESH_MS: i64 = 30 * 60_000;
/// How long a refresh claim holds (another process may take over after it), which is also
/// how long retries wait after a failed fetch.
pub const CLAIM_MS: i64 = 60_000;
/// The longest place name accepted for geocoding.
pub const PLACE_MAX: usize = 120;

pub const DEFAULT_BASE_URL: &str = "https://api.open-meteo.com";
pub const DEFAULT_GEOCODING_URL: &str = "https://geocoding-api.open-meteo.com";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Units {
    #[default]
    Metric,
    Imperial,
}

impl Units {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Metric => "metric",
            Self::Imperial => "imperial",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "metric" => Some(Self::Metric),
            "imperial" => Some(Self::Imperial),
            _ => None,
        }
    }
}

/// Where a user's weather is for. Coordinates are plain degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
}

/// Coordinates compare by value; they are always finite (checked on the way in).
impl Eq for Coordinates {}

impl Coordinates {
    /// Checked: finite, latitude within ±90 and longitude within ±180.
    pub fn new(latitude: f64, longitude: f64) -> Result<Self, (&'static str, &'static str)> {
        if !latitude.is_finite() || !(-90.0..=90.0).contains(&latitude) {
            return Err(("weather_latitude", "must be between -90 and 90"));
        }
        if !longitude.is_finite() || !(-180.0..=180.0).contains(&longitude) {
            return Err(("weather_longitude", "must be between -180 and 180"));
        }
        Ok(Self { latitude, longitude })
    }
}

/// The cache key: hundredths of a degree (exact integers, so two users a few hundred metres
/// apart share one row) and units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheKey {
    pub latitude: i64,
    pub longitude: i64,
    pub units: Units,
}

impl CacheKey {
    pub fn of(at: Coordinates, units: Units) -> Self {
        Self { latitude: hundredths(at.latitude), longitude: hundredths(at.longitude), units }
    }

    /// The rounded coordinates as the provider is asked for them (`52.52`).
    pub fn latitude_text(self) -> String {
        decimal(self.latitude)
    }

    pub fn longitude_text(self) -> String {
        decimal(self.longitude)
    }
}

fn hundredths(degrees: f64) -> i64 {
    (degrees * 100.0).round() as i64
}

fn decimal(hundredths: i64) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let value = hundredths.unsigned_abs();
    format!("{sign}{}.{:02}", value / 100, value % 100)
}

/// The forecast request's path and query for a key (after the base URL).
pub fn forecast_path(key: CacheKey) -> String {
    let mut path = format!(
        "/v1/forecast?latitude={}&longitude={}\
         &current=temperature_2m,apparent_temperature,weather_code,wind_speed_10m,precipitation_probability\
         &daily=weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max\
         &forecast_days=5&timezone=auto",
        key.latitude_text(),
        key.longitude_text()
    );
    if key.units == Units::Imperial {
        path.push_str("&temperature_unit=fahrenheit&wind_speed_unit=mph");
    }
    path
}

/// The geocoding request's path and query for a place name.
pub fn geocoding_path(name: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
    format!("/v1/search?name={encoded}&count=1")
}

/// The icons the UI has, one per family of WMO codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Icon {
    Clear,
    PartlyCloudy,
    Cloudy,
    Fog,
    Drizzle,
    Rain,
    Snow,
    Showers,
    Thunderstorm,
    Unknown,
}

/// A WMO weather interpretation code (as Open-Meteo sends it) in words, with its icon.
pub fn describe(code: i64) -> (&'static str, Icon) {
    match code {
        0 => ("Clear sky", Icon::Clear),
        1 => ("Mainly clear", Icon::PartlyCloudy),
        2 => ("Partly cloudy", Icon::PartlyCloudy),
        3 => ("Overcast", Icon::Cloudy),
        45 => ("Fog", Icon::Fog),
        48 => ("Depositing rime fog", Icon::Fog),
        51 => ("Light drizzle", Icon::Drizzle),
        53 => ("Drizzle", Icon::Drizzle),
        55 => ("Dense drizzle", Icon::Drizzle),
        56 | 57 => ("Freezing drizzle", Icon::Drizzle),
        61 => ("Light rain", Icon::Rain),
        63 => ("Rain", Icon::Rain),
        65 => ("Heavy rain", Icon::Rain),
        66 | 67 => ("Freezing rain", Icon::Rain),
        71 => ("Light snow", Icon::Snow),
        73 => ("Snow", Icon::Snow),
        75 => ("Heavy snow", Icon::Snow),
        77 => ("Snow grains", Icon::Snow),
        80 => ("Light rain showers", Icon::Showers),
        81 => ("Rain showers", Icon::Showers),
        82 => ("Violent rain showers", Icon::Showers),
        85 | 86 => ("Snow showers", Icon::Snow),
        95 => ("Thunderstorm", Icon::Thunderstorm),
        96 | 99 => ("Thunderstorm with hail", Icon::Thunderstorm),
        _ => ("Unknown", Icon::Unknown),
    }
}

/// Conditions now, as cached (numbers only; words and icons are derived when shown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Now {
    pub temperature: Option<f64>,
    pub apparent_temperature: Option<f64>,
    pub precipitation_probability: Option<f64>,
    pub wind_speed: Option<f64>,
    pub code: i64,
}

/// One forecast day, as cached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Day {
    pub date: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub precipitation_probability: Option<f64>,
    pub code: i64,
}

/// What one successful forecast request gave: what the cache stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    pub current: Now,
    pub daily: Vec<Day>,
}

/// Open-Meteo's forecast answer (the parts asked for). Values may be null.
#[derive(Debug, Deserialize)]
struct ProviderForecast {
    current: ProviderCurrent,
    daily: ProviderDaily,
}

#[derive(Debug, Deserialize)]
struct ProviderCurrent {
    temperature_2m: Option<f64>,
    apparent_temperature: Option<f64>,
    weather_code: Option<f64>,
    wind_speed_10m: Option<f64>,
    precipitation_probability: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct ProviderDaily {
    time: Vec<String>,
    weather_code: Vec<Option<f64>>,
    temperature_2m_max: Vec<Option<f64>>,
    temperature_2m_min: Vec<Option<f64>>,
    precipitation_probability_max: Vec<Option<f64>>,
}

/// The provider's forecast JSON as a `Forecast`; `None` when it is not the expected shape
/// (a provider failure, never the user's).
pub fn parse_forecast(body: &[u8]) -> Option<Forecast> {
    let answer: ProviderForecast = serde_json::from_slice(body).ok()?;
    let daily = answer.daily;
    let days = daily.time.len();
    let lengths = [
        daily.weather_code.len(),
        daily.temperature_2m_max.len(),
        daily.temperature_2m_min.len(),
        daily.precipitation_probability_max.len(),
    ];
    if days == 0
        || lengths.iter().any(|&n| n != days)
        || daily.time.iter().any(|d| crate::domain::time::parse_date(d).is_none())
    {
        return None;
    }
    let code = |value: Option<f64>| value.map_or(-1, |c| c as i64);
    let current = answer.current;
    Some(Forecast {
        current: Now {
            temperature: current.temperature_2m,
            apparent_temperature: current.apparent_temperature,
            precipitation_probability: current.precipitation_probability,
            wind_speed: current.wind_speed_10m,
            code: code(current.weather_code),
        },
        daily: (0..days.min(5))
            .map(|i| Day {
                date: daily.time[i].clone(),
                min: daily.temperature_2m_min[i],
                max: daily.temperature_2m_max[i],
                precipitation_probability: daily.precipitation_probability_max[i],
                code: code(daily.weather_code[i]),
            })
            .collect(),
    })
}

/// Checks a place name before it is looked up.
pub fn check_place(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > PLACE_MAX || text.chars().any(char::is_control) {
        return Err(format!("must be a place name of 1 to {PLACE_MAX} characters"));
    }
    Ok(text.to_string())
}

/// A place the geocoder found.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// "Berlin, Germany".
    pub name: String,
    pub at: Coordinates,
}

#[derive(Debug, Deserialize)]
struct ProviderSearch {
    #[serde(default)]
    results: Vec<ProviderPlace>,
}

#[derive(Debug, Deserialize)]
struct ProviderPlace {
    name: String,
    latitude: f64,
    longitude: f64,
    #[serde(default)]
    country: Option<String>,
}

/// A provider answer that is not the expected shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreadable;

/// The geocoder's answer: `Ok(None)` when it found nothing.
pub fn parse_search(body: &[u8]) -> Result<Option<Place>, Unreadable> {
    let answer: ProviderSearch = serde_json::from_slice(body).map_err(|_| Unreadable)?;
    let Some(first) = answer.results.into_iter().next() else {
        return Ok(None);
    };
    let at = Coordinates::new(first.latitude, first.longitude).map_err(|_| Unreadable)?;
    let name = match first.country.filter(|c| !c.is_empty()) {
        Some(country) => format!("{}, {country}", first.name),
        None => first.name,
    };
    Ok(Some(Place { name: name.chars().take(PLACE_MAX).collect(), at }))
}

/// Current conditions as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CurrentView {
    pub temperature: Option<f64>,
    pub apparent_temperature: Option<f64>,
    pub precipitation_probability: Option<f64>,
    pub wind_speed: Option<f64>,
    /// WMO weather interpretation code.
    pub code: i64,
    pub label: String,
    pub icon: Icon,
}

/// One forecast day as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayView {
    /// `YYYY-MM-DD`, in the location's own time zone.
    pub date: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub precipitation_probability: Option<f64>,
    pub code: i64,
    pub label: String,
    pub icon: Icon,
}

/// Weather the user can be shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WeatherAvailable {
    /// Always true.
    pub available: bool,
    pub place: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub units: Units,
    pub current: CurrentView,
    /// Five days, today first.
    pub daily: Vec<DayView>,
    #[schema(value_type = String, format = DateTime)]
    pub fetched_at: UtcMillis,
    /// True when the value is older than 30 minutes (the provider is being asked again, or
    /// could not be reached).
    pub stale: bool,
    pub age_seconds: i64,
}

/// No weather to show, and why (in words for the user).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WeatherUnavailable {
    /// Always false.
    pub available: bool,
    pub reason: String,
}

/// `GET /api/weather`: always answered with 200, one shape or the other.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum WeatherView {
    Available(WeatherAvailable),
    Unavailable(WeatherUnavailable),
}

impl WeatherView {
    pub fn unavailable(reason: impl Into<String>) -> Self {
        Self::Unavailable(WeatherUnavailable { available: false, reason: reason.into() })
    }

    /// A cached forecast as shown at `now`.
    pub fn of(
        forecast: &Forecast,
        fetched_at: UtcMillis,
        now: UtcMillis,
        place: Option<String>,
        at: Coordinates,
        units: Units,
    ) -> Self {
        let age = (now.0 - fetched_at.0).max(0);
        let (label, icon) = describe(forecast.current.code);
        let current = &forecast.current;
        Self::Available(WeatherAvailable {
            available: true,
            place,
            latitude: at.latitude,
            longitude: at.longitude,
            units,
            current: CurrentView {
                temperature: current.temperature,
                apparent_temperature: current.apparent_temperature,
                precipitation_probability: current.precipitation_probability,
                wind_speed: current.wind_speed,
                code: current.code,
                label: label.into(),
                icon,
            },
            daily: forecast
                .daily
                .iter()
                .map(|day| {
                    let (label, icon) = describe(day.code);
                    DayView {
                        date: day.date.clone(),
                        min: day.min,
                        max: day.max,
                        precipitation_probability: day.precipitation_probability,
                        code: day.code,
                        label: label.into(),
                        icon,
                    }
                })
                .collect(),
            fetched_at,
            stale: age >= FRESH_MS,
            age_seconds: age / 1000,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_to_two_decimals_and_print_exactly() {
        let key = CacheKey::of(Coordinates::new(52.5244, 13.4105).unwrap(), Units::Metric);
        assert_eq!((key.latitude, key.longitude), (5252, 1341));
        assert_eq!(key, CacheKey::of(Coordinates::new(52.5201, 13.4149).unwrap(), Units::Metric));
        assert_ne!(key, CacheKey::of(Coordinates::new(52.5244, 13.4105).unwrap(), Units::Imperial));
        let south = CacheKey::of(Coordinates::new(-33.8688, -0.051).unwrap(), Units::Metric);
        assert_eq!((south.latitude_text(), south.longitude_text()), ("-33.87".into(), "-0.05".into()));
        assert!(Coordinates::new(91.0, 0.0).is_err() && Coordinates::new(0.0, f64::NAN).is_err());
    }

    #[test]
    fn imperial_asks_for_fahrenheit_and_mph() {
        let at = Coordinates::new(40.71, -74.01).unwrap();
        assert!(!forecast_path(CacheKey::of(at, Units::Metric)).contains("fahrenheit"));
        let path = forecast_path(CacheKey::of(at, Units::Imperial));
        assert!(path.starts_with("/v1/forecast?latitude=40.71&longitude=-74.01&current="), "{path}");
        assert!(path.ends_with("&temperature_unit=fahrenheit&wind_speed_unit=mph"), "{path}");
        assert_eq!(geocoding_path("São Paulo & co"), "/v1/search?name=S%C3%A3o+Paulo+%26+co&count=1");
    }

    #[test]
    fn wmo_codes_map_to_labels_and_icons() {
        assert_eq!(describe(0), ("Clear sky", Icon::Clear));
        assert_eq!(describe(2).1, Icon::PartlyCloudy);
        assert_eq!(describe(45).1, Icon::Fog);
        assert_eq!(describe(55).1, Icon::Drizzle);
        assert_eq!(describe(63).1, Icon::Rain);
        assert_eq!(describe(75).1, Icon::Snow);
        assert_eq!(describe(81).1, Icon::Showers);
        assert_eq!(describe(99).1, Icon::Thunderstorm);
        assert_eq!(describe(1234), ("Unknown", Icon::Unknown));
    }

    #[test]
    fn provider_json_is_parsed_or_refused() {
        let good = br#"{"current":{"temperature_2m":3.5,"apparent_temperature":1.0,"weather_code":61,
            "wind_speed_10m":12.0,"precipitation_probability":80},
            "daily":{"time":["2027-03-28","2027-03-29"],"weather_code":[61,null],"temperature_2m_max":[8,9],
            "temperature_2m_min":[1,2],"precipitation_probability_max":[90,null]}}"#;
        let forecast = parse_forecast(good).unwrap();
        assert_eq!(forecast.current.code, 61);
        assert_eq!(forecast.daily.len(), 2);
        assert_eq!(forecast.daily[1].code, -1);
        assert!(parse_forecast(b"<html>").is_none());
        assert!(parse_forecast(br#"{"current":{},"daily":{"time":["x"],"weather_code":[1],"temperature_2m_max":[1],"temperature_2m_min":[1],"precipitation_probability_max":[1]}}"#).is_none());
        assert!(parse_forecast(br#"{"current":{},"daily":{"time":["2027-01-01"],"weather_code":[],"temperature_2m_max":[1],"temperature_2m_min":[1],"precipitation_probability_max":[1]}}"#).is_none());
        let found =
            parse_search(br#"{"results":[{"name":"Berlin","latitude":52.52,"longitude":13.41,"country":"Germany"}]}"#);
        assert_eq!(found.unwrap().unwrap().name, "Berlin, Germany");
        assert_eq!(parse_search(br#"{"generationtime_ms":0.1}"#), Ok(None));
        assert!(parse_search(b"nope").is_err());
    }
}
