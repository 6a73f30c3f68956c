//! What one REPORT answer may hold (`config::DavLimits`): past its bytes of object data a
//! calendar-query, multiget or addressbook-query answers with the objects so far and a 507
//! `number-of-matches-within-limits` for the request-URI, and the client gets the rest with
//! smaller multigets; an `expand` answer stops the same way past its occurrences; a
//! sync-collection with data past the limit is refused whole. The limits are lowered on a
//! second app over the same database, sized from the objects the first one serves.

use serde_json::json;

use crate::dav_kit::{Dav, Entry, dav_user, default_calendar_id, entries, event_ics};
use crate::harness::{PASSWORD, TestApp, app, app_on, app_with};

const CALDAV_DATA: &str = "<d:prop><d:getetag/><c:calendar-data/></d:prop>";

fn calendar_query(prop: &str) -> String {
    format!(
        r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">{prop}
        <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/></c:comp-filter></c:filter></c:calendar-query>"#
    )
}

fn calendar_multiget(prop: &str, hrefs: &[String]) -> String {
    let hrefs: String = hrefs.iter().map(|h| ["<d:href>", h, "</d:href>"].concat()).collect();
    format!(
        r#"<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">{prop}{hrefs}</c:calendar-multiget>"#
    )
}

/// The same user's client on `app` (another process over the same database).
fn client_on<'a>(app: &'a TestApp, dav: &Dav<'_>) -> Dav<'a> {
    Dav { client: app.persona(&dav.username, PASSWORD), auth: dav.auth.clone(), username: dav.username.clone() }
}

/// The objects an answer holds, and whether it ended with the 507 for `uri`.
fn split(found: Vec<Entry>, uri: &str) -> (Vec<Entry>, bool) {
    let (cut, objects): (Vec<Entry>, Vec<Entry>) =
        found.into_iter().partition(|e| e.status.as_deref().is_some_and(|s| s.contains(" 507 ")));
    assert!(cut.iter().all(|e| e.href == uri), "{cut:?}");
    (objects, !cut.is_empty())
}

/// Five same-sized events; returns their hrefs and the size of one's calendar data.
async fn five_events(dav: &Dav<'_>, base: &str) -> (Vec<String>, usize) {
    let mut hrefs = Vec::new();
    for i in 1..=5 {
        let href = format!("{base}e{i}.ics");
        let day = format!("2030011{i}");
        let made = dav
            .put(&href, &event_ics(&format!("e{i}"), "Same", &format!("{day}T100000Z"), &format!("{day}T110000Z")), &[])
            .await;
        assert_eq!(made.status, 201, "{}", made.body);
        hrefs.push(href);
    }
    let size = dav.send("GET", &hrefs[0], None, &[]).await.body.len();
    (hrefs, size)
}

#[tokio::test]
async fn a_query_past_the_byte_limit_ends_with_507_and_multigets_fetch_the_rest() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let base = dav.calendar(default_calendar_id(&ann).await);
    let (hrefs, size) = five_events(&dav, &base).await;
    assert_eq!(split(entries(&dav.report(&base, &calendar_query(CALDAV_DATA)).await), &base).0.len(), 5);

    // Room for two and a half objects.
    let limit = size * 5 / 2;
    let small = app_on(app.database.clone(), |c| c.dav.report_bytes = limit).await;
    let dav = client_on(&small, &dav);
    let answer = dav.report(&base, &calendar_query(CALDAV_DATA)).await;
    let root = umbra::dav::xml::parse(answer.body.as_bytes()).unwrap();
    let (objects, cut) = split(entries(&answer), &base);
    assert!(cut, "{}", answer.body);
    assert_eq!(objects.len(), 2, "{objects:?}");
    assert!(objects.iter().map(|e| e.text("calendar-data").len()).sum::<usize>() <= limit);
    let last = root.children.last().unwrap();
    assert!(last.child("DAV:", "error").and_then(|e| e.child("DAV:", "number-of-matches-within-limits")).is_some());
    // Without data the same query names every object.
    let etags = entries(&dav.report(&base, &calendar_query("<d:prop><d:getetag/></d:prop>")).await);
    let (listed, cut) = split(etags, &base);
    assert_eq!((listed.len(), cut), (5, false));

    // The client fetches what is missing in multigets, each as much as fits.
    let mut have: Vec<String> = objects.iter().map(|e| e.href.clone()).collect();
    for _ in 0..5 {
        let missing: Vec<String> = hrefs.iter().filter(|h| !have.contains(h)).cloned().collect();
        if missing.is_empty() {
            break;
        }
        let (got, cut) = split(entries(&dav.report(&base, &calendar_multiget(CALDAV_DATA, &missing)).await), &base);
        assert!(!got.is_empty() && got.iter().all(|e| e.text("calendar-data").contains("SUMMARY:Same")), "{got:?}");
        assert_eq!(cut, missing.len() > 2, "{got:?}");
        have.extend(got.into_iter().map(|e| e.href));
    }
    have.sort();
    assert_eq!(have, hrefs);

    // A sync with data past the limit cannot say what it left out: refused whole.
    let sync = r#"<d:sync-collection xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/><c:calendar-data/></d:prop></d:sync-collection>"#;
    let refused = dav.report(&base, sync).await;
    assert_eq!(refused.status, 507, "{}", refused.body);
    assert!(refused.body.contains("number-of-matches-within-limits"), "{}", refused.body);
}

