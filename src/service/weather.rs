//! The weather workflows: the answer for a user (`current`), geocoding a place name when
//! settings are saved (`geocode`) and the admin's provider URLs (`config`, `save_config`).
//!
//! Every provider request goes through the SSRF-safe outbound client. Answers are cached in
//! the database per rounded location and units (`weather_cache`, shared by users and server
//! processes) and are fresh for 30 minutes; after that the stale value is served at once and
//! one refresh runs in the background (one per key in this process — later callers join it —
//! and one per key across processes through the row's claim). With nothing cached a caller
//! waits for the fetch at most the weather timeout (3 s; tests shorten it); the fetch itself
//! carries on and fills the cache for the next request. Nothing here answers an error for a
//! provider's failure: the answer says `available: false` with a reason instead.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};

use crate::clock::SharedClock;
use crate::db::Db;
use crate::db::audit::{self, AuditEntry};
use crate::db::weather::{self as db, WeatherConfig};
use crate::domain::audit_action::AuditAction;
use crate::domain::time::UtcMillis;
use crate::domain::weather::{
    CLAIM_MS, CacheKey, Coordinates, FRESH_MS, Forecast, Place, Units, WeatherView, forecast_path, geocoding_path,
    parse_forecast, parse_search,
};
use crate::outbound::{OutboundClient, OutboundRequest, Requester};

/// How long a caller waits for the provider (the 3 s).
pub const TIMEOUT: Duration = Duration::from_secs(3);

pub const TURNED_OFF: &str = "weather is turned off";
pub const NO_LOCATION: &str = "set a location for the weather in Settings";
const UNREACHABLE: &str = "the weather service could not be reached; try again later";
const TOO_SLOW: &str = "the weather service did not answer in time; try again later";

/// Where a user wants their weather for (from their settings).
#[derive(Debug, Clone, PartialEq)]
pub struct WeatherFor {
    pub at: Option<Coordinates>,
    pub place: Option<String>,
    pub units: Units,
}

type Fetch = Shared<BoxFuture<'static, Result<(), String>>>;

/// One per server (`AppState::weather`).
pub struct Weather {
    db: Db,
    outbound: Arc<OutboundClient>,
    clock: SharedClock,
    timeout_ms: AtomicU64,
    /// The provider URLs as last read, for at most a second (as the system settings are).
    config_seen: Mutex<Option<(UtcMillis, WeatherConfig)>>,
    /// The fetches this process has in flight, by key: a second caller joins the first.
    inflight: Mutex<HashMap<CacheKey, Fetch>>,
    /// Fresh forecasts this process has read, so that the dashboard does not read the cache row
    /// on every request: a fresh value is the same in every process, and once it is stale the
    /// row is read again (where another process may have stored a newer one).
    fresh: Mutex<HashMap<CacheKey, (Arc<Forecast>, UtcMillis)>>,
}

/// Why a place could not be looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GeocodeError {
    /// The admin turned geocoding off.
    Off,
    /// The provider could not be reached, failed or answered something unreadable.
    Unavailable,
}

impl Weather {
    pub fn new(db: Db, outbound: Arc<OutboundClient>, clock: SharedClock) -> Self {
        Self {
            db,
            outbound,
            clock,
            timeout_ms: AtomicU64::new(TIMEOUT.as_millis() as u64),
            config_seen: Mutex::new(None),
            inflight: Mutex::new(HashMap::new()),
            fresh: Mutex::new(HashMap::new()),
        }
    }

