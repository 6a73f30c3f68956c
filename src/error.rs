//! `ApiError`: the one place errors become HTTP, as RFC 9457 `application/problem+json`.
//! Guards and data guards that fail stash their `ApiError` in the request so the catcher
//! can answer with the full problem instead of a bare status.

use std::io::Cursor;
use std::sync::Mutex;

use rocket::http::{ContentType, Header, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::error::DbError;
use crate::http::request_id::RequestId;
use crate::service::second_factor::SecondFactorError;
use crate::service::settings::UserSettingsError;
use crate::service::sign_in::SignInError;
use crate::service::sign_in::passkeys::MAX_PASSKEYS;
use crate::service::system_settings::SettingsError;
use crate::service::users::UserError;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: Status,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub retry_after_secs: Option<u64>,
    /// What went wrong inside, for the log only; never sent to the client.
    internal: Option<String>,
}

/// The problem document as sent (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: Status, detail: impl Into<String>) -> Self {
        Self { status, detail: detail.into(), errors: Vec::new(), retry_after_secs: None, internal: None }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(Status::BadRequest, detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(Status::Unauthorized, detail)
    }

    pub fn not_signed_in() -> Self {
        Self::unauthorized("You are not signed in.")
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(Status::Forbidden, detail)
    }

    pub fn not_found() -> Self {
        Self::new(Status::NotFound, "There is nothing here.")
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(Status::Conflict, detail)
    }

    /// A sensitive change without a re-authentication in the last ten minutes.
    pub fn reauth_required() -> Self {
        Self::forbidden("Confirm your password first (POST /api/auth/reauth): this change needs a recent sign-in.")
    }

    pub fn locked() -> Self {
        Self::new(Status::Locked, "This session is locked. Unlock it with your password.")
    }

    pub fn too_large(detail: impl Into<String>) -> Self {
        Self::new(Status::PayloadTooLarge, detail)
    }

    pub fn unsupported_media_type() -> Self {
        Self::new(Status::UnsupportedMediaType, "Send the request body as application/json.")
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        let mut error = Self::new(Status::TooManyRequests, "Too many requests. Try again later.");
        error.retry_after_secs = Some(retry_after_secs.max(1));
        error
    }

    /// 503: the server is too busy for this now (e.g. the password hashing queue is full).
    pub fn service_unavailable(retry_after_secs: u64) -> Self {
        let mut error = Self::new(Status::ServiceUnavailable, "The server is busy. Try again in a moment.");
        error.retry_after_secs = Some(retry_after_secs.max(1));
        error
    }

    /// 422 with one invalid field.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        let field = field.into();
        let mut error = Self::new(Status::UnprocessableEntity, format!("{field}: {message}"));
        error.errors.push(FieldError { field, message });
        error
    }

    /// 422 naming every setting that is out of range (the detail names the first).
    fn invalid_settings(problems: Vec<(&'static str, String)>) -> Self {
        let (field, message) = problems.first().cloned().unwrap_or(("settings", "Invalid settings.".into()));
        let mut answer = Self::invalid_field(field, message);
        answer.errors =
            problems.into_iter().map(|(field, message)| FieldError { field: field.to_string(), message }).collect();
        answer
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let mut error = Self::new(Status::InternalServerError, "Something went wrong on the server.");
        error.internal = Some(cause.to_string());
        error
    }

    #[must_use]
    pub fn with_status(mut self, status: Status) -> Self {
        self.status = status;
        self
    }

    /// Remembers this error for the catcher of a failed guard.
    #[must_use]
    pub fn stash(self, req: &Request<'_>) -> Self {
        let cell = req.local_cache(|| Stash(Mutex::new(None)));
        if let Ok(mut slot) = cell.0.lock() {
            *slot = Some(self.clone());
        }
        self
    }

    /// The error a guard stashed for this status, if any.
    pub fn take_stashed(req: &Request<'_>, status: Status) -> Option<Self> {
        let cell = req.local_cache(|| Stash(Mutex::new(None)));
        let mut slot = cell.0.lock().ok()?;
        slot.take_if(|e| e.status == status)
    }

    fn title(&self) -> &'static str {
        self.status.reason().unwrap_or("Error")
    }
}

