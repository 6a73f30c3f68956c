//! The properties UMBRA keeps for a client have one cap on todos and contacts as on events
//! (`EXTRA_MAX_BYTES`): a PUT over it is refused (403 with the CalDAV `valid-calendar-data`
//! or CardDAV `valid-address-data` condition and a reason), and nothing is stored: a new
//! object is not made, an existing one keeps its version.

use umbra::dav::per_user::EXTRA_MAX_BYTES;

use crate::dav_kit::{Dav, dav_user};
use crate::harness::app;

/// Unknown property lines adding up to just over the cap.
fn too_many_lines() -> String {
    let line = format!("X-CLIENT-NOTE:{}\r\n", "n".repeat(1_000));
    line.repeat(EXTRA_MAX_BYTES / 1_000 + 1)
}

/// The object at `path` made from `small`, then `large` PUT over it and `large_new` (another
/// UID) PUT as a new object at `new_path`: both refused whole with `condition`.
struct Case<'a> {
    path: &'a str,
    small: String,
    large: String,
    new_path: &'a str,
    large_new: String,
    condition: &'a str,
}

async fn refused_whole(dav: &Dav<'_>, case: Case<'_>) {
    let created = dav.put(case.path, &case.small, &[]).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let etag = created.header("etag").unwrap().to_string();

    let over = dav.put(case.path, &case.large, &[]).await;
    assert_eq!(over.status, 403, "{}", over.body);
    assert!(over.body.contains(case.condition), "{}", over.body);
    let reason = over.header("x-umbra-reason").unwrap_or_default();
    assert!(reason.contains(&EXTRA_MAX_BYTES.to_string()), "{reason}");
    let kept = dav.send("GET", case.path, None, &[]).await;
    assert_eq!(kept.header("etag"), Some(etag.as_str()), "the stored version is untouched");
    assert!(!kept.body.contains("X-CLIENT-NOTE"), "{}", kept.body);

    let fresh = dav.put(case.new_path, &case.large_new, &[]).await;
    assert_eq!(fresh.status, 403, "{}", fresh.body);
    assert!(fresh.body.contains(case.condition), "{}", fresh.body);
    assert_eq!(dav.send("GET", case.new_path, None, &[]).await.status, 404, "no object was made");
}

#[tokio::test]
async fn a_todo_with_too_many_unknown_properties_is_refused() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let todo = |uid: &str, extra: &str| {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTODO\r\nUID:{uid}\r\n\
             DTSTAMP:20270101T000000Z\r\nSUMMARY:Buy {uid}\r\n{extra}END:VTODO\r\nEND:VCALENDAR\r\n"
        )
    };
    let large = too_many_lines();
    let case = Case {
        path: "/dav/calendars/ann/todos/milk.ics",
        small: todo("milk", ""),
        large: todo("milk", &large),
        new_path: "/dav/calendars/ann/todos/bread.ics",
        large_new: todo("bread", &large),
        condition: "valid-calendar-data",
    };
    refused_whole(&dav, case).await;
    let todos = ann.get("/api/todos?status=all").await.json();
    assert_eq!(todos["items"].as_array().unwrap().len(), 1, "{todos}");
}

#[tokio::test]
async fn a_card_with_too_many_unknown_properties_is_refused() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let card = |uid: &str, extra: &str| {
        format!("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:Person {uid}\r\n{extra}END:VCARD\r\n")
    };
    let large = too_many_lines();
    let case = Case {
        path: "/dav/addressbooks/ann/contacts/grace.vcf",
        small: card("grace", ""),
        large: card("grace", &large),
        new_path: "/dav/addressbooks/ann/contacts/alan.vcf",
        large_new: card("alan", &large),
        condition: "valid-address-data",
    };
    refused_whole(&dav, case).await;
    let people = ann.get("/api/people").await.json();
    assert_eq!(people["items"].as_array().unwrap().len(), 1, "{people}");
}
