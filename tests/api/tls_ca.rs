//! The local certificate authority over a real socket: the served chain verifies against the
//! downloaded `/ca.crt` for every name, the certificates have the dates and flags phones
//! accept, the CA survives restarts, and renewal swaps the certificate without dropping
//! connections. Operator certificates and TLS off have no CA.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

use base64::Engine as _;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use umbra::clock::{Clock, ManualClock};
use umbra::config::{Config, TlsMode};
use umbra::domain::time::UtcMillis;
use umbra::jobs::tls_renewal::TlsRenewal;
use umbra::jobs::{Job, JobContext};
use umbra::server::AppState;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use crate::harness::app;
use crate::live::{LiveServer, install_crypto, serve_https, serve_https_with_clock};

const DAY_MINUTES: i64 = 24 * 60;

fn port(server: &LiveServer) -> u16 {
    server.listening.local_addr.port()
}

fn state(server: &LiveServer) -> &AppState {
    server.listening.rocket().state::<AppState>().unwrap()
}

/// What a phone does first: download the CA from a server it does not trust yet.
async fn download(server: &LiveServer, path: &str) -> reqwest::Response {
    install_crypto();
    let client = reqwest::Client::builder().tls_danger_accept_invalid_certs(true).build().unwrap();
    client.get(server.url(path)).send().await.unwrap()
}

async fn downloaded_ca(server: &LiveServer) -> Vec<u8> {
    let response = download(server, "/ca.crt").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/x-x509-ca-cert");
    response.bytes().await.unwrap().to_vec()
}

/// A client that trusts only `ca_pem` and reaches `name` at 127.0.0.1, as a device on the
/// home network whose DNS points the name at the server.
fn client_for(name: &str, ca_pem: &[u8]) -> reqwest::Client {
    install_crypto();
    let mut builder =
        reqwest::Client::builder().tls_certs_only([reqwest::Certificate::from_pem(ca_pem).unwrap()]).tls_info(true);
    if name.parse::<std::net::IpAddr>().is_err() {
        // The port given here is ignored: the URL's is used.
        builder = builder.resolve(name, SocketAddr::from(([127, 0, 0, 1], 0)));
    }
    builder.build().unwrap()
}

fn host(name: &str) -> String {
    if name.contains(':') { format!("[{name}]") } else { name.to_string() }
}

/// The served (leaf) certificate's DER, as a client saw it.
fn peer_certificate(response: &reqwest::Response) -> Vec<u8> {
    let info = response.extensions().get::<reqwest::tls::TlsInfo>().expect("tls_info on");
    info.peer_certificate().unwrap().to_vec()
}

fn parse(der: &[u8]) -> X509Certificate<'_> {
    X509Certificate::from_der(der).unwrap().1
}

fn pem_der(pem: &[u8]) -> Vec<u8> {
    CertificateDer::from_pem_slice(pem).unwrap().to_vec()
}

