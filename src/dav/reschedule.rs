//! Whether a client's PUT over an existing event changes when it happens, so its invitees
//! hear of it as they do of the same change through the API (`service::events::change`):
//! the series' times, its rule or excluded dates, or an occurrence's times. A change of title,
//! description or location alone is no news to them, there as here.

use crate::db::WriteTx;
use crate::db::events;
use crate::domain::ical::{IcsEvent, Timing};
use crate::domain::id::EventId;
use crate::service::ical::convert;

/// Whether `next` moves the stored event `id` (read inside the writer's transaction, before
/// the write replaces it).
pub async fn moves(tx: &mut WriteTx, id: EventId, next: &IcsEvent) -> Result<bool, sqlx::Error> {
    let Some(row) = events::get(&mut **tx, id).await? else { return Ok(false) };
    let overrides = events::overrides_of(tx, &[id]).await?;
    Ok(convert::to_ics(vec![row], overrides).first().is_some_and(|before| time_differs(before, next)))
}

/// The API's test (`time_changed` for the series, an override's timing for one occurrence),
/// over the whole object a PUT replaces.
fn time_differs(before: &IcsEvent, after: &IcsEvent) -> bool {
    before.timing != after.timing
        || before.recurrence != after.recurrence
        || sorted(before.exdates.clone()) != sorted(after.exdates.clone())
        || occurrence_times(before) != occurrence_times(after)
}

fn sorted(mut values: Vec<i64>) -> Vec<i64> {
    values.sort_unstable();
    values
}

/// Each changed occurrence's recurrence id and times, in order of recurrence id.
fn occurrence_times(event: &IcsEvent) -> Vec<(i64, Timing)> {
    let mut times: Vec<(i64, Timing)> = event.overrides.iter().map(|o| (o.recurrence_id, o.timing)).collect();
    times.sort_unstable_by_key(|(rid, _)| *rid);
    times
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A daily series as a client would PUT it: `lines` go into the series' VEVENT, `late`
    /// (if any) is the hour (UTC) the second occurrence moved to.
    fn event(lines: &str, late: Option<u32>) -> IcsEvent {
        let moved = late.map_or_else(String::new, |hour| {
            format!(
                "BEGIN:VEVENT\r\nUID:u\r\nRECURRENCE-ID:20300102T090000Z\r\nDTSTART:20300102T{hour:02}0000Z\r\n\
                 DTEND:20300102T{:02}0000Z\r\nSUMMARY:Late\r\nEND:VEVENT\r\n",
                hour + 1
            )
        });
        let text = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u\r\n{lines}END:VEVENT\r\n{moved}END:VCALENDAR\r\n"
        );
        crate::domain::ical::read(&text, chrono_tz::UTC).unwrap().events.remove(0)
    }

    const SERIES: &str = "DTSTART:20300101T090000Z\r\nDTEND:20300101T100000Z\r\nRRULE:FREQ=DAILY;COUNT=5\r\n\
        EXDATE:20300104T090000Z\r\nEXDATE:20300103T090000Z\r\nSUMMARY:Standup\r\n";

    #[test]
    fn only_times_count() {
        let before = event(SERIES, None);
        let renamed = SERIES.replace("SUMMARY:Standup", "SUMMARY:Renamed\r\nLOCATION:Room 2");
        assert!(!time_differs(&before, &event(&renamed, None)), "a new title is no news");
        let reordered = SERIES.replace(
            "EXDATE:20300104T090000Z\r\nEXDATE:20300103T090000Z",
            "EXDATE:20300103T090000Z\r\nEXDATE:20300104T090000Z",
        );
        assert!(!time_differs(&before, &event(&reordered, None)), "the same dates in another order");
        let longer = SERIES.replace("DTEND:20300101T100000Z", "DTEND:20300101T110000Z");
        assert!(time_differs(&before, &event(&longer, None)));
        assert!(time_differs(&before, &event(&SERIES.replace("COUNT=5", "COUNT=4"), None)));
        assert!(time_differs(&before, &event(&SERIES.replace("EXDATE:20300104T090000Z\r\n", ""), None)));
        let moved = event(SERIES, Some(11));
        assert!(time_differs(&before, &moved), "an occurrence moved");
        assert!(!time_differs(&moved, &event(SERIES, Some(11))));
        assert!(time_differs(&moved, &event(SERIES, Some(12))));
    }
}