struct Stash(Mutex<Option<ApiError>>);

/// Every database error is classified on its way out, so a constraint violation that no
/// call site expected still answers 409/422 rather than 500.
impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        DbError::classify(error).into()
    }
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        match error {
            DbError::InvalidText => {
                Self::new(Status::UnprocessableEntity, "Text may not contain the NUL character (\\u0000).")
            }
            DbError::Unique { field: Some(field) } => {
                let message = format!("That {} is taken.", field.replace('_', " "));
                Self::invalid_field(field, message).with_status(Status::Conflict)
            }
            DbError::Unique { field: None } => Self::conflict("That already exists."),
            DbError::ForeignKey { hidden: true, .. } => Self::not_found(),
            DbError::ForeignKey { field: Some(field), hidden: false } => {
                Self::invalid_field(field, "This refers to something that does not exist.")
            }
            DbError::ForeignKey { field: None, hidden: false } => {
                Self::new(Status::UnprocessableEntity, "The request refers to something that does not exist.")
            }
            DbError::Contention => Self::service_unavailable(1),
            // Logged where it was recognised (`DbError::classify`), once a minute.
            DbError::Unavailable(_) => {
                let mut error = Self::new(
                    Status::ServiceUnavailable,
                    "The database cannot be reached just now: nothing was changed. Try again in a moment.",
                );
                error.retry_after_secs = Some(5);
                error
            }
            DbError::StorageFull(_) => Self::new(
                Status::InsufficientStorage,
                "The server's disk is full: nothing was saved. Reading still works; try again once space is freed.",
            ),
            DbError::Other(error) => Self::internal(format!("database: {error}")),
        }
    }
}

/// The authenticator workflows' errors (`service::second_factor`), mapped once.
impl From<SecondFactorError> for ApiError {
    fn from(error: SecondFactorError) -> Self {
        match error {
            SecondFactorError::AlreadyOn => {
                Self::conflict("An authenticator is already set up. Disable it first to set up another.")
            }
            SecondFactorError::NotPending => {
                Self::conflict("Start with POST /api/auth/totp/setup (or TOTP is already on).")
            }
            SecondFactorError::Off => Self::conflict("Set up an authenticator first."),
            SecondFactorError::WrongCode => Self::invalid_field(
                "code",
                "That code does not match. Check the time on your device and try the next code.",
            ),
            SecondFactorError::Internal(cause) => Self::internal(cause),
            SecondFactorError::Db(error) => error.into(),
        }
    }
}

/// The sign-in ceremonies' errors (`service::sign_in`): every refusal of a proof is a 401
/// whose detail says nothing about which part was wrong.
impl From<SignInError> for ApiError {
    fn from(error: SignInError) -> Self {
        match error {
            SignInError::BadCredentials(detail) | SignInError::WrongCode(detail) => Self::unauthorized(detail),
            SignInError::ChallengeExpired => {
                Self::unauthorized("This sign-in has expired or was already completed. Start again with your password.")
            }
            SignInError::PasskeyFailed => {
                Self::unauthorized("Passkey sign-in failed. Try again, or use your password.")
            }
            SignInError::PasskeyNotAccepted => Self::unauthorized("The passkey was not accepted."),
            SignInError::RegistrationExpired => {
                Self::bad_request("This passkey registration has expired or was already used. Start again.")
            }
            SignInError::AuthenticatorRefused => {
                Self::bad_request("The authenticator's answer was not accepted. Try again.")
            }
            SignInError::PasskeyName => Self::invalid_field("name", "Give the passkey a name of 1 to 64 characters."),
            SignInError::TooManyPasskeys => Self::conflict(format!(
                "You have {MAX_PASSKEYS} passkeys, the most one account may have. Remove one first."
            )),
            SignInError::PasskeyTaken => Self::conflict("This passkey is already registered."),
            SignInError::NoPasskeys => Self::conflict("You have no passkeys. Use your password."),
            SignInError::NotFound => Self::not_found(),
            SignInError::Hash(error) => error.into(),
            SignInError::Internal(cause) => Self::internal(cause),
            SignInError::Db(error) => error.into(),
        }
    }
}

