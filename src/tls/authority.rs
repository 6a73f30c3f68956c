//! The local certificate authority in the data folder's `tls/`, and the server certificate
//! it issues. Made on first start; from then on every check (at start, then hourly) keeps
//! the files right and the served certificate current:
//!
//! - `ca.pem` / `ca-key.pem` (0600): the CA, kept for ten years; a household installs
//!   `ca.pem` once per device. Replaced only in its last 30 days.
//! - `cert.pem` / `key.pem` (0600): the server certificate, at most 365 days, issued again
//!   30 days before it expires, when the names it must cover change, or when it is missing,
//!   damaged or not from this CA (as the self-signed certificate of earlier versions).
//!
//! A check holds an exclusive lock on `tls/.lock`, so processes sharing a data folder (several
//! servers on one PostgreSQL) never interleave their writes; each then serves what the files
//! hold, so one renewal reaches all of them within a check. Every file is written whole to a
//! temporary file and renamed into place, so a crash never leaves half a certificate or key;
//! one of the CA's two files alone stops the start rather than making a new CA over the other.

use std::collections::BTreeSet;
use std::fs;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PublicKeyData,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use super::names;
use super::resolver::{ServedCert, certified_key};
use super::validity::{self, Validity};
use super::{TlsError, fingerprint};
use crate::config::Config;
use crate::domain::time::UtcMillis;
use crate::files;

/// The local CA of a running server and the certificate it serves.
pub struct LocalCa {
    dir: PathBuf,
    names: Vec<String>,
    ca_name: String,
    served: Arc<ServedCert>,
    status: RwLock<Arc<CaStatus>>,
}

/// What the routes show: the CA a device installs, and when the served certificate ends.
#[derive(Debug)]
pub struct CaStatus {
    /// The CA's common name, e.g. "UMBRA local CA (home.example)".
    pub name: String,
    pub pem: String,
    pub der: Vec<u8>,
    /// SHA-256 of the CA certificate, colon-separated hex.
    pub fingerprint: String,
    pub server_expires_at: UtcMillis,
}

impl LocalCa {
    /// Checks the files in `<data_dir>/tls` at `now` (making the CA on first start) and
    /// loads the server certificate.
    pub fn open(config: &Config, now: UtcMillis) -> Result<Self, TlsError> {
        let dir = config.data_dir.join("tls");
        let names = names::subject_names(config);
        let ca_name = names::ca_name(config);
        let current = check(&dir, &names, &ca_name, now)?;
        let served = Arc::new(ServedCert::new(certified_key(current.chain, current.key)?));
        Ok(Self { dir, names, ca_name, served, status: RwLock::new(Arc::new(current.status)) })
    }

    /// What the listener serves from.
    pub fn served(&self) -> Arc<ServedCert> {
        self.served.clone()
    }

