//! The local CA as files a device installs: `/ca.crt` (PEM; Android, Windows, Linux, and
//! iOS/macOS too) and `/ca.mobileconfig` (an Apple configuration profile). No sign-in, like
//! `/api/ca`; a 404 problem when the server does not use its own CA.

use std::io::Cursor;

use rocket::http::{ContentType, Header};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use rocket::{Route, State, get, routes};

use crate::error::{ApiError, ApiResult};
use crate::server::AppState;
use crate::tls::profile;

pub fn routes() -> Vec<Route> {
    routes![ca_certificate, ca_profile]
}

/// A file to save or install, not to show.
pub struct Download {
    body: Vec<u8>,
    content_type: ContentType,
    file_name: &'static str,
}

impl<'r> Responder<'r, 'static> for Download {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Response::build()
            .header(self.content_type)
            .header(Header::new("Content-Disposition", format!("attachment; filename=\"{}\"", self.file_name)))
            // A new CA (after ten years) must not be hidden behind a cached old one.
            .header(Header::new("Cache-Control", "no-cache"))
            .sized_body(self.body.len(), Cursor::new(self.body))
            .ok()
    }
}

#[get("/ca.crt")]
fn ca_certificate(state: &State<AppState>) -> ApiResult<Download> {
    let status = state.local_ca().ok_or_else(ApiError::not_found)?.status();
    Ok(Download {
        body: status.pem.clone().into_bytes(),
        content_type: ContentType::new("application", "x-x509-ca-cert"),
        file_name: "umbra-ca.crt",
    })
}

#[get("/ca.mobileconfig")]
fn ca_profile(state: &State<AppState>) -> ApiResult<Download> {
    let status = state.local_ca().ok_or_else(ApiError::not_found)?.status();
    Ok(Download {
        body: profile::mobileconfig(&status.name, &status.der).into_bytes(),
        content_type: ContentType::new("application", "x-apple-aspen-config"),
        file_name: "umbra-ca.mobileconfig",
    })
}
