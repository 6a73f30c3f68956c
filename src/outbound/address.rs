//! Which IP addresses an outbound request may reach: only globally routed unicast ones. Every
//! other range is named, so a refusal can say which rule it broke ("address 127.0.0.1 is
//! loopback"). IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are
//! judged by the IPv4 address inside, so `[::ffff:127.0.0.1]` is loopback too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A range an outbound request must not reach unless the admin allow-listed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    Unspecified,
    Loopback,
    Private,
    LinkLocal,
    /// 100.64.0.0/10, carrier-grade NAT.
    SharedAddressSpace,
    UniqueLocal,
    SiteLocal,
    Multicast,
    Broadcast,
    Documentation,
    Benchmarking,
    /// IETF protocol assignments, 240/4, the IPv6 discard prefix and the like.
    Reserved,
    /// Teredo: the real destination is hidden inside.
    Tunnel,
}

impl Blocked {
    pub fn describe(self) -> &'static str {
        match self {
            Blocked::Unspecified => "unspecified",
            Blocked::Loopback => "loopback",
            Blocked::Private => "private",
            Blocked::LinkLocal => "link-local",
            Blocked::SharedAddressSpace => "shared address space (carrier-grade NAT)",
            Blocked::UniqueLocal => "unique-local",
            Blocked::SiteLocal => "site-local",
            Blocked::Multicast => "multicast",
            Blocked::Broadcast => "broadcast",
            Blocked::Documentation => "reserved for documentation",
            Blocked::Benchmarking => "reserved for benchmarking",
            Blocked::Reserved => "reserved",
            Blocked::Tunnel => "a tunnelling (Teredo) address",
        }
    }

    /// Ranges no allow-list can open: connecting to them never means a real server.
    pub fn never_allowed(self) -> bool {
        matches!(self, Blocked::Unspecified | Blocked::Multicast | Blocked::Broadcast)
    }
}

/// `None` for a global unicast address; otherwise the range it is in.
pub fn classify(ip: IpAddr) -> Option<Blocked> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - prefix) };
    (u32::from(ip) & mask) == (u32::from(Ipv4Addr::from(net)) & mask)
}

fn classify_v4(ip: Ipv4Addr) -> Option<Blocked> {
    const RANGES: &[([u8; 4], u32, Blocked)] = &[
        ([0, 0, 0, 0], 8, Blocked::Unspecified),
        ([10, 0, 0, 0], 8, Blocked::Private),
        ([100, 64, 0, 0], 10, Blocked::SharedAddressSpace),
        ([127, 0, 0, 0], 8, Blocked::Loopback),
        ([169, 254, 0, 0], 16, Blocked::LinkLocal),
        ([172, 16, 0, 0], 12, Blocked::Private),
        ([192, 0, 0, 0], 24, Blocked::Reserved),
        ([192, 0, 2, 0], 24, Blocked::Documentation),
        ([192, 88, 99, 0], 24, Blocked::Reserved),
        ([192, 168, 0, 0], 16, Blocked::Private),
        ([198, 18, 0, 0], 15, Blocked::Benchmarking),
        ([198, 51, 100, 0], 24, Blocked::Documentation),
        ([203, 0, 113, 0], 24, Blocked::Documentation),
        ([224, 0, 0, 0], 4, Blocked::Multicast),
        ([255, 255, 255, 255], 32, Blocked::Broadcast),
        ([240, 0, 0, 0], 4, Blocked::Reserved),
    ];
    RANGES.iter().find(|(net, prefix, _)| in_v4(ip, *net, *prefix)).map(|(_, _, kind)| *kind)
}

/// IPv6 ranges that carry no IPv4 address, checked after the ones that do.
const V6_RANGES: &[(u128, u32, Blocked)] = &[
    (0x0100 << 112, 64, Blocked::Reserved),
    (0x2001_0db8 << 96, 32, Blocked::Documentation),
    (0x3fff << 112, 20, Blocked::Documentation),
    (0x2001_0002 << 96, 48, Blocked::Benchmarking),
    (0x2001 << 112, 23, Blocked::Reserved),
    (0xfc00 << 112, 7, Blocked::UniqueLocal),
    (0xfe80 << 112, 10, Blocked::LinkLocal),
    (0xfec0 << 112, 10, Blocked::SiteLocal),
    (0xff00 << 112, 8, Blocked::Multicast),
];

