//! DAV discovery and PROPFIND: the well-known redirect, the chain a client walks (root →
//! principal → homes → collections), depths 0 and 1 (infinity refused), unknown properties
//! as 404 propstats, allprop/propname, and 404 for other users' names and odd paths.

use rocket::http::Method;

use crate::dav_kit::{C, D, dav_user, default_calendar_id, entries, entry, prop_body};
use crate::harness::app;

#[tokio::test]
async fn a_client_discovers_principal_homes_and_collections() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let calendar = default_calendar_id(&ann).await;

    let redirect = dav.send("GET", "/.well-known/caldav", None, &[]).await;
    assert_eq!((redirect.status, redirect.header("location")), (301, Some("/dav/")));
    let redirect = dav.send("PROPFIND", "/.well-known/carddav", None, &[]).await;
    assert_eq!((redirect.status, redirect.header("location")), (301, Some("/dav/")));

    let root = entries(&dav.propfind("/dav/", "0", &prop_body(&["d:current-user-principal"])).await);
    assert_eq!(root.len(), 1);
    let principal = root[0].href_in("current-user-principal");
    assert_eq!(principal, "/dav/principals/ann/");

    let found = dav
        .propfind(
            &principal,
            "0",
            &prop_body(&[
                "c:calendar-home-set",
                "cr:addressbook-home-set",
                "d:displayname",
                "d:principal-URL",
                "d:resourcetype",
            ]),
        )
        .await;
    let p = &entries(&found)[0];
    assert_eq!(p.href_in("calendar-home-set"), "/dav/calendars/ann/");
    assert_eq!(p.href_in("addressbook-home-set"), "/dav/addressbooks/ann/");
    assert_eq!(p.href_in("principal-URL"), "/dav/principals/ann/");
    assert_eq!(p.text("displayname"), "ann");
    assert!(p.ok("resourcetype").unwrap().child(D, "principal").is_some());

    let home = entries(
        &dav.propfind(
            "/dav/calendars/ann/",
            "1",
            &prop_body(&[
                "d:resourcetype",
                "d:displayname",
                "c:supported-calendar-component-set",
                "d:sync-token",
                "cs:getctag",
                "d:current-user-privilege-set",
                "a:calendar-color",
                "c:calendar-timezone",
            ]),
        )
        .await,
    );
    assert_eq!(home.len(), 3, "home, the default calendar, todos: {home:?}");
    let cal = entry(&home, &format!("/dav/calendars/ann/{calendar}/"));
    assert!(cal.ok("resourcetype").unwrap().child(C, "calendar").is_some());
    let comps = cal.ok("supported-calendar-component-set").unwrap();
    assert_eq!(comps.children[0].attr("name"), Some("VEVENT"));
    assert!(cal.text("sync-token").starts_with("https://umbra.invalid/sync/"));
    assert!(!cal.text("getctag").is_empty());
    assert!(cal.text("calendar-color").starts_with('#'));
    assert!(cal.text("calendar-timezone").contains("BEGIN:VTIMEZONE"), "{:?}", cal.props.get("calendar-timezone"));
    let privileges = cal.ok("current-user-privilege-set").unwrap();
    let names: Vec<&str> = privileges.children.iter().map(|p| p.children[0].name.as_str()).collect();
    assert!(names.contains(&"write-content") && names.contains(&"write-properties"), "{names:?}");
    let todos = entry(&home, "/dav/calendars/ann/todos/");
    let comps = todos.ok("supported-calendar-component-set").unwrap();
    assert_eq!(comps.children[0].attr("name"), Some("VTODO"));

    let books = entries(&dav.propfind("/dav/addressbooks/ann/", "1", &prop_body(&["d:resourcetype"])).await);
    let contacts = entry(&books, "/dav/addressbooks/ann/contacts/");
    assert!(contacts.ok("resourcetype").unwrap().child(crate::dav_kit::CR, "addressbook").is_some());
}

