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
//! - no redirects, no system proxy, one 10 s deadline for the lookup and the whole exchange
//!   together; at most `MAX_LOOKUPS` DNS lookups at once, so stuck lookups cannot take every
//!   blocking thread;
//! - response bodies are read (bounded) for the caller's own use and never shown to users;
//! - what a host name resolved to is never shown to users (a split-horizon DNS oracle
//!   otherwise), only to admins in the audit log.
//!
//! Every refusal is audited (`outbound_refused`) with the rule it broke, at most once a minute
//! per requester, rule and host (`throttle`), so a user cannot flood the audit log.

pub mod address;
pub mod allow;
pub mod target;
mod throttle;

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use url::Url;

use self::allow::AllowList;
use self::target::{Destination, Refusal};
use self::throttle::RefusalThrottle;
use crate::clock::SharedClock;
use crate::db::Db;
use crate::db::audit::{self, AuditEntry};
use crate::domain::audit_action::AuditAction;
use crate::domain::id::UserId;
use crate::domain::time::UtcMillis;

/// The limit on one whole request: lookup, connect, send, answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// DNS lookups run on blocking threads that a timeout cannot stop; at most this many at once.
pub const MAX_LOOKUPS: u32 = 8;
/// Response bodies past this are cut off: callers need a small JSON answer at most.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A request to send.
#[derive(Clone)]
pub struct OutboundRequest {
    pub method: reqwest::Method,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Vec<u8>>,
}

/// Headers whose values are credentials: never printed.
const SECRET_HEADERS: [&str; 3] = ["authorization", "proxy-authorization", "cookie"];

/// Written by hand so that a logged request never shows its bearer token: secret header values
/// are redacted and the body (the user's message) is shown by its length only.
impl fmt::Debug for OutboundRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let secret = SECRET_HEADERS.iter().any(|s| s.eq_ignore_ascii_case(name));
                (*name, if secret { "<redacted>" } else { value.as_str() })
            })
            .collect();
        f.debug_struct("OutboundRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .finish()
    }
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
    /// The server could not be reached or the exchange failed (no remote text inside, and no
    /// internal error text either: this reaches users).
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

/// The addresses this module checked, per host name, for the requests in flight: the only
/// answers the HTTP client's resolver gives. A name that was not checked does not resolve at
/// all. Each request holds its name (`PinGuard`) until it is done, and the entry goes when
/// the last request holding it is done, so one request never unpins another's name.
#[derive(Default)]
struct Pins(Mutex<HashMap<String, Pinned>>);

struct Pinned {
    addresses: Vec<IpAddr>,
    holders: usize,
}

impl Pins {
    /// Pins `name` to `addresses` until the guard is dropped. Two requests in flight for one
    /// name share the entry: both sets of addresses were checked, so either may be used.
    fn hold(self: &Arc<Self>, name: &str, addresses: &[IpAddr]) -> PinGuard {
        if let Ok(mut pins) = self.0.lock() {
            let pinned = pins.entry(name.to_string()).or_insert(Pinned { addresses: Vec::new(), holders: 0 });
            pinned.holders += 1;
            for address in addresses {
                if !pinned.addresses.contains(address) {
                    pinned.addresses.push(*address);
                }
            }
        }
        PinGuard { pins: self.clone(), name: name.to_string() }
    }

    fn addresses(&self, name: &str) -> Option<Vec<IpAddr>> {
        self.0.lock().ok().and_then(|pins| pins.get(name).map(|p| p.addresses.clone()))
    }
}

/// One request's hold on a pinned name; released on drop, also when the request is cancelled.
struct PinGuard {
    pins: Arc<Pins>,
    name: String,
}

impl Drop for PinGuard {
    fn drop(&mut self) {
        if let Ok(mut pins) = self.pins.0.lock()
            && let Some(pinned) = pins.get_mut(&self.name)
        {
            pinned.holders -= 1;
            if pinned.holders == 0 {
                pins.remove(&self.name);
            }
        }
    }
}

