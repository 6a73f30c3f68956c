//! Calendar objects over DAV: PUT/GET/HEAD/DELETE with strong ETags and 412 on a stale
//! precondition, the same events as the JSON API in both directions, recurrence overrides
//! and unknown properties round-tripping, UID conflicts, wrong components, and share levels
//! (a read share may look, never write; another user's calendar is 404).

use serde_json::json;

use crate::calendars::{connect, create_calendar, id};
use crate::dav_kit::{dav_user, default_calendar_id, entries, event_ics, prop_body};
use crate::harness::app;

#[tokio::test]
async fn put_get_delete_with_etags_and_preconditions() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let path = format!("{}a1.ics", dav.calendar(default_calendar_id(&ann).await));
    let ics = event_ics("a1", "Dentist", "20300105T100000Z", "20300105T110000Z");

    let created = dav.put(&path, &ics, &[("If-None-Match", "*")]).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let etag = created.header("etag").unwrap().to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "strong and quoted: {etag}");
    assert_eq!(dav.put(&path, &ics, &[("If-None-Match", "*")]).await.status, 412);

    let got = dav.send("GET", &path, None, &[]).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("etag"), Some(etag.as_str()));
    assert!(got.header("content-type").unwrap().starts_with("text/calendar"));
    assert!(got.body.contains("SUMMARY:Dentist") && got.body.contains("UID:a1"), "{}", got.body);
    let head = dav.send("HEAD", &path, None, &[]).await;
    assert_eq!((head.status, head.header("etag")), (200, Some(etag.as_str())));

    let changed = event_ics("a1", "Dentist (moved)", "20300106T100000Z", "20300106T110000Z");
    assert_eq!(dav.put(&path, &changed, &[("If-Match", "\"999\"")]).await.status, 412);
    let updated = dav.put(&path, &changed, &[("If-Match", etag.as_str())]).await;
    assert_eq!(updated.status, 204, "{}", updated.body);
    let new_etag = updated.header("etag").unwrap().to_string();
    assert_ne!(new_etag, etag);
    assert_eq!(dav.put(&path, &ics, &[("If-Match", etag.as_str())]).await.status, 412, "the old ETag is stale");

    assert_eq!(dav.send("DELETE", &path, None, &[("If-Match", etag.as_str())]).await.status, 412);
    assert_eq!(dav.send("DELETE", &path, None, &[("If-Match", new_etag.as_str())]).await.status, 204);
    assert_eq!(dav.send("GET", &path, None, &[]).await.status, 404);
    assert_eq!(dav.send("DELETE", &path, None, &[]).await.status, 404);
    assert_eq!(dav.put(&path, &ics, &[("If-Match", "*")]).await.status, 412, "If-Match * needs an object");
}

