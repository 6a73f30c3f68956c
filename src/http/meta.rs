//! Where a request came from (client IP and user agent), for sessions and the audit log.

use std::convert::Infallible;

use rocket::request::{FromRequest, Outcome, Request};

use crate::auth::session::RequestOrigin;
use crate::http::client_ip::ClientIp;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for RequestOrigin {
    type Error = Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Infallible> {
        let ip = ClientIp::from_request(req).await.succeeded().map_or_else(String::new, |c| c.0.to_string());
        let user_agent = req.headers().get_one("User-Agent").map(|ua| {
            let mut ua = ua.to_string();
            ua.truncate(ua.floor_char_boundary(256));
            ua
        });
        Outcome::Success(RequestOrigin { ip, user_agent })
    }
}
