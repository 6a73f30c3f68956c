//! CSRF defence: a state-changing request under `/api` must carry
//! `X-Requested-With: XMLHttpRequest`. Browsers never add that header to cross-site form
//! posts, and a cross-origin script cannot add it without a CORS preflight we never grant.

use rocket::http::Method;
use rocket::request::Request;

use crate::error::ApiError;

pub fn check(req: &Request<'_>) -> Result<(), ApiError> {
    let unsafe_method = matches!(req.method(), Method::Post | Method::Put | Method::Patch | Method::Delete);
    if !unsafe_method || !req.uri().path().starts_with("/api/") {
        return Ok(());
    }
    match req.headers().get_one("X-Requested-With") {
        Some(value) if value.eq_ignore_ascii_case("XMLHttpRequest") => Ok(()),
        _ => {
            Err(ApiError::forbidden("State-changing requests must carry the header X-Requested-With: XMLHttpRequest."))
        }
    }
}
