//! The certificate the listener serves, swappable while it runs: each TLS handshake asks for
//! the current one, so a renewed certificate reaches the next connection without a restart,
//! and connections already open keep the session they negotiated.

use std::sync::{Arc, PoisonError, RwLock};

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

#[derive(Debug)]
pub struct ServedCert(RwLock<Arc<CertifiedKey>>);

impl ServedCert {
    pub fn new(key: Arc<CertifiedKey>) -> Self {
        Self(RwLock::new(key))
    }

    pub fn current(&self) -> Arc<CertifiedKey> {
        // A writer only ever stores a whole `Arc`, so a poisoned lock still holds a good value.
        self.0.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub fn swap(&self, key: Arc<CertifiedKey>) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = key;
    }
}

impl ResolvesServerCert for ServedCert {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

/// A chain and its key, checked to belong together, in the form rustls serves.
pub fn certified_key(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<CertifiedKey>, rustls::Error> {
    let provider = rustls::crypto::ring::default_provider();
    Ok(Arc::new(CertifiedKey::from_der(chain, key, &provider)?))
}

/// The rustls configuration of the listener: TLS 1.2 and 1.3 with ring, HTTP/2 preferred,
/// the certificate from `served`.
pub fn server_config(served: Arc<ServedCert>) -> Result<rustls::ServerConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_cert_resolver(served);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}
