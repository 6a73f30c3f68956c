//! `If-None-Match` with ETags (RFC 7232 §3.2) on the three kinds of object: a GET or HEAD of
//! the version a client holds answers 304 with the ETag and no body, a PUT or DELETE of it
//! 412 with nothing changed, and a tag of another version lets the request through.
//! `If-Match` keeps precedence.

use crate::dav_kit::{Dav, dav_user, default_calendar_id, event_ics};
use crate::harness::app;

/// Makes the object at `path` from `first` (whose text holds `marker`), then checks every
/// `If-None-Match` answer on it; `second` is another version of the object.
async fn revalidation(dav: &Dav<'_>, path: &str, first: &str, marker: &str, second: &str) {
    let created = dav.put(path, first, &[]).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let etag = created.header("etag").expect("an ETag").to_string();

    let fresh = dav.send("GET", path, None, &[("If-None-Match", &etag)]).await;
    assert_eq!((fresh.status, fresh.header("etag")), (304, Some(etag.as_str())), "{}", fresh.body);
    assert!(fresh.body.is_empty(), "no body with a 304: {}", fresh.body);
    let listed = format!("\"0-0\", W/{etag}");
    let head = dav.send("HEAD", path, None, &[("If-None-Match", &listed)]).await;
    assert_eq!(head.status, 304, "a weak tag in a list matches for a read");
    let other = dav.send("GET", path, None, &[("If-None-Match", "\"0-0\"")]).await;
    assert_eq!(other.status, 200);
    assert!(other.body.contains(marker), "{}", other.body);

    assert_eq!(dav.put(path, second, &[("If-None-Match", &listed)]).await.status, 412);
    assert_eq!(dav.send("DELETE", path, None, &[("If-None-Match", &etag)]).await.status, 412);
    let kept = dav.send("GET", path, None, &[]).await;
    assert_eq!((kept.status, kept.header("etag")), (200, Some(etag.as_str())), "nothing changed");
    assert!(kept.body.contains(marker), "{}", kept.body);

    // If-Match decides when both are sent.
    let both = dav.put(path, second, &[("If-Match", &etag), ("If-None-Match", &etag)]).await;
    assert_eq!(both.status, 204, "{}", both.body);
    // The tag held is stale now: it no longer stops a write.
    assert_eq!(dav.put(path, first, &[("If-None-Match", &etag)]).await.status, 204);
    assert_eq!(dav.send("DELETE", path, None, &[("If-None-Match", &etag)]).await.status, 204);
    assert_eq!(dav.send("GET", path, None, &[]).await.status, 404);
    let again = dav.put(path, first, &[("If-None-Match", &etag)]).await;
    assert_eq!(again.status, 201, "no object matches no tag: {}", again.body);
}

#[tokio::test]
async fn if_none_match_on_events() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let path = format!("{}dentist.ics", dav.calendar(default_calendar_id(&ann).await));
    let first = event_ics("dentist", "Dentist", "20300105T100000Z", "20300105T110000Z");
    let second = event_ics("dentist", "Dentist (moved)", "20300106T100000Z", "20300106T110000Z");
    revalidation(&dav, &path, &first, "SUMMARY:Dentist\r\n", &second).await;
}

#[tokio::test]
async fn if_none_match_on_todos() {
    let app = app().await;
    let (_ann, dav) = dav_user(&app, "ann").await;
    let todo = |summary: &str| {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTODO\r\nUID:milk\r\n\
             DTSTAMP:20270101T000000Z\r\nSUMMARY:{summary}\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
        )
    };
    let path = "/dav/calendars/ann/todos/milk.ics";
    revalidation(&dav, path, &todo("Buy milk"), "SUMMARY:Buy milk\r\n", &todo("Buy oat milk")).await;
}

#[tokio::test]
async fn if_none_match_on_contacts() {
    let app = app().await;
    let (_ann, dav) = dav_user(&app, "ann").await;
    let card = |name: &str| format!("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:grace\r\nFN:{name}\r\nEND:VCARD\r\n");
    let path = "/dav/addressbooks/ann/contacts/grace.vcf";
    revalidation(&dav, path, &card("Grace Hopper"), "FN:Grace Hopper\r\n", &card("Grace B. Hopper")).await;
}