    pub fn status(&self) -> Arc<CaStatus> {
        self.status.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The hourly check: renews what is due and serves what the files now hold. True when
    /// the served certificate changed. Blocking (file lock, file I/O, key generation).
    pub fn refresh(&self, now: UtcMillis) -> Result<bool, TlsError> {
        let current = check(&self.dir, &self.names, &self.ca_name, now)?;
        let changed = self.served.current().cert.first() != current.chain.first();
        if changed {
            self.served.swap(certified_key(current.chain, current.key)?);
            tracing::info!(
                expires_at = %current.status.server_expires_at.to_rfc3339(),
                "serving a new certificate from the local CA"
            );
        }
        *self.status.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(current.status);
        Ok(changed)
    }
}

/// The files after a check.
struct Current {
    status: CaStatus,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

/// The CA, loaded.
struct Authority {
    name: String,
    pem: String,
    der: CertificateDer<'static>,
    key: KeyPair,
    not_after: UtcMillis,
}

/// The server certificate, loaded.
struct Server {
    der: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
    validity: Validity,
}

fn check(dir: &Path, names: &[String], ca_name: &str, now: UtcMillis) -> Result<Current, TlsError> {
    files::create_private_dir(dir).map_err(|e| io(dir, &e))?;
    let lock_path = dir.join(".lock");
    let lock = fs::File::create(&lock_path).map_err(|e| io(&lock_path, &e))?;
    lock.lock().map_err(|e| io(&lock_path, &e))?;

    let authority = match read_authority(dir)? {
        Some(authority) if !validity::ca_due(authority.not_after, now) => authority,
        old => {
            if old.is_some() {
                tracing::warn!(
                    "the local CA expires within 30 days: making a new one; install it again on every device"
                );
            }
            make_authority(dir, ca_name, now)?
        }
    };
    let server = match read_server(dir, &authority, names) {
        Some(server) if !validity::server_due(server.validity, now) => server,
        _ => issue_server(dir, &authority, names, now)?,
    };
    Ok(Current {
        status: CaStatus {
            name: authority.name,
            fingerprint: fingerprint(&authority.der),
            der: authority.der.to_vec(),
            pem: authority.pem,
            server_expires_at: server.validity.not_after,
        },
        chain: vec![server.der],
        key: server.key,
    })
}

/// The CA in `dir`, if both files are there; `None` when neither is (a first start). A
/// damaged CA, or one of its two files alone, is an error, not replaced: every device that
/// trusts it would have to install a new one, so the operator decides.
fn read_authority(dir: &Path) -> Result<Option<Authority>, TlsError> {
    let (cert_path, key_path) = (dir.join("ca.pem"), dir.join("ca-key.pem"));
    match (cert_path.exists(), key_path.exists()) {
        (false, false) => return Ok(None),
        (true, true) => {}
        (has_cert, _) => return Err(half_authority(&cert_path, &key_path, has_cert)),
    }
    let damaged =
        |why: &str| TlsError::Io(format!("{} is damaged ({why}); move it away to make a new CA", cert_path.display()));
    let pem = fs::read_to_string(&cert_path).map_err(|e| io(&cert_path, &e))?;
    let key_pem = fs::read_to_string(&key_path).map_err(|e| io(&key_path, &e))?;
    let key = KeyPair::from_pem(&key_pem).map_err(|_| damaged("its key does not parse"))?;
    let der = CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|_| damaged("no PEM certificate"))?;
    let (_, x509) = X509Certificate::from_der(&der).map_err(|_| damaged("not a certificate"))?;
    if x509.public_key().raw != key.subject_public_key_info().as_slice() {
        return Err(damaged("the key in ca-key.pem is not its key"));
    }
    let name = x509.subject().iter_common_name().next().and_then(|cn| cn.as_str().ok()).unwrap_or_default().to_string();
    let not_after = validity::from_x509_seconds(x509.validity().not_after.timestamp());
    Ok(Some(Authority { name, pem, der, key, not_after }))
}

/// The refusal when one of the CA's files is missing: making a new CA would overwrite the one
/// left, and every device trusting the old CA would stop trusting this server.
fn half_authority(cert_path: &Path, key_path: &Path, has_cert: bool) -> TlsError {
    let (missing, present) = if has_cert { (key_path, cert_path) } else { (cert_path, key_path) };
    TlsError::Io(format!(
        "{} is missing but {} is there: restore the missing file from a backup, or move {} away \
         to make a new local CA (every device must then install it again)",
        missing.display(),
        present.display(),
        present.display()
    ))
}

fn make_authority(dir: &Path, name: &str, now: UtcMillis) -> Result<Authority, TlsError> {
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    params.distinguished_name.push(DnType::OrganizationName, "UMBRA");
    // Signs server certificates only: no intermediate CA below it (pathlen 0).
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let dates = validity::ca_validity(now);
    params.not_before = validity::to_x509(dates.not_before);
    params.not_after = validity::to_x509(dates.not_after);
    let cert = params.self_signed(&key)?;
    let (cert_path, key_path) = (dir.join("ca.pem"), dir.join("ca-key.pem"));
    write_pair(&cert_path, &cert.pem(), &key_path, &key.serialize_pem())?;
    tracing::info!("made the local CA \"{name}\" in {}", dir.display());
    Ok(Authority { name: name.to_string(), pem: cert.pem(), der: cert.der().clone(), key, not_after: dates.not_after })
}

/// The server certificate in `dir` if it is usable as it is: signed by `authority`, for
/// exactly `names`, with its key. Anything else (missing, damaged, another issuer, other
/// names) means a new one.
fn read_server(dir: &Path, authority: &Authority, names: &[String]) -> Option<Server> {
    let pem = fs::read(dir.join("cert.pem")).ok()?;
    let key_pem = fs::read_to_string(dir.join("key.pem")).ok()?;
    let der = CertificateDer::from_pem_slice(&pem).ok()?;
    let (_, x509) = X509Certificate::from_der(&der).ok()?;
    let (_, ca) = X509Certificate::from_der(&authority.der).ok()?;
    x509.verify_signature(Some(ca.public_key())).ok()?;
    if KeyPair::from_pem(&key_pem).ok()?.subject_public_key_info() != x509.public_key().raw {
        return None;
    }
    let wanted: BTreeSet<String> = names.iter().cloned().collect();
    if alternative_names(&x509)? != wanted {
        return None;
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).ok()?;
    let validity = Validity {
        not_before: validity::from_x509_seconds(x509.validity().not_before.timestamp()),
        not_after: validity::from_x509_seconds(x509.validity().not_after.timestamp()),
    };
    Some(Server { der: der.clone(), key, validity })
}

/// The DNS names and addresses a certificate names, as `names::canonical` writes them.
fn alternative_names(x509: &X509Certificate<'_>) -> Option<BTreeSet<String>> {
    let extension = x509.subject_alternative_name().ok()??;
    extension
        .value
        .general_names
        .iter()
        .map(|name| match name {
            GeneralName::DNSName(dns) => Some(names::canonical(dns)),
            GeneralName::IPAddress(bytes) => ip_from(bytes).map(|ip| ip.to_string()),
            _ => None,
        })
        .collect()
}

fn ip_from(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => Some(IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?)),
        16 => Some(IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?)),
        _ => None,
    }
}

