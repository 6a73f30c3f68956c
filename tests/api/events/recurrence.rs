//! Recurrence through the API: series expand in their own zone across DST (Berlin, New York,
//! Lord Howe's half hour), skipped and doubled local times (Havana's missing midnight too),
//! ordinals, BYSETPOS, month ends, COUNT and UNTIL, and a ten-year daily series read one month
//! at a time.

use serde_json::json;

use super::{create, range, starts};
use crate::harness::app;

fn series(title: &str, start: &str, minutes: i64, zone: &str, rule: &str) -> serde_json::Value {
    let begin = chrono::DateTime::parse_from_rfc3339(start).unwrap();
    let end = begin + chrono::Duration::minutes(minutes);
    json!({"title": title, "start": start, "end": end.to_rfc3339(), "timezone": zone, "recurrence": rule})
}

#[tokio::test]
async fn weekly_series_keep_local_time_across_dst_in_three_zones() {
    let app = app().await;
    let alice = app.user("alice").await;
    // 09:00 Berlin: CET 08:00Z until 28 March 2027, then CEST 07:00Z.
    create(&alice, series("Berlin", "2027-03-15T08:00:00Z", 60, "Europe/Berlin", "FREQ=WEEKLY")).await;
    // 09:00 New York: EST 14:00Z until 14 March 2027, then EDT 13:00Z.
    create(&alice, series("New York", "2027-03-01T14:00:00Z", 60, "America/New_York", "FREQ=WEEKLY")).await;
    let items = range(&alice, "2027-03-01T00:00:00Z", "2027-04-01T00:00:00Z").await;
    let of = |title: &str| starts(&items.iter().filter(|i| i["title"] == title).cloned().collect::<Vec<_>>());
    assert_eq!(of("Berlin"), ["2027-03-15T08:00", "2027-03-22T08:00", "2027-03-29T07:00"]);
    assert_eq!(
        of("New York"),
        ["2027-03-01T14:00", "2027-03-08T14:00", "2027-03-15T13:00", "2027-03-22T13:00", "2027-03-29T13:00"]
    );
    // Lord Howe: 09:00 at +10:30 is 22:30Z the day before; from 3 October 2027, +11:00: 22:00Z.
    create(&alice, series("Lord Howe", "2027-09-26T22:30:00Z", 60, "Australia/Lord_Howe", "FREQ=WEEKLY")).await;
    let lord_howe = |items: Vec<serde_json::Value>| {
        starts(&items.into_iter().filter(|i| i["title"] == "Lord Howe").collect::<Vec<_>>())
    };
    let items = range(&alice, "2027-09-25T00:00:00Z", "2027-10-12T00:00:00Z").await;
    assert_eq!(lord_howe(items), ["2027-09-26T22:30", "2027-10-03T22:00", "2027-10-10T22:00"]);
    // And back in April 2028 (+10:30 again from 2 April).
    let items = range(&alice, "2028-03-25T00:00:00Z", "2028-04-08T00:00:00Z").await;
    assert_eq!(lord_howe(items), ["2028-03-26T22:00", "2028-04-02T22:30"]);
}

