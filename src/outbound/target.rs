//! The pure half of the outbound rules: which URLs may be fetched at all, and whether one
//! resolved address may be reached. URLs are parsed by the `url` crate (the WHATWG URL
//! standard, as browsers do), which turns every spelling of an IPv4 address (`2130706433`,
//! `0x7f000001`, `0177.0.0.1`, `127.1`, a trailing dot) into the address itself, so no
//! spelling slips past the address check as a "name".

use std::net::IpAddr;

use url::{Host, Url};

use super::address::{Blocked, classify};
use super::allow::AllowList;

/// Why a URL may not be fetched. The text names the rule; it is safe to show to the user
/// who typed the URL and is what the audit log records.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("not a valid URL")]
    Malformed,
    #[error("only http and https URLs are allowed, not {0}:")]
    Scheme(String),
    #[error("a user name or password in the URL is not allowed")]
    Userinfo,
    #[error("the URL has no host")]
    NoHost,
    #[error("address {address} is {}", rule.describe())]
    Address { address: IpAddr, rule: Blocked },
    #[error("host {0} could not be resolved")]
    Unresolvable(String),
}

/// Where a checked URL points: an address written in the URL, or a name still to resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Ip(IpAddr),
    Name(String),
}

/// Parses `text` and applies the rules that need no lookup (scheme, userinfo, host).
pub fn parse(text: &str) -> Result<(Url, Destination), Refusal> {
    let url = Url::parse(text.trim()).map_err(|_| Refusal::Malformed)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Refusal::Scheme(url.scheme().to_string()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::Userinfo);
    }
    let destination = match url.host() {
        Some(Host::Ipv4(v4)) => Destination::Ip(IpAddr::V4(v4)),
        Some(Host::Ipv6(v6)) => Destination::Ip(IpAddr::V6(v6)),
        Some(Host::Domain(name)) if !name.is_empty() => Destination::Name(name.to_string()),
        _ => return Err(Refusal::NoHost),
    };
    Ok((url, destination))
}

/// Whether `address` may be reached: a public address always, another one only when the
/// admin listed it (by address, range or the host name it came from), and never the
/// unspecified, multicast or broadcast addresses.
pub fn judge(address: IpAddr, allow: &AllowList, host_allowed: bool) -> Result<(), Refusal> {
    match classify(address) {
        None => Ok(()),
        Some(rule) if !rule.never_allowed() && (host_allowed || allow.allows_ip(address)) => Ok(()),
        Some(rule) => Err(Refusal::Address { address, rule }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(text: &str) -> String {
        let allow = AllowList::default();
        match parse(text) {
            Err(refusal) => refusal.to_string(),
            Ok((_, Destination::Ip(ip))) => judge(ip, &allow, false).map_or_else(|r| r.to_string(), |()| "ok".into()),
            Ok((_, Destination::Name(name))) => format!("name {name}"),
        }
    }

    #[test]
    fn every_spelling_of_loopback_is_loopback() {
        for text in [
            "http://127.0.0.1/",
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0x7F.0.0.1/",
            "http://0177.0.0.1/",
            "http://0177.0000.0000.0001/",
            "http://127.1/",
            "http://127.0.1/",
            "http://127.0.0.1./",
            "https://127.000.000.001:8443/x",
        ] {
            assert_eq!(refusal(text), "address 127.0.0.1 is loopback", "{text}");
        }
        assert_eq!(refusal("http://[::1]/"), "address ::1 is loopback");
        assert_eq!(refusal("http://[::ffff:127.0.0.1]/"), "address ::ffff:127.0.0.1 is loopback");
        assert_eq!(refusal("http://[::ffff:7f00:1]/"), "address ::ffff:127.0.0.1 is loopback");
        assert_eq!(refusal("http://0/"), "address 0.0.0.0 is unspecified");
        assert_eq!(refusal("http://169.254.169.254/latest/meta-data"), "address 169.254.169.254 is link-local");
    }

    #[test]
    fn schemes_userinfo_and_names() {
        assert_eq!(refusal("file:///etc/passwd"), "only http and https URLs are allowed, not file:");
        assert_eq!(refusal("gopher://127.0.0.1:70/"), "only http and https URLs are allowed, not gopher:");
        assert_eq!(refusal("ftp://example.com/"), "only http and https URLs are allowed, not ftp:");
        assert_eq!(refusal("http://user@example.com/"), "a user name or password in the URL is not allowed");
        assert_eq!(refusal("http://example.com@127.0.0.1/"), "a user name or password in the URL is not allowed");
        assert_eq!(refusal("http://127.0.0.1@example.com/"), "a user name or password in the URL is not allowed");
        assert_eq!(refusal("http://:pw@example.com/"), "a user name or password in the URL is not allowed");
        assert_eq!(refusal("not a url"), "not a valid URL");
        assert_eq!(refusal("http://Example.COM./"), "name example.com.");
        assert_eq!(refusal("https://8.8.8.8/"), "ok");
    }

    #[test]
    fn the_allow_list_opens_exactly_what_it_names() {
        let allow = AllowList::parse(&["192.168.1.10".into()]).unwrap();
        assert_eq!(judge("192.168.1.10".parse().unwrap(), &allow, false), Ok(()));
        assert!(judge("192.168.1.11".parse().unwrap(), &allow, false).is_err());
        assert_eq!(judge("127.0.0.1".parse().unwrap(), &allow, true), Ok(()));
        let everything = AllowList::parse(&["0.0.0.0/0".into()]).unwrap();
        assert!(judge("0.0.0.0".parse().unwrap(), &everything, false).is_err());
        assert!(judge("255.255.255.255".parse().unwrap(), &everything, true).is_err());
        assert!(judge("224.0.0.1".parse().unwrap(), &everything, false).is_err());
    }
}
