//! Assembles Rocket: configuration, state, fairings, routes and catchers. Tests call
//! `build` with their own database, clock and cheap Argon2 parameters.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rocket::config::{Ident, LogLevel, SecretKey};
use rocket::shield::Shield;
use rocket::{Build, Rocket};
use webauthn_rs::prelude::Webauthn;

use crate::auth::passkeys;
use crate::auth::password::{HashError, PasswordHasher};
use crate::auth::totp::SecretBox;
use crate::clock::SharedClock;
use crate::config::{Config, LockoutPolicy, SessionPolicy};
use crate::db::{self, Db};
use crate::domain::role::Role;
use crate::domain::system_settings::{RequireMfa, SystemSettings};
use crate::domain::time::UtcMillis;
use crate::http::access_log::AccessLog;
use crate::http::gate::{self, Gate};
use crate::http::headers::SecurityHeaders;
use crate::http::rate_limit::RateLimiters;
use crate::outbound::OutboundClient;
use crate::push::Pusher;
use crate::push::ntfy::NtfySender;
use crate::{api, error, jobs, web};

/// Everything a request may need, shared by all of them.
pub struct AppState {
    pub config: Config,
    pub db: Db,
    pub clock: SharedClock,
    pub hasher: PasswordHasher,
    /// Encrypts TOTP secrets at rest (derived from the persistent secret key).
    pub secrets: Arc<SecretBox>,
    /// Keys the audit log's markers for sign-in names that match no account.
    pub audit_key: [u8; 64],
    /// The WebAuthn relying party for passkeys.
    pub webauthn: Webauthn,
    pub rate_limiters: Arc<RateLimiters>,
    /// One vCard import at a time: an import parses up to 5 MiB and writes every card in one
    /// transaction that holds the write lock; a second is asked to come back (503) rather
    /// than doubling the memory and queueing everyone's writes behind both.
    pub import_turn: tokio::sync::Semaphore,
    /// Recent calendar range answers, given again while still right (see its module).
    pub range_cache: crate::service::events::range_cache::RangeCache,
    /// The one SSRF-safe client for every request the server makes itself.
    pub outbound: Arc<OutboundClient>,
    /// The dashboard's occurrences per caller, given again while unchanged (`service::dashboard`).
    pub dashboard_events: crate::service::dashboard::EventsCache,
    /// The weather provider's answers, cached and refreshed (`service::weather`).
    pub weather: Arc<crate::service::weather::Weather>,
    /// Sends pushes (ntfy, through `outbound`); the dispatcher and the settings test use it.
    pub pusher: Arc<dyn Pusher>,
    /// The ntfy sender itself, for sends made on a user's behalf (audited as that user).
    pub ntfy: Arc<NtfySender>,
    /// The single sign-on provider's discovery document and keys (`service::oidc`).
    pub oidc_provider: crate::service::oidc::provider::ProviderCache,
    /// `https://host[:port]` where browsers reach this server: the OIDC redirect URI's base.
    pub public_origin: String,
    /// The local CA when the server uses its own (`/ca.crt`, `/api/ca`, the renewal job).
    /// The listener fills it at launch; empty with operator certificates, with TLS off and
    /// in in-process tests.
    local_ca: OnceLock<Arc<crate::tls::LocalCa>>,
    /// Once any user exists, setup can never be required again; remembering that saves a
    /// query on every status request.
    setup_done: AtomicBool,
    /// The system settings as last read (see `settings`).
    settings_seen: Mutex<Option<(UtcMillis, SystemSettings)>>,
}

impl AppState {
    pub async fn setup_required(&self) -> Result<bool, sqlx::Error> {
        if self.setup_done.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let required = crate::db::users::count(self.db.pool()).await? == 0;
        if !required {
            self.setup_done.store(true, Ordering::Relaxed);
        }
        Ok(required)
    }

    /// The system settings, read from the database at most once a second per process: the
    /// session guard needs them on every request, and an admin's change reaching the other
    /// processes within a second is soon enough. This process sees its own changes at once.
    pub async fn system_settings(&self) -> Result<SystemSettings, sqlx::Error> {
        let now = self.clock.now();
        let fresh =
            |seen: &Option<(UtcMillis, SystemSettings)>| seen.filter(|(at, _)| (0..1000).contains(&(now.0 - at.0)));
        if let Some((_, settings)) = self.settings_seen.lock().ok().and_then(|seen| fresh(&seen)) {
            return Ok(settings);
        }
        let settings = db::system_settings::load(self.db.pool(), self.default_system_settings()).await?;
        if let Ok(mut seen) = self.settings_seen.lock() {
            *seen = Some((now, settings));
        }
        Ok(settings)
    }

