//! The test harness: a fresh database per test (SQLite in a temp folder, or a new PostgreSQL
//! database when `UMBRA_TEST_POSTGRES_URL` is set), the app in-process with a manual clock
//! and cheap Argon2, personas with their own cookies, and a real HTTPS server when needed.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rocket::http::{Cookie, Header, Method};
use rocket::local::asynchronous::Client;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tempfile::TempDir;
use umbra::auth::password::PasswordHasher;
use umbra::auth::session::SECURE_COOKIE;
use umbra::auth::setup_code;
use umbra::clock::ManualClock;
use umbra::config::{Argon2Params, Config, RateLimits, TlsMode, sqlite_url};
use umbra::db::users;
use umbra::db::{Backend, Db};
use umbra::domain::password_policy;
use umbra::domain::role::Role;
use umbra::domain::time::UtcMillis;
use umbra::domain::username::Username;
use umbra::server::{self, ServerParts};

pub const PASSWORD: &str = "correct horse battery staple";

/// Argon2 parameters that keep tests fast; only tests about cost use real ones.
pub fn cheap_argon2() -> Argon2Params {
    Argon2Params { memory_kib: 32, iterations: 1, parallelism: 1, ..Argon2Params::default() }
}

/// Budgets so large that only rate-limit tests ever meet them.
pub fn generous_limits() -> RateLimits {
    RateLimits {
        auth_per_minute: 100_000,
        auth_burst: 100_000,
        register_per_minute: 100_000,
        register_burst: 100_000,
        admin_per_minute: 100_000,
        admin_burst: 100_000,
        general_per_minute: 100_000,
        general_burst: 100_000,
        user_per_minute: 100_000,
        user_burst: 100_000,
    }
}

/// A database that exists for one test only.
pub struct TestDatabase {
    pub url: String,
    pub dir: TempDir,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn new() -> TestDatabase {
        let dir = tempfile::tempdir().expect("temp dir");
        match std::env::var("UMBRA_TEST_POSTGRES_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                // The name carries its time of making, for `sweep_left_over_databases`.
                let made = UtcMillis::now().0 / 1000;
                let name = format!("umbra_test_{made}_{}", hex::encode(rand::random::<[u8; 6]>()));
                let template = postgres_template(&admin_url).await;
                let admin = Db::connect(&admin_url).await.expect("PostgreSQL at UMBRA_TEST_POSTGRES_URL");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name} TEMPLATE {template}")))
                    .execute(admin.pool())
                    .await
                    .expect("create test database");
                // Tests need no durability across a crash of the database server; not waiting
                // for the WAL to reach the disk at every commit is most of their time there.
                sqlx::query(sqlx::AssertSqlSafe(format!("ALTER DATABASE {name} SET synchronous_commit = off")))
                    .execute(admin.pool())
                    .await
                    .expect("configure test database");
                admin.close().await;
                let url = database_url(&admin_url, &name);
                TestDatabase { url, dir, postgres: Some((admin_url, name)) }
            }
            _ => {
                let url = sqlite_url(&dir.path().join("umbra.db"));
                TestDatabase { url, dir, postgres: None }
            }
        }
    }
}

fn database_url(admin_url: &str, name: &str) -> String {
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(base, _)| base);
    format!("{base}/{name}")
}

/// PostgreSQL test databases are copies of one migrated template: copying takes a fraction of
/// the time the migrations take, and every test used to run them all. The template's name
/// carries the embedded migrations' checksums, so a changed migration gets a new template
/// (older ones are dropped); it is published by a rename, so a half-migrated one is never
/// copied. Migrating from nothing stays tested: by the template itself and by every SQLite test.
async fn postgres_template(admin_url: &str) -> String {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let make = async {
        let mut digest = Sha256::new();
        for migration in Db::migrator_for(Backend::Postgres).iter() {
            digest.update(&migration.checksum);
        }
        let name = format!("umbra_template_{}", &hex::encode(digest.finalize())[..16]);
        let admin = Db::connect(admin_url).await.expect("PostgreSQL at UMBRA_TEST_POSTGRES_URL");
        let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
            .bind(&name)
            .fetch_optional(admin.pool())
            .await
            .expect("look for the template");
        sweep_left_over_databases(&admin, admin_url).await;
        if exists.is_none() {
            let building = format!("umbra_building_{}", hex::encode(rand::random::<[u8; 6]>()));
            let run = |sql: String| sqlx::query(sqlx::AssertSqlSafe(sql)).execute(admin.pool());
            run(format!("CREATE DATABASE {building}")).await.expect("create the template");
            let db = Db::open(&database_url(admin_url, &building)).await.expect("migrate the template");
            db.close().await;
            if run(format!("ALTER DATABASE {building} RENAME TO {name}")).await.is_err() {
                // Another test process published the same template meanwhile.
                let _ = run(format!("DROP DATABASE {building}")).await;
            }
            let stale: Vec<String> = sqlx::query_scalar(
                "SELECT datname FROM pg_database WHERE datname LIKE 'umbra\\_template\\_%' AND datname <> $1",
            )
            .bind(&name)
            .fetch_all(admin.pool())
            .await
            .unwrap_or_default();
            for old in stale {
                let _ = run(format!("DROP DATABASE IF EXISTS {old}")).await;
            }
        }
        admin.close().await;
        name
    };
    TEMPLATE.get_or_init(|| make).await.clone()
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return;
        };
        // Dropping a database waits for a checkpoint (about a second): the test does not wait
        // for it. A drop cut short by the end of the process is swept up by a later run.
        std::thread::spawn(move || drop_postgres_databases(&admin_url, vec![name]));
    }
}

