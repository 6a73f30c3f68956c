//! The answers of recent range reads, kept in this process and given again while nothing they
//! were made of has changed. A calendar view asks for the same window again and again (every
//! navigation back, every refresh, every background poll), and making the answer (reading
//! hundreds of rows, expanding series, writing JSON) costs far more than checking that it is
//! still right: the check reads the caller's stamp (`db::range_stamp`: their calendars'
//! levels, change counters and colours, their invitations, their zone) and compares it with
//! the stamp read in the same snapshot as the cached answer. Equal stamps mean equal answers,
//! so a change made by anyone, through any process sharing the database, is seen on the very
//! next request; a revoked share or a removed connection changes the stamp too. Only the
//! rendered bytes are kept, bounded in count and size; the least recently used go first.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::EventResult;
use super::range::{RangeItem, snapshot, stamp};
use crate::db::range_stamp::StampRow;
use crate::domain::id::{CalendarId, UserId};
use crate::domain::time::UtcMillis;
use crate::service::Context;

/// At most this many answers are kept…
const MAX_ENTRIES: usize = 256;
/// …and at most this many bytes of them (a busy month view is about 150 KB).
const MAX_BYTES: usize = 32 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    user: UserId,
    start: i64,
    end: i64,
    calendar: Option<CalendarId>,
}

struct Entry {
    stamp: Vec<StampRow>,
    body: Arc<[u8]>,
    last_used: u64,
}

#[derive(Default)]
struct Entries {
    map: HashMap<Key, Entry>,
    bytes: usize,
    clock: u64,
}

/// Rendered range answers by caller and window.
#[derive(Default)]
pub struct RangeCache {
    entries: Mutex<Entries>,
}

impl RangeCache {
    /// The answer for the window: the cached one when the caller's stamp still matches,
    /// otherwise read afresh, `render`ed and kept. Errors (404, 422) are never kept.
    pub async fn read(
        &self,
        ctx: Context<'_>,
        user: UserId,
        start: UtcMillis,
        end: UtcMillis,
        calendar: Option<CalendarId>,
        render: impl FnOnce(Vec<RangeItem>) -> Vec<u8>,
    ) -> EventResult<Arc<[u8]>> {
        let key = Key { user, start: start.0, end: end.0, calendar };
        let cached = self.lock().map.get(&key).map(|entry| (entry.stamp.clone(), entry.body.clone()));
        if let Some((then, body)) = cached
            && stamp(ctx, user).await? == then
        {
            self.touch(&key);
            return Ok(body);
        }
        let (stamp, items) = snapshot(ctx, user, start, end, calendar).await?;
        let body: Arc<[u8]> = render(items).into();
        self.keep(key, stamp, body.clone());
        Ok(body)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
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

    fn keep(&self, key: Key, stamp: Vec<StampRow>, body: Arc<[u8]>) {
        if body.len() > MAX_BYTES / 8 {
            return;
        }
        let mut entries = self.lock();
        entries.clock += 1;
        let last_used = entries.clock;
        let size = body.len();
        if let Some(old) = entries.map.insert(key, Entry { stamp, body, last_used }) {
            entries.bytes -= old.body.len();
        }
        entries.bytes += size;
        while entries.map.len() > MAX_ENTRIES || entries.bytes > MAX_BYTES {
            let Some(oldest) = entries.map.iter().min_by_key(|(_, entry)| entry.last_used).map(|(key, _)| *key) else {
                break;
            };
            if let Some(gone) = entries.map.remove(&oldest) {
                entries.bytes -= gone.body.len();
            }
        }
    }

    /// How many answers are kept (for tests).
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
