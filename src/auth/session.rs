//! Session tokens and their cookie. The cookie is private (encrypted and authenticated with
//! the persistent secret key) and carries 256 random bits; the database keeps only their
//! SHA-256, so a stolen database does not yield working sessions.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rocket::http::{Cookie, CookieJar, SameSite};
use sha2::{Digest, Sha256};

use crate::config::Config;

pub const SECURE_COOKIE: &str = "__Host-umbra_session";
/// Browsers refuse `__Host-` cookies without `Secure`, so plain-HTTP development drops it.
pub const INSECURE_COOKIE: &str = "umbra_session";

pub fn cookie_name(config: &Config) -> &'static str {
    if config.secure_cookies() { SECURE_COOKIE } else { INSECURE_COOKIE }
}

/// A fresh random token and the hash the database stores for it.
pub struct NewToken {
    pub token: String,
    pub hash: String,
}

pub fn new_token() -> NewToken {
    let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let hash = hash_token(&token);
    NewToken { token, hash }
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn read_token(jar: &CookieJar<'_>, config: &Config) -> Option<String> {
    jar.get_private(cookie_name(config)).map(|c| c.value().to_string())
}

pub fn set_cookie(jar: &CookieJar<'_>, config: &Config, token: String, lifetime_minutes: i64) {
    let cookie = Cookie::build((cookie_name(config), token))
        .http_only(true)
        .secure(config.secure_cookies())
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(rocket::time::Duration::minutes(lifetime_minutes));
    jar.add_private(cookie);
}

/// Removes the session cookie. The removal carries the attributes the cookie was set with
/// (`Secure`, `Path=/`): browsers ignore a `__Host-` cookie without them, deletion included,
/// and Rocket's removal defaults add no `Secure`.
pub fn clear_cookie(jar: &CookieJar<'_>, config: &Config) {
    let removal = Cookie::build(cookie_name(config))
        .path("/")
        .secure(config.secure_cookies())
        .http_only(true)
        .same_site(SameSite::Lax);
    jar.remove_private(removal);
}

/// Who is signing in from where, for the sessions table and the audit log.
pub struct RequestOrigin {
    pub ip: String,
    pub user_agent: Option<String>,
}