#[tokio::test]
async fn the_api_and_dav_see_the_same_events_at_once() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let calendar = default_calendar_id(&ann).await;
    let made = ann
        .post(
            "/api/events",
            json!({"calendar_id": calendar, "title": "From the API", "start": "2030-03-04T09:00:00Z",
                   "end": "2030-03-04T10:00:00Z", "timezone": "UTC"}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let uid = made.json()["uid"].as_str().unwrap().to_string();
    let path = format!("{}{uid}.ics", dav.calendar(calendar));
    let got = dav.send("GET", &path, None, &[]).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert!(got.body.contains("SUMMARY:From the API"));
    let listed = entries(&dav.propfind(&dav.calendar(calendar), "1", &prop_body(&["d:getetag"])).await);
    assert!(listed.iter().any(|e| e.href == path && !e.text("getetag").is_empty()));

    // A client's name is kept; the API sees the event it made.
    let client_path = format!("{}Client%20Name.ics", dav.calendar(calendar));
    let put = dav
        .put(&client_path, &event_ics("c-1@phone", "From a phone", "20300310T080000Z", "20300310T090000Z"), &[])
        .await;
    assert_eq!(put.status, 201, "{}", put.body);
    let range = ann.get("/api/events?start=2030-03-01T00:00:00Z&end=2030-04-01T00:00:00Z").await.json();
    let titles: Vec<&str> = range["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert!(titles.contains(&"From a phone") && titles.contains(&"From the API"), "{titles:?}");
    let got = dav.send("GET", &client_path, None, &[]).await;
    assert!(got.body.contains("UID:c-1@phone"), "{}", got.body);

    // An API edit changes the ETag a client holds.
    let before = dav.send("GET", &path, None, &[]).await.header("etag").unwrap().to_string();
    let id = made.json()["id"].as_i64().unwrap();
    assert_eq!(ann.patch(&format!("/api/events/{id}"), json!({"title": "Edited"})).await.status, 200);
    let after = dav.send("GET", &path, None, &[]).await;
    assert_ne!(after.header("etag").unwrap(), before);
    assert!(after.body.contains("SUMMARY:Edited"));
}

#[tokio::test]
async fn overrides_and_unknown_properties_round_trip() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let path = format!("{}series.ics", dav.calendar(default_calendar_id(&ann).await));
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
        BEGIN:VEVENT\r\nUID:series-1\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20300101T090000Z\r\nDTEND:20300101T100000Z\r\n\
        RRULE:FREQ=DAILY;COUNT=5\r\nEXDATE:20300103T090000Z\r\nSUMMARY:Standup\r\nX-CLIENT-COLOUR:teal\r\nCATEGORIES:Work\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:series-1\r\nDTSTAMP:20300101T000000Z\r\nRECURRENCE-ID:20300102T090000Z\r\n\
        DTSTART:20300102T110000Z\r\nDTEND:20300102T120000Z\r\nSUMMARY:Standup (late)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert_eq!(dav.put(&path, ics, &[]).await.status, 201);
    let got = dav.send("GET", &path, None, &[]).await.body;
    assert!(got.contains("RRULE:FREQ=DAILY;COUNT=5"), "{got}");
    assert!(got.contains("EXDATE"), "{got}");
    assert!(got.contains("RECURRENCE-ID"), "{got}");
    assert!(got.contains("SUMMARY:Standup (late)"), "{got}");
    assert!(got.contains("X-CLIENT-COLOUR:teal") && got.contains("CATEGORIES:Work"), "{got}");
    assert_eq!(got.matches("X-CLIENT-COLOUR").count(), 1);
    // Sent back as read, nothing doubles.
    assert_eq!(dav.put(&path, &got, &[]).await.status, 204);
    let again = dav.send("GET", &path, None, &[]).await.body;
    assert_eq!(again.matches("X-CLIENT-COLOUR").count(), 1, "{again}");
    assert_eq!(again.matches("BEGIN:VEVENT").count(), 2, "{again}");
}

#[tokio::test]
async fn uid_conflicts_and_wrong_components_are_refused() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let base = dav.calendar(default_calendar_id(&ann).await);
    let ics = event_ics("same", "One", "20300105T100000Z", "20300105T110000Z");
    assert_eq!(dav.put(&format!("{base}one.ics"), &ics, &[]).await.status, 201);
    let clash = dav.put(&format!("{base}two.ics"), &ics, &[]).await;
    assert_eq!(clash.status, 403);
    assert!(clash.body.contains("no-uid-conflict"), "{}", clash.body);
    let todo = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:t\r\nSUMMARY:x\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    let wrong = dav.put(&format!("{base}todo.ics"), todo, &[]).await;
    assert_eq!(wrong.status, 403);
    assert!(wrong.body.contains("supported-calendar-component"), "{}", wrong.body);
    let broken = dav.put(&format!("{base}broken.ics"), "BEGIN:VCALENDAR\r\nnonsense", &[]).await;
    assert_eq!(broken.status, 403);
    assert!(broken.body.contains("valid-calendar-data"), "{}", broken.body);
}

