//! Argon2id password hashing on a small fixed pool of threads, one queue shared by real and
//! dummy verifications: a login flood queues here instead of starving other requests, and
//! because unknown users wait in the same queue, the wait itself reveals nothing.
//!
//! Why not tokio's blocking pool behind a semaphore: each hash needs 19 MiB, and glibc
//! keeps such blocks in the arena of whichever thread freed them; with hashing spread over
//! dozens of blocking threads the process kept ~470 MB after a login flood.
//!
//! Memory: each hashing thread keeps one block buffer while there is work and drops it when
//! the queue is empty, and the hashing goes through argon2's `hash_password_into_with_memory`
//! with that buffer (verification: `PasswordHash` parsing, the same call, and a constant-time
//! comparison with `subtle`). The buffer's capacity is at least glibc's largest dynamic mmap
//! threshold (32 MiB on 64-bit), so glibc always maps it on its own and unmaps it when it is
//! dropped: peak memory is one buffer per thread, and idle memory goes back to the system at
//! once instead of staying in an arena (36 MiB idle after one sign-in, 240 MiB after a flood
//! with glibc's own choices). Only the pages the parameters need are ever touched.
//!
//! The queue is bounded (`[argon2] queue_capacity` jobs, waiting or running): past it a
//! request is answered 503 with `Retry-After` at once instead of waiting behind a flood.
//! A job whose client has gone (the request future was dropped, and with it the receiver)
//! is skipped rather than hashed for nobody.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use subtle::ConstantTimeEq as _;
use tokio::sync::oneshot;

use crate::config::Argon2Params;
use crate::domain::password_policy::{self, AcceptablePassword};
use crate::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("password hashing was interrupted")]
    Interrupted,
    #[error("the password hashing queue is full")]
    Busy,
}

/// How long a client is asked to wait when the queue is full.
const BUSY_RETRY_AFTER_SECS: u64 = 2;

impl From<HashError> for ApiError {
    fn from(error: HashError) -> Self {
        match error {
            HashError::Busy => ApiError::service_unavailable(BUSY_RETRY_AFTER_SECS),
            other => ApiError::internal(other),
        }
    }
}

type Job = Box<dyn FnOnce(&mut Scratch) + Send>;

/// glibc serves any allocation at least this large with its own mmap, whatever it has
/// learnt from earlier frees (`DEFAULT_MMAP_THRESHOLD_MAX` on 64-bit is 32 MiB), so freeing
/// it returns the memory to the system at once.
const ALWAYS_MAPPED_BLOCKS: usize = 32 * 1024 + 1;

/// One hashing thread's block buffer, kept between jobs while the queue is busy.
#[derive(Default)]
pub struct Scratch {
    blocks: Vec<Block>,
}

impl Scratch {
    fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.blocks.len() < count {
            self.blocks = Vec::with_capacity(count.max(ALWAYS_MAPPED_BLOCKS));
            self.blocks.resize(count, Block::default());
        }
        &mut self.blocks[..count]
    }

    fn release(&mut self) {
        self.blocks = Vec::new();
    }
}

pub struct PasswordHasher {
    params: Params,
    /// Jobs for the hashing threads; they exit when the hasher is dropped.
    queue: Mutex<mpsc::Sender<Job>>,
    /// Places in the queue, taken by each job until it has run or been skipped.
    slots: Arc<Slots>,
    /// Jobs that ran (hashes and verifications); skipped jobs do not count.
    jobs_run: Arc<AtomicU64>,
    /// A hash of a random password, verified against when the user does not exist.
    dummy_hash: String,
}

struct Slots {
    used: AtomicUsize,
    capacity: usize,
}