    /// The longest a caller waits for the provider.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.load(Ordering::Relaxed))
    }

    /// Tests shorten the wait so that a hanging stand-in does not cost them 3 s.
    pub fn set_timeout(&self, timeout: Duration) {
        self.timeout_ms.store(timeout.as_millis() as u64, Ordering::Relaxed);
    }

    /// The admin's provider URLs, read at most once a second.
    pub async fn config(&self) -> Result<WeatherConfig, sqlx::Error> {
        let now = self.clock.now();
        if let Some(config) = self.config_seen.lock().ok().and_then(|seen| {
            seen.as_ref().filter(|(at, _)| (0..1000).contains(&(now.0 - at.0))).map(|(_, c)| c.clone())
        }) {
            return Ok(config);
        }
        let config = db::config(self.db.pool()).await?;
        if let Ok(mut seen) = self.config_seen.lock() {
            *seen = Some((now, config.clone()));
        }
        Ok(config)
    }

    /// Replaces the provider URLs (checked by the caller), audited as a config change.
    pub async fn save_config(&self, who: &Requester, config: &WeatherConfig) -> Result<(), sqlx::Error> {
        let before = db::config(self.db.pool()).await?;
        let mut tx = self.db.write().await?;
        db::save_config(&mut tx, config).await?;
        tx.commit().await?;
        if let Ok(mut seen) = self.config_seen.lock() {
            *seen = None;
        }
        let detail = format!(
            "weather_base_url: {:?} -> {:?}; weather_geocoding_url: {:?} -> {:?}",
            before.base_url, config.base_url, before.geocoding_url, config.geocoding_url
        );
        let entry = AuditEntry {
            actor_user_id: who.user_id,
            target: Some("weather".into()),
            detail: Some(detail),
            ..AuditEntry::new(who.actor.clone(), AuditAction::AdminConfigChange)
        };
        audit::record(self.db.pool(), self.clock.now(), entry).await?;
        Ok(())
    }

    /// The weather for `wanted`, never an error for the provider's sake: a fresh value, a stale
    /// one (a refresh started), or unavailable with a reason.
    pub async fn current(self: &Arc<Self>, who: &Requester, wanted: &WeatherFor) -> Result<WeatherView, sqlx::Error> {
        let config = self.config().await?;
        if config.base_url.is_empty() {
            return Ok(WeatherView::unavailable(TURNED_OFF));
        }
        let Some(at) = wanted.at else {
            return Ok(WeatherView::unavailable(NO_LOCATION));
        };
        let key = CacheKey::of(at, wanted.units);
        let show = |forecast: &Forecast, fetched_at: UtcMillis| {
            WeatherView::of(forecast, fetched_at, self.clock.now(), wanted.place.clone(), at, wanted.units)
        };
        if let Some((forecast, fetched_at)) = self.remembered(key) {
            return Ok(show(&forecast, fetched_at));
        }
        let (cached, claimed_at) = self.cached(key).await?;
        // A claim younger than CLAIM_MS: another refresh is running, or one failed moments ago.
        let held = claimed_at.is_some_and(|at| self.clock.now().0 - at < CLAIM_MS);
        if let Some((forecast, fetched_at)) = cached {
            let view = show(&forecast, fetched_at);
            if matches!(&view, WeatherView::Available(v) if v.stale) && !held {
                // Served as it is; the refresh runs on without anyone waiting for it.
                drop(self.fetch(who, key, config.base_url));
            }
            return Ok(view);
        }
        let fetch = match self.joinable(key) {
            Some(fetch) => fetch,
            // Nothing to join here and the key is held (by another process, or a recent failure):
            // asking again now would only queue behind it.
            None if held => return Ok(WeatherView::unavailable(UNREACHABLE)),
            None => self.fetch(who, key, config.base_url),
        };
        match tokio::time::timeout(self.timeout(), fetch).await {
            Err(_) => Ok(WeatherView::unavailable(TOO_SLOW)),
            Ok(Err(reason)) => Ok(WeatherView::unavailable(reason)),
            Ok(Ok(())) => Ok(match self.cached(key).await?.0 {
                Some((forecast, fetched_at)) => show(&forecast, fetched_at),
                None => WeatherView::unavailable(UNREACHABLE),
            }),
        }
    }

    /// The fetch of `key` this process has in flight, if any.
    fn joinable(&self, key: CacheKey) -> Option<Fetch> {
        self.inflight.lock().ok().and_then(|inflight| inflight.get(&key).cloned())
    }

    /// Waits for every fetch this process has in flight (tests: a background refresh is done).
    pub async fn settle(&self) {
        let pending: Vec<Fetch> = self.inflight.lock().map(|m| m.values().cloned().collect()).unwrap_or_default();
        for fetch in pending {
            let _ = fetch.await;
        }
    }

    /// The cached forecast of `key` (if any fetch succeeded) and when a refresh was claimed.
    async fn cached(&self, key: CacheKey) -> Result<(Option<(Arc<Forecast>, UtcMillis)>, Option<i64>), sqlx::Error> {
        let Some(row) = db::cached(self.db.pool(), key).await? else { return Ok((None, None)) };
        let forecast = row
            .payload
            .and_then(|payload| serde_json::from_str::<Forecast>(&payload).ok().map(Arc::new))
            .zip(row.fetched_at.map(UtcMillis));
        if let Some((forecast, fetched_at)) = &forecast
            && self.clock.now().0 - fetched_at.0 < FRESH_MS
            && let Ok(mut fresh) = self.fresh.lock()
        {
            fresh.insert(key, (forecast.clone(), *fetched_at));
        }
        Ok((forecast, row.refresh_claimed_at))
    }

    /// A forecast of `key` this process read while it is fresh.
    fn remembered(&self, key: CacheKey) -> Option<(Arc<Forecast>, UtcMillis)> {
        let now = self.clock.now().0;
        let fresh = self.fresh.lock().ok()?;
        fresh.get(&key).filter(|(_, fetched_at)| now - fetched_at.0 < FRESH_MS).cloned()
    }

    /// The fetch for `key` in flight in this process, started if there is none. It runs as
    /// its own task, so a caller that stops waiting does not cut it short.
    fn fetch(self: &Arc<Self>, who: &Requester, key: CacheKey, base_url: String) -> Fetch {
        let Ok(mut inflight) = self.inflight.lock() else {
            return futures::future::ready(Err(UNREACHABLE.to_string())).boxed().shared();
        };
        if let Some(fetch) = inflight.get(&key) {
            return fetch.clone();
        }
        let this = self.clone();
        let who = who.clone();
        let task = tokio::spawn(async move {
            let result = this.claim_and_fetch(&who, key, &base_url).await;
            if let Ok(mut inflight) = this.inflight.lock() {
                inflight.remove(&key);
            }
            result
        });
        let fetch = async move { task.await.unwrap_or_else(|_| Err(UNREACHABLE.to_string())) }.boxed().shared();
        inflight.insert(key, fetch.clone());
        fetch
    }

    async fn claim_and_fetch(&self, who: &Requester, key: CacheKey, base_url: &str) -> Result<(), String> {
        let logged = |error: sqlx::Error| {
            tracing::error!("weather cache: {error}");
            UNREACHABLE.to_string()
        };
        let mut tx = self.db.write().await.map_err(logged)?;
        let claimed = db::claim(&mut *tx, key, self.clock.now().0).await.map_err(logged)?;
        tx.commit().await.map_err(logged)?;
        if !claimed {
            // Another process is refreshing this key, or a failure moments ago holds retries back.
            return Err(UNREACHABLE.to_string());
        }
        let url = format!("{}{}", base_url.trim_end_matches('/'), forecast_path(key));
        let forecast = self.get_json(who, url).await.and_then(|body| {
            parse_forecast(&body).ok_or_else(|| {
                tracing::warn!("weather: the provider's forecast could not be read");
                UNREACHABLE.to_string()
            })
        })?;
        let payload = serde_json::to_string(&forecast).map_err(|_| UNREACHABLE.to_string())?;
        let mut tx = self.db.write().await.map_err(logged)?;
        db::store(&mut *tx, key, &payload, self.clock.now().0).await.map_err(logged)?;
        tx.commit().await.map_err(logged)?;
        Ok(())
    }

    /// A GET through the outbound client; the body of a 200 answer.
    async fn get_json(&self, who: &Requester, url: String) -> Result<Vec<u8>, String> {
        let request = OutboundRequest {
            method: reqwest::Method::GET,
            url,
            headers: vec![("Accept", "application/json".into())],
            body: None,
        };
        match self.outbound.send(who, request).await {
            Ok(response) if response.status == 200 => Ok(response.body),
            Ok(response) => {
                tracing::warn!("weather: the provider answered {}", response.status);
                Err(UNREACHABLE.to_string())
            }
            Err(error) => {
                tracing::warn!("weather: {error}");
                Err(UNREACHABLE.to_string())
            }
        }
    }

    /// Looks a place name up with the provider's geocoder, waiting at most the timeout.
    pub async fn geocode(&self, who: &Requester, name: &str) -> Result<Option<Place>, GeocodeError> {
        let config = self.config().await.map_err(|error| {
            tracing::error!("weather config: {error}");
            GeocodeError::Unavailable
        })?;
        if config.geocoding_url.is_empty() {
            return Err(GeocodeError::Off);
        }
        let url = format!("{}{}", config.geocoding_url.trim_end_matches('/'), geocoding_path(name));
        let body = tokio::time::timeout(self.timeout(), self.get_json(who, url))
            .await
            .map_err(|_| GeocodeError::Unavailable)?
            .map_err(|_| GeocodeError::Unavailable)?;
        parse_search(&body).map_err(|_| GeocodeError::Unavailable)
    }
}

/// Checks an admin's provider URL: empty (off), or an http(s) URL without credentials, query
/// or fragment, of at most 500 characters; stored without a trailing slash.
pub fn check_base_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(String::new());
    }
    let url = url::Url::parse(text).map_err(|_| "must be an http or https URL, or empty".to_string())?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    if !plain || text.len() > 500 {
        return Err("must be an http or https URL of at most 500 characters, without a query, or empty".into());
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}
