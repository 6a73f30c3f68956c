//! One `Config`, merged from defaults < config file < `UMBRA_*` environment < flags
//! (clap already merges flags over the environment). Errors are one line; `main` exits 2.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use ipnet::IpNet;
use serde::Deserialize;

use crate::cli::{ServeArgs, StorageArgs};

pub const DEFAULT_CONFIG_FILE: &str = "/etc/umbra/umbra.toml";
pub const DEFAULT_DATA_DIR: &str = "./umbra-data";
pub const DEFAULT_LISTEN: &str = "0.0.0.0:8443";

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(pub String);

/// Every refusal is one line: `main` prints it as is, and a value from the file (or a path)
/// may hold line breaks or other control characters that would forge or hide log lines and
/// terminal output. Line breaks become spaces, other control characters their escapes.
fn invalid(message: impl Into<String>) -> ConfigError {
    let message: String = message.into();
    let mut line = String::with_capacity(message.len());
    for c in message.chars() {
        match c {
            '\n' | '\r' => line.push(' '),
            c if c.is_control() => line.extend(c.escape_default()),
            c => line.push(c),
        }
    }
    ConfigError(line)
}

#[derive(Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub database_url: String,
    pub tls: TlsMode,
    pub insecure_cookies: bool,
    pub trusted_proxies: Vec<IpNet>,
    pub public_names: Vec<String>,
    /// Where users reach UMBRA, if not `https://<first public name>:<port>` (a reverse proxy).
    pub public_url: Option<String>,
    pub log_dir: Option<PathBuf>,
    pub rate_limits: RateLimits,
    pub argon2: Argon2Params,
    pub sessions: SessionPolicy,
    pub lockout: LockoutPolicy,
    pub connections: ConnectionLimits,
    /// How much one DAV report may answer with. Not read from the config file: every
    /// install gets the defaults; tests lower them to reach the limits with little data.
    pub dav: DavLimits,
    /// Whether this process runs the notification dispatcher (default yes). Any number of
    /// processes may; tests that drive it by hand turn the background one off.
    pub dispatch: bool,
}

/// The database URL may carry a password, so Debug shows only its scheme.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = self.database_url.split(':').next().unwrap_or("");
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .field("database_url", &format_args!("{scheme}://[redacted]"))
            .field("tls", &self.tls)
            .field("insecure_cookies", &self.insecure_cookies)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("public_names", &self.public_names)
            .field("public_url", &self.public_url)
            .field("log_dir", &self.log_dir)
            .field("rate_limits", &self.rate_limits)
            .field("argon2", &self.argon2)
            .field("sessions", &self.sessions)
            .field("lockout", &self.lockout)
            .field("connections", &self.connections)
            .field("dav", &self.dav)
            .field("dispatch", &self.dispatch)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsMode {
    /// A certificate from UMBRA's own local CA, made in the data folder on first start and
    /// renewed by itself (`tls::LocalCa`).
    LocalCa,
    Files {
        cert: PathBuf,
        key: PathBuf,
    },
    /// Plain HTTP behind a TLS-terminating proxy.
    Off,
}

/// Per-IP request budgets, one bucket per kind of endpoint, and a per-user budget for
/// signed-in requests.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimits {
    pub auth_per_minute: u32,
    pub auth_burst: u32,
    pub register_per_minute: u32,
    pub register_burst: u32,
    pub admin_per_minute: u32,
    pub admin_burst: u32,
    pub general_per_minute: u32,
    pub general_burst: u32,
    pub user_per_minute: u32,
    pub user_burst: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            auth_per_minute: 10,
            auth_burst: 5,
            register_per_minute: 3,
            register_burst: 2,
            admin_per_minute: 120,
            admin_burst: 30,
            general_per_minute: 1200,
            general_burst: 200,
            // A person in a browser or two; the UI's busiest page makes a handful of calls.
            user_per_minute: 600,
            user_burst: 120,
        }
    }
}