/// Drops the named databases, on a short-lived runtime of the calling thread's own.
fn drop_postgres_databases(admin_url: &str, names: Vec<String>) -> Option<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
    runtime.block_on(async {
        let admin = Db::connect(admin_url).await.ok()?;
        for name in names {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(admin.pool()).await;
        }
        admin.close().await;
        Some(())
    })
}

/// Test databases an earlier run left behind (its last drops cut short), an hour old or more:
/// younger ones may belong to a run going on beside this one.
async fn sweep_left_over_databases(admin: &Db, admin_url: &str) {
    let now = UtcMillis::now().0 / 1000;
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'umbra\\_test\\_%'")
            .fetch_all(admin.pool())
            .await
            .unwrap_or_default();
    let old: Vec<String> = names
        .into_iter()
        .filter(|name| {
            let made = name.split('_').nth(2).and_then(|secs| secs.parse::<i64>().ok());
            made.is_some_and(|made| now - made > 3_600)
        })
        .collect();
    if !old.is_empty() {
        let admin_url = admin_url.to_string();
        std::thread::spawn(move || drop_postgres_databases(&admin_url, old));
    }
}

/// The configuration tests start from: the temp folder, plain HTTP in-process, cheap hashing.
pub fn test_config(data_dir: &Path, database_url: &str) -> Config {
    let mut config = Config::defaults_in(data_dir);
    config.database_url = database_url.to_string();
    config.tls = TlsMode::Off;
    config.argon2 = cheap_argon2();
    config.rate_limits = generous_limits();
    // Tests that deliver notifications run the dispatcher by hand on the manual clock.
    config.dispatch = false;
    config
}

pub struct TestApp {
    pub client: Client,
    pub clock: Arc<ManualClock>,
    pub db: Db,
    pub config: Config,
    pub database: Arc<TestDatabase>,
}

pub async fn app() -> TestApp {
    app_with(|_| {}).await
}

pub async fn app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    app_on(Arc::new(TestDatabase::new().await), adjust).await
}

/// Another app process on an existing database, as when several servers share PostgreSQL.
pub async fn app_on(database: Arc<TestDatabase>, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = test_config(database.dir.path(), &database.url);
    adjust(&mut config);
    let db = Db::open(&config.database_url).await.expect("open test database");
    let clock = ManualClock::starting_now();
    let rocket = server::build(ServerParts {
        config: config.clone(),
        db: db.clone(),
        clock: clock.clone(),
        secret_key: [7; 64],
    })
    .expect("build server");
    let client = Client::untracked(rocket).await.expect("rocket client");
    TestApp { client, clock, db, config, database }
}

/// A response, read fully.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HashMap<String, Vec<String>>,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).and_then(|v| v.first()).map(String::as_str)
    }

    pub fn detail(&self) -> String {
        self.json()["detail"].as_str().unwrap_or_default().to_string()
    }

    /// Asserts an RFC 9457 problem document with this status and returns it.
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "{}", self.body);
        let problem = self.json();
        assert_eq!(problem["status"], status);
        assert!(problem["title"].is_string() && problem["type"].is_string() && problem["detail"].is_string());
        problem
    }
}

/// Someone using the app with their own cookie jar (one session cookie).
pub struct Persona<'a> {
    pub app: &'a TestApp,
    pub username: String,
    pub password: String,
    cookie: Mutex<Option<String>>,
}