/// A place in the hashing queue, given back when dropped. Every job holds one; tests hold
/// some to fill the queue.
pub struct Slot(Arc<Slots>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.used.fetch_sub(1, Ordering::AcqRel);
    }
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
        let workers = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Self::with_workers(cost, workers)
    }

    fn with_workers(cost: Argon2Params, workers: usize) -> Result<Self, HashError> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(|e| HashError::Hash(e.to_string()))?;
        let dummy_password: [u8; 32] = rand::random();
        let dummy_hash = hash_with(&params, &dummy_password, &mut Scratch::default())?;
        Ok(Self {
            params,
            queue: Mutex::new(start_workers(workers)?),
            slots: Arc::new(Slots { used: AtomicUsize::new(0), capacity: cost.queue_capacity.max(1) }),
            jobs_run: Arc::new(AtomicU64::new(0)),
            dummy_hash,
        })
    }

    /// Takes a place in the queue, or `None` when it is full.
    pub fn try_reserve(&self) -> Option<Slot> {
        let slots = &self.slots;
        slots
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| (used < slots.capacity).then_some(used + 1))
            .ok()
            .map(|_| Slot(slots.clone()))
    }

    /// How many hashing jobs have run since start (not counting skipped ones).
    pub fn jobs_run(&self) -> u64 {
        self.jobs_run.load(Ordering::Acquire)
    }

    pub async fn hash(&self, password: &AcceptablePassword) -> Result<String, HashError> {
        let params = self.params.clone();
        let password = password.as_str().to_owned();
        self.run(move |scratch| hash_with(&params, password.as_bytes(), scratch)).await?
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
        self.run(move |scratch| {
            let Ok(parsed) = PasswordHash::new(&hash) else {
                return Verified { matches: false, needs_rehash: false };
            };
            let matches = verify_with(&parsed, password.as_bytes(), scratch);
            let needs_rehash = Params::try_from(&parsed).map_or(true, |p| {
                (p.m_cost(), p.t_cost(), p.p_cost()) != (current.m_cost(), current.t_cost(), current.p_cost())
            });
            Verified { matches: matches && real, needs_rehash }
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Scratch) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let slot = self.try_reserve().ok_or(HashError::Busy)?;
        let jobs_run = self.jobs_run.clone();
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move |scratch| {
            // Nobody waits for the answer any more: the client went away while queued.
            if done.is_closed() {
                return;
            }
            jobs_run.fetch_add(1, Ordering::AcqRel);
            let output = work(scratch);
            // Free the place before answering, so the caller never sees its own job counted.
            let slots = slot.0.clone();
            drop(slot);
            // Nothing else waiting or running: give the buffer back now. Waiting for the
            // worker to find the queue empty is not enough, since another idle worker holds
            // the queue's lock while it waits, and one sign-in kept 19 MiB for good.
            if slots.used.load(Ordering::Acquire) == 0 {
                scratch.release();
            }
            let _ = done.send(output);
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
                let mut scratch = Scratch::default();
                // The lock is held only while waiting for the next job, not while hashing.
                while let Ok(job) = receiver.lock().map_err(drop).and_then(|queue| match queue.try_recv() {
                    Ok(job) => Ok(job),
                    Err(mpsc::TryRecvError::Empty) => {
                        // Idle: give the block buffer back before waiting.
                        scratch.release();
                        queue.recv().map_err(drop)
                    }
                    Err(mpsc::TryRecvError::Disconnected) => Err(()),
                }) {
                    job(&mut scratch);
                }
            })
            .map_err(|e| HashError::Hash(format!("cannot start a hashing thread: {e}")))?;
    }
    Ok(sender)
}

fn hash_with(params: &Params, password: &[u8], scratch: &mut Scratch) -> Result<String, HashError> {
    let failed = |e: &dyn std::fmt::Display| HashError::Hash(e.to_string());
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt: [u8; 16] = rand::random();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2
        .hash_password_into_with_memory(password, &salt, &mut out, scratch.blocks(params.block_count()))
        .map_err(|e| failed(&e))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|e| failed(&e))?,
        salt: Some(Salt::new(&salt).map_err(|e| failed(&e))?),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(hash.to_string())
}

