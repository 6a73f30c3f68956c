//! `GET /api/ca`: the local certificate authority that devices install to trust this server
//! (Settings → Devices shows it), with where to download it. No sign-in: a phone must trust
//! the server before anyone signs in on it, and a CA certificate is public. 404 when the
//! server does not use its own CA (operator certificates, or TLS off).

use rocket::serde::json::Json;
use rocket::{State, get};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::time::UtcMillis;
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;

api_module![get_ca];

/// Where the web module serves the CA (`web::ca`).
pub const CERTIFICATE_URL: &str = "/ca.crt";
pub const PROFILE_URL: &str = "/ca.mobileconfig";

#[derive(Debug, Serialize, ToSchema)]
pub struct CaView {
    /// SHA-256 of the CA certificate, colon-separated upper-case hex, to compare with what a
    /// device shows before trusting it.
    pub fingerprint_sha256: String,
    /// The CA certificate (PEM).
    pub certificate_url: &'static str,
    /// The CA as an Apple configuration profile (iOS, macOS).
    pub profile_url: &'static str,
    /// When the certificate the server presents now expires; it is renewed 30 days before,
    /// from the same CA.
    #[schema(value_type = String, format = DateTime)]
    pub server_certificate_expires_at: UtcMillis,
}

#[utoipa::path(tag = "ca",
    responses((status = 200, body = CaView),
              (status = 404, description = "the server does not use its own certificate authority")))]
#[get("/api/ca")]
pub fn get_ca(state: &State<AppState>) -> ApiResult<Json<CaView>> {
    let status = state.local_ca().ok_or_else(ApiError::not_found)?.status();
    Ok(Json(CaView {
        fingerprint_sha256: status.fingerprint.clone(),
        certificate_url: CERTIFICATE_URL,
        profile_url: PROFILE_URL,
        server_certificate_expires_at: status.server_expires_at,
    }))
}
