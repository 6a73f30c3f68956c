//! The one HTTP client for every request the server makes on its own (ntfy pushes now,
//! weather later), built so that a URL a user typed cannot be turned against the server or
//! its network (SSRF):
//!
//! - http and https only, no user name or password in the URL;
//! - the host is resolved once and **every** address it resolves to is checked
//!   (`address::classify`): one non-public address refuses the whole request, unless the
//!   admin's allow-list (`allow`) names it;
//! - the connection goes to exactly the addresses that were checked: the client's resolver
//!   (`Pins`) answers only from what this module resolved and checked, never asks DNS
//!   itself, so a second lookup cannot be rebound to another address;
//! - no redirects, no system proxy, a 10 s limit on the whole exchange;
//! - response bodies are read (bounded) for the caller's own use and never shown to users.
//!
//! Every refusal is audited (`outbound_refused`) with the rule it broke.

pub mod address;
pub mod allow;
pub mod target;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

use self::allow::AllowList;
use self::target::{Destination, Refusal};
use crate::clock::SharedClock;
use crate::db::Db;
use crate::db::audit::{self, AuditEntry};
use crate::domain::audit_action::AuditAction;
use crate::domain::id::UserId;
use crate::domain::time::UtcMillis;

/// The limit on one whole exchange: connect, send, answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How many host names the resolver remembers at most.
const MAX_PINNED_NAMES: usize = 1024;
/// Response bodies past this are cut off: callers need a small JSON answer at most.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A request to send.
#[derive(Debug, Clone)]
pub struct OutboundRequest {
    pub method: reqwest::Method,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Vec<u8>>,
}

/// What the remote server answered (any status: the caller decides what is a failure).
#[derive(Debug, Clone)]
pub struct OutboundResponse {
    pub status: u16,
    /// At most `MAX_BODY_BYTES`; for the caller, never for a user's eyes.
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    /// The rules refused the URL; nothing was sent.
    #[error("refused: {0}")]
    Refused(Refusal),
    /// The server could not be reached or the exchange failed (no remote text inside).
    #[error("{0}")]
    Failed(String),
}

/// On whose behalf a request is made, for the audit entry of a refusal.
#[derive(Debug, Clone)]
pub struct Requester {
    pub actor: String,
    pub user_id: Option<UserId>,
}

impl Requester {
    pub fn user(user_id: UserId, username: &str) -> Self {
        Self { actor: username.to_string(), user_id: Some(user_id) }
    }

    /// The server itself (the notification dispatcher, a job).
    pub fn system() -> Self {
        Self { actor: "system".into(), user_id: None }
    }
}

/// The addresses this module checked, per host name: the only answers the HTTP client's
/// resolver gives. A name that was not checked does not resolve at all.
#[derive(Default)]
struct Pins(Mutex<HashMap<String, Vec<IpAddr>>>);