/// Recomputes the stored hash's output with its own algorithm, version, parameters and
/// salt, and compares in constant time.
fn verify_with(parsed: &PasswordHash, password: &[u8], scratch: &mut Scratch) -> bool {
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else { return false };
    let Ok(version) = Version::try_from(parsed.version.unwrap_or(Version::V0x13.into())) else { return false };
    let Ok(params) = Params::try_from(parsed) else { return false };
    let expected = expected.as_bytes();
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params.clone());
    if argon2.hash_password_into_with_memory(password, salt, &mut out, scratch.blocks(params.block_count())).is_err() {
        return false;
    }
    bool::from(out.ct_eq(expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Argon2Params {
        Argon2Params { memory_kib: 64, iterations: 1, parallelism: 1, ..Argon2Params::default() }
    }

    /// Queues a job that blocks its worker until the returned sender is dropped or used.
    async fn block_worker(hasher: &PasswordHasher) -> (mpsc::Sender<()>, impl Future<Output = ()> + '_) {
        let (release, wait) = mpsc::channel::<()>();
        let (started_tx, started) = oneshot::channel();
        let mut blocker = Box::pin(hasher.run(move |_| {
            let _ = started_tx.send(());
            let _ = wait.recv();
        }));
        poll_once(&mut blocker).await;
        started.await.unwrap();
        (release, async move { blocker.await.unwrap() })
    }

    async fn poll_once<F: Future + Unpin>(future: &mut F) {
        std::future::poll_fn(|cx| {
            assert!(std::pin::Pin::new(&mut *future).poll(cx).is_pending());
            std::task::Poll::Ready(())
        })
        .await;
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once() {
        let hasher = PasswordHasher::with_workers(Argon2Params { queue_capacity: 1, ..cheap() }, 1).unwrap();
        let (release, blocked) = block_worker(&hasher).await;
        let password = password_policy::check("correct horse battery staple", "bob").unwrap();
        assert!(matches!(hasher.hash(&password).await, Err(HashError::Busy)));
        assert!(matches!(hasher.verify("correct horse battery staple", None).await, Err(HashError::Busy)));
        release.send(()).unwrap();
        blocked.await;
        assert!(hasher.hash(&password).await.is_ok(), "the place is free again");
    }

    #[tokio::test]
    async fn work_for_a_client_that_went_away_is_skipped() {
        let hasher = PasswordHasher::with_workers(cheap(), 1).unwrap();
        let (release, blocked) = block_worker(&hasher).await;
        // Queued behind the blocker, then abandoned, as when a client disconnects.
        let mut abandoned = Box::pin(hasher.verify("correct horse battery staple", None));
        poll_once(&mut abandoned).await;
        assert_eq!(hasher.slots.used.load(Ordering::Acquire), 2);
        drop(abandoned);
        release.send(()).unwrap();
        blocked.await;
        // One worker, first in first out: when this one has run, the abandoned one was seen.
        assert!(!hasher.verify("correct horse battery staple", None).await.unwrap().matches);
        assert_eq!(hasher.jobs_run(), 2, "the blocker and the last verification ran; the abandoned one did not");
        assert_eq!(hasher.slots.used.load(Ordering::Acquire), 0, "every place was given back");
    }

    #[tokio::test]
    async fn an_idle_hasher_keeps_no_block_buffer() {
        let hasher = PasswordHasher::with_workers(cheap(), 2).unwrap();
        let password = password_policy::check("correct horse battery staple", "bob").unwrap();
        hasher.hash(&password).await.unwrap();
        // One job on each worker (neither can finish until both have started), each reporting
        // the buffer it holds: the worker that hashed must have given its buffer back.
        let both_started = Arc::new(std::sync::Barrier::new(2));
        let held = |barrier: Arc<std::sync::Barrier>| {
            hasher.run(move |scratch| {
                barrier.wait();
                scratch.blocks.capacity()
            })
        };
        let (first, second) = tokio::join!(held(both_started.clone()), held(both_started));
        assert_eq!((first.unwrap(), second.unwrap()), (0, 0), "an idle worker still holds a block buffer");
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
        let checked = stronger.verify("correct horse battery staple", Some(&hash)).await.unwrap();
        assert_eq!(checked, Verified { matches: true, needs_rehash: true });
        // Hashes made by the library's own API verify too, and the reverse.
        let theirs = {
            use argon2::password_hash::PasswordHasher as _;
            let params = Params::new(64, 1, 1, None).unwrap();
            Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                .hash_password(b"correct horse battery staple")
                .unwrap()
                .to_string()
        };
        assert!(hasher.verify("correct horse battery staple", Some(&theirs)).await.unwrap().matches);
        assert!(!hasher.verify("correct horse battery stapler", Some(&theirs)).await.unwrap().matches);
        {
            use argon2::password_hash::PasswordVerifier as _;
            let ours = PasswordHash::new(&hash).unwrap();
            assert!(Argon2::default().verify_password(b"correct horse battery staple", &ours).is_ok());
        }
    }
}
