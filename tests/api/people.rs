//! `/api/people`: CRUD and filters, the field rules, upcoming birthdays (29 February, ages,
//! the year end), vCard export and import (escaping, folding, round trip, atomicity, UID
//! matching, limits) and the 404 matrix against a second user.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rocket::http::Method;
use serde_json::{Value, json};

use crate::harness::{Persona, TestApp, app};

async fn create(user: &Persona<'_>, body: Value) -> Value {
    let response = user.post("/api/people", body).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()
}

fn fields_of(problem: &Value) -> Vec<String> {
    let mut fields: Vec<String> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
    fields.sort();
    fields
}

fn names(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect()
}

pub(crate) async fn import(user: &Persona<'_>, text: &str) -> crate::harness::Resp {
    user.request(
        Method::Post,
        "/api/people/import",
        Some(text),
        &[("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "text/vcard")],
    )
    .await
}

/// The app's "today" (UTC).
fn today(app: &TestApp) -> NaiveDate {
    DateTime::<Utc>::from_timestamp_millis(app.clock.now_millis()).unwrap().date_naive()
}

/// A fresh app whose clock reads noon UTC on `date` (users sign in after the jump).
async fn app_on_day(date: &str) -> TestApp {
    let app = app().await;
    let target = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap().and_hms_opt(12, 0, 0).unwrap().and_utc();
    let minutes = (target.timestamp_millis() - app.clock.now_millis()) / 60_000;
    assert!(minutes > 0, "the test dates lie in the future");
    app.clock.advance_minutes(minutes);
    app
}

#[tokio::test]
async fn people_are_created_listed_filtered_changed_and_deleted() {
    let app = app().await;
    let alice = app.user("alice").await;
    let zoe = create(
        &alice,
        json!({"name": "Zoë Zed", "nickname": "Zo", "emails": [{"label": "work", "value": "zoe@Example.org"}],
               "phones": [{"label": "mobile", "value": "+44 (20) 1234-567"}], "birthday": "1990-05-17",
               "address": "1 Road\nTown", "notes": "likes tea", "tags": ["family", " friends ", "family"],
               "favourite": true}),
    )
    .await;
    assert_eq!(zoe["tags"], json!(["family", "friends"]), "tags trimmed and de-duplicated");
    assert!(zoe["uid"].as_str().unwrap().starts_with("urn:uuid:"));
    assert_eq!(zoe["favourite"], true);
    assert!(zoe["created_at"].as_str().unwrap().ends_with('Z'));
    create(&alice, json!({"name": "adam", "tags": ["work"]})).await;
    create(&alice, json!({"name": "Bea", "nickname": "Bumble", "birthday": "--02-29"})).await;

    assert_eq!(names(&alice.get("/api/people").await.json()), ["adam", "Bea", "Zoë Zed"]);
    assert_eq!(names(&alice.get("/api/people?q=EXAMPLE.ORG").await.json()), ["Zoë Zed"], "q over e-mails");
    assert_eq!(names(&alice.get("/api/people?q=bumb").await.json()), ["Bea"], "q over nicknames");
    assert_eq!(names(&alice.get("/api/people?q=label").await.json()).len(), 0, "not the stored JSON's keys");
    assert_eq!(names(&alice.get("/api/people?q=work").await.json()).len(), 0, "nor the labels");
    assert_eq!(names(&alice.get("/api/people?tag=family").await.json()), ["Zoë Zed"]);
    assert_eq!(names(&alice.get("/api/people?tag=fam").await.json()).len(), 0, "tags match exactly");
    assert_eq!(names(&alice.get("/api/people?favourite=true").await.json()), ["Zoë Zed"]);
    assert_eq!(names(&alice.get("/api/people?favourite=false").await.json()), ["adam", "Bea"]);
    alice.get("/api/people?favourite=maybe").await.problem(422);
    let page = alice.get("/api/people?limit=2&offset=2").await.json();
    assert_eq!((page["total"].clone(), names(&page)), (json!(3), vec!["Zoë Zed".to_string()]));

    let path = format!("/api/people/{}", zoe["id"]);
    let changed = alice.patch(&path, json!({"birthday": null, "favourite": false, "tags": ["x"]})).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let changed = changed.json();
    assert_eq!((changed["birthday"].clone(), changed["favourite"].clone()), (Value::Null, json!(false)));
    assert_eq!(changed["emails"], zoe["emails"], "absent fields stay");
    assert_eq!(changed["uid"], zoe["uid"]);
    assert_eq!(names(&alice.get("/api/people?tag=family").await.json()).len(), 0, "tag rows follow the patch");
    assert_eq!(names(&alice.get("/api/people?tag=x").await.json()), ["Zoë Zed"]);
    assert_eq!(alice.delete(&path).await.status, 204);
    alice.get(&path).await.problem(404);

    // Case-insensitive beyond ASCII, on both databases.
    create(&alice, json!({"name": "Élodie", "emails": [{"label": "", "value": "ÉLO@example.org"}]})).await;
    assert_eq!(names(&alice.get("/api/people?q=%C3%A9LOD").await.json()), ["Élodie"]);
    assert_eq!(names(&alice.get("/api/people?q=%C3%A9lo%40").await.json()), ["Élodie"]);
}

#[tokio::test]
async fn fields_are_checked_all_at_once() {
    let app = app().await;
    let alice = app.user("alice").await;
    let problem = alice
        .post(
            "/api/people",
            json!({"name": "", "nickname": "n".repeat(201), "emails": [{"label": "", "value": "not an address"}],
                   "phones": [{"label": "l".repeat(41), "value": "call me"}], "birthday": "2027-02-29",
                   "tags": ["ok", "", "t".repeat(41)], "notes": "n".repeat(10_001), "address": "a".repeat(1001)}),
        )
        .await
        .problem(422);
    assert_eq!(
        fields_of(&problem),
        [
            "address",
            "birthday",
            "emails[0].value",
            "name",
            "nickname",
            "notes",
            "phones[0].label",
            "phones[0].value",
            "tags[1]",
            "tags[2]"
        ]
    );
    for bad in ["--02-30", "2026-13-01", "1990-5-17", "17.05.1990", "--0229"] {
        let problem = alice.post("/api/people", json!({"name": "x", "birthday": bad})).await.problem(422);
        assert_eq!(fields_of(&problem), ["birthday"], "{bad}");
    }
    for good in ["2024-02-29", "--02-29", "--12-31"] {
        assert_eq!(create(&alice, json!({"name": "x", "birthday": good})).await["birthday"], good);
    }
    let many =
        |n: usize| (0..n).map(|i| json!({"label": "", "value": format!("p{i}@example.org")})).collect::<Vec<_>>();
    assert_eq!(create(&alice, json!({"name": "x", "emails": many(20)})).await["emails"].as_array().unwrap().len(), 20);
    assert_eq!(
        fields_of(&alice.post("/api/people", json!({"name": "x", "emails": many(21)})).await.problem(422)),
        ["emails"]
    );
    let tags: Vec<String> = (0..31).map(|i| format!("t{i}")).collect();
    assert_eq!(fields_of(&alice.post("/api/people", json!({"name": "x", "tags": tags})).await.problem(422)), ["tags"]);
    let phone =
        alice.post("/api/people", json!({"name": "x", "phones": [{"label": "", "value": "1".repeat(41)}]})).await;
    assert_eq!(fields_of(&phone.problem(422)), ["phones[0].value"]);
    // Unknown, server-owned and mistyped fields; malformed JSON; a nulled name.
    for body in [
        json!({"name": "x", "uid": "mine"}),
        json!({"name": "x", "id": 3}),
        json!({"name": "x", "created_at": "2020-01-01T00:00:00Z"}),
        json!({"name": "x", "emails": [{"value": "a@b.cd", "primary": true}]}),
        json!({"name": "x", "favourite": "yes"}),
        json!({"name": "x", "tags": "family"}),
    ] {
        alice.post("/api/people", body).await.problem(422);
    }
    let malformed = alice
        .request(
            Method::Post,
            "/api/people",
            Some("{\"name\": \"x\""),
            &[("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")],
        )
        .await;
    malformed.problem(400);
    let id = create(&alice, json!({"name": "Keep"})).await["id"].as_i64().unwrap();
    let path = format!("/api/people/{id}");
    assert_eq!(
        fields_of(&alice.patch(&path, json!({"name": null, "favourite": null})).await.problem(422)),
        ["favourite", "name"]
    );
    alice.patch(&path, json!({"uid": "x"})).await.problem(422);
    let huge = alice.post("/api/people", json!({"name": "x", "notes": "n".repeat(70_000)})).await;
    huge.problem(413);
    assert_eq!(alice.get(&path).await.json()["name"], "Keep");
}

#[tokio::test]
async fn upcoming_birthdays_come_in_order_with_ages() {
    let app = app().await;
    let alice = app.user("alice").await;
    let today = today(&app);
    let in_days = |n: i64| today + Duration::days(n);
    let soon = in_days(3);
    let born = NaiveDate::from_ymd_opt(soon.year() - 30, soon.month(), soon.day())
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(soon.year() - 32, soon.month(), soon.day()).unwrap());
    create(&alice, json!({"name": "Soon", "birthday": born.format("%Y-%m-%d").to_string()})).await;
    create(&alice, json!({"name": "Today", "birthday": today.format("--%m-%d").to_string()})).await;
    create(&alice, json!({"name": "Later", "birthday": in_days(40).format("--%m-%d").to_string()})).await;
    create(&alice, json!({"name": "Nobody"})).await;

    let list = alice.get("/api/people/birthdays").await.json();
    assert_eq!(names(&list), ["Today", "Soon"], "30 days by default, soonest first");
    let first = &list["items"][0];
    assert_eq!((first["days_until"].clone(), first["turns"].clone()), (json!(0), Value::Null));
    assert_eq!(first["date"], today.format("%Y-%m-%d").to_string());
    let second = &list["items"][1];
    assert_eq!(second["days_until"], 3);
    assert_eq!(second["turns"], soon.year() - born.year());
    assert_eq!(second["date"], soon.format("%Y-%m-%d").to_string());
    assert_eq!(names(&alice.get("/api/people/birthdays?days=60").await.json()), ["Today", "Soon", "Later"]);
    assert_eq!(names(&alice.get("/api/people/birthdays?days=1").await.json()), ["Today"]);
    for bad in ["0", "367", "soon"] {
        alice.get(&format!("/api/people/birthdays?days={bad}")).await.problem(422);
    }
    alice.get("/api/people/birthdays?tz=Mars/Olympus").await.problem(422);
    assert_eq!(alice.get("/api/people/birthdays?tz=Pacific/Kiritimati").await.status, 200);
}

#[tokio::test]
async fn leap_day_birthdays_fall_on_28_february_in_common_years() {
    let app = app_on_day("2027-02-20").await;
    let alice = app.user("alice").await;
    create(&alice, json!({"name": "Leap", "birthday": "2000-02-29"})).await;
    create(&alice, json!({"name": "No year", "birthday": "--02-29"})).await;
    create(&alice, json!({"name": "March", "birthday": "2001-03-01"})).await;
    let list = alice.get("/api/people/birthdays").await.json();
    assert_eq!(names(&list), ["Leap", "No year", "March"]);
    assert_eq!(list["items"][0]["date"], "2027-02-28");
    assert_eq!((list["items"][0]["days_until"].clone(), list["items"][0]["turns"].clone()), (json!(8), json!(27)));
    assert_eq!(
        (list["items"][1]["date"].clone(), list["items"][1]["turns"].clone()),
        (json!("2027-02-28"), Value::Null)
    );
    assert_eq!((list["items"][2]["date"].clone(), list["items"][2]["turns"].clone()), (json!("2027-03-01"), json!(26)));

    let leap_year = app_on_day("2028-02-20").await;
    let alice = leap_year.user("alice").await;
    create(&alice, json!({"name": "Leap", "birthday": "2000-02-29"})).await;
    let list = alice.get("/api/people/birthdays").await.json();
    assert_eq!((list["items"][0]["date"].clone(), list["items"][0]["turns"].clone()), (json!("2028-02-29"), json!(28)));
}

#[tokio::test]
async fn birthdays_are_ordered_across_the_year_end() {
    let app = app_on_day("2026-12-30").await;
    let alice = app.user("alice").await;
    create(&alice, json!({"name": "January", "birthday": "1980-01-02"})).await;
    create(&alice, json!({"name": "December", "birthday": "1980-12-31"})).await;
    create(&alice, json!({"name": "Past", "birthday": "1980-12-29"})).await;
    let list = alice.get("/api/people/birthdays").await.json();
    assert_eq!(names(&list), ["December", "January"], "yesterday's birthday is a year away");
    assert_eq!((list["items"][1]["date"].clone(), list["items"][1]["turns"].clone()), (json!("2027-01-02"), json!(47)));
    assert_eq!((list["items"][0]["days_until"].clone(), list["items"][1]["days_until"].clone()), (json!(1), json!(3)));
    let year = alice.get("/api/people/birthdays?days=366").await.json();
    assert_eq!(names(&year), ["December", "January", "Past"]);
    assert_eq!(year["items"][2]["days_until"], 364);
}

const TRICKY_NOTES: &str =
    "Commas, semicolons; back\\slashes\nand new lines — ünïcödé 😀 long long long long long long long";

#[tokio::test]
async fn vcard_export_escapes_folds_and_round_trips() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let location = alice.post("/api/locations", json!({"name": "Home"})).await.json();
    create(
        &alice,
        json!({"name": "O'Brien, Zoë; Jr.", "nickname": "Zo", "birthday": "--02-29", "favourite": true,
               "emails": [{"label": "work", "value": "zoe@example.org"}, {"label": "", "value": "z2@example.org"}],
               "phones": [{"label": "cell, main", "value": "+1 (555) 010-99"}], "address": "1 Road; Flat 2\nTown, Shire",
               "notes": TRICKY_NOTES.repeat(3), "tags": ["family", "a,b;c"], "location_id": location["id"]}),
    )
    .await;
    create(&alice, json!({"name": "Plain", "birthday": "1985-04-12"})).await;

    let export = alice.get("/api/people/export.vcf").await;
    assert_eq!(export.status, 200);
    assert_eq!(export.header("content-type"), Some("text/vcard; charset=utf-8"));
    assert!(export.header("content-disposition").unwrap().starts_with("attachment"));
    let text = &export.body;
    assert!(text.contains("FN:O'Brien\\, Zoë\\; Jr.\r\n"), "{text}");
    assert!(text.contains("BDAY:--0229\r\n") && text.contains("BDAY:19850412\r\n"));
    assert!(text.contains("CATEGORIES:family,a\\,b\\;c\r\n"));
    let unfolded = text.replace("\r\n ", "");
    assert!(unfolded.contains("back\\\\slashes\\nand"), "{unfolded}");
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "line of {} octets: {line}", line.len());
    }
    assert!(text.contains("\r\n "), "long lines are folded");
    assert_eq!(text.matches("BEGIN:VCARD").count(), 2);

    let imported = import(&bob, text).await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert_eq!(imported.json(), json!({"created": 2, "updated": 0, "unknown_properties": []}));
    let theirs = alice.get("/api/people").await.json();
    let mine = bob.get("/api/people").await.json();
    let strip = |list: &Value| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let mut p = p.clone();
                for key in ["id", "created_at", "updated_at", "location_id", "location_name"] {
                    p.as_object_mut().unwrap().remove(key);
                }
                p
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&mine), strip(&theirs), "the same people, UIDs included");
    assert_eq!(mine["items"][0]["location_id"], Value::Null, "no link to someone else's location");

    // ?ids= narrows the export.
    let plain_id = theirs["items"].as_array().unwrap().iter().find(|p| p["name"] == "Plain").unwrap()["id"].clone();
    let one = alice.get(&format!("/api/people/export.vcf?ids={plain_id}")).await;
    assert_eq!(one.body.matches("BEGIN:VCARD").count(), 1);
    assert!(one.body.contains("FN:Plain"));
    alice.get("/api/people/export.vcf?ids=1,x").await.problem(422);
    alice.get("/api/people/export.vcf?ids=").await.problem(422);
}

