//! How often a refused outbound URL is audited: at most once a minute for one requester, rule
//! and host, and at most `PER_REQUESTER` times a minute for one requester in all (a user
//! varying the host name must not flood the audit log either). In memory, per process: after
//! a restart, or on another server process, the next refusal is audited again, which is the
//! safe side.

use std::collections::HashMap;
use std::sync::Mutex;

use super::Requester;
use crate::domain::time::UtcMillis;

/// One audit row per (requester, rule, host) per this long.
const WINDOW_MS: i64 = UtcMillis::MINUTE;
/// Audit rows per requester per window, whatever the hosts.
const PER_REQUESTER: usize = 20;
/// Past this many remembered keys, the expired ones are dropped.
const PRUNE_AT: usize = 1024;

#[derive(Default)]
pub(super) struct RefusalThrottle(Mutex<Seen>);

#[derive(Default)]
struct Seen {
    /// When each (requester, rule, host) was last audited.
    last: HashMap<(String, &'static str, String), i64>,
    /// Each requester's audits in the current window: (window start, count).
    per_requester: HashMap<String, (i64, usize)>,
}

impl RefusalThrottle {
    /// Whether this refusal is to be audited now (and, if so, remembers it).
    pub(super) fn admit(&self, who: &Requester, rule: &'static str, host: &str, now: UtcMillis) -> bool {
        let Ok(mut seen) = self.0.lock() else { return true };
        let now = now.0;
        let requester = match who.user_id {
            Some(id) => format!("user {}", id.0),
            None => format!("actor {}", who.actor),
        };
        let key = (requester.clone(), rule, host.to_string());
        if seen.last.get(&key).is_some_and(|at| (0..WINDOW_MS).contains(&(now - at))) {
            return false;
        }
        let (start, count) = seen.per_requester.entry(requester).or_insert((now, 0));
        if !(0..WINDOW_MS).contains(&(now - *start)) {
            *start = now;
            *count = 0;
        }
        if *count >= PER_REQUESTER {
            return false;
        }
        *count += 1;
        if seen.last.len() >= PRUNE_AT {
            seen.last.retain(|_, at| (0..WINDOW_MS).contains(&(now - *at)));
            seen.per_requester.retain(|_, (start, _)| (0..WINDOW_MS).contains(&(now - *start)));
        }
        seen.last.insert(key, now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_a_minute_per_key_and_a_cap_per_requester() {
        let throttle = RefusalThrottle::default();
        let ada = Requester { actor: "ada".into(), user_id: None };
        let system = Requester::system();
        let t0 = UtcMillis(1_000_000);
        let at = |ms: i64| UtcMillis(t0.0 + ms);
        assert!(throttle.admit(&ada, "loopback", "127.0.0.1", t0));
        assert!(!throttle.admit(&ada, "loopback", "127.0.0.1", at(59_999)));
        assert!(throttle.admit(&ada, "private", "127.0.0.1", at(1)), "another rule");
        assert!(throttle.admit(&ada, "loopback", "localhost", at(2)), "another host");
        assert!(throttle.admit(&system, "loopback", "127.0.0.1", at(3)), "another requester");
        assert!(throttle.admit(&ada, "loopback", "127.0.0.1", at(60_000)), "a minute later");
        // Varying the host: at most PER_REQUESTER rows a minute.
        let fresh = Requester { actor: "bob".into(), user_id: None };
        let admitted = (0..100).filter(|i| throttle.admit(&fresh, "name", &format!("h{i}.example"), t0)).count();
        assert_eq!(admitted, PER_REQUESTER);
        assert!(throttle.admit(&fresh, "name", "h99.example", at(WINDOW_MS)));
    }
}
