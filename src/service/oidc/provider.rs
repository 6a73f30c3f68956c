//! The OpenID provider as this process knows it: its discovery document and signing keys,
//! fetched through the SSRF-safe outbound client (openidconnect has no HTTP client of its
//! own here), kept for an hour, and the keys fetched again when a token names a key the
//! cached set lacks (the provider rotated its keys).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, Client, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpRequest,
    HttpResponse, IdTokenFields, IssuerUrl, JsonWebKeySet, ProviderMetadataWithLogout, StandardErrorResponse,
    StandardTokenResponse, SyncHttpClient,
};
use serde::{Deserialize, Serialize};
use tokio::runtime::Handle;
use tokio::time::Instant;

use crate::domain::oidc::check_issuer;
use crate::outbound::{OutboundClient, OutboundError, OutboundRequest, Requester};

/// How long a discovery document (and its keys) is used before it is fetched again.
const FRESH_FOR: Duration = Duration::from_hours(1);
/// How long a failed discovery is answered from memory before the provider is asked again.
const RETRY_AFTER: Duration = Duration::from_secs(15);

/// The ID token's claims beyond the standard ones (the group claim is among them).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OtherClaims(pub HashMap<String, serde_json::Value>);

impl AdditionalClaims for OtherClaims {}

pub type IdTokenFieldsWithGroups = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
pub type TokenAnswer = StandardTokenResponse<IdTokenFieldsWithGroups, CoreTokenType>;

/// The client as built from discovery: authorization endpoint known, token endpoint maybe.
pub type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenAnswer,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

pub type Metadata = ProviderMetadataWithLogout;

/// Signature algorithms an ID token may use: asymmetric only. `none` never, and no HMAC
/// either: with HS* the "key" would be the client secret (or, in the classic confusion
/// attack, the provider's public key), so a token anyone could make.
pub const SIGNING_ALGS: [CoreJwsSigningAlgorithm; 10] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EcdsaP521Sha512,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// openidconnect's HTTP client: every request through the outbound client, on the server's
/// own behalf. openidconnect's calls run on a blocking thread (`with_provider`) with this
/// blocking client: its async futures trip a compiler limitation (they are not provably
/// `Send` for every lifetime, which Rocket's handlers need), its blocking API does not.
pub struct Http {
    client: Arc<OutboundClient>,
    runtime: Handle,
    who: Requester,
}

impl SyncHttpClient for Http {
    type Error = OutboundError;

    fn call(&self, request: HttpRequest) -> Result<HttpResponse, OutboundError> {
        self.runtime.block_on(send(&self.client, &self.who, request))
    }
}

/// Runs `work` (openidconnect calls that talk to the provider) on a blocking thread.
pub async fn with_provider<T: Send + 'static>(
    client: &Arc<OutboundClient>,
    work: impl FnOnce(&Http) -> T + Send + 'static,
) -> Result<T, ProviderUnavailable> {
    let http = Http { client: client.clone(), runtime: Handle::current(), who: Requester::system() };
    tokio::task::spawn_blocking(move || work(&http))
        .await
        .map_err(|_| ProviderUnavailable("the exchange with the provider was interrupted".into()))
}

/// Sends openidconnect's requests through the outbound client. Only the headers a token or
/// discovery request needs are passed on; the answer carries status and body (openidconnect
/// accepts an answer without a Content-Type).
async fn send(
    client: &Arc<OutboundClient>,
    who: &Requester,
    request: HttpRequest,
) -> Result<HttpResponse, OutboundError> {
    let headers = request
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            let name: &'static str = match name.as_str() {
                "accept" => "accept",
                "content-type" => "content-type",
                "authorization" => "authorization",
                _ => return None,
            };
            Some((name, value.to_str().ok()?.to_string()))
        })
        .collect();
    let outbound = OutboundRequest {
        method: request.method().clone(),
        url: request.uri().to_string(),
        headers,
        body: Some(request.body().clone()).filter(|b| !b.is_empty()),
    };
    let answer = client.send(who, outbound).await?;
    let mut response = HttpResponse::new(answer.body);
    *response.status_mut() = openidconnect::http::StatusCode::from_u16(answer.status)
        .map_err(|_| OutboundError::Failed("bad status".into()))?;
    Ok(response)
}

/// Why the provider could not be used (shown to admins by the Test button; users see a
/// plain "could not be reached").
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct ProviderUnavailable(pub String);

struct Cached {
    issuer: String,
    metadata: Arc<Metadata>,
    fetched: Instant,
}

/// The discovery document of the configured issuer, shared by every request of the process.
#[derive(Default)]
pub struct ProviderCache {
    cached: Mutex<Option<Cached>>,
    /// The last failed discovery: its issuer, when, and why.
    failed: Mutex<Option<(String, Instant, ProviderUnavailable)>>,
}

impl ProviderCache {
    /// The issuer's metadata and keys, from the cache while fresh.
    pub async fn metadata(
        &self,
        client: &Arc<OutboundClient>,
        issuer: &str,
    ) -> Result<Arc<Metadata>, ProviderUnavailable> {
        if let Some(metadata) = self.fresh(issuer) {
            return Ok(metadata);
        }
        if let Some(why) = self.recent_failure(issuer) {
            return Err(why);
        }
        match discover(client, issuer).await {
            Ok(metadata) => {
                let metadata = Arc::new(metadata);
                self.keep(issuer, metadata.clone());
                Ok(metadata)
            }
            Err(why) => {
                // A provider that is down is asked again after a while, not by every visitor.
                if let Ok(mut failed) = self.failed.lock() {
                    *failed = Some((issuer.to_string(), Instant::now(), why.clone()));
                }
                Err(why)
            }
        }
    }