fn card(name: &str, uid: &str, extra: &str) -> String {
    format!("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:{uid}\r\nFN:{name}\r\n{extra}END:VCARD\r\n")
}

#[tokio::test]
async fn import_is_atomic_names_the_broken_card_and_matches_uids() {
    let app = app().await;
    let alice = app.user("alice").await;
    // The third card's BDAY is no date: nothing of the file is imported.
    let broken = [
        card("One", "u1", ""),
        card("Two", "u2", ""),
        card("Three", "u3", "NOTE:fine\r\nBDAY:2027-02-29\r\n"),
        card("Four", "u4", ""),
    ]
    .concat();
    let problem = import(&alice, &broken).await.problem(422);
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("Card 3") && detail.contains("Three") && detail.contains("line 16"), "{detail}");
    assert_eq!(alice.get("/api/people").await.json()["total"], 0, "nothing half-imported");
    // A syntax error (a line without a colon) and an invalid e-mail are named the same way.
    let garbage = [card("One", "u1", ""), card("Two", "u2", "this is not a property\r\n")].concat();
    let detail = import(&alice, &garbage).await.problem(422)["detail"].as_str().unwrap().to_string();
    assert!(detail.contains("Card 2") && detail.contains("line 10"), "{detail}");
    let bad_email = card("Mail", "u9", "EMAIL:nope\r\n");
    let detail = import(&alice, &bad_email).await.problem(422)["detail"].as_str().unwrap().to_string();
    assert!(detail.contains("Card 1") && detail.contains("line 5") && detail.contains("emails"), "{detail}");
    import(&alice, "BEGIN:VCARD\r\nFN:Never ends\r\n").await.problem(422);
    import(&alice, &card("", "u0", "")).await.problem(422);
    // What a lenient reader would let through is refused too, with the card and the line: a
    // card inside a card, a line without a property name, an END that is not END:VCARD, no FN.
    for (text, line) in [
        ("BEGIN:VCARD\r\nFN:Outer\r\nBEGIN:VCARD\r\nFN:Inner\r\nEND:VCARD\r\n", 3),
        ("BEGIN:VCARD\r\nFN:Nameless\r\n:value\r\nEND:VCARD\r\n", 3),
        ("BEGIN:VCARD\r\nFN:Odd end\r\nEND:VCALENDAR\r\n", 3),
        ("BEGIN:VCARD\r\nNOTE:no name\r\nEND:VCARD\r\n", 1),
    ] {
        let detail = import(&alice, text).await.problem(422)["detail"].as_str().unwrap().to_string();
        assert!(detail.contains("Card 1") && detail.contains(&format!("line {line}:")), "{detail}");
    }
    assert_eq!(alice.get("/api/people").await.json()["total"], 0);

    let good = [
        card("One", "u1", "X-FOO:bar\r\nORG:Acme\r\n"),
        card("Two", "u2", "CATEGORIES:club\r\nX-FOO:baz\r\n"),
        "BEGIN:VCARD\nVERSION:3.0\nN:Three;;;;\nFN:Three\nEMAIL;TYPE=INTERNET,HOME:t@example.org\nTEL;TYPE=CELL:+1 555\n\
         BDAY:1970-01-01\nEND:VCARD\n"
            .to_string(),
    ]
    .concat();
    let first = import(&alice, &good).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let first = first.json();
    assert_eq!((first["created"].clone(), first["updated"].clone()), (json!(3), json!(0)));
    assert_eq!(
        first["unknown_properties"],
        json!([{"card": 1, "property": "X-FOO"}, {"card": 1, "property": "ORG"}, {"card": 2, "property": "X-FOO"}])
    );
    let three = alice.get("/api/people?q=three").await.json()["items"][0].clone();
    assert_eq!(three["emails"], json!([{"label": "HOME", "value": "t@example.org"}]));
    assert_eq!(three["birthday"], "1970-01-01");

    let one = alice.get("/api/people?q=one").await.json()["items"][0].clone();
    alice.patch(&format!("/api/people/{}", one["id"]), json!({"notes": "edited"})).await;
    let again = import(&alice, &good).await.json();
    assert_eq!((again["created"].clone(), again["updated"].clone()), (json!(1), json!(2)), "cards without UID are new");
    assert_eq!(alice.get("/api/people?q=one").await.json()["total"], 1, "a UID match updates, never duplicates");
    assert_eq!(alice.get("/api/people?q=one").await.json()["items"][0]["notes"], "", "the file wins");
}

