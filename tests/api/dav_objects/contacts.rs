//! The address book: vCards ↔ the API's people.

use std::sync::Arc;

use rocket::http::Method;
use serde_json::{Value, json};
use umbra::dav::auth::DavAccount;
use umbra::dav::contact_objects as contacts;
use umbra::dav::store::{DavError, Precondition};

use super::{ctx, dav_user, names, precondition_failed, refusal};
use crate::harness::{Persona, TestApp, app, app_on};

fn vcard(version: &str, uid: &str, lines: &str) -> String {
    format!("BEGIN:VCARD\r\nVERSION:{version}\r\nUID:{uid}\r\n{lines}END:VCARD\r\n")
}

async fn api_people(user: &Persona<'_>) -> Vec<Value> {
    user.get("/api/people").await.json()["items"].as_array().unwrap().clone()
}

async fn body(app: &TestApp, account: &DavAccount, name: &str) -> String {
    let found = contacts::get(ctx(app), account, &[name.to_string()]).await.unwrap();
    assert_eq!(found.len(), 1, "{name}");
    found[0].body.clone()
}

async fn etag_of(app: &TestApp, account: &DavAccount, name: &str) -> String {
    let list = contacts::list(ctx(app), account).await.unwrap();
    list.into_iter().find(|m| m.name == name).map_or_else(|| panic!("{name} is listed"), |m| m.etag)
}