impl Resolve for Pins {
    fn resolve(&self, name: Name) -> Resolving {
        let pinned = self.addresses(name.as_str());
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
    /// Permits for DNS lookups (`MAX_LOOKUPS`).
    lookups: Arc<Semaphore>,
    /// When each (requester, rule, host) refusal was last audited.
    throttle: RefusalThrottle,
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
        // No timeout of reqwest's own: `send` puts one deadline over the lookup and the
        // exchange together.
        let http = reqwest::Client::builder()
            .dns_resolver(pins.clone())
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("UMBRA/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            pins,
            db,
            clock,
            allow_seen: Mutex::new(None),
            lookups: Arc::new(Semaphore::new(MAX_LOOKUPS as usize)),
            throttle: RefusalThrottle::default(),
        })
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

    /// Applies every rule to `url`, resolving its host once (within `TIMEOUT`). A refusal is
    /// audited.
    pub async fn check(&self, who: &Requester, url: &str) -> Result<Checked, OutboundError> {
        self.check_by(who, url, Instant::now() + TIMEOUT).await
    }

    async fn check_by(&self, who: &Requester, url: &str, deadline: Instant) -> Result<Checked, OutboundError> {
        let allow = self.allow_list().await.map_err(|error| {
            // The database's words are for the log: this error reaches the user's ntfy test.
            tracing::error!("cannot load the outbound allow-list: {error}");
            OutboundError::Failed("the outbound rules could not be checked; try again later".into())
        })?;
        match check_with(&allow, url, &self.lookups, deadline).await {
            Ok(checked) => Ok(checked),
            Err(refusal) => {
                self.audit_refusal(who, url, &refusal).await;
                Err(OutboundError::Refused(refusal))
            }
        }
    }

    /// Checks the URL, then sends the request to the addresses that were checked; one
    /// `TIMEOUT` deadline covers both.
    pub async fn send(&self, who: &Requester, request: OutboundRequest) -> Result<OutboundResponse, OutboundError> {
        let deadline = Instant::now() + TIMEOUT;
        match tokio::time::timeout_at(deadline, self.send_by(who, request, deadline)).await {
            Ok(result) => result,
            Err(_) => Err(OutboundError::Failed(no_answer())),
        }
    }

    async fn send_by(
        &self,
        who: &Requester,
        request: OutboundRequest,
        deadline: Instant,
    ) -> Result<OutboundResponse, OutboundError> {
        let checked = self.check_by(who, &request.url, deadline).await?;
        // Held until this function returns (or is cancelled by the deadline).
        let _pin = match checked.url.host() {
            Some(url::Host::Domain(name)) => Some(self.pins.hold(name, &checked.addresses)),
            _ => None,
        };
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
        let now = self.clock.now();
        if !self.throttle.admit(who, refusal.rule_key(), &target, now) {
            return;
        }
        let entry = AuditEntry {
            actor_user_id: who.user_id,
            target: Some(target),
            detail: Some(refusal.audit_detail()),
            ..AuditEntry::new(who.actor.clone(), AuditAction::OutboundRefused)
        };
        if let Err(error) = audit::record(self.db.pool(), now, entry).await {
            tracing::error!("cannot audit an outbound refusal: {error}");
        }
    }
}

/// The rules, with a given allow-list: parse, resolve once (a lookup permit from `lookups`,
/// by `deadline`), judge every address.
pub async fn check_with(
    allow: &AllowList,
    text: &str,
    lookups: &Arc<Semaphore>,
    deadline: Instant,
) -> Result<Checked, Refusal> {
    let (url, destination) = target::parse(text)?;
    let addresses = match destination {
        Destination::Ip(ip) => {
            target::judge(ip, allow, false)?;
            vec![ip]
        }
        Destination::Name(name) => {
            let port = url.port_or_known_default().unwrap_or(80);
            let mut resolved = resolve(&name, port, lookups, deadline).await;
            if resolved.is_empty() {
                return Err(Refusal::Name { host: name, found: None });
            }
            let allowed = allow.allows_host(&name);
            for &address in &resolved {
                match target::judge(address, allow, allowed) {
                    Ok(()) => {}
                    Err(Refusal::Address { address, rule }) => {
                        return Err(Refusal::Name { host: name, found: Some((address, rule)) });
                    }
                    Err(other) => return Err(other),
                }
            }
            resolved.dedup();
            resolved
        }
    };
    Ok(Checked { url, addresses })
}