#[tokio::test]
async fn import_checks_content_type_and_size() {
    let app = app().await;
    let alice = app.user("alice").await;
    let text = card("One", "u1", "");
    let as_json = alice
        .request(
            Method::Post,
            "/api/people/import",
            Some(&text),
            &[("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")],
        )
        .await;
    as_json.problem(415);
    let no_type =
        alice.request(Method::Post, "/api/people/import", Some(&text), &[("X-Requested-With", "XMLHttpRequest")]).await;
    no_type.problem(415);
    let without_csrf =
        alice.request(Method::Post, "/api/people/import", Some(&text), &[("Content-Type", "text/vcard")]).await;
    without_csrf.problem(403);
    let charset = alice
        .request(
            Method::Post,
            "/api/people/import",
            Some(&text),
            &[("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "text/vcard; charset=utf-8")],
        )
        .await;
    assert_eq!(charset.status, 200, "{}", charset.body);

    // Just under 5 MiB is read (and judged on its content); just over is a 413.
    let filler = format!("NOTE:{}\r\n", "x".repeat(70));
    let mut big = String::from("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Big\r\n");
    while big.len() + filler.len() < 5 * 1024 * 1024 - 20 {
        big.push_str(&filler);
    }
    big.push_str("END:VCARD\r\n");
    assert!(big.len() <= 5 * 1024 * 1024);
    let under = import(&alice, &big).await;
    assert_eq!(under.status, 422, "notes over 10,000 characters: read and judged, {}", under.detail());
    big.push_str(&filler);
    big.push_str(&filler);
    import(&alice, &big).await.problem(413);
    assert_eq!(alice.get("/api/people").await.json()["total"], 1);
}

#[tokio::test]
async fn another_users_people_are_404_everywhere() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let ann = create(&alice, json!({"name": "Ann", "birthday": "--01-01", "tags": ["x"]})).await;
    let id = ann["id"].as_i64().unwrap();
    let path = format!("/api/people/{id}");
    let own = create(&bob, json!({"name": "Bo"})).await["id"].as_i64().unwrap();

    bob.get(&path).await.problem(404);
    bob.patch(&path, json!({"name": "stolen"})).await.problem(404);
    bob.delete(&path).await.problem(404);
    bob.get(&format!("/api/people/export.vcf?ids={id}")).await.problem(404);
    bob.get(&format!("/api/people/export.vcf?ids={own},{id}")).await.problem(404);
    assert_eq!(names(&bob.get("/api/people").await.json()), ["Bo"]);
    assert_eq!(names(&bob.get("/api/people?tag=x").await.json()).len(), 0);
    assert_eq!(bob.get("/api/people/birthdays?days=366").await.json()["total"], 0);
    assert!(!bob.get("/api/people/export.vcf").await.body.contains("Ann"));
    // Importing alice's UID makes bob a person of his own; alice's stays as it was.
    let stolen = card("Stolen", ann["uid"].as_str().unwrap(), "");
    assert_eq!(import(&bob, &stolen).await.json()["created"], 1);

    let after = alice.get(&path).await.json();
    assert_eq!(after, ann, "alice's person is untouched");
    assert_eq!(alice.get("/api/people").await.json()["total"], 1);
}

#[tokio::test]
async fn signed_out_is_401_and_locked_is_423() {
    let app = app().await;
    let alice = app.user("alice").await;
    let id = create(&alice, json!({"name": "Ann"})).await["id"].as_i64().unwrap();
    let path = format!("/api/people/{id}");
    let text = card("One", "u1", "");
    let anonymous = app.anonymous();
    assert_eq!(alice.post_empty("/api/auth/lock").await.status, 204);
    for (user, status) in [(&anonymous, 401), (&alice, 423)] {
        user.get("/api/people").await.problem(status);
        user.post("/api/people", json!({"name": "x"})).await.problem(status);
        user.get(&path).await.problem(status);
        user.patch(&path, json!({"name": "x"})).await.problem(status);
        user.delete(&path).await.problem(status);
        user.get("/api/people/birthdays").await.problem(status);
        user.get("/api/people/export.vcf").await.problem(status);
        import(user, &text).await.problem(status);
    }
}

/// One import at a time per server: while one runs, another is told to come back (503 with
/// Retry-After) and nothing of it is imported; afterwards it goes through.
#[tokio::test]
async fn a_second_import_waits_its_turn() {
    let app = app().await;
    let alice = app.user("alice").await;
    let card = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada\r\nEND:VCARD\r\n";
    let state = app.client.rocket().state::<umbra::server::AppState>().unwrap();
    let running = state.import_turn.try_acquire().unwrap();
    let busy = import(&alice, card).await;
    assert_eq!((busy.status, busy.header("retry-after").is_some()), (503, true), "{}", busy.body);
    assert_eq!(alice.get("/api/people").await.json()["total"], 0);
    drop(running);
    assert_eq!(import(&alice, card).await.status, 200);
    assert_eq!(alice.get("/api/people").await.json()["total"], 1);
}
