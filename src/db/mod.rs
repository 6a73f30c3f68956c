//! The only place SQL lives. One set of queries for SQLite and PostgreSQL through sqlx's
//! `Any` driver; migrations for each backend are embedded and applied at startup.

pub mod app_passwords;
pub mod audit;
pub mod backup;
pub mod calendar_access;
pub mod calendar_changes;
pub mod calendar_feeds;
pub mod calendar_ics;
pub mod calendar_shares;
pub mod calendars;
pub mod collection_changes;
pub mod connections;
pub mod dashboard;
pub mod dav_calendars;
pub mod dav_events;
pub mod dav_names;
pub mod dispatch;
pub mod dispatch_events;
pub mod error;
pub mod event_invitations;
pub mod event_templates;
pub mod events;
pub mod locations;
pub mod login_failures;
pub mod mfa;
pub mod notifications;
pub mod oidc_flows;
pub mod oidc_identities;
pub mod outbound_allow;
pub mod passkeys;
pub mod people;
pub mod person_objects;
pub mod project_access;
pub mod project_activity;
pub mod project_members;
pub mod project_tasks;
pub mod projects;
pub mod push_deliveries;
pub mod range_stamp;
pub mod reminders;
pub mod schema;
pub mod sessions;
pub mod system_config;
pub mod system_settings;
pub mod task_comments;
pub mod todo_objects;
pub mod todos;
pub mod user_settings;
pub mod users;
pub mod weather;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor, Transaction};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// How long a query waits for a connection before the request is answered 503: well inside
/// the 5 s a client (or a load balancer's health check) should ever wait during an outage.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DbOpenError {
    #[error("unsupported database URL (use sqlite://… or postgres://…)")]
    UnsupportedUrl,
    #[error("cannot create the database folder {0}: {1}")]
    Folder(String, std::io::Error),
    #[error("cannot open the database: {0}")]
    Connect(#[from] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Schema(#[from] schema::SchemaError),
}

impl DbOpenError {
    /// Whether the database itself was refused (damaged, not UMBRA's, from a newer UMBRA, or
    /// its applied migrations differ from this binary's), as opposed to not being reachable:
    /// starting again will not help, and the file was left as it was.
    pub fn is_refusal(&self) -> bool {
        use sqlx::migrate::MigrateError;
        match self {
            Self::Schema(error) => error.is_refusal(),
            Self::Migrate(error) => matches!(
                error,
                MigrateError::VersionMismatch(_)
                    | MigrateError::VersionMissing(_)
                    | MigrateError::Dirty(_)
                    | MigrateError::VersionNotPresent(_)
                    | MigrateError::VersionTooOld(..)
                    | MigrateError::VersionTooNew(..)
            ),
            _ => false,
        }
    }
}