#[tokio::test]
async fn depths_unknown_properties_allprop_and_propname() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let calendar = default_calendar_id(&ann).await;
    let only = entries(&dav.propfind("/dav/calendars/ann/", "0", &prop_body(&["d:displayname"])).await);
    assert_eq!(only.len(), 1);

    let infinite = dav.propfind("/dav/calendars/ann/", "infinity", &prop_body(&["d:displayname"])).await;
    assert_eq!(infinite.status, 403);
    assert!(infinite.body.contains("propfind-finite-depth"), "{}", infinite.body);
    let odd = dav.propfind("/dav/calendars/ann/", "2", &prop_body(&["d:displayname"])).await;
    assert_eq!(odd.status, 400);

    let body = r#"<d:propfind xmlns:d="DAV:" xmlns:z="urn:x-unknown"><d:prop><d:displayname/><z:whatever/><d:getetag/></d:prop></d:propfind>"#;
    let found = entries(&dav.propfind(&dav.calendar(calendar), "0", body).await);
    assert!(found[0].status_of("displayname").unwrap().contains(" 200 "));
    assert!(found[0].status_of("whatever").unwrap().contains(" 404 "));
    assert!(found[0].status_of("getetag").unwrap().contains(" 404 "));

    let all =
        entries(&dav.propfind(&dav.calendar(calendar), "0", r#"<propfind xmlns="DAV:"><allprop/></propfind>"#).await);
    assert!(all[0].ok("resourcetype").is_some() && all[0].ok("sync-token").is_some());
    let empty_body = entries(&dav.send("PROPFIND", &dav.calendar(calendar), None, &[("Depth", "0")]).await);
    assert!(empty_body[0].ok("displayname").is_some());
    let names =
        entries(&dav.propfind(&dav.calendar(calendar), "0", r#"<propfind xmlns="DAV:"><propname/></propfind>"#).await);
    let displayname = names[0].ok("displayname").unwrap();
    assert!(displayname.text.is_empty() && displayname.children.is_empty());
}

#[tokio::test]
async fn other_users_and_odd_paths_are_not_found() {
    let app = app().await;
    let (_ann, dav) = dav_user(&app, "ann").await;
    let bob = app.user("bob").await;
    let bobs = default_calendar_id(&bob).await;
    let propfind = prop_body(&["d:displayname"]);
    for path in [
        "/dav/principals/bob/".to_string(),
        "/dav/calendars/bob/".to_string(),
        format!("/dav/calendars/bob/{bobs}/"),
        format!("/dav/calendars/ann/{bobs}/"),
        format!("/dav/calendars/ann/{bobs}/x.ics"),
        "/dav/calendars/ann/0001/".to_string(),
        "/dav/addressbooks/ann/other/".to_string(),
        "/dav/calendars/ann/todos/a/b.ics".to_string(),
        "/dav/nothing/".to_string(),
    ] {
        let response = dav.propfind(&path, "0", &propfind).await;
        assert_eq!(response.status, 404, "{path}: {}", response.body);
    }
    let get = dav.send("GET", &format!("/dav/calendars/ann/{bobs}/x.ics"), None, &[]).await;
    assert_eq!(get.status, 404);
    let put = dav
        .put(
            &format!("/dav/calendars/ann/{bobs}/x.ics"),
            &crate::dav_kit::event_ics("x", "X", "20300101T100000Z", "20300101T110000Z"),
            &[],
        )
        .await;
    assert_eq!(put.status, 404);
}

#[tokio::test]
async fn sign_in_is_basic_with_an_app_password_only() {
    let app = app().await;
    let (_ann, dav) = dav_user(&app, "ann").await;
    let anonymous = app.anonymous();
    let body = prop_body(&["d:current-user-principal"]);
    let headers = [("X-Umbra-Dav-Method", "PROPFIND"), ("Depth", "0")];
    assert_eq!(anonymous.request(Method::Post, "/dav/", Some(&body), &headers).await.status, 401);
    let with_password = crate::dav_kit::basic("ann", crate::harness::PASSWORD);
    let mut headers = headers.to_vec();
    headers.push(("Authorization", with_password.as_str()));
    assert_eq!(anonymous.request(Method::Post, "/dav/", Some(&body), &headers).await.status, 401);
    let options = anonymous.request(Method::Options, "/dav/", None, &[]).await;
    assert_eq!(options.status, 200);
    assert!(options.header("dav").unwrap().contains("calendar-access"));
    // A method DAV does not offer here: 405 with what is allowed.
    let mkcol = dav.send("MKCOL", "/dav/calendars/ann/", None, &[]).await;
    assert_eq!(mkcol.status, 405);
    assert!(mkcol.header("allow").is_some());
}
