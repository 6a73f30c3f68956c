//! Single sign-on with an OpenID provider (authorization-code flow with PKCE): the admin's
//! settings (`settings`), the provider's discovery document and keys (`provider`), the
//! sign-in and link flow (`flow`) and the identities linked to accounts (`identities`).
//! openidconnect does every protocol and JOSE step; this module decides what an identity
//! may do in UMBRA.

pub mod flow;
pub mod identities;
pub mod provider;
pub mod settings;

use crate::db::error::DbError;
use crate::service::sign_in::SignInError;
use crate::service::users::UserError;

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("single sign-on is not switched on")]
    Off,
    /// The provider could not be reached or its documents are unusable (the text is for
    /// admins and the log; users see a plain sentence).
    #[error("the identity provider could not be reached: {0}")]
    Unavailable(String),
    /// No flow with that state for this browser, or it lapsed, or it was used.
    #[error("the sign-in expired or was already used")]
    Expired,
    /// The provider refused, or what it sent did not verify (the reason is for the log).
    #[error("the identity provider's answer was not accepted: {0}")]
    Refused(String),
    #[error("no account is linked to this identity")]
    NotLinked,
    #[error("the identity is in neither of the groups allowed to sign in")]
    Group,
    #[error("the account is disabled")]
    Disabled,
    #[error("this identity is linked to another account")]
    Taken,
    #[error("no such identity")]
    NotFound,
    /// Unlinking would leave the account no way to sign in.
    #[error("this is the account's last way to sign in: set a password or add a passkey first")]
    LastWayIn,
    #[error("invalid single sign-on settings")]
    Invalid(Vec<(&'static str, String)>),
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl OidcError {
    /// The short code the sign-in page turns into a sentence (`?oidc_error=`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Unavailable(_) | Self::Internal(_) | Self::Db(_) => "unavailable",
            Self::Expired => "expired",
            Self::Refused(_) | Self::Invalid(_) | Self::NotFound | Self::LastWayIn => "refused",
            Self::NotLinked => "not_linked",
            Self::Group => "group",
            Self::Disabled => "disabled",
            Self::Taken => "taken",
        }
    }
}

impl From<sqlx::Error> for OidcError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::from(error))
    }
}

impl From<SignInError> for OidcError {
    fn from(error: SignInError) -> Self {
        match error {
            SignInError::Db(error) => Self::Db(error),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<UserError> for OidcError {
    fn from(error: UserError) -> Self {
        match error {
            UserError::Db(error) => Self::Db(error),
            UserError::NotFound => Self::NotLinked,
            other => Self::Internal(other.to_string()),
        }
    }
}