#[tokio::test]
async fn share_levels_are_enforced() {
    let app = app().await;
    let (ann, _ann_dav) = dav_user(&app, "ann").await;
    let (bob, bob_dav) = dav_user(&app, "bob").await;
    connect(&ann, &bob).await;
    let family = id(&create_calendar(&ann, json!({"name": "Family"})).await);
    let offer =
        ann.post("/api/shared-calendars", json!({"calendar_id": family, "username": "bob", "level": "read"})).await;
    assert_eq!(offer.status, 201, "{}", offer.body);
    let accepted = bob.post_empty(&format!("/api/shared-calendars/{}/accept", id(&offer.json()))).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let made = ann
        .post(
            "/api/events",
            json!({"calendar_id": family, "title": "Dinner", "start": "2030-03-04T18:00:00Z",
                   "end": "2030-03-04T19:00:00Z", "timezone": "UTC"}),
        )
        .await;
    let uid = made.json()["uid"].as_str().unwrap().to_string();
    let collection = bob_dav.calendar(family);
    let object = format!("{collection}{uid}.ics");

    // Bob sees it, with read privileges only.
    let found = entries(
        &bob_dav.propfind(&collection, "0", &prop_body(&["d:current-user-privilege-set", "d:displayname"])).await,
    );
    assert_eq!(found[0].text("displayname"), "Family");
    let privileges = found[0].ok("current-user-privilege-set").unwrap();
    let names: Vec<&str> = privileges.children.iter().map(|p| p.children[0].name.as_str()).collect();
    assert!(names.contains(&"read") && !names.iter().any(|n| n.starts_with("write")), "{names:?}");
    assert_eq!(bob_dav.send("GET", &object, None, &[]).await.status, 200);

    // … and may not change it.
    let put = bob_dav.put(&object, &event_ics(&uid, "Mine now", "20300304T180000Z", "20300304T190000Z"), &[]).await;
    assert_eq!(put.status, 403);
    assert!(put.body.contains("need-privileges"), "{}", put.body);
    assert_eq!(
        bob_dav
            .put(&format!("{collection}new.ics"), &event_ics("n", "N", "20300304T180000Z", "20300304T190000Z"), &[])
            .await
            .status,
        403
    );
    assert_eq!(bob_dav.send("DELETE", &object, None, &[]).await.status, 403);
    let rename = r#"<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>Bob's</d:displayname></d:prop></d:set></d:propertyupdate>"#;
    assert_eq!(bob_dav.send("PROPPATCH", &collection, Some(rename), &[]).await.status, 403);
    assert_eq!(bob_dav.send("DELETE", &collection, None, &[]).await.status, 403);
    assert!(ann.get(&format!("/api/calendars/{family}")).await.body.contains("\"Family\""));
    // His colour is his own preference, but not together with a rename he may not make.
    let both = r#"<d:propertyupdate xmlns:d="DAV:" xmlns:a="http://apple.com/ns/ical/"><d:set><d:prop><a:calendar-color>#445566</a:calendar-color><d:displayname>Bob's</d:displayname></d:prop></d:set></d:propertyupdate>"#;
    let refused = entries(&bob_dav.send("PROPPATCH", &collection, Some(both), &[]).await);
    assert!(refused[0].status_of("displayname").unwrap().contains(" 403 "), "{refused:?}");
    assert!(refused[0].status_of("calendar-color").unwrap().contains(" 424 "), "{refused:?}");
    assert!(bob.get(&format!("/api/calendars/{family}")).await.json()["colour_override"].is_null());
    let colour = r#"<d:propertyupdate xmlns:d="DAV:" xmlns:a="http://apple.com/ns/ical/"><d:set><d:prop><a:calendar-color>#112233FF</a:calendar-color></d:prop></d:set></d:propertyupdate>"#;
    let recoloured = entries(&bob_dav.send("PROPPATCH", &collection, Some(colour), &[]).await);
    assert!(recoloured[0].status_of("calendar-color").unwrap().contains(" 200 "));
    assert_eq!(bob.get(&format!("/api/calendars/{family}")).await.json()["colour_override"], "#112233");
    assert_ne!(ann.get(&format!("/api/calendars/{family}")).await.json()["colour"], "#112233");

    // Carol, not a member, finds nothing there.
    let (_carol, carol_dav) = dav_user(&app, "carol").await;
    let carol_path = format!("/dav/calendars/carol/{family}/");
    assert_eq!(carol_dav.propfind(&carol_path, "0", &prop_body(&["d:displayname"])).await.status, 404);
    assert_eq!(carol_dav.send("GET", &format!("{carol_path}{uid}.ics"), None, &[]).await.status, 404);
    assert_eq!(carol_dav.send("DELETE", &format!("{carol_path}{uid}.ics"), None, &[]).await.status, 404);
}

