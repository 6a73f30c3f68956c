//! Command-line types (clap). Every serve flag is also an `UMBRA_<NAME>` environment variable
//! and a key in the TOML config file; `config.rs` merges them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "umbra", version, about = "UMBRA: a self-hosted life-management appliance")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTPS server (migrations run at startup).
    Serve(ServeArgs),
    /// Administer users and the database; works while the server runs.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Write the man page and shell completions into a folder (used by packaging).
    #[command(hide = true)]
    GenerateAssets {
        /// Folder to write umbra.1, umbra.bash, _umbra and umbra.fish into
        dir: PathBuf,
    },
}

/// Where the data lives; shared by `serve` and every `admin` command.
#[derive(Debug, Args, Clone, Default)]
pub struct StorageArgs {
    /// TOML config file [default: /etc/umbra/umbra.toml when it exists]
    #[arg(long, env = "UMBRA_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Data folder for the SQLite database, secret key and certificate [default: ./umbra-data]
    #[arg(long, env = "UMBRA_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// sqlite://… or postgres://… [default: SQLite in the data folder]
    #[arg(long, env = "UMBRA_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct ServeArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    /// Address and port to listen on [default: 0.0.0.0:8443]
    #[arg(long, env = "UMBRA_LISTEN")]
    pub listen: Option<String>,
    /// PEM certificate chain (with --tls-key) instead of one from the local CA
    #[arg(long, env = "UMBRA_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert
    #[arg(long, env = "UMBRA_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP (only behind a TLS-terminating reverse proxy)
    #[arg(long, env = "UMBRA_NO_TLS", conflicts_with_all = ["tls_cert", "tls_key"])]
    pub no_tls: bool,
    /// With --no-tls: drop the Secure cookie flag (local development only)
    #[arg(long, env = "UMBRA_INSECURE_COOKIES", requires = "no_tls")]
    pub insecure_cookies: bool,
    /// Do not deliver due notifications from this process (others sharing the database do)
    #[arg(long, env = "UMBRA_NO_DISPATCH")]
    pub no_dispatch: bool,
    /// A reverse proxy whose X-Forwarded-For is believed (CIDR or address; repeatable)
    #[arg(long = "trusted-proxy", env = "UMBRA_TRUSTED_PROXY", value_delimiter = ',')]
    pub trusted_proxy: Vec<String>,
    /// A DNS name this server is reached by (repeatable; added to the certificate)
    #[arg(long = "public-name", env = "UMBRA_PUBLIC_NAME", value_delimiter = ',')]
    pub public_name: Vec<String>,
    /// The URL people open, when a reverse proxy serves UMBRA elsewhere (passkeys need it)
    #[arg(long, env = "UMBRA_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Also write daily-rotated log files to this folder
    #[arg(long, env = "UMBRA_LOG_DIR")]
    pub log_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Clear a user's failed-login counter and lock.
    ResetLockout(UserArgs),
    /// Create a user; the password is read from standard input.
    CreateUser(CreateUserArgs),
    /// Set a user's password from standard input and revoke their sessions.
    ResetPassword(PasswordArgs),
    /// Make a user an admin or a standard user.
    SetRole(SetRoleArgs),
    /// List all users.
    ListUsers(StorageOnly),
    /// Sign a user out everywhere.
    RevokeSessions(UserArgs),
    /// Print the one-time setup code (only while no user exists).
    SetupCode(StorageOnly),
    /// Write a consistent copy of the SQLite database while the server runs.
    Backup(BackupArgs),
    /// Replace the SQLite database with a backup (stop the server first); the old one is kept.
    Restore(RestoreArgs),
    /// Single sign-on: link or unlink a user's identity, or set who may use passwords.
    #[command(subcommand)]
    Oidc(OidcCommand),
}

#[derive(Debug, Subcommand)]
pub enum OidcCommand {
    /// Link an identity (issuer and subject, as the provider names them) to a user.
    Link(OidcIdentityArgs),
    /// Remove a linked identity from a user.
    Unlink(OidcIdentityArgs),
    /// Set who may sign in with a password: the way back in when the provider is down.
    PasswordLogin(PasswordLoginArgs),
}

#[derive(Debug, Args)]
pub struct OidcIdentityArgs {
    pub username: String,
    pub issuer: String,
    pub subject: String,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct PasswordLoginArgs {
    #[arg(value_parser = ["allowed", "admins_only", "disabled"])]
    pub mode: String,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to create (it must not exist)
    #[arg(long)]
    pub output: PathBuf,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A backup made by `umbra admin backup`
    #[arg(long)]
    pub input: PathBuf,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct StorageOnly {
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct UserArgs {
    pub username: String,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct CreateUserArgs {
    pub username: String,
    /// Give the user the admin role
    #[arg(long)]
    pub admin: bool,
    /// Read the password from standard input (required: passwords never go on the command line)
    #[arg(long, required = true)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct PasswordArgs {
    pub username: String,
    /// Read the password from standard input
    #[arg(long, required = true)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct SetRoleArgs {
    pub username: String,
    #[arg(value_parser = ["admin", "standard"])]
    pub role: String,
    #[command(flatten)]
    pub storage: StorageArgs,
}
