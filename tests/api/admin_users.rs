//! The admin API: role checks for every route, and the user listing.

use rocket::http::Method;

use crate::harness::app;

#[tokio::test]
async fn every_admin_route_refuses_standard_users_and_strangers() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    let stranger = app.anonymous();
    let document = stranger.get("/api/openapi.json").await.json();
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        if !path.starts_with("/api/admin") {
            continue;
        }
        // Every path parameter (`{id}`, `{app_password_id}`, …) as 1.
        let concrete = path.split('/').map(|s| if s.starts_with('{') { "1" } else { s }).collect::<Vec<_>>().join("/");
        for method in item.as_object().unwrap().keys() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let body = Some("{}");
            let headers = [("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")];
            alice.request(method, &concrete, body, &headers).await.problem(403);
            stranger.request(method, &concrete, body, &headers).await.problem(401);
            checked += 1;
        }
    }
    assert!(checked >= 1, "the OpenAPI document lists admin routes");
}

#[tokio::test]
async fn admins_list_users_with_search_and_paging() {
    let app = app().await;
    let admin = app.admin().await;
    for name in ["alice", "bob", "carol_b", "carolxb"] {
        app.create_user(name, umbra::domain::role::Role::Standard).await;
    }
    let all = admin.get("/api/admin/users").await.json();
    assert_eq!(all["total"], 5);
    assert_eq!((all["limit"].as_i64(), all["offset"].as_i64()), (Some(50), Some(0)));
    assert_eq!(all["items"][0]["username"], "admin");
    assert_eq!(all["items"][0]["role"], "admin");
    assert_eq!(all["items"][0]["active"], true);
    assert!(all["items"][0]["last_login_at"].as_str().unwrap().ends_with('Z'));

    let page = admin.get("/api/admin/users?limit=2&offset=2").await.json();
    let names: Vec<&str> = page["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!((names, page["total"].as_i64()), (vec!["bob", "carol_b"], Some(5)));

    // `_` is a literal underscore, not a LIKE wildcard.
    let found = admin.get("/api/admin/users?q=L_B").await.json();
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["username"], "carol_b");

    assert_eq!(admin.get("/api/admin/users?limit=501").await.problem(422)["errors"][0]["field"], "limit");
    assert_eq!(admin.get("/api/admin/users?offset=-1").await.problem(422)["errors"][0]["field"], "offset");
    admin.get("/api/admin/users?limit=many").await.problem(422);
}