/// What one TCP connection may hold and for how long (see `http::listener`).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ConnectionLimits {
    /// A TLS handshake must complete within this many seconds.
    pub handshake_timeout_secs: u64,
    /// A request's headers (and a new connection's first request) must arrive within this.
    pub header_timeout_secs: u64,
    /// A connection with no traffic in either direction for this long is closed.
    pub idle_timeout_secs: u64,
    /// Open connections per client address (IPv6: per /64); trusted proxies are exempt.
    pub per_ip: usize,
    /// Open connections in all.
    pub max: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self { handshake_timeout_secs: 10, header_timeout_secs: 15, idle_timeout_secs: 60, per_ip: 64, max: 4096 }
    }
}

/// What one DAV REPORT answer may hold (see `dav::reports`): past either, the answer stops
/// with a 507 for the request-URI and the client asks again for less.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DavLimits {
    /// Bytes of calendar and address data (object texts, expanded or not).
    pub report_bytes: usize,
    /// Occurrences an `expand` answer writes out, over all its objects.
    pub expand_occurrences: usize,
}

impl Default for DavLimits {
    fn default() -> Self {
        // 16 MiB: sixteen of the largest objects a PUT may store, far above a real
        // calendar's answer, far below what 5,000 such objects would take.
        Self { report_bytes: 16 * 1024 * 1024, expand_occurrences: 10_000 }
    }
}

/// Argon2id cost. The floor is OWASP's m=19456 KiB, t=2, p=1; tests may go lower.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Argon2Params {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// Hashing jobs that may wait or run at once; past it requests get 503 with Retry-After.
    pub queue_capacity: usize,
}

impl Default for Argon2Params {
    fn default() -> Self {
        Self { memory_kib: 19_456, iterations: 2, parallelism: 1, queue_capacity: 64 }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct SessionPolicy {
    pub idle_minutes: i64,
    pub absolute_minutes: i64,
    pub max_per_user: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { idle_minutes: 7 * 24 * 60, absolute_minutes: 30 * 24 * 60, max_per_user: 10 }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct LockoutPolicy {
    pub threshold: i64,
    pub minutes: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self { threshold: 10, minutes: 30 }
    }
}

/// What the admin commands need to reach the same data as the server.
pub struct StorageConfig {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub argon2: Argon2Params,
    /// The defaults of the system settings, as `serve` would apply them.
    pub sessions: SessionPolicy,
    pub lockout: LockoutPolicy,
}

/// The config file's shape; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    listen: Option<String>,
    database_url: Option<String>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    no_tls: Option<bool>,
    insecure_cookies: Option<bool>,
    trusted_proxies: Option<Vec<String>>,
    public_names: Option<Vec<String>>,
    public_url: Option<String>,
    log_dir: Option<PathBuf>,
    #[serde(default)]
    rate_limits: RateLimits,
    #[serde(default)]
    argon2: Argon2Params,
    #[serde(default)]
    sessions: SessionPolicy,
    #[serde(default)]
    lockout: LockoutPolicy,
    #[serde(default)]
    connections: ConnectionLimits,
    dispatch: Option<bool>,
}

impl Config {
    /// Resolves the configuration for `serve`.
    pub fn load(args: &ServeArgs) -> Result<Self, ConfigError> {
        let file = read_file(args.storage.config.as_deref())?;
        let (data_dir, database_url) = storage(&args.storage, &file);

        let listen_text = args.listen.clone().or(file.listen).unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let listen =
            listen_text.parse().map_err(|_| invalid(format!("listen: '{listen_text}' is not an ADDRESS:PORT")))?;

        let no_tls = args.no_tls || file.no_tls.unwrap_or(false);
        let cert = args.tls_cert.clone().or(file.tls_cert);
        let key = args.tls_key.clone().or(file.tls_key);
        let tls = match (no_tls, cert, key) {
            (true, None, None) => TlsMode::Off,
            (true, _, _) => return Err(invalid("no_tls cannot be combined with tls_cert/tls_key")),
            (false, Some(cert), Some(key)) => TlsMode::Files { cert, key },
            (false, None, None) => TlsMode::LocalCa,
            (false, _, _) => return Err(invalid("tls_cert and tls_key must be given together")),
        };
        let insecure_cookies = args.insecure_cookies || file.insecure_cookies.unwrap_or(false);
        if insecure_cookies && tls != TlsMode::Off {
            return Err(invalid("insecure_cookies is only allowed together with no_tls"));
        }

        let proxies = pick_list(&args.trusted_proxy, file.trusted_proxies);
        let trusted_proxies = proxies.iter().map(|p| parse_proxy(p)).collect::<Result<_, _>>()?;
        let public_names = pick_list(&args.public_name, file.public_names);
        for name in &public_names {
            validate_public_name(name)?;
        }

        let config = Self {
            data_dir,
            listen,
            database_url,
            tls,
            insecure_cookies,
            trusted_proxies,
            public_names,
            public_url: args.public_url.clone().or(file.public_url),
            log_dir: args.log_dir.clone().or(file.log_dir),
            rate_limits: file.rate_limits,
            argon2: file.argon2,
            sessions: file.sessions,
            lockout: file.lockout,
            connections: file.connections,
            dav: DavLimits::default(),
            dispatch: !args.no_dispatch && file.dispatch.unwrap_or(true),
        };
        config.validate()?;
        crate::auth::passkeys::relying_party(&config).map_err(|e| invalid(format!("passkeys: {e}")))?;
        Ok(config)
    }

