//! `umbra admin …`: operator commands that work on the same data as `serve`, even while it
//! runs. Every action is written to the audit log with the actor "cli".

mod backup;
mod create_user;
mod list_users;
mod oidc;
mod reset_lockout;
mod reset_password;
mod restore;
mod revoke_sessions;
mod set_role;
mod setup_code;

use std::io::Read;

use crate::cli::{AdminCommand, OidcCommand, StorageArgs};
use crate::commands::Exit;
use crate::config::{Argon2Params, Config, StorageConfig};
use crate::db::Db;
use crate::db::audit::{self, AuditEntry};
use crate::db::backup::sqlite_file_of;
use crate::db::system_settings;
use crate::db::users::{self, UserRow};
use crate::domain::audit_action::AuditAction;
use crate::domain::system_settings::SystemSettings;
use crate::domain::time::UtcMillis;

/// What every admin command works with.
pub struct Admin {
    pub db: Db,
    pub argon2: Argon2Params,
    /// The system settings' defaults from the config file.
    pub defaults: SystemSettings,
}

/// A command's failure, printed as one line.
pub struct Failure(pub String);

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        Failure(format!("database error: {e}"))
    }
}

impl From<crate::db::error::DbError> for Failure {
    fn from(e: crate::db::error::DbError) -> Self {
        Failure(format!("database error: {e}"))
    }
}

pub async fn run(command: AdminCommand) -> Exit {
    let storage = storage_of(&command).clone();
    let config = match Config::load_storage(&storage) {
        Ok(config) => config,
        Err(e) => return Exit::BadConfig(e.to_string()),
    };
    let outcome = match command {
        // A restore must not open (and so migrate or lock) the database it replaces.
        AdminCommand::Restore(args) => restore::run(&config.database_url, &args.input).await,
        other => on_database(&config, other).await,
    };
    match outcome {
        Ok(message) => {
            println!("{message}");
            Exit::Done
        }
        Err(Failure(message)) => Exit::Failed(message),
    }
}

/// The commands that work on the open (and migrated) database.
async fn on_database(config: &StorageConfig, command: AdminCommand) -> Result<String, Failure> {
    // Only `serve` creates a data folder or database: a mistyped --data-dir must not turn
    // into a new, empty database that a backup then copies or a listing shows as empty.
    if let Some(file) = sqlite_file_of(&config.database_url)
        && !file.is_file()
    {
        return Err(Failure(format!(
            "there is no UMBRA database at {} (check --data-dir or --database-url; umbra serve creates it)",
            file.display()
        )));
    }
    let db = Db::open(&config.database_url).await.map_err(|e| Failure(e.to_string()))?;
    let defaults = crate::server::system_settings_from(&config.sessions, &config.lockout);
    let admin = Admin { db: db.clone(), argon2: config.argon2, defaults };
    let outcome = match command {
        AdminCommand::ResetLockout(a) => reset_lockout::run(&admin, &a.username).await,
        AdminCommand::CreateUser(a) => create_user::run(&admin, &a.username, a.admin).await,
        AdminCommand::ResetPassword(a) => reset_password::run(&admin, &a.username).await,
        AdminCommand::SetRole(a) => set_role::run(&admin, &a.username, &a.role).await,
        AdminCommand::ListUsers(_) => list_users::run(&admin).await,
        AdminCommand::RevokeSessions(a) => revoke_sessions::run(&admin, &a.username).await,
        AdminCommand::SetupCode(_) => setup_code::run(&admin).await,
        AdminCommand::Backup(a) => backup::run(&admin, &a.output).await,
        AdminCommand::Restore(_) => Err(Failure("a restore does not run on an open database".into())),
        AdminCommand::Oidc(command) => oidc::run(&admin, command).await,
    };
    db.close().await;
    outcome
}

fn storage_of(command: &AdminCommand) -> &StorageArgs {
    match command {
        AdminCommand::ResetLockout(a) | AdminCommand::RevokeSessions(a) => &a.storage,
        AdminCommand::CreateUser(a) => &a.storage,
        AdminCommand::ResetPassword(a) => &a.storage,
        AdminCommand::SetRole(a) => &a.storage,
        AdminCommand::ListUsers(a) | AdminCommand::SetupCode(a) => &a.storage,
        AdminCommand::Backup(a) => &a.storage,
        AdminCommand::Restore(a) => &a.storage,
        AdminCommand::Oidc(OidcCommand::Link(a) | OidcCommand::Unlink(a)) => &a.storage,
        AdminCommand::Oidc(OidcCommand::PasswordLogin(a)) => &a.storage,
    }
}

impl Admin {
    /// The context the shared workflows run in: the system clock and the stored settings.
    pub async fn context(&self) -> Result<crate::service::Context<'_>, Failure> {
        let settings = system_settings::load(self.db.pool(), self.defaults).await?;
        Ok(crate::service::Context { db: &self.db, now: UtcMillis::now(), settings })
    }

    pub async fn user(&self, username: &str) -> Result<UserRow, Failure> {
        users::find_by_username(self.db.pool(), username)
            .await?
            .ok_or_else(|| Failure(format!("no user named '{username}'")))
    }

    pub async fn audit(&self, action: AuditAction, target: &str, detail: Option<String>) -> Result<(), Failure> {
        let entry = AuditEntry { target: Some(target.to_string()), detail, ..AuditEntry::new("cli", action) };
        audit::record(self.db.pool(), UtcMillis::now(), entry).await?;
        Ok(())
    }
}

/// Reads a password from standard input; only a trailing line break is removed.
pub fn read_password_stdin() -> Result<String, Failure> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| Failure(format!("cannot read the password from standard input: {e}")))?;
    let password = input.strip_suffix('\n').map_or(input.as_str(), |p| p.strip_suffix('\r').unwrap_or(p));
    Ok(password.to_string())
}