impl Persona<'_> {
    pub fn cookie(&self) -> Option<String> {
        self.cookie.lock().unwrap().clone()
    }

    pub fn set_cookie(&self, value: Option<String>) {
        *self.cookie.lock().unwrap() = value;
    }

    pub async fn request(&self, method: Method, path: &str, body: Option<&str>, headers: &[(&str, &str)]) -> Resp {
        let mut request = self.app.client.req(method, path.to_string());
        if let Some(cookie) = self.cookie() {
            request = request.cookie(Cookie::new(SECURE_COOKIE, cookie));
        }
        for (name, value) in headers {
            request = request.header(Header::new(name.to_string(), value.to_string()));
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request.dispatch().await;
        if let Some(cookie) = response.cookies().get(SECURE_COOKIE) {
            let value = cookie.value().to_string();
            self.set_cookie(if value.is_empty() { None } else { Some(value) });
        }
        let status = response.status().code;
        let mut headers: HashMap<String, Vec<String>> = HashMap::new();
        for header in response.headers().iter() {
            headers.entry(header.name().as_str().to_ascii_lowercase()).or_default().push(header.value().to_string());
        }
        let body = response.into_string().await.unwrap_or_default();
        Resp { status, headers, body }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.request(Method::Get, path, None, &[]).await
    }

    /// A JSON POST as the web UI sends it (with the CSRF header).
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        let json = body.to_string();
        self.request(
            Method::Post,
            path,
            Some(&json),
            &[("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")],
        )
        .await
    }

    /// A JSON request with any method (PATCH, PUT, DELETE with a body).
    pub async fn request_json(&self, method: Method, path: &str, body: Value) -> Resp {
        let json = body.to_string();
        self.request(
            method,
            path,
            Some(&json),
            &[("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")],
        )
        .await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.request_json(Method::Patch, path, body).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.request_json(Method::Put, path, body).await
    }

    /// A DELETE as the web UI sends it (with the CSRF header, no body).
    pub async fn delete(&self, path: &str) -> Resp {
        self.request(Method::Delete, path, None, &[("X-Requested-With", "XMLHttpRequest")]).await
    }

    pub async fn post_empty(&self, path: &str) -> Resp {
        self.request(Method::Post, path, None, &[("X-Requested-With", "XMLHttpRequest")]).await
    }

    pub async fn login(&self) -> Resp {
        self.post("/api/auth/login", serde_json::json!({"username": self.username, "password": self.password})).await
    }

    pub async fn login_with(&self, password: &str) -> Resp {
        self.post("/api/auth/login", serde_json::json!({"username": self.username, "password": password})).await
    }
}

impl TestApp {
    pub fn anonymous(&self) -> Persona<'_> {
        self.persona("nobody", PASSWORD)
    }

    pub fn persona(&self, username: &str, password: &str) -> Persona<'_> {
        Persona { app: self, username: username.into(), password: password.into(), cookie: Mutex::new(None) }
    }

    pub async fn setup_code(&self) -> String {
        setup_code::current(self.db.pool()).await.unwrap().expect("no users yet")
    }

    /// The first admin, created through the setup API and signed in.
    pub async fn admin(&self) -> Persona<'_> {
        let admin = self.persona("admin", PASSWORD);
        let code = self.setup_code().await;
        let response = admin
            .post("/api/auth/setup", serde_json::json!({"setup_code": code, "username": "admin", "password": PASSWORD}))
            .await;
        assert_eq!(response.status, 201, "{}", response.body);
        admin
    }

    /// A standard user created directly in the database, then signed in through the API.
    pub async fn user(&self, username: &str) -> Persona<'_> {
        self.create_user(username, Role::Standard).await;
        let persona = self.persona(username, PASSWORD);
        let response = persona.login().await;
        assert_eq!(response.status, 200, "{}", response.body);
        persona
    }

    pub async fn create_user(&self, username: &str, role: Role) -> umbra::domain::id::UserId {
        let hasher = PasswordHasher::new(self.config.argon2).unwrap();
        let password = password_policy::check(PASSWORD, username).unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        let name = Username::parse(username).unwrap();
        users::create(self.db.pool(), &name, &hash, role, UtcMillis::now()).await.unwrap().id
    }

    pub async fn audit_actions(&self) -> Vec<(String, Option<String>, Option<String>)> {
        umbra::db::audit::recent(self.db.pool(), 500)
            .await
            .unwrap()
            .into_iter()
            .map(|row| (row.action, row.target, row.ip))
            .collect()
    }
}
