//! Workflows shared by the API, the CLI and jobs: each takes a `Context` and a typed
//! `Caller` and returns domain errors (`error.rs` maps them to HTTP once), so a rule lives in
//! one place whoever asks. Handlers keep HTTP (cookies, status codes, password hashing on the
//! server's queue); the CLI keeps its own output. The sign-in ceremonies (`sign_in`) check
//! passwords, codes and passkeys themselves, with the server's `Verifiers`, and hand the
//! handler a session token for the cookie.

pub mod account;
pub mod app_passwords;
pub mod calendar_shares;
pub mod calendars;
pub mod connections;
pub mod dashboard;
pub mod dispatch;
pub mod event_invitations;
pub mod event_templates;
pub mod events;
pub mod ical;
pub mod locations;
pub mod notifications;
pub mod oidc;
pub mod outbound_allow;
pub mod people;
pub mod projects;
pub mod reminders;
pub mod second_factor;
pub mod settings;
pub mod sign_in;
pub mod system_settings;
pub mod todos;
pub mod users;
pub mod weather;

use crate::auth::session::RequestOrigin;
use crate::db::Db;
use crate::db::audit::{self, AuditEntry};
use crate::domain::audit_action::AuditAction;
use crate::domain::id::UserId;
use crate::domain::system_settings::SystemSettings;
use crate::domain::time::UtcMillis;

/// What a workflow works with: the database, the time it happens at (the app's clock in the
/// server, so tests control it; the system clock in the CLI) and the system settings in force.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub db: &'a Db,
    pub now: UtcMillis,
    pub settings: SystemSettings,
}

/// Where a request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A signed-in user through the API (an admin, for the admin workflows).
    Api,
    /// The operator through `umbra admin`.
    Cli,
}

/// Who asks for a workflow: who they are for the audit log, and how they came.
#[derive(Debug, Clone)]
pub struct Caller {
    actor: String,
    actor_user_id: Option<UserId>,
    ip: Option<String>,
    user_agent: Option<String>,
    via: Via,
}

impl Caller {
    /// A signed-in user (an admin for the admin workflows), through the API.
    pub fn user(user_id: UserId, username: &str, origin: &RequestOrigin) -> Self {
        Self {
            actor: username.to_string(),
            actor_user_id: Some(user_id),
            ip: Some(origin.ip.clone()),
            user_agent: origin.user_agent.clone(),
            via: Via::Api,
        }
    }

    /// Someone not signed in (yet), through the API: a sign-in attempt.
    pub fn anonymous(origin: &RequestOrigin) -> Self {
        Self {
            actor: "anonymous".into(),
            actor_user_id: None,
            ip: Some(origin.ip.clone()),
            user_agent: origin.user_agent.clone(),
            via: Via::Api,
        }
    }

    /// A signed-in admin, through the API.
    pub fn admin(user_id: UserId, username: &str, origin: &RequestOrigin) -> Self {
        Self::user(user_id, username, origin)
    }

    /// The operator, through `umbra admin`.
    pub fn cli() -> Self {
        Self { actor: "cli".into(), actor_user_id: None, ip: None, user_agent: None, via: Via::Cli }
    }

    pub fn via(&self) -> Via {
        self.via
    }

    pub fn user_id(&self) -> Option<UserId> {
        self.actor_user_id
    }

    /// The audit action: the API's and the CLI's names predate the service layer and are kept.
    fn action(&self, api: AuditAction, cli: AuditAction) -> AuditAction {
        match self.via {
            Via::Api => api,
            Via::Cli => cli,
        }
    }

    async fn audit(
        &self,
        ctx: Context<'_>,
        action: AuditAction,
        target: &str,
        detail: Option<String>,
    ) -> Result<(), sqlx::Error> {
        let entry = AuditEntry {
            actor: self.actor.clone(),
            actor_user_id: self.actor_user_id,
            action,
            target: Some(target.to_string()),
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
            detail,
        };
        audit::record(ctx.db.pool(), ctx.now, entry).await
    }
}