fn alternative_names(cert: &X509Certificate<'_>) -> BTreeSet<String> {
    let san = cert.subject_alternative_name().unwrap().unwrap();
    san.value
        .general_names
        .iter()
        .map(|name| match name {
            GeneralName::DNSName(dns) => (*dns).to_string(),
            GeneralName::IPAddress(bytes) if bytes.len() == 4 => {
                std::net::IpAddr::from(<[u8; 4]>::try_from(*bytes).unwrap()).to_string()
            }
            GeneralName::IPAddress(bytes) => std::net::IpAddr::from(<[u8; 16]>::try_from(*bytes).unwrap()).to_string(),
            other => panic!("unexpected name {other:?}"),
        })
        .collect()
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn public_names(config: &mut Config) {
    config.public_names = vec!["home.example".into(), "umbra.lan".into()];
}

#[tokio::test]
async fn the_served_chain_verifies_against_the_downloaded_ca_for_every_name() {
    let server = serve_https(public_names).await;
    let ca = downloaded_ca(&server).await;
    assert!(String::from_utf8_lossy(&ca).starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(!String::from_utf8_lossy(&ca).contains("PRIVATE KEY"));
    let info: serde_json::Value = download(&server, "/api/ca").await.json().await.unwrap();
    assert_eq!(info["fingerprint_sha256"], umbra::tls::pem_fingerprint(&ca).unwrap());
    assert_eq!(info["fingerprint_sha256"], server.fingerprint, "the fingerprint printed at start");
    assert_eq!(info["certificate_url"], "/ca.crt");
    assert_eq!(info["profile_url"], "/ca.mobileconfig");

    let port = port(&server);
    for name in ["home.example", "umbra.lan", "localhost", "127.0.0.1"] {
        let response = client_for(name, &ca)
            .get(format!("https://{}:{port}/health", host(name)))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(response.status(), 200, "{name}");
        let leaf = peer_certificate(&response);
        let expires = parse(&leaf).validity().not_after.timestamp();
        assert_eq!(info["server_certificate_expires_at"], UtcMillis(expires * 1000).to_rfc3339());
    }
    // Verification is real: a name the certificate does not carry, or another CA, fails.
    let other = client_for("other.example", &ca).get(format!("https://other.example:{port}/health")).send().await;
    assert!(other.is_err(), "a name outside the certificate was accepted");
    let stranger = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap().cert.pem();
    let untrusted =
        client_for("localhost", stranger.as_bytes()).get(format!("https://localhost:{port}/health")).send().await;
    assert!(untrusted.is_err(), "a client trusting another CA was served");
}

#[tokio::test]
async fn certificates_have_the_dates_and_flags_devices_accept() {
    let server = serve_https(public_names).await;
    let ca_pem = downloaded_ca(&server).await;
    let ca_der = pem_der(&ca_pem);
    let ca = parse(&ca_der);
    let response = client_for("home.example", &ca_pem)
        .get(format!("https://home.example:{}/health", port(&server)))
        .send()
        .await
        .unwrap();
    let leaf_der = peer_certificate(&response);
    let leaf = parse(&leaf_der);

    // The CA: ten years, named after the appliance and its first public name, a CA that
    // may sign certificates but no intermediate CAs.
    let ca_days = (ca.validity().not_after.timestamp() - ca.validity().not_before.timestamp()) / 86_400;
    assert_eq!(ca_days, 3650);
    let common_name = ca.subject().iter_common_name().next().unwrap().as_str().unwrap().to_string();
    assert_eq!(common_name, "UMBRA local CA (home.example)");
    let constraints = ca.basic_constraints().unwrap().unwrap();
    assert!(constraints.critical && constraints.value.ca);
    assert_eq!(constraints.value.path_len_constraint, Some(0));
    let usage = ca.key_usage().unwrap().unwrap().value;
    assert!(usage.key_cert_sign() && usage.crl_sign());
    ca.verify_signature(None).expect("self-signed");

    // The server certificate: 365 days (Mozilla's "intermediate" configuration allows at most
    // 366), issued by the CA, for a TLS server, for exactly the public names, this machine's
    // hostname, localhost and the loopback addresses.
    let seconds = leaf.validity().not_after.timestamp() - leaf.validity().not_before.timestamp();
    assert!(seconds <= 366 * 86_400, "{seconds} s");
    assert!(seconds >= 364 * 86_400, "{seconds} s");
    leaf.verify_signature(Some(ca.public_key())).expect("issued by the CA");
    assert_eq!(leaf.issuer().as_raw(), ca.subject().as_raw());
    assert!(!leaf.is_ca());
    assert!(leaf.basic_constraints().unwrap().is_some_and(|c| !c.value.ca), "explicitly not a CA");
    assert!(leaf.key_usage().unwrap().unwrap().value.digital_signature());
    let extended = leaf.extended_key_usage().unwrap().unwrap().value;
    assert!(extended.server_auth && !extended.client_auth && !extended.any);
    let mut expected: BTreeSet<String> =
        ["home.example", "umbra.lan", "localhost", "127.0.0.1", "::1"].map(String::from).into();
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    if !hostname.trim().is_empty() {
        expected.insert(hostname.trim().to_ascii_lowercase());
    }
    assert_eq!(alternative_names(&leaf), expected);

    // The keys are the service user's alone.
    let tls = state(&server).config.data_dir.join("tls");
    assert_eq!(mode(&tls.join("ca-key.pem")), 0o600);
    assert_eq!(mode(&tls.join("key.pem")), 0o600);
    assert_eq!(pem_der(&std::fs::read(tls.join("ca.pem")).unwrap()), ca_der);
    assert_eq!(pem_der(&std::fs::read(tls.join("cert.pem")).unwrap()), leaf_der);
    // No route serves a key.
    for path in ["/tls/ca-key.pem", "/tls/key.pem", "/ca-key.pem", "/ca.key"] {
        let body = download(&server, path).await.text().await.unwrap();
        assert!(!body.contains("PRIVATE KEY"), "{path}");
    }
}

#[tokio::test]
async fn a_listen_address_is_in_the_certificate_only_when_it_is_one_address() {
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::defaults_in(data.path());
    config.listen = "192.0.2.7:8443".parse().unwrap();
    let tls = umbra::tls::prepare(&config, UtcMillis::now()).unwrap().unwrap();
    let served = tls.served.current();
    let names = alternative_names(&parse(served.cert[0].as_ref()));
    assert!(names.contains("192.0.2.7"), "{names:?}");
    assert!(names.contains("localhost") && names.contains("127.0.0.1") && names.contains("::1"));
}

/// What `umbra serve` does at each start, on one data folder.
#[test]
fn a_restart_reuses_the_ca_and_a_new_name_gets_a_new_certificate_from_it() {
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::defaults_in(data.path());
    config.public_names = vec!["home.example".into()];
    let now = UtcMillis::now();
    let leaf_of = |tls: &umbra::tls::Tls| tls.served.current().cert[0].to_vec();

    let first = umbra::tls::prepare(&config, now).unwrap().unwrap();
    let again = umbra::tls::prepare(&config, now.plus_minutes(60)).unwrap().unwrap();
    assert_eq!(again.fingerprint, first.fingerprint, "same CA");
    assert_eq!(leaf_of(&again), leaf_of(&first), "nothing was due: same server certificate");

    config.public_names.push("calendar.example".into());
    let renamed = umbra::tls::prepare(&config, now.plus_minutes(120)).unwrap().unwrap();
    assert_eq!(renamed.fingerprint, first.fingerprint, "same CA after a new name");
    let (old_der, new_der) = (leaf_of(&first), leaf_of(&renamed));
    let (old, new) = (parse(&old_der), parse(&new_der));
    assert_ne!(new.raw_serial(), old.raw_serial());
    assert!(alternative_names(&new).contains("calendar.example"));
    let ca_der = pem_der(&std::fs::read(data.path().join("tls/ca.pem")).unwrap());
    new.verify_signature(Some(parse(&ca_der).public_key())).expect("issued by the same CA");
    // The CA keeps the name it was made with: devices already trust it under that name.
    assert_eq!(renamed.local_ca.unwrap().status().name, "UMBRA local CA (home.example)");
}

/// Several servers on one PostgreSQL may share a data folder: one renews, the others serve
/// the renewed certificate from the files at their next check instead of issuing their own.
#[test]
fn processes_sharing_a_data_folder_serve_one_renewal() {
    let data = tempfile::tempdir().unwrap();
    let config = Config::defaults_in(data.path());
    let now = UtcMillis::now();
    let first = umbra::tls::prepare(&config, now).unwrap().unwrap();
    let second = umbra::tls::prepare(&config, now).unwrap().unwrap();
    let leaf_of = |tls: &umbra::tls::Tls| tls.served.current().cert[0].to_vec();
    assert_eq!(leaf_of(&first), leaf_of(&second));

    let due = now.plus_minutes(368 * DAY_MINUTES);
    assert!(first.local_ca.as_ref().unwrap().refresh(due).unwrap(), "renewed");
    assert!(second.local_ca.as_ref().unwrap().refresh(due).unwrap(), "picked up");
    assert_eq!(leaf_of(&first), leaf_of(&second), "one renewal, served by both");
    assert!(!first.local_ca.as_ref().unwrap().refresh(due).unwrap(), "nothing left to do");
}

/// Devices trust the CA: a damaged one stops the start with a message rather than being
/// quietly replaced by a CA no device knows.
#[test]
fn a_damaged_ca_stops_the_start_instead_of_being_replaced() {
    let data = tempfile::tempdir().unwrap();
    let config = Config::defaults_in(data.path());
    assert!(umbra::tls::prepare(&config, UtcMillis::now()).unwrap().is_some());
    let ca_pem = std::fs::read(data.path().join("tls/ca.pem")).unwrap();
    std::fs::write(data.path().join("tls/ca-key.pem"), b"-----BEGIN PRIVATE KEY-----\nbroken\n").unwrap();
    let error = umbra::tls::prepare(&config, UtcMillis::now()).err().expect("refused");
    assert!(error.to_string().contains("damaged"), "{error}");
    assert_eq!(std::fs::read(data.path().join("tls/ca.pem")).unwrap(), ca_pem, "left as it was");
}

/// An install from before the local CA has a self-signed `tls/cert.pem`: the first start
/// replaces it with a certificate from the new CA.
#[test]
fn the_self_signed_certificate_of_earlier_versions_is_replaced() {
    let data = tempfile::tempdir().unwrap();
    let tls = data.path().join("tls");
    std::fs::create_dir_all(&tls).unwrap();
    let old = rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    std::fs::write(tls.join("cert.pem"), old.cert.pem()).unwrap();
    std::fs::write(tls.join("key.pem"), old.signing_key.serialize_pem()).unwrap();
    std::fs::write(tls.join("names.txt"), "localhost\n127.0.0.1").unwrap();

    let config = Config::defaults_in(data.path());
    let prepared = umbra::tls::prepare(&config, UtcMillis::now()).unwrap().unwrap();
    let served = prepared.served.current().cert[0].to_vec();
    assert_ne!(served, old.cert.der().to_vec());
    let ca_der = pem_der(&std::fs::read(tls.join("ca.pem")).unwrap());
    parse(&served).verify_signature(Some(parse(&ca_der).public_key())).expect("issued by the new CA");
    assert_eq!(mode(&tls.join("key.pem")), 0o600);
    assert!(!tls.join("names.txt").exists());
}

/// A keep-alive HTTP/1.1 connection that trusts only the CA, driven by hand so that the
/// test knows it is one connection.
struct Connection(tokio_rustls::client::TlsStream<TcpStream>);

impl Connection {
    async fn open(port: u16, ca_der: &[u8]) -> Connection {
        install_crypto();
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from(ca_der.to_vec())).unwrap();
        let config = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        Connection(connector.connect(ServerName::try_from("localhost").unwrap(), tcp).await.unwrap())
    }

    fn serial(&self) -> Vec<u8> {
        let certificates = self.0.get_ref().1.peer_certificates().unwrap();
        parse(certificates[0].as_ref()).raw_serial().to_vec()
    }

    /// `GET /health` on this connection: its status line and body.
    async fn health(&mut self) -> (String, String) {
        self.0.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
        let mut received = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let read = self.0.read(&mut chunk).await.expect("the connection still answers");
            assert!(read > 0, "the server closed the connection");
            received.extend_from_slice(&chunk[..read]);
            let text = String::from_utf8_lossy(&received).to_string();
            let Some((head, body)) = text.split_once("\r\n\r\n") else { continue };
            let length: usize = head
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
                .expect("a sized answer");
            if body.len() >= length {
                return (head.lines().next().unwrap().to_string(), body.to_string());
            }
        }
    }
}