    /// Resolves only what the admin commands need: where the data lives, and the hash cost.
    pub fn load_storage(args: &StorageArgs) -> Result<StorageConfig, ConfigError> {
        let file = read_file(args.config.as_deref())?;
        let (data_dir, database_url) = storage(args, &file);
        Ok(StorageConfig {
            data_dir,
            database_url,
            argon2: file.argon2,
            sessions: file.sessions,
            lockout: file.lockout,
        })
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let r = &self.rate_limits;
        let buckets = [
            ("auth", r.auth_per_minute, r.auth_burst),
            ("register", r.register_per_minute, r.register_burst),
            ("admin", r.admin_per_minute, r.admin_burst),
            ("general", r.general_per_minute, r.general_burst),
            ("user", r.user_per_minute, r.user_burst),
        ];
        for (name, per_minute, burst) in buckets {
            if per_minute == 0 || burst == 0 {
                return Err(invalid(format!("rate_limits.{name}: rates and bursts must be at least 1")));
            }
        }
        let a = &self.argon2;
        // The hasher's own check (`8 × parallelism` computed here would overflow a u32).
        if let Err(e) = argon2::Params::new(a.memory_kib, a.iterations, a.parallelism, None) {
            return Err(invalid(format!("argon2: memory_kib, iterations and parallelism are out of range ({e})")));
        }
        if a.memory_kib > MAX_ARGON2_MEMORY_KIB {
            return Err(invalid(format!(
                "argon2: memory_kib must be at most {MAX_ARGON2_MEMORY_KIB} (4 GiB for each password hashed at once)"
            )));
        }
        if a.queue_capacity == 0 {
            return Err(invalid("argon2: queue_capacity must be at least 1"));
        }
        // The session and lockout policy are the defaults of the system settings: held to the
        // ranges the settings API holds an admin to, or the settings page could not be saved
        // as it is shown.
        let defaults = crate::server::system_settings_from(&self.sessions, &self.lockout);
        if let Some((field, message)) = defaults.problems().into_iter().next() {
            return Err(invalid(format!("{}: {message}", file_key(field))));
        }
        let c = &self.connections;
        let timeouts = [c.handshake_timeout_secs, c.header_timeout_secs, c.idle_timeout_secs];
        if timeouts.iter().any(|t| !(1..=MAX_TIMEOUT_SECS).contains(t)) || c.per_ip < 1 || c.max < c.per_ip {
            return Err(invalid(format!(
                "connections: timeouts must be 1 to {MAX_TIMEOUT_SECS} seconds and per_ip positive, max at least per_ip"
            )));
        }
        Ok(())
    }

