//! Request guards: `AuthUser` (a live session), `UnlockedUser` (and not locked: else 423),
//! `AdminUser` (and the admin role: else 403). The session is resolved once per request.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

use crate::auth::session;
use crate::db::sessions;
use crate::domain::id::{SessionId, UserId};
use crate::domain::role::Role;
use crate::domain::system_settings::RequireMfa;
use crate::domain::time::UtcMillis;
use crate::error::ApiError;
use crate::server::AppState;

/// Sliding expiry is refreshed at most this often, so most requests write nothing.
const TOUCH_INTERVAL_MS: i64 = 60_000;

/// Sent by the web UI's background polls (the bell's unread count): such a request is served
/// but is not activity, so a tab left open still reaches the idle expiry. Not a security
/// boundary (a client may leave it off); it keeps honest polling from defeating the timeout.
pub const BACKGROUND_HEADER: &str = "X-Umbra-Background";

#[derive(Debug, Clone)]
pub struct AuthUser {
    pub session_id: SessionId,
    pub user_id: UserId,
    pub username: String,
    pub role: Role,
    pub locked: bool,
    /// An admin reset the password and asked for a new one at the next sign-in.
    pub must_change_password: bool,
    /// When this session last proved the password again.
    pub reauth_at: Option<UtcMillis>,
    pub has_second_factor: bool,
    /// The system requires a second factor of this user (and they may lack one).
    pub second_factor_required: bool,
}

/// How long a re-authentication counts for sensitive changes.
pub const REAUTH_WINDOW_MINUTES: i64 = 10;

impl AuthUser {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether the session proved the password within the last ten minutes.
    pub fn recently_reauthenticated(&self, now: UtcMillis) -> bool {
        self.reauth_at.is_some_and(|at| now < at.plus_minutes(REAUTH_WINDOW_MINUTES))
    }
}

/// A signed-in user whose session is not locked and who needs no forced password change.
#[derive(Debug, Clone)]
pub struct UnlockedUser(pub AuthUser);

/// A signed-in, unlocked user who may still have to enrol a second factor or change a forced
/// password: what the enrolment endpoints and the password change accept.
#[derive(Debug, Clone)]
pub struct EnrollingUser(pub AuthUser);

/// A signed-in, unlocked admin.
#[derive(Debug, Clone)]
pub struct AdminUser(pub AuthUser);

async fn resolve(req: &Request<'_>) -> Result<Option<AuthUser>, ApiError> {
    let Some(state) = req.rocket().state::<AppState>() else {
        return Err(ApiError::internal("application state missing"));
    };
    let Some(token) = session::read_token(req.cookies(), &state.config) else {
        return Ok(None);
    };
    let pool = state.db.pool();
    let Some(row) = sessions::resolve(pool, &session::hash_token(&token)).await? else {
        return Ok(None);
    };
    let now = state.clock.now();
    let settings = state.system_settings().await?;
    let idle_deadline = UtcMillis(row.last_seen_at).plus_minutes(settings.session_idle_minutes);
    if !row.active.get() || now.0 >= row.expires_at || now >= idle_deadline {
        sessions::delete(pool, row.session_id).await?;
        return Ok(None);
    }
    // Per user, on top of the gate's per-IP limits: known here without another query.
    state.rate_limiters.check_user(row.user_id.0).map_err(ApiError::too_many_requests)?;
    let background = req.headers().get_one(BACKGROUND_HEADER).is_some();
    if !background && now.0 - row.last_seen_at >= TOUCH_INTERVAL_MS {
        sessions::touch(pool, row.session_id, now).await?;
    }
    Ok(Some(AuthUser {
        session_id: row.session_id,
        user_id: row.user_id,
        username: row.username,
        role: Role::from_stored(&row.role),
        locked: row.locked.get(),
        must_change_password: row.must_change_password.get(),
        reauth_at: row.reauth_at.map(UtcMillis),
        has_second_factor: row.has_second_factor.get(),
        second_factor_required: match settings.require_mfa {
            RequireMfa::Off => false,
            RequireMfa::Admins => row.role == "admin",
            RequireMfa::Everyone => true,
        },
    }))
}

/// Memoised per request: several guards on one route cost one query.
async fn cached<'r>(req: &'r Request<'_>) -> &'r Result<Option<AuthUser>, ApiError> {
    req.local_cache_async(async { resolve(req).await }).await
}

fn fail<T>(req: &Request<'_>, error: ApiError) -> Outcome<T, ApiError> {
    Outcome::Error((error.status, error.stash(req)))
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AuthUser {
    type Error = ApiError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ApiError> {
        match cached(req).await {
            Ok(Some(user)) => Outcome::Success(user.clone()),
            Ok(None) => fail(req, ApiError::not_signed_in()),
            Err(error) => fail(req, error.clone()),
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for UnlockedUser {
    type Error = ApiError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ApiError> {
        match AuthUser::from_request(req).await {
            Outcome::Success(user) if user.locked => fail(req, ApiError::locked()),
            Outcome::Success(user) if user.must_change_password => fail(
                req,
                ApiError::forbidden("An admin reset your password: choose a new one first (POST /api/auth/password)."),
            ),
            Outcome::Success(user) if user.second_factor_required && !user.has_second_factor => fail(
                req,
                ApiError::forbidden("This server requires a second factor: set up an authenticator app first."),
            ),
            Outcome::Success(user) => Outcome::Success(UnlockedUser(user)),
            Outcome::Error(e) => Outcome::Error(e),
            Outcome::Forward(s) => Outcome::Forward(s),
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for EnrollingUser {
    type Error = ApiError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ApiError> {
        match AuthUser::from_request(req).await {
            Outcome::Success(user) if user.locked => fail(req, ApiError::locked()),
            Outcome::Success(user) => Outcome::Success(EnrollingUser(user)),
            Outcome::Error(e) => Outcome::Error(e),
            Outcome::Forward(s) => Outcome::Forward(s),
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AdminUser {
    type Error = ApiError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ApiError> {
        match UnlockedUser::from_request(req).await {
            Outcome::Success(UnlockedUser(user)) if user.is_admin() => Outcome::Success(AdminUser(user)),
            Outcome::Success(_) => fail(req, ApiError::new(Status::Forbidden, "This needs the admin role.")),
            Outcome::Error(e) => Outcome::Error(e),
            Outcome::Forward(s) => Outcome::Forward(s),
        }
    }
}