#[tokio::test]
async fn renewal_near_expiry_swaps_the_certificate_without_dropping_connections() {
    // The server starts 338 days in the past, so both its first certificate (365 days) and
    // the renewed one are valid for a client that checks against the real time.
    let clock = ManualClock::starting_now();
    clock.advance_minutes(-338 * DAY_MINUTES);
    let server = serve_https_with_clock(clock.clone(), |_| {}).await;
    let ca_der = pem_der(&downloaded_ca(&server).await);
    let local_ca = state(&server).local_ca().cloned().expect("the server uses its own CA");
    let renewal = TlsRenewal::new(local_ca.clone());
    let ctx = JobContext { db: server.db.clone() };

    let mut open = Connection::open(port(&server), &ca_der).await;
    assert_eq!(open.health().await.0, "HTTP/1.1 200 OK");
    let first_serial = open.serial();
    let first_expiry = local_ca.status().server_expires_at;

    // 334 days in: 31 days left, not due yet.
    clock.advance_minutes(334 * DAY_MINUTES);
    renewal.run_once(&ctx, clock.now()).await.unwrap();
    assert_eq!(Connection::open(port(&server), &ca_der).await.serial(), first_serial);
    assert_eq!(local_ca.status().server_expires_at, first_expiry);

    // 336 days in: within 30 days of expiry, so the pass renews.
    clock.advance_minutes(2 * DAY_MINUTES);
    renewal.run_once(&ctx, clock.now()).await.unwrap();
    let new = Connection::open(port(&server), &ca_der).await;
    assert_ne!(new.serial(), first_serial, "a new handshake gets the new certificate");
    // The open connection was not dropped: it answers again, on the session it began with.
    assert_eq!(open.health().await.0, "HTTP/1.1 200 OK");
    assert_eq!(open.serial(), first_serial);

    let renewed = local_ca.status().server_expires_at;
    assert_eq!(renewed.0 - first_expiry.0, 336 * DAY_MINUTES * UtcMillis::MINUTE);
    let info: serde_json::Value = download(&server, "/api/ca").await.json().await.unwrap();
    assert_eq!(info["server_certificate_expires_at"], renewed.to_rfc3339());
    assert_eq!(info["fingerprint_sha256"], server.fingerprint, "the same CA");
    let files = std::fs::read(state(&server).config.data_dir.join("tls/cert.pem")).unwrap();
    assert_eq!(parse(&pem_der(&files)).raw_serial(), new.serial().as_slice(), "written for the next start");
}

