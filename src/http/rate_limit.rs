//! Rate limiting with governor: per client IP, one keyed limiter per bucket (IPv6 clients are
//! keyed by their /64, since one host usually owns a whole /64), and per signed-in user, so
//! that one account cannot spread its traffic over many addresses. Stale keys are evicted by
//! `evict_stale` (run periodically, and inline when a limiter grows large) so memory stays
//! bounded however many addresses are seen.
//!
//! The strict auth bucket holds exactly the endpoints where a guess can be checked (a
//! password, a setup code, a second-factor code, a passkey assertion): see `AUTH_PATHS`.
//! Signed-in management (passkey registration, renaming, TOTP enrolment) is ordinary traffic,
//! limited per IP by the general bucket and per user by the user limiter.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use rocket::http::Method;

use crate::config::RateLimits;

/// How many distinct keys a bucket may hold before it is pruned inline.
const PRUNE_ABOVE_KEYS: usize = 50_000;

/// POST endpoints that check a credential: what a guesser would hammer. Exact canonical
/// paths (the gate refuses every other spelling before classifying).
pub const AUTH_PATHS: &[&str] = &[
    "/api/auth/login",
    "/api/auth/setup",
    "/api/auth/reauth",
    "/api/auth/unlock",
    // Checks the current password.
    "/api/auth/password",
    // Second-factor and recovery codes.
    "/api/auth/totp/verify",
    "/api/auth/totp/disable",
    // Passkey sign-in; begin answers for any name, so it is an enumeration target too.
    "/api/auth/passkeys/login/begin",
    "/api/auth/passkeys/login/finish",
    // A passkey assertion that re-authenticates or unlocks a session.
    "/api/auth/passkeys/confirm/finish",
];

/// Single sign-on's browser navigations (GET): each start stores a flow and each callback
/// makes the server call the provider, so they are counted like a password sign-in.
pub const AUTH_GET_PATHS: &[&str] = &["/api/auth/oidc/login", "/api/auth/oidc/callback"];

/// POST endpoints that create accounts.
pub const REGISTER_PATHS: &[&str] = &["/api/auth/register"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// `AUTH_PATHS`: password, setup code, unlock, second factors.
    Auth,
    /// Account creation: strictest.
    Register,
    Admin,
    /// `GET /ics/<token>.ics`: secret feeds, fetched without a session; a guesser's target.
    Feed,
    General,
}

/// Secret-feed fetches per client address: calendar apps poll every few minutes to hours, so
/// a household behind one address stays far below this, while guessing tokens cannot scale.
const FEED_PER_MINUTE: u32 = 60;
const FEED_BURST: u32 = 30;

impl Bucket {
    pub fn for_request(method: Method, path: &str) -> Bucket {
        if path.starts_with("/api/admin/") || path == "/api/admin" {
            return Bucket::Admin;
        }
        if path.starts_with("/ics/") {
            return Bucket::Feed;
        }
        if method == Method::Get && AUTH_GET_PATHS.contains(&path) {
            return Bucket::Auth;
        }
        if method != Method::Post {
            return Bucket::General;
        }
        if AUTH_PATHS.contains(&path) {
            Bucket::Auth
        } else if REGISTER_PATHS.contains(&path) {
            Bucket::Register
        } else {
            Bucket::General
        }
    }
}

pub struct RateLimiters {
    auth: DefaultKeyedRateLimiter<IpAddr>,
    register: DefaultKeyedRateLimiter<IpAddr>,
    admin: DefaultKeyedRateLimiter<IpAddr>,
    feed: DefaultKeyedRateLimiter<IpAddr>,
    general: DefaultKeyedRateLimiter<IpAddr>,
    /// Signed-in requests per user id, whatever address they come from.
    user: DefaultKeyedRateLimiter<i64>,
}

fn quota(per_minute: u32, burst: u32) -> Quota {
    let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(per_minute).allow_burst(burst)
}

impl RateLimiters {
    pub fn new(limits: &RateLimits) -> Self {
        Self {
            auth: RateLimiter::keyed(quota(limits.auth_per_minute, limits.auth_burst)),
            register: RateLimiter::keyed(quota(limits.register_per_minute, limits.register_burst)),
            admin: RateLimiter::keyed(quota(limits.admin_per_minute, limits.admin_burst)),
            feed: RateLimiter::keyed(quota(FEED_PER_MINUTE, FEED_BURST)),
            general: RateLimiter::keyed(quota(limits.general_per_minute, limits.general_burst)),
            user: RateLimiter::keyed(quota(limits.user_per_minute, limits.user_burst)),
        }
    }

    fn limiter(&self, bucket: Bucket) -> &DefaultKeyedRateLimiter<IpAddr> {
        match bucket {
            Bucket::Auth => &self.auth,
            Bucket::Register => &self.register,
            Bucket::Admin => &self.admin,
            Bucket::Feed => &self.feed,
            Bucket::General => &self.general,
        }
    }