    /// What a `service::` workflow runs with: the database, the app's clock and the settings.
    pub async fn context(&self) -> Result<crate::service::Context<'_>, sqlx::Error> {
        Ok(crate::service::Context { db: &self.db, now: self.clock.now(), settings: self.system_settings().await? })
    }

    /// What a sign-in ceremony checks proofs with (`service::sign_in`).
    pub fn verifiers(&self) -> crate::service::sign_in::Verifiers<'_> {
        crate::service::sign_in::Verifiers {
            hasher: &self.hasher,
            audit_key: &self.audit_key,
            secrets: &self.secrets,
            webauthn: &self.webauthn,
            clock: self.clock.as_ref(),
        }
    }

    /// What the single sign-on flow works with (`service::oidc::flow`).
    pub fn oidc(&self) -> crate::service::oidc::flow::Deps<'_> {
        crate::service::oidc::flow::Deps {
            outbound: &self.outbound,
            provider: &self.oidc_provider,
            secrets: &self.secrets,
            hasher: &self.hasher,
            clock: self.clock.as_ref(),
            origin: &self.public_origin,
        }
    }

    pub fn local_ca(&self) -> Option<&Arc<crate::tls::LocalCa>> {
        self.local_ca.get()
    }

    /// Called once, before liftoff (the renewal job is started then); a second call is ignored.
    pub fn use_local_ca(&self, local_ca: Arc<crate::tls::LocalCa>) {
        let _ = self.local_ca.set(local_ca);
    }

    /// Drops the cached settings after this process changed them.
    pub fn forget_system_settings(&self) {
        if let Ok(mut seen) = self.settings_seen.lock() {
            *seen = None;
        }
    }

    /// What applies until an admin changes it: the config file's values.
    pub fn default_system_settings(&self) -> SystemSettings {
        default_system_settings(&self.config)
    }
}

pub struct ServerParts {
    pub config: Config,
    pub db: Db,
    pub clock: SharedClock,
    pub secret_key: [u8; 64],
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error("passkeys: {0}")]
    Passkeys(String),
    #[error("outbound HTTP client: {0}")]
    Outbound(String),
}

pub fn build(parts: ServerParts) -> Result<Rocket<Build>, BuildError> {
    let ServerParts { config, db, clock, secret_key } = parts;
    // The socket, TLS and shutdown belong to `http::listener`; Rocket routes and dispatches.
    let rocket_config = rocket::Config {
        // Client IPs come from our own guard, which believes headers only from trusted proxies.
        ip_header: None,
        ident: Ident::none(),
        log_level: LogLevel::Off,
        cli_colors: false,
        secret_key: SecretKey::from(&secret_key),
        ..rocket::Config::default()
    };

    let hsts = config.reached_over_https();
    let outbound =
        Arc::new(OutboundClient::new(db.clone(), clock.clone()).map_err(|e| BuildError::Outbound(e.to_string()))?);
    let ntfy = Arc::new(NtfySender::new(outbound.clone()));
    let weather = Arc::new(crate::service::weather::Weather::new(db.clone(), outbound.clone(), clock.clone()));
    let (_, origin) = passkeys::identity(&config).map_err(BuildError::Passkeys)?;
    let state = AppState {
        oidc_provider: crate::service::oidc::provider::ProviderCache::default(),
        public_origin: origin.as_str().trim_end_matches('/').to_string(),
        hasher: PasswordHasher::new(config.argon2)?,
        secrets: Arc::new(SecretBox::derive(&secret_key)),
        audit_key: secret_key,
        webauthn: passkeys::relying_party(&config).map_err(BuildError::Passkeys)?,
        rate_limiters: Arc::new(RateLimiters::new(&config.rate_limits)),
        import_turn: tokio::sync::Semaphore::new(1),
        // A busy month view is about 150 KB.
        range_cache: crate::service::events::range_cache::RangeCache::new(256, 32 << 20),
        pusher: ntfy.clone(),
        ntfy,
        weather,
        dashboard_events: crate::service::dashboard::EventsCache::new(1024, 32 << 20),
        outbound,
        local_ca: OnceLock::new(),
        setup_done: AtomicBool::new(false),
        settings_seen: Mutex::new(None),
        config,
        db,
        clock,
    };
    Ok(rocket::custom(rocket_config)
        .manage(state)
        .attach(AccessLog)
        .attach(Gate)
        .attach(SecurityHeaders { hsts })
        // Replaces Rocket's default shield: SecurityHeaders sets stricter values itself.
        .attach(Shield::new())
        .attach(jobs::fairing())
        .mount("/", api::routes())
        .mount("/", crate::dav::routes())
        .mount("/", web::routes())
        .mount("/", gate::rejection_routes())
        .register("/", rocket::catchers![error::catch_all]))
}

pub fn default_system_settings(config: &Config) -> SystemSettings {
    system_settings_from(&config.sessions, &config.lockout)
}

/// The system settings' defaults from the config file's session and lockout policy (also
/// what `umbra admin` uses, which reads only the storage part of the configuration).
pub fn system_settings_from(sessions: &SessionPolicy, lockout: &LockoutPolicy) -> SystemSettings {
    SystemSettings {
        registration_open: false,
        default_role: Role::Standard,
        session_idle_minutes: sessions.idle_minutes,
        session_absolute_minutes: sessions.absolute_minutes,
        max_sessions_per_user: sessions.max_per_user,
        lockout_threshold: lockout.threshold,
        lockout_minutes: lockout.minutes,
        require_mfa: RequireMfa::Off,
        audit_retention_days: 365,
    }
}
