//! A short random id per request, logged with the request and sent back as `X-Request-Id`,
//! so a user's report of a 500 can be matched to its log line.

use rocket::request::Request;

pub struct RequestId(String);

impl RequestId {
    pub fn of<'r>(req: &'r Request<'_>) -> &'r str {
        &req.local_cache(|| RequestId(hex::encode(rand::random::<[u8; 8]>()))).0
    }
}
