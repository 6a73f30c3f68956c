//! Push notifications to a user's phone through ntfy. The message types here are shared by
//! the dispatcher (which decides what to send and when) and the ntfy sender (which turns a
//! message into one HTTP request through the SSRF-safe outbound client). The dispatcher talks
//! to a `Pusher`, so tests can count what would have been sent.

use futures::future::BoxFuture;

/// Where a user's pushes go (from their settings; the token already unsealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NtfyTarget {
    /// Base URL of the ntfy server, e.g. `https://ntfy.sh`.
    pub server: String,
    pub topic: String,
    /// Access token sent as `Authorization: Bearer …`, if the topic needs one.
    pub token: Option<String>,
}

/// One push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushMessage {
    pub title: String,
    pub body: String,
    /// ntfy priority 1 (min) … 5 (urgent).
    pub priority: u8,
    /// Opened when the notification is tapped (an absolute URL under `public_url`).
    pub click: Option<String>,
    /// Buttons; each answers with a POST to its URL (ntfy's `http` action).
    pub actions: Vec<PushAction>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushAction {
    pub label: String,
    pub url: String,
}

/// Why a push did not arrive. Never carries the remote server's response body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The outbound client refused the URL before connecting; names the rule.
    #[error("refused: {0}")]
    Refused(String),
    /// The server could not be reached, or answered with a non-2xx status.
    #[error("failed: {error}")]
    Failed { status: Option<u16>, error: String },
}

/// Sends pushes. The server's is the ntfy sender; tests may substitute their own.
pub trait Pusher: Send + Sync {
    /// Sends one message; `Ok` carries the HTTP status the server answered (2xx).
    fn push<'a>(&'a self, target: &'a NtfyTarget, message: &'a PushMessage) -> BoxFuture<'a, Result<u16, PushError>>;
}

pub mod ntfy;
