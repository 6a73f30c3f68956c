//! The outbound-URL rules (SSRF): `outbound::target::parse` and `judge` with the address
//! rules of `outbound::address`, and the admin's allow-list entries (`AllowEntry::parse`).
//! No DNS here: a host name is left to the resolver check, which judges every address a name
//! resolves to with the same `judge`; what this target checks is that nothing that is an
//! address reaches that path as a "name".
//!
//! Properties, for any text:
//! - an accepted URL is http or https, without user name or password;
//! - an IP-literal host, in any spelling the URL parser reads (decimal, hex, octal, short
//!   forms, IPv6 with embedded IPv4), is the address judged, and no address that an
//!   independent statement of the refusal rules (from std's own address predicates: loopback,
//!   private, link-local, unspecified, multicast, broadcast, documentation, shared, unique and
//!   site-local, and IPv6 forms that carry an IPv4 address: mapped, compatible, NAT64, 6to4,
//!   Teredo) refuses passes with an empty allow-list;
//! - unspecified, multicast and broadcast addresses pass no allow-list at all;
//! - a host left as a name is no IP literal in any notation a resolver reads (`inet_aton`'s
//!   decimal, octal and hex parts, an IPv6 text), so it is judged on what it resolves to;
//! - the same address rules hold for the input's first bytes read as an IPv4 and an IPv6
//!   address (every address is reachable this way, not only what a URL spells);
//! - an allow-list host entry is a name the URL parser keeps as that name (an entry that the
//!   parser reads as an address would never match, silently).

#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use libfuzzer_sys::fuzz_target;
use umbra::outbound::address::classify;
use umbra::outbound::allow::{AllowEntry, AllowList};
use umbra::outbound::target::{self, Destination, Refusal};
use url::{Host, Url};

fn v4_in(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

/// The IPv4 addresses an outbound request must not reach, from std's predicates.
fn refused_v4(ip: Ipv4Addr) -> bool {
    ip.is_unspecified()
        || ip.octets()[0] == 0
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || v4_in(ip, [100, 64, 0, 0], 10)
        || v4_in(ip, [198, 18, 0, 0], 15)
        || v4_in(ip, [240, 0, 0, 0], 4)
        || v4_in(ip, [192, 0, 0, 0], 24)
}

fn v6_in(ip: Ipv6Addr, net: u128, prefix: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
    u128::from(ip) & mask == net & mask
}

/// The IPv6 addresses an outbound request must not reach.
fn refused_v6(ip: Ipv6Addr) -> bool {
    let low = Ipv4Addr::from((u128::from(ip) & 0xffff_ffff) as u32);
    let s = ip.segments();
    // Forms that carry an IPv4 address reach that address: judged by it alone.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return refused_v4(v4);
    }
    if v6_in(ip, 0x0064_ff9b << 96, 96) {
        return refused_v4(low);
    }
    if s[0] == 0x2002 {
        return refused_v4(Ipv4Addr::from((u32::from(s[1]) << 16) | u32::from(s[2])));
    }
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || ip.is_unique_local()
        || ip.is_unicast_link_local()
        || v6_in(ip, 0xfec0 << 112, 10)
        // IPv4-compatible: deprecated, never a real destination.
        || v6_in(ip, 0, 96)
        || v6_in(ip, 0x0064_ff9b_0001 << 80, 48)
        || v6_in(ip, 0x2001_0000 << 96, 32)
        || v6_in(ip, 0x2001_0db8 << 96, 32)
        // Only 2000::/3 is allocated as global unicast.
        || !v6_in(ip, 0x2000 << 112, 3)
}

fn refused(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => refused_v4(v4),
        IpAddr::V6(v6) => refused_v6(v6),
    }
}

fn never_allowed(ip: IpAddr) -> bool {
    let v4 = match ip {
        IpAddr::V4(v4) => Some(v4),
        IpAddr::V6(v6) => v6.to_ipv4_mapped(),
    };
    ip.is_unspecified() || ip.is_multicast() || v4.is_some_and(|v4| v4.is_broadcast() || v4.is_unspecified())
}

