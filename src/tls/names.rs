//! The names the local CA's certificates carry: the CA's own display name, and the subject
//! alternative names of the server certificate.

use std::collections::BTreeSet;
use std::net::IpAddr;

use crate::config::Config;

/// X.509 allows 64 characters in a common name.
const MAX_COMMON_NAME: usize = 64;

/// Every name the server certificate must cover, in a stable order: the public names,
/// this machine's hostname, `localhost`, the loopback addresses, and the listen address when
/// it is one address (not the wildcard `0.0.0.0`/`::`).
pub fn subject_names(config: &Config) -> Vec<String> {
    subject_names_on(config, &machine_name())
}

/// The hostname is in the list because zero configuration must still give a certificate
/// that is valid where a household first reaches the server: `https://<hostname>:8443`.
fn subject_names_on(config: &Config, hostname: &str) -> Vec<String> {
    let mut names: Vec<String> = config.public_names.iter().map(|n| canonical(n)).collect();
    if !hostname.is_empty() {
        names.push(canonical(hostname));
    }
    names.extend(["localhost", "127.0.0.1", "::1"].map(String::from));
    let listen = config.listen.ip();
    if !listen.is_unspecified() {
        names.push(listen.to_string());
    }
    let mut seen = BTreeSet::new();
    names.retain(|name| seen.insert(name.clone()));
    names
}

/// A name as certificates compare it: DNS names are case-insensitive, addresses have one
/// written form.
pub fn canonical(name: &str) -> String {
    match name.parse::<IpAddr>() {
        Ok(ip) => ip.to_string(),
        Err(_) => name.to_ascii_lowercase(),
    }
}

/// "UMBRA local CA (home.example)": what a device lists among its installed certificates,
/// so a household recognises it. Named after the first public name, else this machine's.
pub fn ca_name(config: &Config) -> String {
    let host = config.public_names.first().cloned().unwrap_or_else(machine_name);
    let name = format!("UMBRA local CA ({host})");
    if host.is_empty() || name.len() > MAX_COMMON_NAME { "UMBRA local CA".to_string() } else { name }
}

/// This machine's hostname ("" when it cannot be read).
fn machine_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default().trim().to_string()
}

/// The server certificate's common name: its first name when it fits. Clients check the
/// alternative names; the common name is what certificate viewers show.
pub fn server_common_name(names: &[String]) -> Option<&str> {
    names.first().map(String::as_str).filter(|n| n.len() <= MAX_COMMON_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(public_names: &[&str], listen: &str) -> Config {
        let mut config = Config::defaults_in(std::path::Path::new("/nonexistent"));
        config.public_names = public_names.iter().map(|n| (*n).to_string()).collect();
        config.listen = listen.parse().unwrap();
        config
    }

    #[test]
    fn public_names_loopback_and_a_specific_listen_address() {
        let names = subject_names_on(&config(&["Home.Example", "umbra.lan"], "192.168.1.20:8443"), "");
        assert_eq!(names, ["home.example", "umbra.lan", "localhost", "127.0.0.1", "::1", "192.168.1.20"]);
        let wildcard = subject_names_on(&config(&[], "0.0.0.0:8443"), "");
        assert_eq!(wildcard, ["localhost", "127.0.0.1", "::1"]);
        let loopback = subject_names_on(&config(&["10.0.0.1"], "127.0.0.1:8443"), "");
        assert_eq!(loopback, ["10.0.0.1", "localhost", "127.0.0.1", "::1"]);
    }

    #[test]
    fn the_hostname_is_covered_without_configuration() {
        let names = subject_names_on(&config(&[], "0.0.0.0:8443"), "Nas");
        assert_eq!(names, ["nas", "localhost", "127.0.0.1", "::1"]);
        let listed = subject_names_on(&config(&["nas"], "0.0.0.0:8443"), "nas");
        assert_eq!(listed, ["nas", "localhost", "127.0.0.1", "::1"], "listed once");
    }

    #[test]
    fn the_ca_is_named_after_the_first_public_name() {
        assert_eq!(ca_name(&config(&["home.example", "b.example"], "0.0.0.0:1")), "UMBRA local CA (home.example)");
        let long = "a".repeat(60);
        assert_eq!(ca_name(&config(&[&long], "0.0.0.0:1")), "UMBRA local CA");
        assert!(ca_name(&config(&[], "0.0.0.0:1")).starts_with("UMBRA local CA"));
    }
}