fn classify_v6(ip: Ipv6Addr) -> Option<Blocked> {
    let s = ip.segments();
    let bits = u128::from(ip);
    let in_v6 = |net: u128, prefix: u32| (bits >> (128 - prefix)) == (net >> (128 - prefix));
    if ip.is_unspecified() {
        return Some(Blocked::Unspecified);
    }
    if ip.is_loopback() {
        return Some(Blocked::Loopback);
    }
    // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64): the IPv4
    // address inside is what the packets reach.
    let low_v4 = Ipv4Addr::from((bits & 0xffff_ffff) as u32);
    if in_v6(0xffff_0000_0000, 96) || in_v6(0, 96) || in_v6(0x0064_ff9b << 96, 96) {
        return classify_v4(low_v4).or(if in_v6(0, 96) { Some(Blocked::Reserved) } else { None });
    }
    // 64:ff9b:1::/48, the local-use NAT64 prefix.
    if in_v6(0x0064_ff9b_0001 << 80, 48) {
        return Some(Blocked::Private);
    }
    // 6to4: 2002:a.b.c.d::/48 carries its IPv4 address in segments 1 and 2.
    if s[0] == 0x2002 {
        let embedded = Ipv4Addr::from((u32::from(s[1]) << 16) | u32::from(s[2]));
        return classify_v4(embedded);
    }
    if in_v6(0x2001_0000 << 96, 32) {
        return Some(Blocked::Tunnel);
    }
    if let Some((_, _, kind)) = V6_RANGES.iter().find(|(net, prefix, _)| in_v6(*net, *prefix)) {
        return Some(*kind);
    }
    // Only 2000::/3 is allocated as global unicast.
    if !in_v6(0x2000 << 112, 3) {
        return Some(Blocked::Reserved);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<Blocked> {
        classify(text.parse().unwrap())
    }

    #[test]
    fn ipv4_ranges_are_named() {
        assert_eq!(kind("127.0.0.1"), Some(Blocked::Loopback));
        assert_eq!(kind("127.255.1.2"), Some(Blocked::Loopback));
        assert_eq!(kind("0.0.0.0"), Some(Blocked::Unspecified));
        assert_eq!(kind("0.1.2.3"), Some(Blocked::Unspecified));
        assert_eq!(kind("10.1.2.3"), Some(Blocked::Private));
        assert_eq!(kind("172.16.0.1"), Some(Blocked::Private));
        assert_eq!(kind("172.31.255.255"), Some(Blocked::Private));
        assert_eq!(kind("172.32.0.1"), None);
        assert_eq!(kind("192.168.1.10"), Some(Blocked::Private));
        assert_eq!(kind("169.254.169.254"), Some(Blocked::LinkLocal));
        assert_eq!(kind("100.64.0.1"), Some(Blocked::SharedAddressSpace));
        assert_eq!(kind("100.127.255.255"), Some(Blocked::SharedAddressSpace));
        assert_eq!(kind("100.128.0.1"), None);
        assert_eq!(kind("224.0.0.1"), Some(Blocked::Multicast));
        assert_eq!(kind("239.255.255.250"), Some(Blocked::Multicast));
        assert_eq!(kind("255.255.255.255"), Some(Blocked::Broadcast));
        assert_eq!(kind("240.0.0.1"), Some(Blocked::Reserved));
        assert_eq!(kind("192.0.2.1"), Some(Blocked::Documentation));
        assert_eq!(kind("198.51.100.7"), Some(Blocked::Documentation));
        assert_eq!(kind("203.0.113.9"), Some(Blocked::Documentation));
        assert_eq!(kind("198.18.0.1"), Some(Blocked::Benchmarking));
        assert_eq!(kind("192.0.0.8"), Some(Blocked::Reserved));
        assert_eq!(kind("8.8.8.8"), None);
        assert_eq!(kind("1.1.1.1"), None);
        assert_eq!(kind("93.184.216.34"), None);
    }

    #[test]
    fn ipv6_ranges_are_named() {
        assert_eq!(kind("::1"), Some(Blocked::Loopback));
        assert_eq!(kind("::"), Some(Blocked::Unspecified));
        assert_eq!(kind("fc00::1"), Some(Blocked::UniqueLocal));
        assert_eq!(kind("fd12:3456::1"), Some(Blocked::UniqueLocal));
        assert_eq!(kind("fe80::1"), Some(Blocked::LinkLocal));
        assert_eq!(kind("fec0::1"), Some(Blocked::SiteLocal));
        assert_eq!(kind("ff02::1"), Some(Blocked::Multicast));
        assert_eq!(kind("2001:db8::1"), Some(Blocked::Documentation));
        assert_eq!(kind("2001::1"), Some(Blocked::Tunnel));
        assert_eq!(kind("100::1"), Some(Blocked::Reserved));
        assert_eq!(kind("2606:4700:4700::1111"), None);
        assert_eq!(kind("2a00:1450:4001::1"), None);
    }

    #[test]
    fn ipv6_forms_of_ipv4_are_judged_by_the_ipv4_inside() {
        assert_eq!(kind("::ffff:127.0.0.1"), Some(Blocked::Loopback));
        assert_eq!(kind("::ffff:7f00:1"), Some(Blocked::Loopback));
        assert_eq!(kind("::ffff:10.0.0.1"), Some(Blocked::Private));
        assert_eq!(kind("::ffff:169.254.169.254"), Some(Blocked::LinkLocal));
        assert_eq!(kind("::127.0.0.1"), Some(Blocked::Loopback));
        assert_eq!(kind("::192.168.0.1"), Some(Blocked::Private));
        // A compatible form of a public address is still no real destination.
        assert_eq!(kind("::8.8.8.8"), Some(Blocked::Reserved));
        assert_eq!(kind("64:ff9b::127.0.0.1"), Some(Blocked::Loopback));
        assert_eq!(kind("64:ff9b::8.8.8.8"), None);
        assert_eq!(kind("2002:7f00:1::"), Some(Blocked::Loopback));
        assert_eq!(kind("2002:c0a8:0101::1"), Some(Blocked::Private));
        assert_eq!(kind("::ffff:8.8.8.8"), None);
    }

    #[test]
    fn no_allow_list_opens_unspecified_multicast_or_broadcast() {
        assert!(Blocked::Unspecified.never_allowed());
        assert!(Blocked::Multicast.never_allowed());
        assert!(Blocked::Broadcast.never_allowed());
        assert!(!Blocked::Private.never_allowed());
        assert!(!Blocked::Loopback.never_allowed());
    }
}
