//! Range reads kept in this process and given again while nothing they were made of has
//! changed. A calendar view asks for the same window again and again (every navigation back,
//! every refresh, every background poll), and so does the dashboard; making the answer
//! (reading hundreds of rows, expanding series, writing JSON) costs far more than checking
//! that it is still right: the check reads the caller's stamp (`db::range_stamp`: their
//! calendars' levels, change counters and colours, their invitations, their zone) and
//! compares it with the stamp read in the same snapshot as the kept answer. Equal stamps mean
//! equal answers, so a change made by anyone, through any process sharing the database, is
//! seen on the very next request; a revoked share or a removed connection changes the stamp
//! too. Bounded in count and size; the least recently used go first.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::EventResult;
use super::range::{RangeItem, snapshot, stamp};
use crate::db::range_stamp::Stamp;
use crate::domain::id::{CalendarId, UserId};
use crate::domain::time::UtcMillis;
use crate::service::Context;

/// The calendar views' cache: rendered JSON.
pub type RangeCache = StampedRanges<Arc<[u8]>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    user: UserId,
    start: i64,
    end: i64,
    calendar: Option<CalendarId>,
}

struct Entry<V> {
    stamp: Stamp,
    value: V,
    size: usize,
    last_used: u64,
}

struct Entries<V> {
    map: HashMap<Key, Entry<V>>,
    bytes: usize,
    clock: u64,
}

/// Values made from range reads, by caller and window, each with the stamp it was read at.
pub struct StampedRanges<V> {
    entries: Mutex<Entries<V>>,
    max_entries: usize,
    max_bytes: usize,
}

impl<V: Clone> StampedRanges<V> {
    /// At most `max_entries` values of at most `max_bytes` in all (as `make` weighs them).
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        Self { entries: Mutex::new(Entries { map: HashMap::new(), bytes: 0, clock: 0 }), max_entries, max_bytes }
    }

    /// The value for the window: the kept one when the caller's stamp still matches,
    /// otherwise read afresh, made (`make` gives the value and its weight in bytes) and kept.
    /// Errors (404, 422) are never kept.
    pub async fn read(
        &self,
        ctx: Context<'_>,
        user: UserId,
        (start, end): (UtcMillis, UtcMillis),
        calendar: Option<CalendarId>,
        make: impl FnOnce(Vec<RangeItem>) -> (V, usize),
    ) -> EventResult<V> {
        let key = Key { user, start: start.0, end: end.0, calendar };
        let kept = self.lock().map.get(&key).map(|entry| (entry.stamp.clone(), entry.value.clone()));
        if let Some((then, value)) = kept
            && stamp(ctx, user).await? == then
        {
            self.touch(&key);
            return Ok(value);
        }
        let (stamp, items) = snapshot(ctx, user, start, end, calendar).await?;
        let (value, size) = make(items);
        self.keep(key, stamp, value.clone(), size);
        Ok(value)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries<V>> {
        // A panic while holding the lock leaves nothing half-changed that matters: at worst
        // an entry too many or too few.
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn touch(&self, key: &Key) {
        let mut entries = self.lock();
        entries.clock += 1;
        let now = entries.clock;
        if let Some(entry) = entries.map.get_mut(key) {
            entry.last_used = now;
        }
    }

    fn keep(&self, key: Key, stamp: Stamp, value: V, size: usize) {
        if size > self.max_bytes / 8 {
            return;
        }
        let mut entries = self.lock();
        entries.clock += 1;
        let last_used = entries.clock;
        if let Some(old) = entries.map.insert(key, Entry { stamp, value, size, last_used }) {
            entries.bytes -= old.size;
        }
        entries.bytes += size;
        while entries.map.len() > self.max_entries || entries.bytes > self.max_bytes {
            let Some(oldest) = entries.map.iter().min_by_key(|(_, entry)| entry.last_used).map(|(key, _)| *key) else {
                break;
            };
            if let Some(gone) = entries.map.remove(&oldest) {
                entries.bytes -= gone.size;
            }
        }
    }

    /// How many values are kept (for tests).
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
