//! Who a DAV request is from: HTTP Basic with the user's name and one of their app passwords
//! (`service::app_passwords`). No credentials, bad ones, the account password, a revoked
//! app password, a deactivated account and a locked name all get the same 401 with a Basic
//! challenge. Malformed credentials (another scheme, bad base64, an empty part) are refused
//! before anything is looked up or counted: they cannot be a guess at a secret.
//!
//! A refused attempt is charged to the client address's auth bucket, as a wrong password at
//! sign-in is; once that is empty a refused attempt is answered 429 and, like a sign-in the
//! gate turned away, neither counted on the name nor audited (so one address cannot flood
//! the audit log). A request with a right app password is never held back by the bucket: a
//! secret of 160 random bits cannot be guessed, and a household's phones behind one address
//! keep syncing while someone there types wrong passwords.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rocket::http::Status;
use rocket::request::{FromRequest, Request};

use super::DavResponse;
use crate::auth::session::RequestOrigin;
use crate::http::client_ip::ClientIp;
use crate::http::rate_limit::Bucket;
use crate::server::AppState;
use crate::service::app_passwords;
pub use crate::service::app_passwords::DavAccount;

const CHALLENGE: &str = "Basic realm=\"UMBRA\", charset=\"UTF-8\"";
const REFUSED: &str = "Sign in with your user name and an app password (Settings → Devices).";

/// The signed-in DAV account, or the answer to send instead.
pub async fn account(req: &Request<'_>, state: &AppState) -> Result<DavAccount, DavResponse> {
    let Some((username, secret)) = req.headers().get_one("Authorization").and_then(basic_credentials) else {
        return Err(refused());
    };
    let origin = RequestOrigin::from_request(req)
        .await
        .succeeded()
        .unwrap_or(RequestOrigin { ip: String::new(), user_agent: None });
    let ctx = state.context().await.map_err(|_| unavailable())?;
    let found = app_passwords::authenticate(ctx, &username, &secret).await.map_err(failed)?;
    if let Some(account) = found {
        // Per user too, as for signed-in requests: a client spread over many addresses.
        if let Err(wait) = state.rate_limiters.check_user(account.user_id.0) {
            return Err(DavResponse::text(Status::TooManyRequests, "Too many requests: slow down.")
                .with_header("Retry-After", wait.to_string()));
        }
        return Ok(account);
    }
    let ip = ClientIp::of(req, &state.config.trusted_proxies).0;
    if let Err(wait) = state.rate_limiters.check(Bucket::Auth, ip) {
        tracing::warn!(client_ip = %ip, "DAV sign-in rate limited");
        return Err(DavResponse::text(Status::TooManyRequests, "Too many failed sign-ins: try again later.")
            .with_header("Retry-After", wait.to_string()));
    }
    app_passwords::record_failure(ctx, &origin, &state.audit_key, &username).await.map_err(failed)?;
    Err(refused())
}

fn failed(error: sqlx::Error) -> DavResponse {
    tracing::error!("DAV sign-in: {error}");
    unavailable()
}

fn refused() -> DavResponse {
    DavResponse::text(Status::Unauthorized, REFUSED).with_header("WWW-Authenticate", CHALLENGE)
}

fn unavailable() -> DavResponse {
    DavResponse::text(Status::ServiceUnavailable, "The server cannot check the sign-in right now.")
        .with_header("Retry-After", "1")
}

/// `Basic base64(user:password)` → (user, password); `None` for anything else.
fn basic_credentials(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    if user.is_empty() || password.is_empty() || user.len() > 256 || password.len() > 256 {
        return None;
    }
    Some((user.to_string(), password.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_basic_credentials() {
        let header = format!("Basic {}", STANDARD.encode("ann:abc-def:ghi"));
        assert_eq!(basic_credentials(&header), Some(("ann".into(), "abc-def:ghi".into())));
        assert_eq!(
            basic_credentials(&format!("basic  {}", STANDARD.encode("ann:x"))),
            Some(("ann".into(), "x".into()))
        );
        assert_eq!(basic_credentials("Bearer abc"), None);
        assert_eq!(basic_credentials("Basic !!!"), None);
        assert_eq!(basic_credentials(&format!("Basic {}", STANDARD.encode("ann"))), None);
        assert_eq!(basic_credentials(&format!("Basic {}", STANDARD.encode(":x"))), None);
    }
}