    /// `Err(seconds)` to wait when the client is over its budget.
    pub fn check(&self, bucket: Bucket, ip: IpAddr) -> Result<(), u64> {
        let limiter = self.limiter(bucket);
        if limiter.len() > PRUNE_ABOVE_KEYS {
            limiter.retain_recent();
        }
        limiter.check_key(&client_key(ip)).map_err(wait_secs)
    }

    /// Counts one signed-in request of `user_id`; `Err(seconds)` when over its budget.
    pub fn check_user(&self, user_id: i64) -> Result<(), u64> {
        if self.user.len() > PRUNE_ABOVE_KEYS {
            self.user.retain_recent();
        }
        self.user.check_key(&user_id).map_err(wait_secs)
    }

    /// Drops keys whose budget is full again; they are indistinguishable from new ones.
    pub fn evict_stale(&self) {
        for bucket in [Bucket::Auth, Bucket::Register, Bucket::Admin, Bucket::Feed, Bucket::General] {
            let limiter = self.limiter(bucket);
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        self.user.retain_recent();
        self.user.shrink_to_fit();
    }

    pub fn tracked_keys(&self) -> usize {
        [&self.auth, &self.register, &self.admin, &self.feed, &self.general].iter().map(|l| l.len()).sum::<usize>()
            + self.user.len()
    }
}

fn wait_secs(not_until: governor::NotUntil<<DefaultClock as Clock>::Instant>) -> u64 {
    let wait = not_until.wait_time_from(DefaultClock::default().now());
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// The address a budget (or a connection cap) is kept for: IPv4 as is, IPv6 by its /64.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_by_path() {
        assert_eq!(Bucket::for_request(Method::Post, "/api/auth/login"), Bucket::Auth);
        assert_eq!(Bucket::for_request(Method::Post, "/api/auth/register"), Bucket::Register);
        assert_eq!(Bucket::for_request(Method::Post, "/api/auth/logout"), Bucket::General);
        assert_eq!(Bucket::for_request(Method::Get, "/api/admin/users"), Bucket::Admin);
        assert_eq!(Bucket::for_request(Method::Get, "/api/auth/status"), Bucket::General);
        assert_eq!(Bucket::for_request(Method::Get, "/api/auth/oidc/login"), Bucket::Auth);
        assert_eq!(Bucket::for_request(Method::Get, "/api/auth/oidc/callback"), Bucket::Auth);
        assert_eq!(Bucket::for_request(Method::Get, "/api/auth/oidc/identities"), Bucket::General);
        assert_eq!(Bucket::for_request(Method::Get, "/ics/abc.ics"), Bucket::Feed);
        assert_eq!(Bucket::for_request(Method::Get, "/icsx"), Bucket::General);
        for path in AUTH_PATHS {
            assert_eq!(Bucket::for_request(Method::Post, path), Bucket::Auth, "{path}");
        }
        // Signed-in management is not credential guessing.
        for path in [
            "/api/auth/passkeys/register/begin",
            "/api/auth/passkeys/register/finish",
            "/api/auth/passkeys/confirm/begin",
            "/api/auth/totp/setup",
            "/api/auth/totp/enable",
            "/api/auth/totp/recovery-codes",
            "/api/auth/lock",
            "/api/auth/sessions/revoke-others",
        ] {
            assert_eq!(Bucket::for_request(Method::Post, path), Bucket::General, "{path}");
        }
        assert_eq!(Bucket::for_request(Method::Patch, "/api/auth/passkeys/3"), Bucket::General);
    }

    #[test]
    fn users_have_their_own_budget() {
        let limits = RateLimits { user_per_minute: 1, user_burst: 2, ..RateLimits::default() };
        let limiters = RateLimiters::new(&limits);
        assert!(limiters.check_user(1).is_ok());
        assert!(limiters.check_user(1).is_ok());
        assert!(limiters.check_user(1).is_err());
        assert!(limiters.check_user(2).is_ok());
    }

    #[test]
    fn burst_then_refusal_and_eviction() {
        let limits =
            RateLimits { auth_per_minute: 1, auth_burst: 2, general_per_minute: 60_000_000, ..RateLimits::default() };
        let limiters = RateLimiters::new(&limits);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(limiters.check(Bucket::Auth, ip).is_ok());
        assert!(limiters.check(Bucket::Auth, ip).is_ok());
        let wait = limiters.check(Bucket::Auth, ip).unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        // Another address in the same IPv6 /64 shares a budget; another IPv4 does not.
        assert!(limiters.check(Bucket::Auth, "192.0.2.2".parse().unwrap()).is_ok());
        let a: IpAddr = "2001:db8::1".parse().unwrap();
        let b: IpAddr = "2001:db8::2".parse().unwrap();
        assert!(limiters.check(Bucket::Auth, a).is_ok());
        assert!(limiters.check(Bucket::Auth, b).is_ok());
        assert!(limiters.check(Bucket::Auth, b).is_err());
        for n in 0..1000u32 {
            let _ = limiters.check(Bucket::General, IpAddr::from(n.to_be_bytes()));
        }
        assert!(limiters.tracked_keys() > 1000);
        limiters.evict_stale();
        assert!(limiters.tracked_keys() < 50, "refilled keys are evicted");
    }
}