    /// Fetches the key set again (a token named a key the cached set lacks) and keeps it.
    pub async fn refresh_keys(
        &self,
        client: &Arc<OutboundClient>,
        issuer: &str,
        metadata: &Metadata,
    ) -> Result<Arc<Metadata>, ProviderUnavailable> {
        let jwks_uri = metadata.jwks_uri().clone();
        let keys = with_provider(client, move |http| JsonWebKeySet::fetch(&jwks_uri, http))
            .await?
            .map_err(|e| ProviderUnavailable(format!("the key set could not be fetched: {e}")))?;
        let refreshed = Arc::new(metadata.clone().set_jwks(keys));
        self.keep(issuer, refreshed.clone());
        Ok(refreshed)
    }

    /// Forgets what was fetched (the admin changed the settings).
    pub fn forget(&self) {
        if let Ok(mut cached) = self.cached.lock() {
            *cached = None;
        }
        if let Ok(mut failed) = self.failed.lock() {
            *failed = None;
        }
    }

    fn recent_failure(&self, issuer: &str) -> Option<ProviderUnavailable> {
        let failed = self.failed.lock().ok()?;
        failed.as_ref().filter(|(i, at, _)| i == issuer && at.elapsed() < RETRY_AFTER).map(|(_, _, why)| why.clone())
    }

    fn fresh(&self, issuer: &str) -> Option<Arc<Metadata>> {
        let cached = self.cached.lock().ok()?;
        cached.as_ref().filter(|c| c.issuer == issuer && c.fetched.elapsed() < FRESH_FOR).map(|c| c.metadata.clone())
    }

    fn keep(&self, issuer: &str, metadata: Arc<Metadata>) {
        if let Ok(mut cached) = self.cached.lock() {
            *cached = Some(Cached { issuer: issuer.to_string(), metadata, fetched: Instant::now() });
        }
    }
}

/// Fetches `<issuer>/.well-known/openid-configuration` and the key set it names. openidconnect
/// checks that the document names exactly this issuer.
pub async fn discover(client: &Arc<OutboundClient>, issuer: &str) -> Result<Metadata, ProviderUnavailable> {
    let issuer_url =
        IssuerUrl::new(issuer.to_string()).map_err(|_| ProviderUnavailable("the issuer is not a URL".into()))?;
    let metadata = with_provider(client, move |http| Metadata::discover(&issuer_url, http))
        .await?
        .map_err(|e| ProviderUnavailable(describe(&e)))?;
    match insecure_endpoint(&metadata, issuer) {
        Some(why) => Err(ProviderUnavailable(why)),
        None => Ok(metadata),
    }
}

/// An https issuer whose endpoints are plain http would send the code and the client secret
/// unencrypted: its endpoints must be https too (or on this machine). Says which is not.
fn insecure_endpoint(metadata: &Metadata, issuer: &str) -> Option<String> {
    let plain_http_allowed = issuer.starts_with("http://");
    let endpoints = [
        ("authorization", Some(metadata.authorization_endpoint().as_str())),
        ("token", metadata.token_endpoint().map(|u| u.as_str())),
        ("key set", Some(metadata.jwks_uri().as_str())),
    ];
    endpoints.into_iter().find_map(|(what, url)| {
        let url = url?;
        check_issuer(url, plain_http_allowed).is_err().then(|| format!("the {what} endpoint {url} is not https"))
    })
}

/// A discovery failure in a sentence an admin can act on (never the provider's own text).
fn describe<E: std::error::Error>(error: &openidconnect::DiscoveryError<E>) -> String {
    use openidconnect::DiscoveryError as D;
    match error {
        D::Request(e) => format!("the provider could not be reached: {e}"),
        D::Response(status, _, _) => format!("the provider answered HTTP {status}"),
        D::Parse(_) => "the provider's answer is not a valid discovery document or key set".into(),
        D::Validation(e) => format!("the discovery document does not fit: {e}"),
        D::UrlParse(_) => "the issuer is not a URL".into(),
        D::Other(e) => e.clone(),
        _ => "discovery failed".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(issuer: &str, token_endpoint: &str) -> Metadata {
        serde_json::from_value(serde_json::json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/authorize"),
            "token_endpoint": token_endpoint,
            "jwks_uri": format!("{issuer}/jwks"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }))
        .expect("a discovery document")
    }

    #[test]
    fn an_https_issuer_needs_https_endpoints() {
        let issuer = "https://id.example.org";
        assert_eq!(insecure_endpoint(&metadata(issuer, "https://id.example.org/token"), issuer), None);
        let leaky = insecure_endpoint(&metadata(issuer, "http://id.example.org/token"), issuer);
        assert!(leaky.is_some_and(|why| why.contains("token endpoint")));
        // A plain-http issuer the admin allowed may have plain-http endpoints.
        let lan = "http://id.lan";
        assert_eq!(insecure_endpoint(&metadata(lan, "http://id.lan/token"), lan), None);
    }
}