#[tokio::test]
async fn skipped_local_times_move_forward_and_doubled_ones_are_the_first() {
    let app = app().await;
    let alice = app.user("alice").await;
    // Daily 02:30 Berlin. 28 March 2027 has no 02:30: 03:30 CEST (01:30Z).
    create(&alice, series("spring", "2027-03-26T01:30:00Z", 30, "Europe/Berlin", "FREQ=DAILY;COUNT=4")).await;
    let items = range(&alice, "2027-03-26T00:00:00Z", "2027-03-31T00:00:00Z").await;
    assert_eq!(starts(&items), ["2027-03-26T01:30", "2027-03-27T01:30", "2027-03-28T01:30", "2027-03-29T00:30"]);
    // 31 October 2027 has 02:30 twice: the first (CEST, 00:30Z).
    create(&alice, series("autumn", "2027-10-30T00:30:00Z", 30, "Europe/Berlin", "FREQ=DAILY;COUNT=3")).await;
    let items = range(&alice, "2027-10-30T00:00:00Z", "2027-11-02T00:00:00Z").await;
    assert_eq!(starts(&items), ["2027-10-30T00:30", "2027-10-31T00:30", "2027-11-01T01:30"]);
    // New York: 02:30 on 14 March 2027 does not exist (03:30 EDT = 07:30Z); 01:30 on
    // 7 November 2027 is the first, EDT (05:30Z).
    create(&alice, series("ny spring", "2027-03-13T07:30:00Z", 30, "America/New_York", "FREQ=DAILY;COUNT=3")).await;
    let items = range(&alice, "2027-03-13T00:00:00Z", "2027-03-16T00:00:00Z").await;
    assert_eq!(starts(&items), ["2027-03-13T07:30", "2027-03-14T07:30", "2027-03-15T06:30"]);
    create(&alice, series("ny autumn", "2027-11-06T05:30:00Z", 30, "America/New_York", "FREQ=DAILY;COUNT=3")).await;
    let items = range(&alice, "2027-11-06T00:00:00Z", "2027-11-09T00:00:00Z").await;
    assert_eq!(starts(&items), ["2027-11-06T05:30", "2027-11-07T05:30", "2027-11-08T06:30"]);
    // Lord Howe skips 02:00–02:30 on 3 October 2027: 02:15 becomes 02:45 (+11:00 = 15:45Z).
    create(&alice, series("half hour", "2027-10-01T15:45:00Z", 10, "Australia/Lord_Howe", "FREQ=DAILY;COUNT=3")).await;
    let items = range(&alice, "2027-10-01T00:00:00Z", "2027-10-04T00:00:00Z").await;
    assert_eq!(starts(&items), ["2027-10-01T15:45", "2027-10-02T15:45", "2027-10-03T15:15"]);
}

#[tokio::test]
async fn ordinals_set_positions_and_month_ends() {
    let app = app().await;
    let alice = app.user("alice").await;
    let utc = "UTC";
    create(&alice, series("last friday", "2027-01-29T18:00:00Z", 60, utc, "FREQ=MONTHLY;BYDAY=-1FR")).await;
    create(&alice, series("second tuesday", "2027-01-12T18:00:00Z", 60, utc, "FREQ=MONTHLY;BYDAY=2TU")).await;
    create(
        &alice,
        series("last workday", "2027-01-29T08:00:00Z", 60, utc, "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"),
    )
    .await;
    create(&alice, series("the 31st", "2027-01-31T12:00:00Z", 60, utc, "FREQ=MONTHLY;BYMONTHDAY=31")).await;
    create(&alice, series("month end", "2027-01-31T06:00:00Z", 60, utc, "FREQ=MONTHLY;BYMONTHDAY=-1")).await;
    let items = range(&alice, "2027-02-01T00:00:00Z", "2027-05-01T00:00:00Z").await;
    let of = |title: &str| starts(&items.iter().filter(|i| i["title"] == title).cloned().collect::<Vec<_>>());
    assert_eq!(of("last friday"), ["2027-02-26T18:00", "2027-03-26T18:00", "2027-04-30T18:00"]);
    assert_eq!(of("second tuesday"), ["2027-02-09T18:00", "2027-03-09T18:00", "2027-04-13T18:00"]);
    assert_eq!(of("last workday"), ["2027-02-26T08:00", "2027-03-31T08:00", "2027-04-30T08:00"]);
    assert_eq!(of("the 31st"), ["2027-03-31T12:00"], "February and April have no 31st");
    assert_eq!(of("month end"), ["2027-02-28T06:00", "2027-03-31T06:00", "2027-04-30T06:00"]);
    // Every occurrence of a series carries its recurrence id; a single event null.
    assert!(items.iter().all(|i| i["recurrence_id"] == i["start"]));
}

#[tokio::test]
async fn count_and_until_end_series() {
    let app = app().await;
    let alice = app.user("alice").await;
    create(&alice, series("count", "2027-01-04T09:00:00Z", 60, "UTC", "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=3")).await;
    create(&alice, series("until", "2027-01-04T12:00:00Z", 60, "Europe/Berlin", "FREQ=DAILY;UNTIL=20270106T110000Z"))
        .await;
    create(&alice, series("until date", "2027-01-04T15:00:00Z", 60, "Europe/Berlin", "FREQ=DAILY;UNTIL=20270105"))
        .await;
    let items = range(&alice, "2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z").await;
    let of = |title: &str| starts(&items.iter().filter(|i| i["title"] == title).cloned().collect::<Vec<_>>());
    assert_eq!(of("count"), ["2027-01-04T09:00", "2027-01-06T09:00", "2027-01-11T09:00"]);
    assert_eq!(of("until"), ["2027-01-04T12:00", "2027-01-05T12:00"], "UNTIL 11:00Z on the 6th is before 12:00Z");
    assert_eq!(of("until date"), ["2027-01-04T15:00", "2027-01-05T15:00"], "a date UNTIL is its whole local day");
}

