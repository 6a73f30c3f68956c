//! Weather rows: the admin's provider URLs (two `system_config` keys; absent = the public
//! Open-Meteo URLs) and `weather_cache`, shared by every user and server process, with the
//! claim that lets one process at a time refresh a key.

use sqlx::{Any, Executor, FromRow};

use super::system_config;
use crate::domain::weather::{CLAIM_MS, CacheKey, DEFAULT_BASE_URL, DEFAULT_GEOCODING_URL};

pub const BASE_URL_KEY: &str = "weather_base_url";
pub const GEOCODING_URL_KEY: &str = "weather_geocoding_url";

/// The provider's base URLs; an empty forecast URL turns weather off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeatherConfig {
    pub base_url: String,
    pub geocoding_url: String,
}

impl Default for WeatherConfig {
    fn default() -> Self {
        Self { base_url: DEFAULT_BASE_URL.into(), geocoding_url: DEFAULT_GEOCODING_URL.into() }
    }
}

pub async fn config<'c>(db: impl Executor<'c, Database = Any>) -> Result<WeatherConfig, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM system_config WHERE key IN ($1, $2)")
        .bind(BASE_URL_KEY)
        .bind(GEOCODING_URL_KEY)
        .fetch_all(db)
        .await?;
    let mut config = WeatherConfig::default();
    for (key, value) in rows {
        if key == BASE_URL_KEY {
            config.base_url = value;
        } else {
            config.geocoding_url = value;
        }
    }
    Ok(config)
}

/// Stores both URLs inside the caller's write transaction.
pub async fn save_config(tx: &mut super::WriteTx, config: &WeatherConfig) -> Result<(), sqlx::Error> {
    system_config::set(&mut **tx, BASE_URL_KEY, &config.base_url).await?;
    system_config::set(&mut **tx, GEOCODING_URL_KEY, &config.geocoding_url).await
}

/// A key's row: the cached forecast (JSON of `domain::weather::Forecast`) when a fetch
/// succeeded, and when a refresh was last claimed.
#[derive(Debug, Clone, FromRow)]
pub struct CachedRow {
    pub payload: Option<String>,
    pub fetched_at: Option<i64>,
    pub refresh_claimed_at: Option<i64>,
}

pub async fn cached<'c>(
    db: impl Executor<'c, Database = Any>,
    key: CacheKey,
) -> Result<Option<CachedRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT payload, fetched_at, refresh_claimed_at FROM weather_cache \
         WHERE latitude_key = $1 AND longitude_key = $2 AND units = $3",
    )
    .bind(key.latitude)
    .bind(key.longitude)
    .bind(key.units.as_str())
    .fetch_optional(db)
    .await
}

/// Claims the key for a refresh at `now`; false when another refresh holds it (a claim
/// younger than `CLAIM_MS`, which also spaces out retries after a failure).
pub async fn claim<'c>(db: impl Executor<'c, Database = Any>, key: CacheKey, now: i64) -> Result<bool, sqlx::Error> {
    let claimed: Option<i64> = sqlx::query_scalar(
        "INSERT INTO weather_cache (latitude_key, longitude_key, units, refresh_claimed_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (latitude_key, longitude_key, units) DO UPDATE SET refresh_claimed_at = excluded.refresh_claimed_at \
         WHERE weather_cache.refresh_claimed_at IS NULL OR weather_cache.refresh_claimed_at <= $5 \
         RETURNING latitude_key",
    )
    .bind(key.latitude)
    .bind(key.longitude)
    .bind(key.units.as_str())
    .bind(now)
    .bind(now - CLAIM_MS)
    .fetch_optional(db)
    .await?;
    Ok(claimed.is_some())
}

/// Drops rows not fetched since `before` (a location nobody asks for any more) and not
/// being refreshed; how many went.
pub async fn prune<'c>(db: impl Executor<'c, Database = Any>, before: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM weather_cache WHERE COALESCE(fetched_at, 0) < $1 AND COALESCE(refresh_claimed_at, 0) < $1",
    )
    .bind(before)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Stores a fresh forecast and releases the claim.
pub async fn store<'c>(
    db: impl Executor<'c, Database = Any>,
    key: CacheKey,
    payload: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE weather_cache SET payload = $4, fetched_at = $5, refresh_claimed_at = NULL \
         WHERE latitude_key = $1 AND longitude_key = $2 AND units = $3",
    )
    .bind(key.latitude)
    .bind(key.longitude)
    .bind(key.units.as_str())
    .bind(payload)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}
