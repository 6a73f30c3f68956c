//! Keeps the local CA's server certificate current: every hour (and at liftoff) it checks
//! the files and renews the certificate 30 days before it expires; the listener serves the
//! new one from the next handshake on, without a restart. Runs only when the server uses its
//! own CA (not with operator certificates, not with TLS off).

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;

use super::{Job, JobContext, JobError};
use crate::domain::time::UtcMillis;
use crate::tls::LocalCa;

pub struct TlsRenewal {
    local_ca: Arc<LocalCa>,
}

impl TlsRenewal {
    pub fn new(local_ca: Arc<LocalCa>) -> Self {
        Self { local_ca }
    }
}

impl Job for TlsRenewal {
    fn name(&self) -> &'static str {
        "tls renewal"
    }

    /// Hourly: cheap (two small files read), and a renewal window of 30 days leaves room for
    /// many failed passes.
    fn period(&self) -> Duration {
        Duration::from_hours(1)
    }

    fn run_once<'a>(&'a self, _ctx: &'a JobContext, now: UtcMillis) -> BoxFuture<'a, Result<(), JobError>> {
        let local_ca = self.local_ca.clone();
        Box::pin(async move {
            // File lock, file I/O and key generation: off the async workers.
            tokio::task::spawn_blocking(move || local_ca.refresh(now)).await??;
            Ok(())
        })
    }
}
