//! `umbra admin create-user USERNAME [--admin] --password-stdin`

use super::{Admin, Failure, read_password_stdin};
use crate::auth::password::PasswordHasher;
use crate::domain::password_policy;
use crate::domain::role::Role;
use crate::domain::username::Username;
use crate::service::Caller;
use crate::service::users::{self as service, NewAccount, UserError};

pub async fn run(admin: &Admin, username: &str, make_admin: bool) -> Result<String, Failure> {
    let username = Username::parse(username).map_err(|rules| Failure(format!("invalid username: {rules}")))?;
    let hash = hash_new_password(admin, username.as_str()).await?;
    let role = if make_admin { Role::Admin } else { Role::Standard };
    let new = NewAccount { username: &username, password_hash: &hash, role };
    let user = service::create_user(admin.context().await?, &Caller::cli(), new).await.map_err(|e| match e {
        UserError::UsernameTaken => Failure(format!("the username '{username}' is taken")),
        other => Failure(other.to_string()),
    })?;
    Ok(format!("Created {} user {} (id {}).", role.as_str(), user.username, user.id))
}

/// Reads, checks and hashes a new password from standard input.
pub async fn hash_new_password(admin: &Admin, username: &str) -> Result<String, Failure> {
    let raw = read_password_stdin()?;
    let password =
        password_policy::check(&raw, username).map_err(|why| Failure(format!("password refused: it {why}")))?;
    let hasher = PasswordHasher::new(admin.argon2).map_err(|e| Failure(e.to_string()))?;
    hasher.hash(&password).await.map_err(|e| Failure(e.to_string()))
}