#[tokio::test]
async fn the_apple_profile_holds_the_ca_with_stable_uuids() {
    let server = serve_https(public_names).await;
    let ca_der = pem_der(&downloaded_ca(&server).await);
    let response = download(&server, "/ca.mobileconfig").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/x-apple-aspen-config");
    let profile = response.text().await.unwrap();
    assert!(profile.contains("<string>com.apple.security.root</string>"));
    assert!(profile.contains("<string>UMBRA local CA (home.example)</string>"));
    let data = profile.split("<data>").nth(1).unwrap().split("</data>").next().unwrap();
    assert_eq!(base64::engine::general_purpose::STANDARD.decode(data.trim()).unwrap(), ca_der);
    let again = download(&server, "/ca.mobileconfig").await.text().await.unwrap();
    assert_eq!(again, profile, "the same profile every time, so a device updates rather than duplicates it");
    assert_eq!(profile.matches("<key>PayloadUUID</key>").count(), 2);
}

#[tokio::test]
async fn the_ca_routes_take_no_sign_in_and_nothing_else() {
    let server = serve_https(|_| {}).await;
    install_crypto();
    // Nothing to write: only GET (and HEAD) answer.
    let anonymous = reqwest::Client::builder().tls_danger_accept_invalid_certs(true).build().unwrap();
    for path in ["/api/ca", "/ca.crt", "/ca.mobileconfig"] {
        let post = anonymous.post(server.url(path)).header("X-Requested-With", "XMLHttpRequest").send().await.unwrap();
        assert!(post.status() == 404 || post.status() == 405, "POST {path}: {}", post.status());
        let head = anonymous.head(server.url(path)).send().await.unwrap();
        assert_eq!(head.status(), 200, "HEAD {path}");
        // Query strings and a cookie change nothing.
        let odd = anonymous.get(server.url(&format!("{path}?key=1&format=der"))).header("Cookie", "x=y").send().await;
        assert_eq!(odd.unwrap().status(), 200, "{path} with a query");
    }
    // Other spellings are not the CA.
    for path in ["/CA.CRT", "/ca.crt.pem", "/ca.pem", "/api/ca/key"] {
        let response = anonymous.get(server.url(path)).send().await.unwrap();
        let body = response.text().await.unwrap();
        assert!(!body.contains("BEGIN CERTIFICATE") && !body.contains("fingerprint"), "{path}: {body}");
    }
}

