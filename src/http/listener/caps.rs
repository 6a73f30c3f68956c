//! Connection caps: at most `max` open connections in all and `per_ip` per client address
//! (an IPv6 client is counted per /64, as one host usually owns a whole /64). Only the direct
//! peer counts: `X-Forwarded-For` is a request header and means nothing at this layer, and a
//! trusted proxy, which carries many clients on its connections, is held only to the global
//! cap. An admission is a guard: dropping it (the connection ends) frees its place.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use crate::config::ConnectionLimits;
use crate::http::rate_limit::client_key;

pub struct Caps {
    per_ip: usize,
    max: usize,
    open: Arc<Mutex<Open>>,
}

#[derive(Default)]
struct Open {
    total: usize,
    by_client: HashMap<IpAddr, usize>,
}

/// One admitted connection's place.
pub struct Admission {
    open: Arc<Mutex<Open>>,
    /// `None` for a trusted proxy, which holds no per-address place.
    client: Option<IpAddr>,
}

impl Caps {
    pub fn new(limits: ConnectionLimits) -> Self {
        Self { per_ip: limits.per_ip, max: limits.max, open: Arc::default() }
    }

    /// A place for a connection from `peer`, or `None` when a cap is reached.
    pub fn admit(&self, peer: IpAddr, exempt_from_per_ip: bool) -> Option<Admission> {
        let mut open = self.open.lock().ok()?;
        if open.total >= self.max {
            return None;
        }
        let client = if exempt_from_per_ip {
            None
        } else {
            let key = client_key(peer);
            let count = open.by_client.entry(key).or_default();
            if *count >= self.per_ip {
                return None;
            }
            *count += 1;
            Some(key)
        };
        open.total += 1;
        Some(Admission { open: self.open.clone(), client })
    }

    #[cfg(test)]
    fn open_connections(&self) -> usize {
        self.open.lock().map_or(0, |open| open.total)
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        let Ok(mut open) = self.open.lock() else { return };
        open.total = open.total.saturating_sub(1);
        if let Some(client) = self.client
            && let Some(count) = open.by_client.get_mut(&client)
        {
            *count -= 1;
            if *count == 0 {
                open.by_client.remove(&client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(per_ip: usize, max: usize) -> Caps {
        Caps::new(ConnectionLimits { per_ip, max, ..ConnectionLimits::default() })
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn per_client_cap_frees_places_when_connections_end() {
        let caps = caps(2, 10);
        let first = caps.admit(ip("192.0.2.1"), false).unwrap();
        let _second = caps.admit(ip("192.0.2.1"), false).unwrap();
        assert!(caps.admit(ip("192.0.2.1"), false).is_none());
        assert!(caps.admit(ip("192.0.2.2"), false).is_some(), "another client is not affected");
        drop(first);
        assert!(caps.admit(ip("192.0.2.1"), false).is_some());
    }

    #[test]
    fn ipv6_clients_count_per_64_and_proxies_only_globally() {
        let caps = caps(1, 3);
        let _a = caps.admit(ip("2001:db8::1"), false).unwrap();
        assert!(caps.admit(ip("2001:db8::2"), false).is_none(), "same /64");
        let _p1 = caps.admit(ip("10.0.0.1"), true).unwrap();
        let p2 = caps.admit(ip("10.0.0.1"), true).unwrap();
        assert!(caps.admit(ip("10.0.0.1"), true).is_none(), "global cap");
        drop(p2);
        assert_eq!(caps.open_connections(), 2);
        assert!(caps.admit(ip("192.0.2.9"), false).is_some());
    }
}