#[tokio::test]
async fn a_ten_year_daily_series_reads_one_month() {
    let app = app().await;
    let alice = app.user("alice").await;
    create(&alice, series("daily", "2027-01-01T07:00:00Z", 30, "Europe/Berlin", "FREQ=DAILY;UNTIL=20361231T235959Z"))
        .await;
    create(&alice, series("forever", "2027-01-01T09:00:00Z", 30, "Europe/Berlin", "FREQ=DAILY")).await;
    let items = range(&alice, "2036-06-01T00:00:00Z", "2036-07-01T00:00:00Z").await;
    let daily: Vec<_> = items.iter().filter(|i| i["title"] == "daily").collect();
    assert_eq!(daily.len(), 30);
    assert_eq!(daily[0]["start"], "2036-06-01T06:00:00.000Z", "08:00 CEST in summer");
    assert_eq!(items.iter().filter(|i| i["title"] == "forever").count(), 30);
    let after = range(&alice, "2037-01-01T00:00:00Z", "2037-01-08T00:00:00Z").await;
    assert_eq!(after.iter().filter(|i| i["title"] == "daily").count(), 0, "the series ended");
    assert_eq!(after.iter().filter(|i| i["title"] == "forever").count(), 7);
}

#[tokio::test]
async fn all_day_series_and_the_viewers_zone() {
    let app = app().await;
    let alice = app.user("alice").await;
    let birthday = create(
        &alice,
        json!({"title": "Birthday", "all_day": true, "start_date": "2000-02-29",
        "end_date": "2000-03-01", "recurrence": "FREQ=YEARLY", "exdates": ["2028-02-29"]}),
    )
    .await;
    assert_eq!(birthday["exdates"], json!(["2028-02-29"]));
    let mut found = Vec::new();
    for year in 2027..2033 {
        found.extend(range(&alice, &format!("{year}-01-01T00:00:00Z"), &format!("{}-01-01T00:00:00Z", year + 1)).await);
    }
    assert_eq!(starts(&found), ["2032-02-29"], "only leap years, and not the excluded one");
    let items = found;
    assert_eq!(items[0]["recurrence_id"], "2032-02-29");
    assert_eq!((items[0]["end_date"].clone(), items[0]["all_day"].clone()), (json!("2032-03-01"), json!(true)));
    assert!(items[0].get("start").is_none() && items[0].get("rsvp").is_none());
    // An all-day day is the viewer's local day: in Tokyo, 29 Feb starts at 28 Feb 15:00Z.
    let probe = "start=2032-02-28T15:30:00Z&end=2032-02-28T16:00:00Z";
    assert_eq!(alice.get(&format!("/api/events?{probe}")).await.json()["items"].as_array().unwrap().len(), 0);
    super::set_zone(&app, "alice", "Asia/Tokyo").await;
    assert_eq!(alice.get(&format!("/api/events?{probe}")).await.json()["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_day_without_midnight_keeps_its_occurrence() {
    let app = app().await;
    let alice = app.user("alice").await;
    // Havana springs forward at midnight: 14 March 2027 00:00 is 01:00 CDT, so daily 00:00
    // (05:00Z in CST) is 05:00Z that day too (§3.3.5), then 04:00Z.
    let counted =
        create(&alice, series("counted", "2027-03-12T05:00:00Z", 30, "America/Havana", "FREQ=DAILY;COUNT=5")).await;
    // And one that began years before: read from an anchor jumped ahead to the window.
    create(&alice, series("forever", "2020-01-01T05:00:00Z", 30, "America/Havana", "FREQ=DAILY")).await;
    let items = range(&alice, "2027-03-12T00:00:00Z", "2027-03-18T00:00:00Z").await;
    let want = ["2027-03-12T05:00", "2027-03-13T05:00", "2027-03-14T05:00", "2027-03-15T04:00", "2027-03-16T04:00"];
    for title in ["counted", "forever"] {
        let of: Vec<_> = items.iter().filter(|i| i["title"] == title).cloned().collect();
        assert_eq!(&starts(&of)[..5], want, "{title}");
    }
    // The day's occurrence is one of the series: it can be changed alone.
    let id = counted["id"].as_i64().unwrap();
    let moved = alice
        .patch(
            &format!("/api/events/{id}?scope=this&recurrence_id=2027-03-14T05:00:00.000Z"),
            json!({"title": "moved"}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
}
