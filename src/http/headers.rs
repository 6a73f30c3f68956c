//! Security headers on every response, errors included, and `Cache-Control: no-store` on
//! API responses (they hold personal data and must not linger in shared caches).

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::{Request, Response};

use crate::http::request_id::RequestId;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Sent on every response, including those the listener answers before Rocket sees a request.
pub const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    (
        "Permissions-Policy",
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), \
         microphone=(), payment=(), usb=(), interest-cohort=()",
    ),
];

pub const HSTS: (&str, &str) = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains");

pub struct SecurityHeaders {
    /// HSTS only makes sense when people reach UMBRA over HTTPS (this process's TLS, or a
    /// proxy's when `public_url` is https).
    pub hsts: bool,
}

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info { name: "security headers", kind: Kind::Response }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        for (name, value) in SECURITY_HEADERS {
            res.set_header(Header::new(*name, *value));
        }
        if self.hsts {
            res.set_header(Header::new(HSTS.0, HSTS.1));
        }
        res.set_header(Header::new("X-Request-Id", RequestId::of(req).to_owned()));
        let path = req.uri().path();
        if (path.starts_with("/api/") || path.starts_with("/__umbra/")) && !res.headers().contains("Cache-Control") {
            res.set_header(Header::new("Cache-Control", "no-store"));
        }
        res.remove_header("Server");
    }
}
