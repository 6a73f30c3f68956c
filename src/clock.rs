//! The app's notion of "now", injectable so that expiry and lockout are tested without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::domain::time::UtcMillis;

pub trait Clock: Send + Sync {
    fn now(&self) -> UtcMillis;
}

pub type SharedClock = Arc<dyn Clock>;

/// The wall clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UtcMillis {
        UtcMillis::now()
    }
}

/// A clock that only moves when told to; tests hold one and advance it.
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn starting_now() -> Arc<Self> {
        Arc::new(Self(AtomicI64::new(UtcMillis::now().0)))
    }

    pub fn now_millis(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }

    pub fn advance_minutes(&self, minutes: i64) {
        self.0.fetch_add(minutes * UtcMillis::MINUTE, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> UtcMillis {
        UtcMillis(self.0.load(Ordering::SeqCst))
    }
}
