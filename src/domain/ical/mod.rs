//! iCalendar (RFC 5545): writing a calendar (escaping, folding, VTIMEZONE) and reading files
//! other calendar programs wrote (calcard parses; these modules locate lines and map values).
//! Pure code: the service reads and writes the rows.

mod event_map;
pub mod export;
pub mod kept;
pub mod lines;
pub mod model;
pub mod reader;
pub mod todo_map;
mod values;
pub mod vtimezone;
pub mod writer;
pub mod zones;

pub use export::{CalendarHead, calendar};
pub use kept::Kept;
pub use lines::LineError;
pub use model::{IcsEvent, IcsOverride, Timing};
pub use reader::{Imported, Unsupported, read};

#[cfg(test)]
mod tests;
