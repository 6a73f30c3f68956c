//! Argon2id password hashing on a small fixed pool of threads, one queue shared by real and
//! dummy verifications: a login flood queues here instead of starving other requests, and
//! because unknown users wait in the same queue, the wait itself reveals nothing.
//!
//! Why not tokio's blocking pool behind a semaphore: each hash allocates 19 MiB, and glibc
//! keeps such blocks in the arena of whichever thread freed them; with hashing spread over
//! dozens of blocking threads the process kept ~470 MB after a login flood. A fixed set of
//! threads reuses its own few blocks.

use std::sync::{Mutex, mpsc};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::oneshot;

use crate::config::Argon2Params;
use crate::domain::password_policy::{self, AcceptablePassword};

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("password hashing was interrupted")]
    Interrupted,
}

type Job = Box<dyn FnOnce() + Send>;

pub struct PasswordHasher {
    params: Params,
    /// Jobs for the hashing threads; they exit when the hasher is dropped.
    queue: Mutex<mpsc::Sender<Job>>,
    /// A hash of a random password, verified against when the user does not exist.
    dummy_hash: String,
}

/// The result of checking a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub matches: bool,
    /// The stored hash uses other parameters than today's: hash again while we know the password.
    pub needs_rehash: bool,
}

impl PasswordHasher {
    pub fn new(cost: Argon2Params) -> Result<Self, HashError> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(|e| HashError::Hash(e.to_string()))?;
        let workers = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let dummy_password: [u8; 32] = rand::random();
        let dummy_hash = hash_with(&params, &dummy_password)?;
        Ok(Self { params, queue: Mutex::new(start_workers(workers)?), dummy_hash })
    }

    pub async fn hash(&self, password: &AcceptablePassword) -> Result<String, HashError> {
        let params = self.params.clone();
        let password = password.as_str().to_owned();
        self.run(move || hash_with(&params, password.as_bytes())).await?
    }

    /// Verifies `password` against `stored`, or against the dummy hash when there is no user,
    /// so that both cost the same.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<Verified, HashError> {
        let password = password_policy::normalise(password);
        let (hash, real) = match stored {
            Some(hash) => (hash.to_owned(), true),
            None => (self.dummy_hash.clone(), false),
        };
        let current = self.params.clone();
        self.run(move || {
            let Ok(parsed) = PasswordHash::new(&hash) else {
                return Verified { matches: false, needs_rehash: false };
            };
            let matches = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
            let needs_rehash = Params::try_from(&parsed).map_or(true, |p| {
                (p.m_cost(), p.t_cost(), p.p_cost()) != (current.m_cost(), current.t_cost(), current.p_cost())
            });
            Verified { matches: matches && real, needs_rehash }
        })
        .await
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, HashError> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        self.queue.lock().map_err(|_| HashError::Interrupted)?.send(job).map_err(|_| HashError::Interrupted)?;
        result.await.map_err(|_| HashError::Interrupted)
    }
}

/// Starts `count` hashing threads that take jobs from one queue until it is dropped.
fn start_workers(count: usize) -> Result<mpsc::Sender<Job>, HashError> {
    let (sender, receiver) = mpsc::channel::<Job>();
    let receiver = std::sync::Arc::new(Mutex::new(receiver));
    for n in 0..count {
        let receiver = receiver.clone();
        std::thread::Builder::new()
            .name(format!("umbra-argon2-{n}"))
            .spawn(move || {
                // The lock is held only while waiting for the next job, not while hashing.
                while let Ok(job) = receiver.lock().map_err(drop).and_then(|queue| queue.recv().map_err(drop)) {
                    job();
                }
            })
            .map_err(|e| HashError::Hash(format!("cannot start a hashing thread: {e}")))?;
    }
    Ok(sender)
}

fn hash_with(params: &Params, password: &[u8]) -> Result<String, HashError> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(password)
        .map(|hash| hash.to_string())
        .map_err(|e| HashError::Hash(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Argon2Params {
        Argon2Params { memory_kib: 64, iterations: 1, parallelism: 1 }
    }

    #[tokio::test]
    async fn hashes_verify_and_report_rehash() {
        let hasher = PasswordHasher::new(cheap()).unwrap();
        let password = password_policy::check("correct horse battery staple", "bob").unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        let ok = hasher.verify("correct horse battery staple", Some(&hash)).await.unwrap();
        assert_eq!(ok, Verified { matches: true, needs_rehash: false });
        assert!(!hasher.verify("wrong horse battery staple", Some(&hash)).await.unwrap().matches);
        assert!(!hasher.verify("anything at all here", None).await.unwrap().matches);
        let stronger = PasswordHasher::new(Argon2Params { memory_kib: 128, ..cheap() }).unwrap();
        assert!(stronger.verify("correct horse battery staple", Some(&hash)).await.unwrap().needs_rehash);
    }
}
