//! The admin's outbound allow-list: host names, addresses and CIDR ranges that outbound
//! requests may reach although they are not public (a LAN ntfy server at `192.168.1.10`).
//! Stored as a JSON array of strings under the `outbound_allow` key of `system_config`.

use std::net::IpAddr;

use ipnet::IpNet;

/// At most this many entries: an allow-list is a handful of LAN hosts, not a routing table.
pub const MAX_ENTRIES: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowEntry {
    /// A host name, lower case, without a trailing dot: every address it resolves to passes.
    Host(String),
    /// An address or range (a single address is a /32 or /128).
    Net(IpNet),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    entries: Vec<AllowEntry>,
}

impl AllowEntry {
    /// One entry as an admin writes it: `192.168.1.10`, `10.0.0.0/8`, `fd00::/8`,
    /// `ntfy.lan`. The error says what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("must not be empty".into());
        }
        if let Ok(ip) = text.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            return Ok(AllowEntry::Net(IpNet::from(ip)));
        }
        if text.contains('/') {
            return text
                .parse::<IpNet>()
                .map(|net| AllowEntry::Net(net.trunc()))
                .map_err(|_| "is not a valid address range (use e.g. 192.168.1.0/24)".into());
        }
        let host = text.trim_end_matches('.').to_ascii_lowercase();
        let valid_label = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        if host.len() > 253 || !host.split('.').all(valid_label) {
            return Err("is not an address, a range or a host name".into());
        }
        // Only a name the URL parser keeps as that name can ever match a URL's host: one it
        // reads as an address (`1.2.3`, `0x7f.1`, any name ending in a number) or refuses
        // (a bad `xn--` label) would be an entry that silently never applies.
        let parsed = url::Url::parse(&format!("http://{host}/"));
        if !parsed.is_ok_and(|url| url.host() == Some(url::Host::Domain(host.as_str()))) {
            return Err("is not an address, a range or a host name".into());
        }
        Ok(AllowEntry::Host(host))
    }

    /// The entry as stored and shown.
    pub fn to_text(&self) -> String {
        match self {
            AllowEntry::Host(host) => host.clone(),
            AllowEntry::Net(net) if net.prefix_len() == net.max_prefix_len() => net.addr().to_string(),
            AllowEntry::Net(net) => net.to_string(),
        }
    }
}

