//! The WebAuthn relying party (webauthn-rs): its id and origin, from the configuration.

use webauthn_rs::prelude::{Url, Webauthn, WebauthnBuilder};

use crate::config::Config;

/// The relying-party id (a domain name) and the origin browsers will report.
pub fn identity(config: &Config) -> Result<(String, Url), String> {
    let public_url = config
        .public_url
        .as_deref()
        .map(|u| Url::parse(u).map_err(|e| format!("public_url '{u}' is not a URL: {e}")))
        .transpose()?;
    let rp_id = match (config.public_names.first(), &public_url) {
        (Some(name), _) => name.clone(),
        (None, Some(url)) => url.host_str().unwrap_or_default().to_string(),
        (None, None) => "localhost".to_string(),
    };
    if rp_id.parse::<std::net::IpAddr>().is_ok() {
        return Err(format!("'{rp_id}' is an IP address; passkeys need a domain name (set public_name)"));
    }
    let origin = if let Some(url) = public_url {
        url
    } else {
        let port = config.listen.port();
        let authority = if port == 443 { rp_id.clone() } else { format!("{rp_id}:{port}") };
        Url::parse(&format!("https://{authority}")).map_err(|e| format!("cannot form the origin: {e}"))?
    };
    let host = origin.host_str().unwrap_or_default();
    if host != rp_id && !host.ends_with(&format!(".{rp_id}")) {
        return Err(format!("public_url host '{host}' is not '{rp_id}' or one of its subdomains"));
    }
    Ok((rp_id, origin))
}

pub fn relying_party(config: &Config) -> Result<Webauthn, String> {
    let (rp_id, origin) = identity(config)?;
    WebauthnBuilder::new(&rp_id, &origin)
        .and_then(|b| b.rp_name("UMBRA").build())
        .map_err(|e| format!("cannot set up passkeys for '{rp_id}' at {origin}: {e}"))
}