impl Resolve for Pins {
    fn resolve(&self, name: Name) -> Resolving {
        let pinned = self.0.lock().ok().and_then(|pins| pins.get(name.as_str()).cloned());
        Box::pin(async move {
            let addresses = pinned.ok_or("host was not checked by the outbound rules")?;
            // The port is the connector's business; it replaces this one.
            let addrs: Addrs = Box::new(addresses.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

/// The SSRF-safe client. One per server, shared through `AppState`.
pub struct OutboundClient {
    http: reqwest::Client,
    pins: Arc<Pins>,
    db: Db,
    clock: SharedClock,
    /// The allow-list as last read, for at most a second (as the system settings are).
    allow_seen: Mutex<Option<(UtcMillis, Arc<AllowList>)>>,
}

/// A URL that passed every rule, with the addresses it may be reached at.
#[derive(Debug, Clone)]
pub struct Checked {
    pub url: Url,
    pub addresses: Vec<IpAddr>,
}

impl OutboundClient {
    pub fn new(db: Db, clock: SharedClock) -> Result<Self, reqwest::Error> {
        // reqwest is built without a crypto provider of its own: ring, as everywhere else.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let pins = Arc::new(Pins::default());
        let http = reqwest::Client::builder()
            .dns_resolver(pins.clone())
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("UMBRA/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http, pins, db, clock, allow_seen: Mutex::new(None) })
    }

    /// The admin's allow-list, read from the database at most once a second.
    pub async fn allow_list(&self) -> Result<Arc<AllowList>, sqlx::Error> {
        let now = self.clock.now();
        let fresh = |seen: &Option<(UtcMillis, Arc<AllowList>)>| {
            seen.as_ref().filter(|(at, _)| (0..1000).contains(&(now.0 - at.0))).map(|(_, list)| list.clone())
        };
        if let Some(list) = self.allow_seen.lock().ok().and_then(|seen| fresh(&seen)) {
            return Ok(list);
        }
        let list = Arc::new(crate::db::outbound_allow::load(self.db.pool()).await?);
        if let Ok(mut seen) = self.allow_seen.lock() {
            *seen = Some((now, list.clone()));
        }
        Ok(list)
    }

    /// Drops the cached allow-list after this process changed it.
    pub fn forget_allow_list(&self) {
        if let Ok(mut seen) = self.allow_seen.lock() {
            *seen = None;
        }
    }

    /// Applies every rule to `url`, resolving its host once. A refusal is audited.
    pub async fn check(&self, who: &Requester, url: &str) -> Result<Checked, OutboundError> {
        let allow = self.allow_list().await.map_err(|e| OutboundError::Failed(format!("database: {e}")))?;
        match check_with(&allow, url).await {
            Ok(checked) => Ok(checked),
            Err(refusal) => {
                self.audit_refusal(who, url, &refusal).await;
                Err(OutboundError::Refused(refusal))
            }
        }
    }

    /// Checks the URL, then sends the request to the addresses that were checked.
    pub async fn send(&self, who: &Requester, request: OutboundRequest) -> Result<OutboundResponse, OutboundError> {
        let checked = self.check(who, &request.url).await?;
        if let Some(url::Host::Domain(name)) = checked.url.host()
            && let Ok(mut pins) = self.pins.0.lock()
        {
            // Bounded: names users typed must not grow the map for ever. A request already
            // connecting has had its answer; a later one pins its name again.
            if pins.len() >= MAX_PINNED_NAMES {
                pins.clear();
            }
            pins.insert(name.to_string(), checked.addresses.clone());
        }
        let mut builder = self.http.request(request.method, checked.url);
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let mut response = builder.send().await.map_err(|e| OutboundError::Failed(describe(&e)))?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| OutboundError::Failed(describe(&e)))? {
            let room = MAX_BODY_BYTES.saturating_sub(body.len());
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if room <= chunk.len() {
                break;
            }
        }
        Ok(OutboundResponse { status, body })
    }

    async fn audit_refusal(&self, who: &Requester, url: &str, refusal: &Refusal) {
        // The host only: a URL may carry a token in its path or query.
        let target = Url::parse(url.trim())
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "(invalid URL)".into());
        let entry = AuditEntry {
            actor_user_id: who.user_id,
            target: Some(target),
            detail: Some(refusal.to_string()),
            ..AuditEntry::new(who.actor.clone(), AuditAction::OutboundRefused)
        };
        if let Err(error) = audit::record(self.db.pool(), self.clock.now(), entry).await {
            tracing::error!("cannot audit an outbound refusal: {error}");
        }
    }
}

/// The rules, with a given allow-list: parse, resolve once, judge every address.
pub async fn check_with(allow: &AllowList, text: &str) -> Result<Checked, Refusal> {
    let (url, destination) = target::parse(text)?;
    let (addresses, host_allowed) = match destination {
        Destination::Ip(ip) => (vec![ip], false),
        Destination::Name(name) => {
            let port = url.port_or_known_default().unwrap_or(80);
            let resolved = resolve(&name, port).await;
            if resolved.is_empty() {
                return Err(Refusal::Unresolvable(name));
            }
            let allowed = allow.allows_host(&name);
            (resolved, allowed)
        }
    };
    for &address in &addresses {
        target::judge(address, allow, host_allowed)?;
    }
    let mut addresses = addresses;
    addresses.dedup();
    Ok(Checked { url, addresses })
}

/// Every address `name` resolves to (none when the lookup fails or takes too long).
async fn resolve(name: &str, port: u16) -> Vec<IpAddr> {
    // `localhost.` is `localhost`: the system resolver may not read /etc/hosts for the
    // absolute form, but what the name means must not depend on that.
    let name = name.strip_suffix('.').unwrap_or(name);
    match tokio::time::timeout(TIMEOUT, tokio::net::lookup_host((name, port))).await {
        Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
        _ => Vec::new(),
    }
}

/// A transport error in words a user can act on, without anything the remote server said.
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        format!("no answer within {} seconds", TIMEOUT.as_secs())
    } else if error.is_connect() {
        "the server could not be reached".into()
    } else {
        "the exchange with the server failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> Name {
        text.parse().unwrap()
    }

    #[tokio::test]
    async fn the_resolver_answers_only_with_checked_addresses() {
        let pins = Pins::default();
        // A name nobody checked does not resolve at all: the HTTP client never asks DNS.
        assert!(pins.resolve(name("example.com")).await.is_err());
        let checked: IpAddr = "93.184.216.34".parse().unwrap();
        pins.0.lock().unwrap().insert("example.com".into(), vec![checked]);
        let answered: Vec<SocketAddr> = pins.resolve(name("example.com")).await.unwrap().collect();
        assert_eq!(answered, vec![SocketAddr::new(checked, 0)]);
        assert!(pins.resolve(name("other.example")).await.is_err());
    }

    #[tokio::test]
    async fn a_name_is_judged_by_every_address_it_resolves_to() {
        let allow = AllowList::default();
        let refused = check_with(&allow, "http://localhost./").await.unwrap_err();
        assert!(matches!(refused, Refusal::Address { rule: address::Blocked::Loopback, .. }), "{refused}");
        let by_name = AllowList::parse(&["localhost".into()]).unwrap();
        let checked = check_with(&by_name, "http://localhost:8080/x").await.unwrap();
        assert!(checked.addresses.iter().all(IpAddr::is_loopback));
        assert!(matches!(
            check_with(&allow, "http://no-such-host.invalid/").await,
            Err(Refusal::Unresolvable(host)) if host == "no-such-host.invalid"
        ));
    }
}