fn issue_server(dir: &Path, authority: &Authority, names: &[String], now: UtcMillis) -> Result<Server, TlsError> {
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::new(names.to_vec())?;
    params.distinguished_name = DistinguishedName::new();
    if let Some(common_name) = names::server_common_name(names) {
        params.distinguished_name.push(DnType::CommonName, common_name);
    }
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let dates = validity::server_validity(now, authority.not_after);
    params.not_before = validity::to_x509(dates.not_before);
    params.not_after = validity::to_x509(dates.not_after);
    let issuer = Issuer::from_ca_cert_der(&authority.der, &authority.key)?;
    let cert = params.signed_by(&key, &issuer)?;
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    write_pair(&cert_path, &cert.pem(), &key_path, &key.serialize_pem())?;
    // The list of names the self-signed certificate of earlier versions was made for.
    let _ = fs::remove_file(dir.join("names.txt"));
    let key = PrivateKeyDer::from(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Ok(Server { der: cert.der().clone(), key, validity: dates })
}

/// Writes a certificate and its key, each replaced whole (`files::replace`): the key 0600 from
/// its first byte, the certificate readable as before (devices download it).
fn write_pair(cert_path: &Path, cert_pem: &str, key_path: &Path, key_pem: &str) -> Result<(), TlsError> {
    files::replace(key_path, key_pem.as_bytes(), 0o600).map_err(|e| io(key_path, &e))?;
    files::replace(cert_path, cert_pem.as_bytes(), 0o644).map_err(|e| io(cert_path, &e))
}

fn io(path: &Path, e: &dyn std::fmt::Display) -> TlsError {
    TlsError::Io(format!("{}: {e}", path.display()))
}
