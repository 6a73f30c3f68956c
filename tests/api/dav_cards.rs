//! The address-book REPORTs over the user's people: addressbook-query (all cards, and a
//! prop-filter/text-match) and addressbook-multiget with a missing href. The cards come from
//! `contact_objects` (the objects slice of issue 12): people made through the API are the
//! cards, named `<uid>.vcf`.

use serde_json::json;

use crate::dav_kit::{dav_user, entries};
use crate::harness::app;

const BOOK: &str = "/dav/addressbooks/ann/contacts/";

#[tokio::test]
async fn addressbook_query_and_multiget_return_the_cards() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let mut uids = Vec::new();
    for name in ["Grace Hopper", "Alan Turing"] {
        let made = ann.post("/api/people", json!({"name": name})).await;
        assert_eq!(made.status, 201, "{}", made.body);
        uids.push(made.json()["uid"].as_str().unwrap().to_string());
    }
    let all = r#"<cr:addressbook-query xmlns:d="DAV:" xmlns:cr="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><cr:address-data/></d:prop></cr:addressbook-query>"#;
    let found = entries(&dav.report(BOOK, all).await);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|e| e.text("address-data").contains("BEGIN:VCARD") && !e.text("getetag").is_empty()));

    let grace = r#"<cr:addressbook-query xmlns:d="DAV:" xmlns:cr="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop>
        <cr:filter><cr:prop-filter name="FN"><cr:text-match collation="i;unicode-casemap" match-type="contains">hopper</cr:text-match></cr:prop-filter></cr:filter></cr:addressbook-query>"#;
    let found = entries(&dav.report(BOOK, grace).await);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].href, format!("{BOOK}{}.vcf", uids[0]));

    let multiget = format!(
        r#"<cr:addressbook-multiget xmlns:d="DAV:" xmlns:cr="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><cr:address-data/></d:prop>
        <d:href>{BOOK}{}.vcf</d:href><d:href>{BOOK}missing.vcf</d:href></cr:addressbook-multiget>"#,
        uids[1]
    );
    let found = entries(&dav.report(BOOK, &multiget).await);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().any(|e| e.text("address-data").contains("Alan Turing")));
    assert!(
        found
            .iter()
            .any(|e| e.href.ends_with("missing.vcf") && e.status.as_deref().is_some_and(|s| s.contains(" 404 ")))
    );
}