#[tokio::test]
async fn operator_certificates_are_served_as_they_are_without_a_ca() {
    let operator = tempfile::tempdir().unwrap();
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let (cert, key) = (operator.path().join("cert.pem"), operator.path().join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    let server = serve_https(|config| config.tls = TlsMode::Files { cert: cert.clone(), key: key.clone() }).await;

    let response = client_for("localhost", made.cert.pem().as_bytes())
        .get(format!("https://localhost:{}/health", port(&server)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(peer_certificate(&response), made.cert.der().to_vec(), "the operator's certificate, unchanged");
    assert_eq!(server.fingerprint, umbra::tls::fingerprint(made.cert.der()), "its fingerprint is printed");
    assert!(state(&server).local_ca().is_none());
    for path in ["/api/ca", "/ca.crt", "/ca.mobileconfig"] {
        let response = server.client.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(response.headers()["content-type"], "application/problem+json", "{path}");
    }
    assert!(!state(&server).config.data_dir.join("tls").exists(), "no CA was made");
}

#[tokio::test]
async fn without_tls_there_is_no_ca() {
    let app = app().await;
    for path in ["/api/ca", "/ca.crt", "/ca.mobileconfig"] {
        app.anonymous().get(path).await.problem(404);
    }
}

#[test]
fn operator_files_that_do_not_match_are_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let one = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let two = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, one.cert.pem()).unwrap();
    std::fs::write(&key, two.signing_key.serialize_pem()).unwrap();
    let mut config = Config::defaults_in(dir.path());
    config.tls = TlsMode::Files { cert: cert.clone(), key: key.clone() };
    install_crypto();
    let error = umbra::tls::prepare(&config, UtcMillis::now()).err().expect("a key that is not the certificate's");
    assert!(error.to_string().starts_with("TLS:"), "{error}");
    std::fs::remove_file(&key).unwrap();
    let missing = umbra::tls::prepare(&config, UtcMillis::now()).err().expect("no key file");
    assert!(missing.to_string().contains("key.pem"), "{missing}");
}

/// One of the CA's two files alone (a lost file, a half-done restore) stops the start with a
/// message naming the missing file; no new CA is made over the one left, which every device
/// trusting the old CA would reject.
#[test]
fn a_lone_ca_file_stops_the_start_instead_of_a_new_ca() {
    for (missing, kept) in [("ca-key.pem", "ca.pem"), ("ca.pem", "ca-key.pem")] {
        let data = tempfile::tempdir().unwrap();
        let config = Config::defaults_in(data.path());
        assert!(umbra::tls::prepare(&config, UtcMillis::now()).unwrap().is_some());
        let tls = data.path().join("tls");
        let before = std::fs::read(tls.join(kept)).unwrap();
        std::fs::remove_file(tls.join(missing)).unwrap();
        let error = umbra::tls::prepare(&config, UtcMillis::now()).err().expect("refused");
        let text = error.to_string();
        assert!(text.contains(&format!("{} is missing", tls.join(missing).display())), "{text}");
        assert_eq!(std::fs::read(tls.join(kept)).unwrap(), before, "{kept} left as it was");
        assert!(!tls.join(missing).exists(), "no new CA");
    }
}

/// The four files are written to a temporary file and renamed into place: none is left
/// beside them (one a crash left is cleared by the next write), and keys are 0600.
#[test]
fn ca_files_are_replaced_whole_and_keys_stay_private() {
    let data = tempfile::tempdir().unwrap();
    let config = Config::defaults_in(data.path());
    let now = UtcMillis::now();
    let tls = data.path().join("tls");
    let files = || {
        let mut names: Vec<String> =
            std::fs::read_dir(&tls).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    };
    let prepared = umbra::tls::prepare(&config, now).unwrap().unwrap();
    assert_eq!(files(), [".lock", "ca-key.pem", "ca.pem", "cert.pem", "key.pem"]);
    assert_eq!((mode(&tls.join("ca-key.pem")), mode(&tls.join("key.pem"))), (0o600, 0o600));

    // A crash while writing left half a key behind; the renewal replaces the key whole.
    std::fs::write(tls.join(".key.pem.tmp"), b"-----BEGIN PRIVATE KEY-----\nhalf").unwrap();
    let due = now.plus_minutes(368 * DAY_MINUTES);
    assert!(prepared.local_ca.as_ref().unwrap().refresh(due).unwrap(), "renewed");
    assert_eq!(files(), [".lock", "ca-key.pem", "ca.pem", "cert.pem", "key.pem"]);
    assert_eq!(mode(&tls.join("key.pem")), 0o600);
    let again = umbra::tls::prepare(&config, due).unwrap().unwrap();
    assert_eq!(again.fingerprint, prepared.fingerprint, "the same CA reads back");
}