async fn import(user: &Persona<'_>, text: &str) -> u16 {
    let headers = [("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "text/vcard")];
    user.request(Method::Post, "/api/people/import", Some(text), &headers).await.status
}

#[tokio::test]
async fn a_person_made_in_the_app_reads_as_a_vcard_3() {
    let app = app().await;
    let (alice, account) = dav_user(&app, "alice").await;
    let made = alice
        .post(
            "/api/people",
            json!({"name": "Grace Hopper", "emails": [{"label": "work", "value": "grace@example.org"}],
                   "birthday": "1906-12-09", "tags": ["navy"], "favourite": true}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let list = contacts::list(ctx(&app), &account).await.unwrap();
    assert_eq!(list.len(), 1);
    let name = &list[0].name;
    assert!(name.starts_with("urn:uuid:") && name.strip_suffix(".vcf").is_some(), "{name}");
    let text = body(&app, &account, name).await;
    for line in [
        "VERSION:3.0",
        &format!("UID:{}", name.strip_suffix(".vcf").unwrap()),
        "FN:Grace Hopper",
        "N:Hopper;Grace;;;",
        "BDAY:1906-12-09",
        "CATEGORIES:navy",
        "X-UMBRA-FAVOURITE:1",
    ] {
        assert!(text.contains(&format!("{line}\r\n")), "{line} in {text}");
    }
    assert!(text.contains("grace@example.org"), "{text}");
}

#[tokio::test]
async fn a_put_card_is_the_apps_person_and_back() {
    let app = app().await;
    let (alice, account) = dav_user(&app, "alice").await;
    let location = alice.post("/api/locations", json!({"name": "Office"})).await.json();
    let card = vcard(
        "4.0",
        "card-1",
        "FN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\nEMAIL;TYPE=home:ada@example.org\r\nTEL:+44 1\r\nORG:Analytical\r\n",
    );
    let put = contacts::put(ctx(&app), &account, "card-1.vcf", &card, &Precondition::IfNoneMatchAny).await.unwrap();
    assert!(put.created);
    assert_eq!(put.etag, etag_of(&app, &account, "card-1.vcf").await);
    let people = api_people(&alice).await;
    assert_eq!(people.len(), 1);
    let person = &people[0];
    assert_eq!((&person["name"], &person["emails"][0]["value"]), (&json!("Ada Lovelace"), &json!("ada@example.org")));
    let id = person["id"].as_i64().unwrap();
    // Linked to a location in the app: a client's PUT (which cannot know it) keeps the link.
    let linked = alice.patch(&format!("/api/people/{id}"), json!({"location_id": location["id"]})).await;
    assert_eq!(linked.status, 200, "{}", linked.body);

    let etag = etag_of(&app, &account, "card-1.vcf").await;
    assert_ne!(etag, put.etag, "the app's change moved the ETag");
    let changed = vcard("3.0", "card-1", "FN:Ada King\r\nNOTE:Countess\r\nORG:Analytical\r\n");
    let again = contacts::put(ctx(&app), &account, "card-1.vcf", &changed, &Precondition::IfMatch(etag)).await.unwrap();
    assert!(!again.created);
    let person = alice.get(&format!("/api/people/{id}")).await.json();
    assert_eq!((&person["name"], &person["notes"]), (&json!("Ada King"), &json!("Countess")));
    assert_eq!(person["emails"], json!([]), "a PUT replaces the whole card");
    assert_eq!(person["location_id"], location["id"]);
    let text = body(&app, &account, "card-1.vcf").await;
    assert!(text.contains("\r\nORG:Analytical\r\n") && text.contains("\r\nN:King;Ada;;;\r\n"), "{text}");
}

#[tokio::test]
async fn every_write_path_records_a_change_and_moves_the_etag() {
    let app = app().await;
    let (alice, account) = dav_user(&app, "alice").await;
    assert_eq!(contacts::token(ctx(&app), &account).await.unwrap(), 0);
    let made = alice.post("/api/people", json!({"name": "Bea"})).await.json();
    let id = made["id"].as_i64().unwrap();
    let name = contacts::list(ctx(&app), &account).await.unwrap()[0].name.clone();
    let uid = name.strip_suffix(".vcf").unwrap().to_string();
    let mut since = contacts::token(ctx(&app), &account).await.unwrap();
    assert_eq!(since, 1);

    let before = etag_of(&app, &account, &name).await;
    assert_eq!(alice.patch(&format!("/api/people/{id}"), json!({"nickname": "B"})).await.status, 200);
    let delta = contacts::changes(ctx(&app), &account, since).await.unwrap();
    assert_eq!(names(&delta.changed), std::slice::from_ref(&name));
    assert_ne!(delta.changed[0].etag, before);
    since = delta.token;

    // An import that updates Bea (same UID) and adds Cy.
    let file = format!("{}{}", vcard("3.0", &uid, "FN:Bea Two\r\n"), vcard("3.0", "cy", "FN:Cy\r\n"));
    assert_eq!(import(&alice, &file).await, 200);
    let delta = contacts::changes(ctx(&app), &account, since).await.unwrap();
    assert_eq!(names(&delta.changed), [name.clone(), "cy.vcf".to_string()]);
    since = delta.token;

    assert_eq!(alice.delete(&format!("/api/people/{id}")).await.status, 204);
    let delta = contacts::changes(ctx(&app), &account, since).await.unwrap();
    assert_eq!((names(&delta.changed), delta.deleted.clone()), (vec![], vec![name.clone()]));

    // Another process on the same database: the same tokens.
    let again = app_on(Arc::clone(&app.database), |_| {}).await;
    assert_eq!(contacts::token(ctx(&again), &account).await.unwrap(), delta.token);
    let replay = contacts::changes(ctx(&again), &account, since).await.unwrap();
    assert_eq!(replay.deleted, delta.deleted);
    assert!(matches!(contacts::changes(ctx(&again), &account, delta.token + 1).await, Err(DavError::InvalidSyncToken)));
}

#[tokio::test]
async fn another_users_cards_are_out_of_reach() {
    let app = app().await;
    let (alice, alice_dav) = dav_user(&app, "alice").await;
    let (bob, bob_dav) = dav_user(&app, "bob").await;
    alice.post("/api/people", json!({"name": "Secret Friend"})).await;
    let name = contacts::list(ctx(&app), &alice_dav).await.unwrap()[0].name.clone();
    let uid = name.strip_suffix(".vcf").unwrap().to_string();
    assert!(contacts::list(ctx(&app), &bob_dav).await.unwrap().is_empty());
    assert!(contacts::get(ctx(&app), &bob_dav, std::slice::from_ref(&name)).await.unwrap().is_empty());
    assert!(matches!(contacts::delete(ctx(&app), &bob_dav, &name, &Precondition::None).await, Err(DavError::NotFound)));
    let put = contacts::put(ctx(&app), &bob_dav, &name, &vcard("3.0", &uid, "FN:Bob's own\r\n"), &Precondition::None)
        .await
        .unwrap();
    assert!(put.created);
    assert_eq!(api_people(&alice).await[0]["name"], "Secret Friend");
    assert_eq!(api_people(&bob).await[0]["name"], "Bob's own");
}

#[tokio::test]
async fn preconditions_uid_conflicts_and_refusals() {
    let app = app().await;
    let (alice, account) = dav_user(&app, "alice").await;
    let card = vcard("3.0", "c-1", "FN:One\r\n");
    let first = contacts::put(ctx(&app), &account, "mine.vcf", &card, &Precondition::None).await.unwrap();
    assert_eq!(names(&contacts::list(ctx(&app), &account).await.unwrap()), ["mine.vcf"], "the client's name is kept");
    assert!(contacts::get(ctx(&app), &account, &["c-1.vcf".into()]).await.unwrap().is_empty());
    precondition_failed(contacts::put(ctx(&app), &account, "mine.vcf", &card, &Precondition::IfNoneMatchAny).await);
    precondition_failed(
        contacts::put(ctx(&app), &account, "mine.vcf", &card, &Precondition::IfMatch("\"0-0\"".into())).await,
    );
    let (rule, _) = refusal(contacts::put(ctx(&app), &account, "c-1.vcf", &card, &Precondition::None).await);
    assert_eq!(rule, Some("no-uid-conflict"));
    let (rule, _) = refusal(
        contacts::put(ctx(&app), &account, "mine.vcf", &vcard("3.0", "c-2", "FN:x\r\n"), &Precondition::None).await,
    );
    assert_eq!(rule, Some("no-uid-conflict"));

    for (text, says) in [
        (vcard("3.0", "c-3", "FN:Bad\r\nEMAIL:not an address\r\n"), "emails"),
        (vcard("3.0", "c-3", &format!("FN:{}\r\n", "n".repeat(201))), "name"),
        (vcard("3.0", "c-3", "N:No;Fn;;;\r\n"), "FN"),
        ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No uid\r\nEND:VCARD\r\n".into(), "UID"),
        ("garbage".into(), "line"),
    ] {
        let (rule, detail) = refusal(contacts::put(ctx(&app), &account, "c-3.vcf", &text, &Precondition::None).await);
        assert_eq!(rule, Some("valid-address-data"));
        assert!(detail.contains(says), "{says} in {detail}");
    }
    assert_eq!(api_people(&alice).await.len(), 1, "nothing half-written");
    contacts::delete(ctx(&app), &account, "mine.vcf", &Precondition::IfMatch(first.etag.clone())).await.unwrap();
    let remade = contacts::put(ctx(&app), &account, "mine.vcf", &card, &Precondition::IfNoneMatchAny).await.unwrap();
    assert_ne!(remade.etag, first.etag, "a card made again never repeats an old ETag");
}

/// A birthday without a year, made in the app, was served as `BDAY:--02-15`, which the PUT of
/// the same text then refused (a client that synced such a card back got 403 for every
/// change). Served as `--0215` now; the client's text goes back unchanged and so does the
/// birthday.
#[tokio::test]
async fn a_birthday_without_a_year_survives_a_clients_round_trip() {
    let app = app().await;
    let (alice, account) = dav_user(&app, "alice").await;
    let made = alice.post("/api/people", json!({"name": "Tim", "birthday": "--02-15"})).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let list = contacts::list(ctx(&app), &account).await.unwrap();
    let name = &list[0].name;
    let served = body(&app, &account, name).await;
    assert!(served.contains("\r\nBDAY:--0215\r\n"), "{served}");
    let etag = etag_of(&app, &account, name).await;
    let put = contacts::put(ctx(&app), &account, name, &served, &Precondition::IfMatch(etag)).await;
    assert!(put.is_ok(), "the served card is refused: {put:?}");
    assert_eq!(api_people(&alice).await[0]["birthday"], "--02-15");
}
