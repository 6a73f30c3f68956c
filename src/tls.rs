//! TLS material: the operator's certificate, or a self-signed one made with rcgen on first
//! start (and again when the set of names it must cover changes).

use std::fs;
use std::path::{Path, PathBuf};

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use sha2::{Digest, Sha256};

use crate::config::{Config, TlsMode};
use crate::files;

#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// SHA-256 of the leaf certificate, as colon-separated hex, for the operator to compare.
    pub fingerprint: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("TLS: {0}")]
    Io(String),
    #[error("TLS: cannot make a certificate: {0}")]
    Generate(#[from] rcgen::Error),
}

/// Resolves the certificate to serve, creating a self-signed one when needed.
pub fn prepare(config: &Config) -> Result<Option<TlsFiles>, TlsError> {
    let (cert, key) = match &config.tls {
        TlsMode::Off => return Ok(None),
        TlsMode::Files { cert, key } => (cert.clone(), key.clone()),
        TlsMode::SelfSigned => self_signed(&config.data_dir.join("tls"), &subject_names(config))?,
    };
    let pem = fs::read(&cert).map_err(|e| TlsError::Io(format!("cannot read {}: {e}", cert.display())))?;
    let fingerprint =
        pem_fingerprint(&pem).ok_or_else(|| TlsError::Io(format!("{} holds no PEM certificate", cert.display())))?;
    if !key.exists() {
        return Err(TlsError::Io(format!("cannot read {}", key.display())));
    }
    Ok(Some(TlsFiles { cert, key, fingerprint }))
}

/// localhost, the loopback addresses, this machine's hostname and every public name.
pub fn subject_names(config: &Config) -> Vec<String> {
    let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()];
    let hostname = fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    names.push(hostname.trim().to_string());
    names.extend(config.public_names.iter().cloned());
    names.retain(|n| !n.is_empty());
    names.dedup();
    names
}

fn self_signed(dir: &Path, names: &[String]) -> Result<(PathBuf, PathBuf), TlsError> {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let names_file = dir.join("names.txt");
    let wanted = names.join("\n");
    let current = fs::read_to_string(&names_file).ok();
    if cert.exists() && key.exists() && current.as_deref() == Some(wanted.as_str()) {
        return Ok((cert, key));
    }
    let made = rcgen::generate_simple_self_signed(names.to_vec())?;
    let io = |e: std::io::Error| TlsError::Io(format!("cannot write to {}: {e}", dir.display()));
    files::create_private_dir(dir).map_err(io)?;
    files::write_private(&key, made.signing_key.serialize_pem().as_bytes()).map_err(io)?;
    fs::write(&cert, made.cert.pem()).map_err(io)?;
    fs::write(&names_file, wanted).map_err(io)?;
    Ok((cert, key))
}

/// The fingerprint of the first (leaf) certificate in a PEM file.
pub fn pem_fingerprint(pem: &[u8]) -> Option<String> {
    let leaf = CertificateDer::pem_slice_iter(pem).next()?.ok()?;
    Some(fingerprint(&leaf))
}

pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}