impl AllowList {
    /// Parses every entry; the error lists `(index, problem)` for each bad one.
    pub fn parse(entries: &[String]) -> Result<Self, Vec<(usize, String)>> {
        // Before anything else: the duplicate check below is quadratic, and a list past the cap
        // is refused whatever its entries say.
        if entries.len() > MAX_ENTRIES {
            return Err(vec![(MAX_ENTRIES, format!("give at most {MAX_ENTRIES} entries"))]);
        }
        let mut problems = Vec::new();
        let mut parsed = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            match AllowEntry::parse(entry) {
                Ok(entry) if !parsed.contains(&entry) => parsed.push(entry),
                Ok(_) => {}
                Err(problem) => problems.push((index, format!("\"{}\" {problem}", entry.trim()))),
            }
        }
        if problems.is_empty() { Ok(Self { entries: parsed }) } else { Err(problems) }
    }

    /// The stored form: a JSON array. Bad stored entries (written by hand) are skipped.
    pub fn from_stored(stored: Option<&str>) -> Self {
        let texts: Vec<String> = stored.and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
        Self { entries: texts.iter().filter_map(|t| AllowEntry::parse(t).ok()).collect() }
    }

    pub fn to_stored(&self) -> String {
        serde_json::to_string(&self.texts()).unwrap_or_else(|_| "[]".into())
    }

    pub fn texts(&self) -> Vec<String> {
        self.entries.iter().map(AllowEntry::to_text).collect()
    }

    /// Whether the host name (as the URL parser normalised it) is listed by name.
    pub fn allows_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.');
        self.entries.iter().any(|e| matches!(e, AllowEntry::Host(h) if h.eq_ignore_ascii_case(host)))
    }

    /// Whether the address is inside a listed address or range. An IPv4-mapped IPv6 address
    /// matches the IPv4 entries, so `[::ffff:192.168.1.10]` is the same host as `192.168.1.10`.
    pub fn allows_ip(&self, ip: IpAddr) -> bool {
        let canonical = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            IpAddr::V4(_) => ip,
        };
        self.entries.iter().any(|e| matches!(e, AllowEntry::Net(net) if net.contains(&canonical)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(entries: &[&str]) -> AllowList {
        AllowList::parse(&entries.iter().map(ToString::to_string).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn entries_are_addresses_ranges_or_host_names() {
        let allow = list(&["192.168.1.10", "10.0.0.0/8", "fd00::/8", "NTFY.lan.", "[::1]"]);
        assert_eq!(allow.texts(), ["192.168.1.10", "10.0.0.0/8", "fd00::/8", "ntfy.lan", "::1"]);
        assert!(allow.allows_ip("192.168.1.10".parse().unwrap()));
        assert!(!allow.allows_ip("192.168.1.11".parse().unwrap()));
        assert!(allow.allows_ip("10.200.0.1".parse().unwrap()));
        assert!(allow.allows_ip("::ffff:192.168.1.10".parse().unwrap()));
        assert!(allow.allows_ip("fd12::1".parse().unwrap()));
        assert!(allow.allows_host("ntfy.lan"));
        assert!(allow.allows_host("ntfy.LAN."));
        assert!(!allow.allows_host("other.lan"));
        assert!(!allow.allows_ip("127.0.0.1".parse().unwrap()));
    }

    #[test]
    fn a_range_is_stored_by_its_network() {
        assert_eq!(list(&["192.168.1.77/24"]).texts(), ["192.168.1.0/24"]);
        assert_eq!(list(&["127.0.0.1/32"]).texts(), ["127.0.0.1"]);
    }

    #[test]
    fn bad_entries_are_named_by_position() {
        let bad =
            AllowList::parse(&["ok.lan".into(), String::new(), "10.0.0.0/99".into(), "a b".into(), "1.2.3".into()])
                .unwrap_err();
        let positions: Vec<_> = bad.iter().map(|(i, _)| *i).collect();
        assert_eq!(positions, [1, 2, 3, 4]);
        // Found by fuzzing (fuzz/fuzz_targets/outbound_url.rs): names a URL parser reads as
        // an address, or refuses, would never match a URL's host.
        for text in ["0x7f.1", "1.2.3.0x", "ntfy.0x1", "lan.08", "xn--a.lan"] {
            assert!(AllowEntry::parse(text).is_err(), "{text}");
        }
        assert_eq!(AllowEntry::parse("0x7f.lan"), Ok(AllowEntry::Host("0x7f.lan".into())));
    }

    #[test]
    fn a_list_past_the_cap_is_refused_before_its_entries_are_read() {
        let too_many: Vec<String> = (0..=MAX_ENTRIES).map(|i| format!("bad entry {i}")).collect();
        assert_eq!(
            AllowList::parse(&too_many),
            Err(vec![(MAX_ENTRIES, format!("give at most {MAX_ENTRIES} entries"))])
        );
        let huge: Vec<String> = (0..200_000).map(|i| format!("h{i}.lan")).collect();
        assert_eq!(AllowList::parse(&huge).unwrap_err().len(), 1);
    }

    #[test]
    fn stored_lists_round_trip_and_tolerate_junk() {
        let allow = list(&["192.168.1.10", "ntfy.lan"]);
        assert_eq!(AllowList::from_stored(Some(&allow.to_stored())), allow);
        assert_eq!(AllowList::from_stored(Some("not json")), AllowList::default());
        assert_eq!(AllowList::from_stored(None), AllowList::default());
    }
}
