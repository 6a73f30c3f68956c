//! One resource name, one object: an object made without a chosen name (an import, a move
//! from another calendar) never takes over the name a client chose for another object. Both
//! stay reachable under their own names, each is listed once, and sync reports each change,
//! deletions included, under the name of the object it concerns.

use serde_json::json;

use crate::calendars::{create_calendar, id};
use crate::dav_kit::{Dav, dav_user, default_calendar_id, entries, event_ics, prop_body, sync_body, sync_token};
use crate::harness::{Persona, app};

/// The object hrefs a Depth 1 PROPFIND lists, sorted (the collection itself left out).
async fn listed(dav: &Dav<'_>, collection: &str) -> Vec<String> {
    let found = entries(&dav.propfind(collection, "1", &prop_body(&["d:getetag"])).await);
    let mut hrefs: Vec<String> = found.into_iter().map(|e| e.href).filter(|h| h != collection).collect();
    hrefs.sort();
    hrefs
}

/// What a sync after `token` reports: (hrefs changed, hrefs deleted, the new token).
async fn delta(dav: &Dav<'_>, collection: &str, token: &str) -> (Vec<String>, Vec<String>, String) {
    let answer = dav.report(collection, &sync_body(token)).await;
    let (mut changed, mut deleted) = (Vec::new(), Vec::new());
    for entry in entries(&answer) {
        if entry.status.as_deref().is_some_and(|s| s.contains(" 404 ")) {
            deleted.push(entry.href);
        } else {
            changed.push(entry.href);
        }
    }
    (changed, deleted, sync_token(&answer))
}

async fn body_at(dav: &Dav<'_>, href: &str) -> String {
    let got = dav.send("GET", href, None, &[]).await;
    assert_eq!(got.status, 200, "{href}: {}", got.body);
    got.body
}

/// The id of `who`'s event titled `title` in January 2030.
async fn event_titled(who: &Persona<'_>, title: &str) -> i64 {
    let page = who.get("/api/events?start=2030-01-01T00:00:00Z&end=2030-02-01T00:00:00Z").await.json();
    let items = page["items"].as_array().unwrap();
    let found = items.iter().find(|i| i["title"] == title).unwrap_or_else(|| panic!("{title}: {page}"));
    found["event_id"].as_i64().unwrap()
}

fn event(uid: &str, title: &str) -> String {
    event_ics(uid, title, "20300105T100000Z", "20300105T110000Z")
}

#[tokio::test]
async fn an_imported_event_never_takes_a_name_a_client_chose() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let calendar = default_calendar_id(&ann).await;
    let base = dav.calendar(calendar);
    let (chosen, own) = (format!("{base}b.ics"), format!("{base}b-2.ics"));
    assert_eq!(dav.put(&chosen, &event("a", "From the phone"), &[]).await.status, 201);
    let token = sync_token(&dav.report(&base, &sync_body("")).await);

    let imported = crate::ical::import(&ann, calendar, &event("b", "Imported")).await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert_eq!(listed(&dav, &base).await, [own.clone(), chosen.clone()]);
    assert!(body_at(&dav, &chosen).await.contains("UID:a\r\n"));
    assert!(body_at(&dav, &own).await.contains("UID:b\r\n"));
    let (changed, deleted, token) = delta(&dav, &base, &token).await;
    assert_eq!((changed, deleted), (vec![own.clone()], vec![]));

    // Deleted in the app: the sync names the imported event, not the client's object.
    let imported_id = event_titled(&ann, "Imported").await;
    assert_eq!(ann.delete(&format!("/api/events/{imported_id}")).await.status, 204);
    let (changed, deleted, _) = delta(&dav, &base, &token).await;
    assert_eq!((changed, deleted), (vec![], vec![own]));
    assert_eq!(listed(&dav, &base).await, std::slice::from_ref(&chosen));
    assert!(body_at(&dav, &chosen).await.contains("From the phone"));
}