#[tokio::test]
async fn an_addressbook_query_past_the_byte_limit_ends_with_507() {
    const BOOK: &str = "/dav/addressbooks/ann/contacts/";
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let mut uids = Vec::new();
    for name in ["Person A", "Person B", "Person C"] {
        let made = ann.post("/api/people", json!({"name": name})).await;
        assert_eq!(made.status, 201, "{}", made.body);
        uids.push(made.json()["uid"].as_str().unwrap().to_string());
    }
    let size = dav.send("GET", &format!("{BOOK}{}.vcf", uids[0]), None, &[]).await.body.len();
    let query = |prop: &str| {
        format!(
            r#"<cr:addressbook-query xmlns:d="DAV:" xmlns:cr="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/>{prop}</d:prop></cr:addressbook-query>"#
        )
    };
    let small = app_on(app.database.clone(), |c| c.dav.report_bytes = size * 3 / 2).await;
    let dav = client_on(&small, &dav);
    let (cards, cut) = split(entries(&dav.report(BOOK, &query("<cr:address-data/>")).await), BOOK);
    assert!(cut);
    assert_eq!(cards.len(), 1, "{cards:?}");
    assert!(cards[0].text("address-data").contains("BEGIN:VCARD"));
    let (listed, cut) = split(entries(&dav.report(BOOK, &query("")).await), BOOK);
    assert_eq!((listed.len(), cut), (3, false));
}

/// A daily series of four occurrences from 7 January 2030.
fn four_days(uid: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20300101T000000Z\r\n\
         DTSTART:20300107T090000Z\r\nDTEND:20300107T100000Z\r\nRRULE:FREQ=DAILY;COUNT=4\r\nSUMMARY:{uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

#[tokio::test]
async fn an_expand_past_the_occurrence_limit_ends_with_507() {
    let app = app_with(|c| c.dav.expand_occurrences = 5).await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let base = dav.calendar(default_calendar_id(&ann).await);
    let hrefs = [format!("{base}walk.ics"), format!("{base}run.ics")];
    for (href, uid) in hrefs.iter().zip(["walk", "run"]) {
        assert_eq!(dav.put(href, &four_days(uid), &[]).await.status, 201);
    }
    let expand = r#"<d:prop><c:calendar-data><c:expand start="20300101T000000Z" end="20300201T000000Z"/></c:calendar-data></d:prop>"#;
    let query = format!(
        r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">{expand}
        <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">
        <c:time-range start="20300101T000000Z" end="20300201T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#
    );
    let occurrences = |e: &Entry| e.text("calendar-data").matches("BEGIN:VEVENT").count();
    // Eight occurrences in all: the first series fits, the second would pass five.
    let (objects, cut) = split(entries(&dav.report(&base, &query).await), &base);
    assert!(cut);
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert_eq!(occurrences(&objects[0]), 4);
    let (both, cut) = split(entries(&dav.report(&base, &calendar_multiget(expand, &hrefs)).await), &base);
    assert!(cut);
    assert_eq!(both.len(), 1, "{both:?}");
    // The other one alone fits.
    let other: Vec<String> = hrefs.iter().filter(|h| **h != objects[0].href).cloned().collect();
    let (rest, cut) = split(entries(&dav.report(&base, &calendar_multiget(expand, &other)).await), &base);
    assert!(!cut);
    assert_eq!(rest.len(), 1);
    assert_eq!(occurrences(&rest[0]), 4);
}

#[tokio::test]
async fn a_propfind_asking_for_data_past_the_byte_limit_is_refused_with_507() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let base = dav.calendar(default_calendar_id(&ann).await);
    let (_, size) = five_events(&dav, &base).await;
    let propfind =
        format!(r#"<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">{CALDAV_DATA}</d:propfind>"#);
    let whole = dav.propfind(&base, "1", &propfind).await;
    assert_eq!(whole.status, 207, "{}", whole.body);
    assert_eq!(whole.body.matches("BEGIN:VEVENT").count(), 5);

    let small = app_on(app.database.clone(), |c| c.dav.report_bytes = size * 5 / 2).await;
    let dav = client_on(&small, &dav);
    let refused = dav.propfind(&base, "1", &propfind).await;
    assert_eq!(refused.status, 507, "{}", refused.body);
    assert!(refused.body.contains("number-of-matches-within-limits"), "{}", refused.body);
    // Without data the listing is whole, and one object's data still comes by itself.
    let listed =
        dav.propfind(&base, "1", "<d:propfind xmlns:d=\"DAV:\"><d:prop><d:getetag/></d:prop></d:propfind>").await;
    assert_eq!(listed.status, 207);
    assert_eq!(entries(&listed).len(), 6);
    assert_eq!(dav.propfind(&format!("{base}e1.ics"), "0", &propfind).await.status, 207);
}