#[tokio::test]
async fn proppatch_mkcalendar_and_collection_delete() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let default = default_calendar_id(&ann).await;
    let patch = r#"<d:propertyupdate xmlns:d="DAV:" xmlns:a="http://apple.com/ns/ical/" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:z="urn:x-z">
        <d:set><d:prop><d:displayname>Home &amp; away</d:displayname><a:calendar-color>#336699</a:calendar-color>
        <c:calendar-description>Ours</c:calendar-description><z:other>1</z:other></d:prop></d:set></d:propertyupdate>"#;
    let before = ann.get(&format!("/api/calendars/{default}")).await.json();
    // One property it cannot set, and none is set (RFC 4918 §9.2): 403 for it, 424 for the rest.
    let refused = entries(&dav.send("PROPPATCH", &dav.calendar(default), Some(patch), &[]).await);
    assert!(refused[0].status_of("other").unwrap().contains(" 403 "), "{refused:?}");
    for name in ["displayname", "calendar-color", "calendar-description"] {
        assert!(refused[0].status_of(name).unwrap().contains(" 424 "), "{name}: {refused:?}");
    }
    assert_eq!(ann.get(&format!("/api/calendars/{default}")).await.json(), before);
    // Without it, every part is set.
    let patch = patch.replace("<z:other>1</z:other>", "");
    let patched = entries(&dav.send("PROPPATCH", &dav.calendar(default), Some(patch.as_str()), &[]).await);
    for name in ["displayname", "calendar-color", "calendar-description"] {
        assert!(patched[0].status_of(name).unwrap().contains(" 200 "), "{name}: {patched:?}");
    }
    let row = ann.get(&format!("/api/calendars/{default}")).await.json();
    assert_eq!(
        (row["name"].as_str(), row["colour"].as_str(), row["description"].as_str()),
        (Some("Home & away"), Some("#336699"), Some("Ours"))
    );

    let make = r#"<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>Club</d:displayname></d:prop></d:set></c:mkcalendar>"#;
    let created = dav.send("MKCALENDAR", &format!("{}0f3e-new/", dav.home()), Some(make), &[]).await;
    assert_eq!(created.status, 201, "{}", created.body);
    // The calendar lives at the URL the client chose, and the home lists it there.
    let location = created.header("location").unwrap().to_string();
    assert_eq!(location, format!("{}0f3e-new/", dav.home()));
    let found = entries(&dav.propfind(&location, "0", &prop_body(&["d:displayname"])).await);
    assert_eq!(found[0].text("displayname"), "Club");
    let home = entries(&dav.propfind(&dav.home(), "1", &prop_body(&["d:displayname"])).await);
    assert!(home.iter().any(|e| e.href == location && e.text("displayname") == "Club"), "{home:?}");
    let put = dav
        .put(&format!("{location}x.ics"), &event_ics("club-1", "Meet", "20300105T100000Z", "20300105T110000Z"), &[])
        .await;
    assert_eq!(put.status, 201, "{}", put.body);
    let listed = entries(&dav.propfind(&location, "1", &prop_body(&["d:getetag"])).await);
    assert!(listed.iter().any(|e| e.href == format!("{location}x.ics")), "{listed:?}");
    assert_eq!(dav.send("MKCALENDAR", &location, Some(make), &[]).await.status, 405);
    let tasks = r#"<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><c:supported-calendar-component-set><c:comp name="VTODO"/></c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>"#;
    let refused = dav.send("MKCALENDAR", &format!("{}tasks/", dav.home()), Some(tasks), &[]).await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("supported-calendar-component"), "{}", refused.body);
    assert_eq!(
        dav.put(
            &format!("{}nobody/x.ics", dav.home()),
            &event_ics("n", "N", "20300105T100000Z", "20300105T110000Z"),
            &[]
        )
        .await
        .status,
        404
    );
    assert_eq!(dav.send("MKCALENDAR", &format!("{}todos/", dav.home()), None, &[]).await.status, 405);

    let refused = dav.send("DELETE", &dav.calendar(default), None, &[]).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("default"), "{}", refused.body);
    assert_eq!(dav.send("DELETE", &location, None, &[]).await.status, 204);
    assert_eq!(dav.propfind(&location, "0", &prop_body(&["d:displayname"])).await.status, 404);
}