#[tokio::test]
async fn an_event_moved_to_another_calendar_gets_a_name_of_its_own_there() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let home = dav.calendar(default_calendar_id(&ann).await);
    let work_id = id(&create_calendar(&ann, json!({"name": "Work"})).await);
    let work = dav.calendar(work_id);
    // At work a client chose `m.ics` for UID x and `y.ics` for UID q; at home `m.ics` is UID y.
    assert_eq!(dav.put(&format!("{work}m.ics"), &event("x", "Work x"), &[]).await.status, 201);
    assert_eq!(dav.put(&format!("{work}y.ics"), &event("q", "Work q"), &[]).await.status, 201);
    assert_eq!(dav.put(&format!("{home}m.ics"), &event("y", "Home y"), &[]).await.status, 201);
    let home_token = sync_token(&dav.report(&home, &sync_body("")).await);

    let moving = event_titled(&ann, "Home y").await;
    let moved = ann.patch(&format!("/api/events/{moving}"), json!({"calendar_id": work_id})).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let own = format!("{work}y-2.ics");
    assert_eq!(listed(&dav, &work).await, [format!("{work}m.ics"), own.clone(), format!("{work}y.ics")]);
    assert!(body_at(&dav, &format!("{work}m.ics")).await.contains("UID:x\r\n"));
    assert!(body_at(&dav, &format!("{work}y.ics")).await.contains("UID:q\r\n"));
    assert!(body_at(&dav, &own).await.contains("UID:y\r\n"));
    // Home's clients knew it as `m.ics`: that is what left.
    let (changed, deleted, _) = delta(&dav, &home, &home_token).await;
    assert_eq!((changed, deleted), (vec![], vec![format!("{home}m.ics")]));
}

#[tokio::test]
async fn an_imported_card_never_takes_a_name_a_client_chose() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let book = "/dav/addressbooks/ann/contacts/";
    let (chosen, own) = (format!("{book}b.vcf"), format!("{book}b-2.vcf"));
    let card = |uid: &str, name: &str| format!("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{name}\r\nEND:VCARD\r\n");
    assert_eq!(dav.put(&chosen, &card("a", "Grace Hopper"), &[]).await.status, 201);
    let token = sync_token(&dav.report(book, &sync_body("")).await);

    let imported = crate::people::import(&ann, &card("b", "Alan Turing")).await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert_eq!(listed(&dav, book).await, [own.clone(), chosen.clone()]);
    assert!(body_at(&dav, &chosen).await.contains("Grace Hopper"));
    assert!(body_at(&dav, &own).await.contains("Alan Turing"));
    let (changed, deleted, token) = delta(&dav, book, &token).await;
    assert_eq!((changed, deleted), (vec![own.clone()], vec![]));

    let people = ann.get("/api/people").await.json();
    let alan = people["items"].as_array().unwrap().iter().find(|p| p["uid"] == "b").expect("imported").clone();
    assert_eq!(ann.delete(&format!("/api/people/{}", alan["id"])).await.status, 204);
    let (changed, deleted, _) = delta(&dav, book, &token).await;
    assert_eq!((changed, deleted), (vec![], vec![own]));
    assert_eq!(listed(&dav, book).await, [chosen]);
}

#[tokio::test]
async fn names_filled_on_purpose_do_not_make_an_import_try_them_all() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let calendar = default_calendar_id(&ann).await;
    let base = dav.calendar(calendar);
    // `b.ics` and `b-2.ics` … `b-9.ics` hold other UIDs.
    for n in 1..=9 {
        let name = if n == 1 { "b.ics".to_string() } else { format!("b-{n}.ics") };
        let made = dav.put(&format!("{base}{name}"), &event(&format!("filler-{n}"), "Filler"), &[]).await;
        assert_eq!(made.status, 201, "{name}: {}", made.body);
    }
    let imported = crate::ical::import(&ann, calendar, &event("b", "Imported")).await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    let names = listed(&dav, &base).await;
    assert_eq!(names.len(), 10, "{names:?}");
    let random = names
        .iter()
        .find(|h| {
            h.strip_prefix(&format!("{base}b-")).and_then(|r| r.strip_suffix(".ics")).is_some_and(|r| r.len() == 16)
        })
        .unwrap_or_else(|| panic!("a random name after nine tries: {names:?}"));
    assert!(body_at(&dav, random).await.contains("UID:b\r\n"));
}
