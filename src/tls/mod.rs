//! TLS material: the operator's certificate (`--tls-cert`/`--tls-key`), or, by default, a
//! certificate from UMBRA's own local CA (`authority`), which devices install once and which
//! renews the server certificate by itself (`jobs::tls_renewal`). Either way the listener
//! serves from a `ServedCert` that a renewal swaps in place.

mod authority;
pub mod names;
pub mod profile;
mod resolver;
pub mod validity;

use std::fs;
use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

use crate::config::{Config, TlsMode};
use crate::domain::time::UtcMillis;

pub use authority::{CaStatus, LocalCa};
pub use resolver::{ServedCert, server_config};

/// What the listener needs to speak TLS, and what the operator is shown.
pub struct Tls {
    pub served: Arc<ServedCert>,
    /// The local CA, unless the operator brought a certificate.
    pub local_ca: Option<Arc<LocalCa>>,
    /// What the operator compares with what a device shows: the local CA's SHA-256, or
    /// the operator certificate's.
    pub fingerprint: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("TLS: {0}")]
    Io(String),
    #[error("TLS: cannot make a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("TLS: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The certificate to serve at `now`: none with TLS off, the operator's files as they are,
/// or the local CA's (made on first start, renewed when due).
pub fn prepare(config: &Config, now: UtcMillis) -> Result<Option<Tls>, TlsError> {
    match &config.tls {
        TlsMode::Off => Ok(None),
        TlsMode::Files { cert, key } => operator_files(cert, key).map(Some),
        TlsMode::LocalCa => {
            let local_ca = Arc::new(LocalCa::open(config, now)?);
            let fingerprint = local_ca.status().fingerprint.clone();
            Ok(Some(Tls { served: local_ca.served(), local_ca: Some(local_ca), fingerprint }))
        }
    }
}

fn operator_files(cert: &Path, key: &Path) -> Result<Tls, TlsError> {
    let pem = fs::read(cert).map_err(|e| TlsError::Io(format!("cannot read {}: {e}", cert.display())))?;
    let fingerprint =
        pem_fingerprint(&pem).ok_or_else(|| TlsError::Io(format!("{} holds no PEM certificate", cert.display())))?;
    if !key.exists() {
        return Err(TlsError::Io(format!("cannot read {}", key.display())));
    }
    let bad = |what: &str, path: &Path, e: &dyn std::fmt::Display| {
        TlsError::Io(format!("cannot read the {what} in {}: {e}", path.display()))
    };
    let chain = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad("certificate", cert, &e))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| bad("private key", key, &e))?;
    let served = Arc::new(ServedCert::new(resolver::certified_key(chain, key)?));
    Ok(Tls { served, local_ca: None, fingerprint })
}

/// The fingerprint of the first certificate in a PEM file.
pub fn pem_fingerprint(pem: &[u8]) -> Option<String> {
    let first = CertificateDer::pem_slice_iter(pem).next()?.ok()?;
    Some(fingerprint(&first))
}

/// SHA-256 as colon-separated upper-case hex, as browsers and certificate viewers show it.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}