/// What the API refuses in a series is refused over DAV too: one member's phone must not be
/// able to store a series every range read of the shared calendar then fails on.
#[tokio::test]
async fn a_series_the_api_would_refuse_is_refused_over_dav() {
    let app = app().await;
    let (alice, dav) = dav_user(&app, "alice").await;
    let calendar = dav.calendar(default_calendar_id(&alice).await);
    let with_rule = |uid: &str, start: &str, end: &str, rule: &str| {
        event_ics(uid, "Series", start, end).replace("END:VEVENT", &format!("RRULE:{rule}\r\nEND:VEVENT"))
    };
    let cases = [
        with_rule("long", "20200101T000000Z", "20400101T000000Z", "FREQ=DAILY"),
        with_rule("never", "20270101T090000Z", "20270101T100000Z", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"),
    ];
    for body in &cases {
        let refused = dav.put(&format!("{calendar}x.ics"), body, &[]).await;
        assert_eq!(refused.status, 403, "{}", refused.body);
        assert!(refused.body.contains("valid-calendar-object-resource"), "{}", refused.body);
        let reason = refused.header("x-umbra-reason").unwrap_or_default();
        assert!(reason.bytes().all(|b| (0x20..0x7f).contains(&b)), "a printable header: {reason:?}");
    }
    assert_eq!(alice.get("/api/events?start=2027-01-01T00:00:00Z&end=2027-02-01T00:00:00Z").await.status, 200);
    let fine = with_rule("weekly", "20270101T090000Z", "20270101T100000Z", "FREQ=WEEKLY;COUNT=3");
    assert_eq!(dav.put(&format!("{calendar}weekly.ics"), &fine, &[]).await.status, 201);
}

/// A new event under a deleted one's name never repeats its ETag, so a client's stale
/// `If-Match` cannot overwrite the newcomer.
#[tokio::test]
async fn a_recreated_object_gets_a_new_etag() {
    let app = app().await;
    let (alice, dav) = dav_user(&app, "alice").await;
    let path = format!("{}same.ics", dav.calendar(default_calendar_id(&alice).await));
    let first = dav.put(&path, &event_ics("same", "First", "20270101T090000Z", "20270101T100000Z"), &[]).await;
    let old_tag = first.header("etag").unwrap().to_string();
    assert_eq!(dav.send("DELETE", &path, None, &[]).await.status, 204);
    let second = dav.put(&path, &event_ics("same", "Second", "20270102T090000Z", "20270102T100000Z"), &[]).await;
    assert_eq!(second.status, 201);
    assert_ne!(second.header("etag").unwrap(), old_tag);
    let stale = event_ics("same", "Stale", "20270103T090000Z", "20270103T100000Z");
    assert_eq!(dav.put(&path, &stale, &[("If-Match", &old_tag)]).await.status, 412);
    assert!(dav.send("GET", &path, None, &[]).await.body.contains("SUMMARY:Second"));
}

/// DAV requests count on the user's own budget too, as signed-in requests do: one account's
/// client spread over many addresses is still bounded.
#[tokio::test]
async fn dav_requests_count_on_the_users_budget() {
    let app = crate::harness::app_with(|config| {
        config.rate_limits.user_per_minute = 1;
        config.rate_limits.user_burst = 12;
    })
    .await;
    let (_, dav) = dav_user(&app, "alice").await;
    let statuses: Vec<u16> = {
        let mut seen = Vec::new();
        for _ in 0..12 {
            seen.push(dav.propfind("/dav/", "0", &prop_body(&["current-user-principal"])).await.status);
        }
        seen
    };
    assert_eq!(statuses.first(), Some(&207), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&429), "the budget ran out: {statuses:?}");
    let first_refusal = statuses.iter().position(|s| *s == 429).unwrap();
    assert!(statuses[first_refusal..].iter().all(|s| *s == 429), "{statuses:?}");
}

/// Two clients writing the same version at once: one wins, the other is told the resource
/// changed (412) — never both (on PostgreSQL the row is locked for the check).
#[tokio::test]
async fn two_writers_with_the_same_etag_do_not_both_win() {
    let app = app().await;
    let (alice, dav) = dav_user(&app, "alice").await;
    let path = format!("{}race.ics", dav.calendar(default_calendar_id(&alice).await));
    let made = dav.put(&path, &event_ics("race", "Start", "20270101T090000Z", "20270101T100000Z"), &[]).await;
    let tag = made.header("etag").unwrap().to_string();
    let (one, two) = (
        event_ics("race", "Phone", "20270101T090000Z", "20270101T100000Z"),
        event_ics("race", "Laptop", "20270101T090000Z", "20270101T100000Z"),
    );
    let if_match = [("If-Match", tag.as_str())];
    let (a, b) = tokio::join!(dav.put(&path, &one, &if_match), dav.put(&path, &two, &if_match));
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [204, 412], "{} / {}", a.body, b.body);
}

/// Two MKCALENDARs to one URL at once: one calendar is made there, the other request is told
/// the resource exists (405), and no unreachable calendar is left behind.
#[tokio::test]
async fn concurrent_mkcalendars_to_one_url_make_one_calendar() {
    let app = app().await;
    let (alice, dav) = dav_user(&app, "alice").await;
    let path = format!("{}shared-url/", dav.home());
    let body = r#"<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>Trips</D:displayname></D:prop></D:set></C:mkcalendar>"#;
    let (a, b) =
        tokio::join!(dav.send("MKCALENDAR", &path, Some(body), &[]), dav.send("MKCALENDAR", &path, Some(body), &[]));
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 405], "{} / {}", a.body, b.body);
    let calendars = alice.get("/api/calendars").await.json();
    let trips = calendars["items"].as_array().unwrap().iter().filter(|c| c["name"] == "Trips").count();
    assert_eq!(trips, 1, "{calendars}");
}