/// Every address `name` resolves to (none when the lookup fails or the deadline passes).
async fn resolve(name: &str, port: u16, lookups: &Arc<Semaphore>, deadline: Instant) -> Vec<IpAddr> {
    // `localhost.` is `localhost`: the system resolver may not read /etc/hosts for the
    // absolute form, but what the name means must not depend on that.
    let name = name.strip_suffix('.').unwrap_or(name).to_string();
    let lookup = async {
        let permit = lookups.clone().acquire_owned().await.ok()?;
        // The lookup runs on a blocking thread that no timeout stops: the task keeps the
        // permit until the lookup really ends, so stuck lookups cannot pile up past the cap.
        let task = tokio::spawn(async move {
            let _permit = permit;
            tokio::net::lookup_host((name, port)).await.ok().map(|addrs| addrs.map(|a| a.ip()).collect())
        });
        task.await.ok().flatten()
    };
    tokio::time::timeout_at(deadline, lookup).await.ok().flatten().unwrap_or_default()
}

fn no_answer() -> String {
    format!("no answer within {} seconds", TIMEOUT.as_secs())
}

/// A transport error in words a user can act on, without anything the remote server said.
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        no_answer()
    } else if error.is_connect() {
        "the server could not be reached".into()
    } else {
        "the exchange with the server failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    fn name(text: &str) -> Name {
        text.parse().unwrap()
    }

    fn lookups() -> Arc<Semaphore> {
        Arc::new(Semaphore::new(MAX_LOOKUPS as usize))
    }

    async fn check(allow: &AllowList, text: &str) -> Result<Checked, Refusal> {
        check_with(allow, text, &lookups(), Instant::now() + TIMEOUT).await
    }

    /// A client on a database without tables: the allow-list cannot be loaded from it.
    async fn bare_client() -> OutboundClient {
        let db = Db::connect("sqlite::memory:").await.unwrap();
        OutboundClient::new(db, ManualClock::starting_now()).unwrap()
    }

    /// A client whose allow-list is `entries` (cached; the manual clock never moves on).
    async fn client_allowing(entries: &[&str]) -> OutboundClient {
        let client = bare_client().await;
        let list = AllowList::parse(&entries.iter().map(ToString::to_string).collect::<Vec<_>>()).unwrap();
        *client.allow_seen.lock().unwrap() = Some((client.clock.now(), Arc::new(list)));
        client
    }

    fn post(url: &str) -> OutboundRequest {
        OutboundRequest { method: reqwest::Method::POST, url: url.into(), headers: vec![], body: None }
    }

    #[tokio::test]
    async fn the_resolver_answers_only_with_checked_addresses() {
        let pins = Arc::new(Pins::default());
        // A name nobody checked does not resolve at all: the HTTP client never asks DNS.
        assert!(pins.resolve(name("example.com")).await.is_err());
        let checked: IpAddr = "93.184.216.34".parse().unwrap();
        let held = pins.hold("example.com", &[checked]);
        let answered: Vec<SocketAddr> = pins.resolve(name("example.com")).await.unwrap().collect();
        assert_eq!(answered, vec![SocketAddr::new(checked, 0)]);
        assert!(pins.resolve(name("other.example")).await.is_err());
        drop(held);
        assert!(pins.resolve(name("example.com")).await.is_err(), "the pin outlived its request");
    }

    #[tokio::test]
    async fn a_request_unpins_only_its_own_name_and_only_when_the_last_holder_is_done() {
        let pins = Arc::new(Pins::default());
        let a: IpAddr = "93.184.216.34".parse().unwrap();
        let b: IpAddr = "93.184.216.35".parse().unwrap();
        let first = pins.hold("one.example", &[a]);
        let second = pins.hold("one.example", &[b]);
        let other = pins.hold("two.example", &[a]);
        // Many requests for other names come and go: nothing in flight is unpinned.
        for i in 0..2000 {
            drop(pins.hold(&format!("n{i}.example"), &[a]));
        }
        assert_eq!(pins.addresses("one.example"), Some(vec![a, b]));
        drop(first);
        assert_eq!(pins.addresses("one.example"), Some(vec![a, b]), "still held by the second request");
        drop(second);
        assert_eq!(pins.addresses("one.example"), None);
        assert_eq!(pins.addresses("two.example"), Some(vec![a]));
        drop(other);
        assert!(pins.0.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_name_is_judged_by_every_address_it_resolves_to_and_the_address_is_not_said() {
        let allow = AllowList::default();
        let refused = check(&allow, "http://localhost./").await.unwrap_err();
        assert!(
            matches!(&refused, Refusal::Name { host, found: Some((_, address::Blocked::Loopback)) } if host == "localhost."),
            "{refused:?}"
        );
        // Resolving to a private address and not resolving at all read alike to the user; only
        // the audit detail (admins) says what the name resolved to.
        assert_eq!(refused.to_string(), "host localhost. does not resolve to a public address");
        assert!(refused.audit_detail().contains("which is loopback"), "{}", refused.audit_detail());
        let unresolvable = check(&allow, "http://no-such-host.invalid/").await.unwrap_err();
        assert_eq!(unresolvable, Refusal::Name { host: "no-such-host.invalid".into(), found: None });
        assert_eq!(unresolvable.to_string(), "host no-such-host.invalid does not resolve to a public address");
        assert_eq!(unresolvable.audit_detail(), "host no-such-host.invalid could not be resolved");
        // An address typed in the URL is named: the user wrote it.
        assert_eq!(check(&allow, "http://10.1.2.3/").await.unwrap_err().to_string(), "address 10.1.2.3 is private");

        let by_name = AllowList::parse(&["localhost".into()]).unwrap();
        let checked = check(&by_name, "http://localhost:8080/x").await.unwrap();
        assert!(checked.addresses.iter().all(IpAddr::is_loopback));
    }

    #[tokio::test]
    async fn an_allow_list_that_cannot_be_loaded_gives_no_internal_text() {
        let client = bare_client().await;
        let error = client.send(&Requester::system(), post("https://example.com/")).await.unwrap_err();
        assert_eq!(error, OutboundError::Failed("the outbound rules could not be checked; try again later".into()));
    }

    #[test]
    fn a_logged_request_does_not_show_its_token() {
        let request = OutboundRequest {
            method: reqwest::Method::POST,
            url: "https://ntfy.example".into(),
            headers: vec![("Content-Type", "application/json".into()), ("Authorization", "Bearer tk_secret".into())],
            body: Some(b"private message".to_vec()),
        };
        let printed = format!("{request:?}");
        assert!(!printed.contains("tk_secret") && !printed.contains("private message"), "{printed}");
        assert!(printed.contains("application/json") && printed.contains("<redacted>"), "{printed}");
    }

    /// One deadline covers the lookup and the exchange: a request that waited 6 s for a lookup
    /// permit has 4 s left for a server that never answers, not another 10 s. In paused time
    /// (it moves on when every task waits; a lookup on a blocking thread holds it), so the
    /// elapsed time is exact and nothing sleeps for real.
    #[tokio::test]
    async fn one_deadline_covers_the_lookup_and_the_exchange() {
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = silent.local_addr().unwrap().port();
        let _server = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = silent.accept().await {
                held.push(socket);
            }
        });
        let client = client_allowing(&["localhost"]).await;
        tokio::time::pause();
        let busy = client.lookups.clone().acquire_many_owned(MAX_LOOKUPS).await.unwrap();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(6)).await;
            drop(busy);
        });
        let started = Instant::now();
        let result = client.send(&Requester::system(), post(&format!("http://localhost:{port}/"))).await;
        let elapsed = started.elapsed();
        assert_eq!(result.unwrap_err(), OutboundError::Failed("no answer within 10 seconds".into()));
        assert!(elapsed >= TIMEOUT && elapsed < TIMEOUT + Duration::from_secs(1), "took {elapsed:?}");
    }
}
