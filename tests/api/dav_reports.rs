//! REPORTs: calendar-query (component, time-range, expand), calendar-multiget with a missing
//! href, sync-collection deltas (add, change, delete) that survive a restart of the app on
//! the same database, bad tokens, and reports on the wrong kind of collection.

use serde_json::json;

use crate::dav_kit::{D, Dav, dav_user, default_calendar_id, entries, event_ics, sync_body, sync_token};
use crate::harness::{app, app_on};
use umbra::dav::xml::parse;

fn query(filter: &str, extra_prop: &str) -> String {
    format!(
        r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/>{extra_prop}</d:prop>
        <c:filter><c:comp-filter name="VCALENDAR">{filter}</c:comp-filter></c:filter></c:calendar-query>"#
    )
}

async fn put(dav: &Dav<'_>, base: &str, uid: &str, summary: &str, start: &str, end: &str) -> String {
    let response = dav.put(&format!("{base}{uid}.ics"), &event_ics(uid, summary, start, end), &[]).await;
    assert!(response.status == 201 || response.status == 204, "{}", response.body);
    response.header("etag").unwrap().to_string()
}

#[tokio::test]
async fn calendar_query_filters_by_component_and_time_range() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let base = dav.calendar(default_calendar_id(&ann).await);
    put(&dav, &base, "jan", "January", "20300110T100000Z", "20300110T110000Z").await;
    put(&dav, &base, "feb", "February", "20300210T100000Z", "20300210T110000Z").await;
    put(&dav, &base, "mar", "March", "20300310T100000Z", "20300310T110000Z").await;

    let all = entries(&dav.report(&base, &query(r#"<c:comp-filter name="VEVENT"/>"#, "")).await);
    assert_eq!(all.len(), 3);
    let february = r#"<c:comp-filter name="VEVENT"><c:time-range start="20300201T000000Z" end="20300301T000000Z"/></c:comp-filter>"#;
    let found = entries(&dav.report(&base, &query(february, "<c:calendar-data/>")).await);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].href, format!("{base}feb.ics"));
    assert!(found[0].text("calendar-data").contains("SUMMARY:February"));
    assert!(!found[0].text("getetag").is_empty());
    let todos = entries(&dav.report(&base, &query(r#"<c:comp-filter name="VTODO"/>"#, "")).await);
    assert!(todos.is_empty());
    let open_end = r#"<c:comp-filter name="VEVENT"><c:time-range start="20300301T000000Z"/></c:comp-filter>"#;
    assert_eq!(entries(&dav.report(&base, &query(open_end, "")).await).len(), 1);
}

#[tokio::test]
async fn expand_returns_each_occurrence_in_utc_without_rrule() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let base = dav.calendar(default_calendar_id(&ann).await);
    let series = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\n\
        DTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
        BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n\
        BEGIN:VEVENT\r\nUID:daily\r\nDTSTAMP:20300101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20300107T090000\r\n\
        DTEND;TZID=Europe/Berlin:20300107T100000\r\nRRULE:FREQ=DAILY;COUNT=10\r\nSUMMARY:Walk\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:daily\r\nDTSTAMP:20300101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20300108T090000\r\n\
        DTSTART;TZID=Europe/Berlin:20300108T120000\r\nDTEND;TZID=Europe/Berlin:20300108T130000\r\nSUMMARY:Late walk\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert_eq!(dav.put(&format!("{base}daily.ics"), series, &[]).await.status, 201);
    let body = r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop>
        <c:calendar-data><c:expand start="20300107T000000Z" end="20300110T000000Z"/></c:calendar-data></d:prop>
        <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">
        <c:time-range start="20300107T000000Z" end="20300110T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#;
    let found = entries(&dav.report(&base, body).await);
    assert_eq!(found.len(), 1);
    let data = found[0].text("calendar-data");
    assert_eq!(data.matches("BEGIN:VEVENT").count(), 3, "{data}");
    assert!(!data.contains("RRULE"), "{data}");
    assert!(!data.contains("TZID"), "{data}");
    assert!(data.contains("DTSTART:20300107T080000Z"), "{data}");
    assert!(data.contains("RECURRENCE-ID:20300108T080000Z") && data.contains("DTSTART:20300108T110000Z"), "{data}");
    assert!(data.contains("SUMMARY:Late walk"), "{data}");
    // Without expand, the series comes as stored.
    let plain = dav.send("GET", &format!("{base}daily.ics"), None, &[]).await.body;
    assert!(plain.contains("RRULE:FREQ=DAILY;COUNT=10"));
}

#[tokio::test]
async fn multiget_returns_what_exists_and_404s_the_rest() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let base = dav.calendar(default_calendar_id(&ann).await);
    put(&dav, &base, "one", "One", "20300110T100000Z", "20300110T110000Z").await;
    put(&dav, &base, "two", "Two", "20300111T100000Z", "20300111T110000Z").await;
    let body = format!(
        r#"<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>
        <d:href>{base}one.ics</d:href><d:href>https://umbra.example{base}two.ics</d:href><d:href>{base}missing.ics</d:href>
        <d:href>/dav/calendars/bob/1/x.ics</d:href></c:calendar-multiget>"#
    );
    let found = entries(&dav.report(&base, &body).await);
    assert_eq!(found.len(), 4, "{found:?}");
    assert!(
        found.iter().any(|e| e.href == format!("{base}one.ics") && e.text("calendar-data").contains("SUMMARY:One"))
    );
    assert!(
        found.iter().any(|e| e.href == format!("{base}two.ics") && e.text("calendar-data").contains("SUMMARY:Two"))
    );
    let missing = found.iter().find(|e| e.href.ends_with("missing.ics")).unwrap();
    assert!(missing.status.as_deref().unwrap().contains(" 404 "));
    let foreign = found.iter().find(|e| e.href.contains("/bob/")).unwrap();
    assert!(foreign.status.as_deref().unwrap().contains(" 404 "));
}

#[tokio::test]
async fn sync_collection_reports_changes_across_a_restart() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let calendar = default_calendar_id(&ann).await;
    let base = dav.calendar(calendar);
    put(&dav, &base, "keep", "Keep", "20300110T100000Z", "20300110T110000Z").await;
    put(&dav, &base, "change", "Change", "20300111T100000Z", "20300111T110000Z").await;
    put(&dav, &base, "drop", "Drop", "20300112T100000Z", "20300112T110000Z").await;

    let first = dav.report(&base, &sync_body("")).await;
    assert_eq!(entries(&first).len(), 3);
    let token = sync_token(&first);
    assert!(token.starts_with("https://umbra.invalid/sync/"));
    let nothing = dav.report(&base, &sync_body(&token)).await;
    assert!(entries(&nothing).is_empty());
    assert_eq!(sync_token(&nothing), token);

    let changed_etag = put(&dav, &base, "change", "Changed", "20300111T100000Z", "20300111T110000Z").await;
    assert_eq!(dav.send("DELETE", &format!("{base}drop.ics"), None, &[]).await.status, 204);
    put(&dav, &base, "added", "Added", "20300113T100000Z", "20300113T110000Z").await;
    // An API change shows too.
    let made = ann
        .post("/api/events", json!({"calendar_id": calendar, "title": "Via API", "start": "2030-01-14T09:00:00Z", "end": "2030-01-14T10:00:00Z", "timezone": "UTC"}))
        .await;
    let api_uid = made.json()["uid"].as_str().unwrap().to_string();

    // The app restarts on the same database; the client's token still works.
    let database = app.database.clone();
    let auth = dav.auth.clone();
    drop(dav);
    drop(ann);
    drop(app);
    let app = app_on(database, |_| {}).await;
    let dav = Dav { client: app.persona("ann", crate::harness::PASSWORD), auth, username: "ann".into() };
    let delta = dav.report(&base, &sync_body(&token)).await;
    let found = entries(&delta);
    let hrefs: Vec<&str> = found.iter().map(|e| e.href.as_str()).collect();
    assert_eq!(found.len(), 4, "{hrefs:?}");
    let change = found.iter().find(|e| e.href.ends_with("/change.ics")).unwrap();
    assert_eq!(change.text("getetag"), changed_etag);
    let dropped = found.iter().find(|e| e.href.ends_with("/drop.ics")).unwrap();
    assert!(dropped.status.as_deref().unwrap().contains(" 404 "));
    assert!(found.iter().any(|e| e.href.ends_with("/added.ics")));
    assert!(found.iter().any(|e| e.href.ends_with(&format!("/{api_uid}.ics"))));
    assert!(!found.iter().any(|e| e.href.ends_with("/keep.ics")));
    let newer = sync_token(&delta);
    assert_ne!(newer, token);

    for bad in ["https://umbra.invalid/sync/999999", "http://elsewhere/sync/1", "garbage"] {
        let refused = dav.report(&base, &sync_body(bad)).await;
        assert_eq!(refused.status, 403, "{bad}");
        assert!(refused.body.contains("valid-sync-token"), "{}", refused.body);
    }
    let limited = format!(
        r#"<d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level><d:limit><d:nresults>1</d:nresults></d:limit><d:prop><d:getetag/></d:prop></d:sync-collection>"#
    );
    assert_eq!(dav.report(&base, &limited).await.status, 507);
}

#[tokio::test]
async fn reports_refuse_the_wrong_collection_and_bodies() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let base = dav.calendar(default_calendar_id(&ann).await);
    let card_query = r#"<cr:addressbook-query xmlns:d="DAV:" xmlns:cr="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop></cr:addressbook-query>"#;
    let wrong = dav.report(&base, card_query).await;
    assert_eq!(wrong.status, 403);
    assert!(wrong.body.contains("supported-report"));
    let cal_query = query(r#"<c:comp-filter name="VEVENT"/>"#, "");
    assert_eq!(dav.report("/dav/addressbooks/ann/contacts/", &cal_query).await.status, 403);
    assert_eq!(dav.report("/dav/calendars/ann/", &cal_query).await.status, 403);
    assert_eq!(dav.report(&base, "<d:unknown-report xmlns:d=\"DAV:\"/>").await.status, 403);
    assert_eq!(dav.report(&base, "not xml").await.status, 400);
    let root = parse(dav.report(&base, &cal_query).await.body.as_bytes()).unwrap();
    assert!(root.is(D, "multistatus"));
}
