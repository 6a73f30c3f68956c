//! The client's IP address: the TCP peer, unless the peer is a configured trusted proxy, in
//! which case the right-most address of `X-Forwarded-For` that is not itself a trusted proxy.
//! Rocket's own `ip_header` is switched off in `server.rs`, so `X-Real-IP` means nothing.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;
use rocket::request::{FromRequest, Outcome, Request};

/// The resolved client address, computed once per request by the gate fairing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    pub fn of(req: &Request<'_>, trusted: &[IpNet]) -> ClientIp {
        *req.local_cache(|| {
            let peer = req.remote().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
            let forwarded: Vec<&str> = req.headers().get("X-Forwarded-For").collect();
            ClientIp(resolve(peer, &forwarded, trusted))
        })
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientIp {
    type Error = Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Infallible> {
        // The gate fairing has always resolved it by now; the fallback trusts nobody.
        Outcome::Success(ClientIp::of(req, &[]))
    }
}

/// Walks `X-Forwarded-For` from the right while the hop is a trusted proxy.
pub fn resolve(peer: IpAddr, forwarded_headers: &[&str], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = canonical(peer);
    if !is_trusted(&client) {
        return client;
    }
    let hops = forwarded_headers.iter().flat_map(|h| h.split(',')).map(str::trim);
    for hop in hops.collect::<Vec<_>>().into_iter().rev() {
        let Some(ip) = parse_hop(hop) else { break };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    // "1.2.3.4:5678" or "[::1]:5678"
    hop.parse::<std::net::SocketAddr>().ok().map(|a| canonical(a.ip()))
}

/// `::ffff:1.2.3.4` and `1.2.3.4` are the same client.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peer_is_the_client() {
        assert_eq!(resolve(ip("203.0.113.9"), &["1.1.1.1"], &[]), ip("203.0.113.9"));
    }

    #[test]
    fn trusted_peer_yields_rightmost_untrusted_hop() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        let got = resolve(ip("10.0.0.2"), &["6.6.6.6, 198.51.100.7, 10.0.0.5"], &trusted);
        assert_eq!(got, ip("198.51.100.7"));
    }

    #[test]
    fn garbage_hop_stops_the_walk() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        assert_eq!(resolve(ip("10.0.0.2"), &["1.1.1.1, nonsense"], &trusted), ip("10.0.0.2"));
        assert_eq!(resolve(ip("::ffff:10.0.0.2"), &["[2001:db8::1]:443"], &trusted), ip("2001:db8::1"));
    }
}