    /// Whether people reach UMBRA over HTTPS: its own TLS, or a proxy's named by an https
    /// `public_url` (then HSTS applies even though this process speaks plain HTTP).
    pub fn reached_over_https(&self) -> bool {
        self.tls != TlsMode::Off || self.public_url.as_deref().is_some_and(|url| url.starts_with("https://"))
    }

    /// Whether cookies may go without `Secure` (and so without the `__Host-` prefix).
    pub fn secure_cookies(&self) -> bool {
        !self.insecure_cookies
    }
}

/// The most memory one Argon2 hash may take: twice RFC 9106's first recommendation (2 GiB).
/// The hasher's own limit is near 4 TiB, which it would try to allocate at the first sign-in
/// and abort the process; a cost past this is a typo, refused at start with the others.
pub const MAX_ARGON2_MEMORY_KIB: u32 = 4 * 1024 * 1024;

/// The longest connection timeout: a day is far past any real handshake or idle wait, and an
/// instant plus it cannot overflow (the listener adds the timeouts to a connection's start;
/// with a timeout near `i64::MAX` seconds that sum panics).
pub const MAX_TIMEOUT_SECS: u64 = 86_400;

/// The config file's key for a system setting the session and lockout policy supply.
fn file_key(setting: &str) -> &str {
    match setting {
        "session_idle_minutes" => "sessions.idle_minutes",
        "session_absolute_minutes" => "sessions.absolute_minutes",
        "max_sessions_per_user" => "sessions.max_per_user",
        "lockout_threshold" => "lockout.threshold",
        "lockout_minutes" => "lockout.minutes",
        other => other,
    }
}

fn read_file(explicit: Option<&Path>) -> Result<FileConfig, ConfigError> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None if Path::new(DEFAULT_CONFIG_FILE).exists() => PathBuf::from(DEFAULT_CONFIG_FILE),
        None => return Ok(FileConfig::default()),
    };
    let text = std::fs::read_to_string(&path).map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| {
        let message = e.message().replace('\n', " ");
        invalid(format!("{}: {message}", path.display()))
    })
}

fn storage(args: &StorageArgs, file: &FileConfig) -> (PathBuf, String) {
    let data_dir =
        args.data_dir.clone().or_else(|| file.data_dir.clone()).unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
    let database_url = args
        .database_url
        .clone()
        .or_else(|| file.database_url.clone())
        .unwrap_or_else(|| sqlite_url(&data_dir.join("umbra.db")));
    (data_dir, database_url)
}

pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// A list given on the command line (or in the environment) replaces the file's list.
fn pick_list(from_args: &[String], from_file: Option<Vec<String>>) -> Vec<String> {
    if from_args.is_empty() { from_file.unwrap_or_default() } else { from_args.to_vec() }
}

fn parse_proxy(text: &str) -> Result<IpNet, ConfigError> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| invalid(format!("trusted_proxy: '{text}' is not an address or CIDR")))
}

fn validate_public_name(name: &str) -> Result<(), ConfigError> {
    let ok = !name.is_empty()
        && name.len() <= 253
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
    if ok { Ok(()) } else { Err(invalid(format!("public_name: '{name}' is not a DNS name"))) }
}

impl Config {
    /// The defaults for a data folder, for embedding the server (tests, benchmarks).
    pub fn defaults_in(data_dir: &Path) -> Self {
        Self {
            data_dir: data_dir.to_path_buf(),
            listen: DEFAULT_LISTEN.parse().expect("valid default"),
            database_url: sqlite_url(&data_dir.join("umbra.db")),
            tls: TlsMode::LocalCa,
            insecure_cookies: false,
            trusted_proxies: Vec::new(),
            public_names: Vec::new(),
            public_url: None,
            log_dir: None,
            rate_limits: RateLimits::default(),
            argon2: Argon2Params::default(),
            sessions: SessionPolicy::default(),
            lockout: LockoutPolicy::default(),
            connections: ConnectionLimits::default(),
            dav: DavLimits::default(),
            dispatch: true,
        }
    }
}