fn check_address(ip: IpAddr) {
    let verdict = target::judge(ip, &AllowList::default(), false);
    if refused(ip) {
        assert!(verdict.is_err(), "{ip} passes the rules");
    }
    assert_eq!(verdict.is_ok(), classify(ip).is_none(), "{ip}: judge and classify disagree");
    if never_allowed(ip) {
        let everything = AllowList::parse(&["0.0.0.0/0".into(), "::/0".into()]).expect("a valid list");
        assert!(target::judge(ip, &everything, true).is_err(), "{ip} passes an allow-list");
    }
}

/// C's `strtoul` with base 0 on one part of a dotted address: `0x` hex, `0` octal, decimal.
fn c_number(part: &str) -> Option<u64> {
    let (digits, radix) = if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
        (hex, 16)
    } else if part.len() > 1 && part.starts_with('0') {
        (&part[1..], 8)
    } else {
        (part, 10)
    };
    if digits.is_empty() {
        // `0x` alone is 0 to glibc; an empty part is nothing.
        return (radix == 16).then_some(0);
    }
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok().or(Some(u64::MAX))
}

/// Whether glibc's `inet_aton` reads `name` as an IPv4 address (a, a.b, a.b.c, a.b.c.d).
fn inet_aton(name: &str) -> bool {
    let parts: Option<Vec<u64>> = name.split('.').map(c_number).collect();
    let Some(parts) = parts else { return false };
    let fits = |value: u64, bits: u32| value < (1u64 << bits);
    match parts.as_slice() {
        [a] => fits(*a, 32),
        [a, b] => fits(*a, 8) && fits(*b, 24),
        [a, b, c] => fits(*a, 8) && fits(*b, 8) && fits(*c, 16),
        [a, b, c, d] => [a, b, c, d].iter().all(|v| fits(**v, 8)),
        _ => false,
    }
}

fn check_url(text: &str) {
    let (url, destination) = match target::parse(text) {
        Ok(parsed) => parsed,
        Err(refusal) => {
            assert!(!refusal.to_string().is_empty() && !refusal.rule_key().is_empty());
            assert!(!matches!(refusal, Refusal::Address { .. } | Refusal::Name { .. }), "parse judged: {refusal:?}");
            return;
        }
    };
    assert!(matches!(url.scheme(), "http" | "https"), "{url}");
    assert!(url.username().is_empty() && url.password().is_none(), "{url}");
    match destination {
        Destination::Ip(ip) => {
            let named = match url.host() {
                Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
                Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
                other => panic!("{text:?}: judged {ip} but the URL's host is {other:?}"),
            };
            assert_eq!(named, ip, "{text:?}");
            check_address(ip);
        }
        Destination::Name(name) => {
            assert!(!name.is_empty());
            assert_eq!(url.host(), Some(Host::Domain(name.as_str())), "{text:?}");
            let bare = name.strip_suffix('.').unwrap_or(&name);
            let literal = bare.parse::<IpAddr>().is_ok()
                || bare.trim_matches(['[', ']']).parse::<Ipv6Addr>().is_ok()
                || inet_aton(bare);
            assert!(!literal, "{text:?}: the address {name:?} would be left to the resolver as a name");
        }
    }
}

fn check_allow_entry(text: &str) {
    if let Ok(AllowEntry::Host(host)) = AllowEntry::parse(text) {
        let url = Url::parse(&format!("http://{host}/"));
        let kept = url.as_ref().ok().and_then(Url::host_str).map(|h| h.trim_end_matches('.') == host);
        let is_name = url.as_ref().ok().is_some_and(|u| matches!(u.host(), Some(Host::Domain(_))));
        assert!(kept == Some(true) && is_name, "the allow-list entry {host:?} is not a host name to the URL parser");
    }
}

fuzz_target!(|bytes: &[u8]| {
    let mut v6 = [0u8; 16];
    let n = bytes.len().min(16);
    v6[..n].copy_from_slice(&bytes[..n]);
    check_address(IpAddr::V6(Ipv6Addr::from(v6)));
    check_address(IpAddr::V4(Ipv4Addr::new(v6[0], v6[1], v6[2], v6[3])));
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    check_url(text);
    check_allow_entry(text);
});