impl From<SettingsError> for ApiError {
    fn from(error: SettingsError) -> Self {
        match error {
            SettingsError::Invalid(problems) => Self::invalid_settings(problems),
            SettingsError::Db(error) => error.into(),
        }
    }
}

impl From<crate::service::oidc::OidcError> for ApiError {
    fn from(error: crate::service::oidc::OidcError) -> Self {
        use crate::service::oidc::OidcError as E;
        match error {
            E::Invalid(problems) => Self::invalid_settings(problems),
            E::NotFound | E::NotLinked => Self::not_found(),
            E::Off => Self::conflict("Single sign-on is not switched on."),
            E::Taken => Self::conflict("That identity is already linked to an account."),
            E::LastWayIn => Self::conflict(error.to_string()),
            E::Unavailable(why) => {
                tracing::warn!("single sign-on provider unavailable: {why}");
                Self::new(Status::BadGateway, "The identity provider could not be reached.")
            }
            E::Db(error) => error.into(),
            other => Self::internal(other),
        }
    }
}

impl From<UserSettingsError> for ApiError {
    fn from(error: UserSettingsError) -> Self {
        match error {
            UserSettingsError::Invalid(problems) => Self::invalid_settings(problems),
            UserSettingsError::NtfyMissing => {
                Self::invalid_field("ntfy_server", "Save an ntfy server and topic before sending a test.")
            }
            UserSettingsError::Db(error) => error.into(),
        }
    }
}

/// The account workflows' errors (`service::users`, `service::account`), mapped once.
impl From<UserError> for ApiError {
    fn from(error: UserError) -> Self {
        match error {
            UserError::NotFound => Self::not_found(),
            UserError::LastAdmin => Self::conflict("This is the last active admin: make another user an admin first."),
            UserError::UsernameTaken => {
                Self::invalid_field("username", "That username is taken.").with_status(Status::Conflict)
            }
            UserError::DeleteSelf => Self::conflict("You cannot delete your own account."),
            UserError::RegistrationClosed => Self::forbidden("Registration is closed. Ask an admin for an account."),
            UserError::AlreadySetUp => Self::conflict("UMBRA is already set up. Sign in instead."),
            UserError::WrongSetupCode => Self::forbidden(
                "That setup code is not right. It is printed in the server log at startup and by `umbra admin setup-code`.",
            ),
            UserError::Db(error) => error.into(),
        }
    }
}

impl<'r> Responder<'r, 'static> for ApiError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        if let Some(cause) = &self.internal {
            let request_id = RequestId::of(req);
            tracing::error!(request_id = %request_id, "internal error: {cause}");
        }
        let problem = Problem {
            kind: "about:blank",
            title: self.title(),
            status: self.status.code,
            detail: self.detail,
            errors: self.errors,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = Response::build();
        response
            .status(self.status)
            .header(ContentType::new("application", "problem+json"))
            .sized_body(body.len(), Cursor::new(body));
        if let Some(secs) = self.retry_after_secs {
            response.header(Header::new("Retry-After", secs.to_string()));
        }
        response.ok()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Every error status Rocket itself produces becomes a problem document too.
#[rocket::catch(default)]
pub fn catch_all(status: Status, req: &Request<'_>) -> ApiError {
    if let Some(stashed) = ApiError::take_stashed(req, status) {
        return stashed;
    }
    let detail = match status.code {
        400 => "The request could not be understood.",
        401 => "You are not signed in.",
        404 => "There is nothing here.",
        413 => "The request body is too large.",
        422 => "The request is not valid: check the query parameters and the body.",
        500 => "Something went wrong on the server.",
        _ => status.reason().unwrap_or("Error"),
    };
    ApiError::new(status, detail)
}