impl Db {
    /// Opens (creating if needed) the database at `url`. Does not migrate.
    pub async fn connect(url: &str) -> Result<Self, DbOpenError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(DbOpenError::UnsupportedUrl);
        };
        if backend == Backend::Sqlite {
            create_sqlite_folder(url)?;
        }
        let options = AnyConnectOptions::from_str(url)?;
        // Connections a burst opened are closed after half a minute unused: an idle appliance
        // should not keep eight SQLite page caches (or sixteen PostgreSQL backends) for a flood
        // that is over. A request waits at most ACQUIRE_TIMEOUT for a connection: while
        // PostgreSQL is down the pool keeps retrying the refused connection until then, and the
        // request is answered 503 (`DbError::Unavailable`) instead of hanging. Every idle
        // connection is pinged before it is handed out (sqlx's default, kept on purpose): one
        // that broke while the database restarted is dropped and replaced, so the first
        // requests after an outage succeed without a restart of UMBRA.
        let pool_options = AnyPoolOptions::new()
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .test_before_acquire(true)
            // A connection that still counts itself inside a transaction is closed, not handed
            // out: when SQLite fails a COMMIT (a full disk) it may roll the transaction back
            // itself, the driver's own ROLLBACK then fails and its transaction depth stays at
            // one, and every later transaction on that connection would fail ("begin_with at
            // non-zero transaction depth") long after the disk has room again. The pool pings
            // a connection as it comes back, after any rollback its transaction queued, so
            // only a truly stuck one is dropped here.
            .before_acquire(|conn, _| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
            .idle_timeout(Duration::from_secs(30));
        let pool = match backend {
            Backend::Sqlite => {
                pool_options
                    .max_connections(8)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL lets readers run beside the writer; a writer waits up to
                            // 5 s for another instead of failing at once.
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => pool_options.max_connections(16).connect_with(options).await?,
        };
        Ok(Self { pool, backend, url: url.to_string() })
    }

    /// Opens and migrates: what every entry point wants. An existing SQLite file is checked
    /// read-only first (`schema::check_sqlite_file`), so a file that is damaged, not UMBRA's
    /// or from a newer UMBRA is refused before anything could write to it.
    pub async fn open(url: &str) -> Result<Self, DbOpenError> {
        Self::check_existing(url).await?;
        Self::open_checked(url).await
    }

    /// The read-only judgement of an existing SQLite file that `open` starts with; it creates
    /// nothing (for `umbra serve`, which refuses a bad database before it makes anything else
    /// in the data folder). Nothing to judge for PostgreSQL or a new file.
    pub async fn check_existing(url: &str) -> Result<(), DbOpenError> {
        if let Some(file) = url.starts_with("sqlite:").then(|| backup::sqlite_file_of(url)).flatten() {
            schema::check_sqlite_file(&file, Self::migrator_for(Backend::Sqlite)).await?;
        }
        Ok(())
    }

    /// `open` after `check_existing` passed.
    pub async fn open_checked(url: &str) -> Result<Self, DbOpenError> {
        let db = Self::connect(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Applies pending migrations, after refusing a newer schema and snapshotting SQLite.
    pub async fn migrate(&self) -> Result<(), DbOpenError> {
        let migrator = self.migrator();
        schema::prepare(self, migrator).await?;
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// The migrations this binary embeds for this database's backend.
    pub fn migrator(&self) -> &'static Migrator {
        Self::migrator_for(self.backend)
    }

    pub fn migrator_for(backend: Backend) -> &'static Migrator {
        match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A transaction that intends to write: the one way UMBRA opens one. On SQLite it takes
    /// the write lock up front (`BEGIN IMMEDIATE`): a deferred transaction that reads and then
    /// writes can fail with SQLITE_BUSY without waiting, where an immediate one waits for the
    /// busy timeout. On PostgreSQL it is a plain `BEGIN`; functions that must serialise with
    /// each other lock rows (`FOR UPDATE`) and ask the transaction which backend it is on.
    pub async fn write(&self) -> Result<WriteTx, sqlx::Error> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, backend: self.backend })
    }

    /// A read-only transaction whose statements all see one snapshot of the database:
    /// PostgreSQL's repeatable read; on SQLite (WAL) any read transaction is one, from its
    /// first statement on.
    pub async fn snapshot(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
        }
        Ok(tx)
    }

    /// Whether the database answers (for /ready).
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// An open write transaction (see `Db::write`). It dereferences to the connection, so every
/// repository function runs inside it (`&mut *tx`); dropped without `commit`, it rolls back.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    backend: Backend,
}

impl WriteTx {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

fn create_sqlite_folder(url: &str) -> Result<(), DbOpenError> {
    let Some(path) = backup::sqlite_file_of(url) else { return Ok(()) };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| DbOpenError::Folder(parent.display().to_string(), e))?;
    }
    Ok(())
}

/// The names of both migration trees, for the test that keeps them in step.
pub fn migration_names() -> (Vec<String>, Vec<String>) {
    let names = |m: &Migrator| m.iter().map(|x| format!("{}_{}", x.version, x.description)).collect();
    (names(&SQLITE_MIGRATIONS), names(&POSTGRES_MIGRATIONS))
}
