//! A real, minimal OpenID provider on a loopback port, strict the way Keycloak or Authelia are,
//! so that a mistake in UMBRA's relying-party code shows up as a refused sign-in. It serves
//! discovery, `/authorize` (authorization code with PKCE S256 only), `/token`, `/jwks` and,
//! when advertised, `/logout`. Discovery, the JWKS and every honest ID token are built and
//! signed with `openidconnect`'s provider-side types; only the deliberately broken tokens
//! (`alg: none`, HS256 keyed with the public key) are put together by hand.
//!
//! The keys are test-only fixtures in `tests/fixtures/oidc/` (see the README there).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClientAuthMethod, CoreGenderClaim, CoreGrantType,
    CoreJsonWebKey, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm,
    CoreJwsSigningAlgorithm, CoreResponseMode, CoreResponseType, CoreRsaPrivateSigningKey, CoreSubjectIdentifierType,
};
use openidconnect::{
    AccessToken, AdditionalClaims, AdditionalProviderMetadata, Audience, AuthUrl, EndSessionUrl, EndUserEmail,
    EndUserName, EndUserUsername, IdToken, IdTokenClaims, IssuerUrl, JsonWebKeyId, JsonWebKeySetUrl, LocalizedClaim,
    Nonce, PrivateSigningKey, ProviderMetadata, ResponseTypes, Scope, StandardClaims, SubjectIdentifier, TokenUrl,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;
use url::form_urlencoded;

pub const CLIENT_ID: &str = "umbra-test";
pub const CLIENT_SECRET: &str = "test-client-secret";

/// How long an authorization code lives.
const CODE_LIFETIME: Duration = Duration::from_mins(1);
/// How long an ID token (and the access token) lives.
const TOKEN_LIFETIME: u64 = 300;

const KEY1_PEM: &str = include_str!("../../fixtures/oidc/key1.pem");
const KEY1_PUBLIC_PEM: &str = include_str!("../../fixtures/oidc/key1.pub.pem");
const KEY2_PEM: &str = include_str!("../../fixtures/oidc/key2.pem");
const KEY2_PUBLIC_PEM: &str = include_str!("../../fixtures/oidc/key2.pub.pem");
const UNPUBLISHED_PEM: &str = include_str!("../../fixtures/oidc/unpublished.pem");

pub const KID_1: &str = "key-1";
pub const KID_2: &str = "key-2";
pub const KID_UNPUBLISHED: &str = "not-published";

/// The `groups` claim, carried beside the standard ones.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq, Serialize)]
pub struct GroupsClaims {
    #[serde(default)]
    pub groups: Vec<String>,
}

impl AdditionalClaims for GroupsClaims {}

/// An ID token with the `groups` claim, as this provider issues them.
pub type GroupsIdToken =
    IdToken<GroupsClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;
type GroupsIdTokenClaims = IdTokenClaims<GroupsClaims, CoreGenderClaim>;

/// Discovery fields `openidconnect`'s core metadata has no slot for.
#[derive(Clone, Debug, Deserialize, Serialize)]
struct MoreMetadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    end_session_endpoint: Option<EndSessionUrl>,
    code_challenge_methods_supported: Vec<String>,
}

impl AdditionalProviderMetadata for MoreMetadata {}

type Metadata = ProviderMetadata<
    MoreMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// The person `/authorize` signs in (there is no login form: the provider has already
/// authenticated them, as after a remembered IdP session).
#[derive(Clone, Debug)]
pub struct IdpUser {
    pub sub: String,
    pub email: Option<String>,
    pub preferred_username: Option<String>,
    pub name: Option<String>,
    pub groups: Vec<String>,
}

impl IdpUser {
    /// `email` is `<preferred_username>@example.test`, `name` is `preferred_username`.
    pub fn new(sub: &str, preferred_username: &str, groups: &[&str]) -> Self {
        Self {
            sub: sub.to_string(),
            email: Some(format!("{preferred_username}@example.test")),
            preferred_username: Some(preferred_username.to_string()),
            name: Some(preferred_username.to_string()),
            groups: groups.iter().map(ToString::to_string).collect(),
        }
    }
}

/// Ways to spoil the next ID token the provider hands out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    /// `nonce` is not the one the client sent.
    WrongNonce,
    /// `aud` is `["someone-else"]`.
    WrongAudience,
    /// `iss` is the issuer + `/other`.
    WrongIssuer,
    /// `exp` ten minutes ago, `iat` fifteen.
    Expired,
    /// `iat` an hour ahead, `exp` 65 minutes ahead.
    FutureIat,
    /// Header `{"alg":"none"}`, empty signature.
    AlgNone,
    /// HS256 with the HMAC key = the PEM bytes (SubjectPublicKeyInfo, as `openssl rsa -pubout`
    /// writes them, trailing newline included) of the current public key, header `kid` = the
    /// current kid: the classic algorithm confusion.
    Hs256WithPublicKey,
    /// RS256, signed with a key the JWKS never lists, `kid` "not-published".
    UnknownKid,
    /// `aud` = `[CLIENT_ID, "someone-else"]`, no `azp`.
    ExtraAudienceWithoutAzp,
}

/// One request to `/token` as the provider saw and answered it.
#[derive(Clone, Debug)]
pub struct TokenRequest {
    /// The form fields, URL-decoded, in order.
    pub form: Vec<(String, String)>,
    /// HTTP Basic credentials (client id, secret), URL-decoded per RFC 6749 §2.3.1.
    pub basic_auth: Option<(String, String)>,
    /// The status the provider answered.
    pub answered: u16,
}

/// What an authorization code stands for.
struct Grant {
    user: IdpUser,
    nonce: String,
    challenge: String,
    redirect_uri: String,
    expires: Instant,
}

struct State {
    user: IdpUser,
    tamper: Option<Tamper>,
    rotated: bool,
    unpublished: bool,
    down: bool,
    end_session: bool,
    codes: HashMap<String, Grant>,
    token_requests: Vec<TokenRequest>,
    jwks_fetches: usize,
    discovery_fetches: usize,
}

struct Keys {
    key1: CoreRsaPrivateSigningKey,
    key2: CoreRsaPrivateSigningKey,
    unpublished: CoreRsaPrivateSigningKey,
}

struct Shared {
    issuer: String,
    keys: Keys,
    state: Mutex<State>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The provider. Its server task ends when it is dropped.
pub struct Provider {
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Provider {
    /// Binds 127.0.0.1 on a free port and starts serving.
    pub async fn start() -> Provider {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind the OpenID provider");
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let key = |pem: &str, kid: &str| {
            CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(kid.to_string())))
                .unwrap_or_else(|e| panic!("fixture key {kid}: {e}"))
        };
        let keys = Keys {
            key1: key(KEY1_PEM, KID_1),
            key2: key(KEY2_PEM, KID_2),
            unpublished: key(UNPUBLISHED_PEM, KID_UNPUBLISHED),
        };
        let state = State {
            user: IdpUser::new("sub-alice", "alice", &["umbra-users"]),
            tamper: None,
            rotated: false,
            unpublished: false,
            down: false,
            end_session: false,
            codes: HashMap::new(),
            token_requests: Vec::new(),
            jwks_fetches: 0,
            discovery_fetches: 0,
        };
        let shared = Arc::new(Shared { issuer, keys, state: Mutex::new(state) });
        let serving = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = serving.clone();
                tokio::spawn(async move {
                    let _ = serve_one(stream, &shared).await;
                });
            }
        });
        Provider { shared, task }
    }

    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub fn issuer(&self) -> String {
        self.shared.issuer.clone()
    }

    /// Who `/authorize` signs in from now on.
    pub fn sign_in_as(&self, user: IdpUser) {
        self.shared.state().user = user;
    }

    /// Spoils the next successfully exchanged ID token (one only).
    pub fn tamper_next(&self, how: Tamper) {
        self.shared.state().tamper = Some(how);
    }

    /// From now on tokens are signed with key 2 (kid `key-2`) and `/jwks` serves only key 2.
    pub fn rotate_key(&self) {
        self.shared.state().rotated = true;
    }

    /// While on, tokens are signed with a key (kid `not-published`) the JWKS never lists.
    pub fn sign_with_unpublished_key(&self, on: bool) {
        self.shared.state().unpublished = on;
    }

    /// While down, every endpoint answers 503 (requests are still counted and recorded).
    pub fn set_down(&self, down: bool) {
        self.shared.state().down = down;
    }

    /// Whether discovery lists `end_session_endpoint` = `<issuer>/logout` (off at start).
    pub fn advertise_end_session(&self, on: bool) {
        self.shared.state().end_session = on;
    }

    /// Every request to `/token` so far, in order.
    pub fn token_requests(&self) -> Vec<TokenRequest> {
        self.shared.state().token_requests.clone()
    }

    /// GET requests to `/jwks` so far (including those answered 503 while down).
    pub fn jwks_fetches(&self) -> usize {
        self.shared.state().jwks_fetches
    }

    /// GET requests to the discovery document so far (including those answered 503 while down).
    pub fn discovery_fetches(&self) -> usize {
        self.shared.state().discovery_fetches
    }

    /// Plays the browser at the provider: GETs `authorize_url` (which must point at this
    /// provider), without following redirects, and returns the `Location` it answered (the
    /// redirect_uri with `code` and `state`, or `error`). Panics when there is no `Location`
    /// (an unknown client or a bad redirect_uri gets a 400 page, as it would in a browser).
    pub async fn follow_authorize(&self, authorize_url: &str) -> String {
        let ours = format!("{}/authorize?", self.shared.issuer);
        assert!(authorize_url.starts_with(&ours), "{authorize_url} does not point at this provider's /authorize");
        crate::live::install_crypto();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("reqwest client for the provider");
        let response = client.get(authorize_url).send().await.expect("GET /authorize");
        let status = response.status();
        match response.headers().get("location") {
            Some(location) => location.to_str().expect("ASCII Location").to_string(),
            None => {
                panic!("/authorize answered {status} without a Location: {}", response.text().await.unwrap_or_default())
            }
        }
    }
}

/// One parsed request.
struct Request {
    method: String,
    path: String,
    query: String,
    /// Lower-case names.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// One answer.
struct Answer {
    status: u16,
    content_type: &'static str,
    headers: Vec<(&'static str, String)>,
    body: String,
}

impl Answer {
    fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            content_type: "application/json",
            headers: vec![("Cache-Control", "no-store".into())],
            body: body.to_string(),
        }
    }

    fn page(status: u16, text: &str) -> Self {
        let body = format!(
            "<!doctype html><html><head><title>Test IdP</title></head><body><p>{}</p></body></html>",
            text.replace('&', "&amp;").replace('<', "&lt;")
        );
        Self { status, content_type: "text/html; charset=utf-8", headers: Vec::new(), body }
    }

    fn redirect(location: String) -> Self {
        Self {
            status: 302,
            content_type: "text/plain; charset=utf-8",
            headers: vec![("Location", location), ("Cache-Control", "no-store".into())],
            body: String::new(),
        }
    }

    /// An OAuth error from the token endpoint.
    fn oauth_error(status: u16, error: &str, description: &str) -> Self {
        let mut answer = Self::json(status, json!({"error": error, "error_description": description}));
        if status == 401 {
            answer.headers.push(("WWW-Authenticate", "Basic realm=\"test-idp\"".into()));
        }
        answer
    }
}

async fn serve_one(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let Some(request) = read_request(&mut stream).await? else {
        return Ok(());
    };
    let answer = route(shared, &request);
    let reason = match answer.status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        503 => "Service Unavailable",
        _ => "Answer",
    };
    let mut head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        answer.status,
        answer.content_type,
        answer.body.len()
    );
    for (name, value) in &answer.headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(answer.body.as_bytes()).await?;
    stream.shutdown().await
}

async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Request>> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buffer.len() > 64 * 1024 {
            return Ok(None);
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_string();
    let target = request_line.next().unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let (path, query) = (path.to_string(), query.to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    let length =
        headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse::<usize>().ok()).unwrap_or(0);
    let mut body = buffer[head_end..].to_vec();
    while body.len() < length {
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..read]);
    }
    Ok(Some(Request { method, path, query, headers, body }))
}

fn route(shared: &Shared, request: &Request) -> Answer {
    let get = request.method == "GET";
    let down = {
        let mut state = shared.state();
        match request.path.as_str() {
            "/.well-known/openid-configuration" if get => state.discovery_fetches += 1,
            "/jwks" if get => state.jwks_fetches += 1,
            _ => {}
        }
        state.down
    };
    let answer = if down {
        Answer::page(503, "The identity provider is down for maintenance.")
    } else {
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/.well-known/openid-configuration") => discovery(shared),
            ("GET", "/authorize") => authorize(shared, &request.query),
            ("POST", "/token") => token(shared, request),
            ("GET", "/jwks") => jwks(shared),
            ("GET", "/logout") if shared.state().end_session => Answer::page(200, "signed out"),
            (_, "/.well-known/openid-configuration" | "/authorize" | "/token" | "/jwks") => {
                Answer::page(405, "Method not allowed.")
            }
            _ => Answer::page(404, "Not found."),
        }
    };
    if request.method == "POST" && request.path == "/token" {
        let form = form_urlencoded::parse(&request.body).into_owned().collect();
        let basic_auth = request.header("authorization").and_then(|value| basic_credentials(value).ok());
        shared.state().token_requests.push(TokenRequest { form, basic_auth, answered: answer.status });
    }
    answer
}

fn discovery(shared: &Shared) -> Answer {
    let issuer = &shared.issuer;
    let end_session = shared.state().end_session;
    let url = |path: &str| format!("{issuer}{path}");
    let more = MoreMetadata {
        end_session_endpoint: end_session.then(|| EndSessionUrl::new(url("/logout")).unwrap()),
        code_challenge_methods_supported: vec!["S256".into()],
    };
    let metadata = Metadata::new(
        IssuerUrl::new(issuer.clone()).unwrap(),
        AuthUrl::new(url("/authorize")).unwrap(),
        JsonWebKeySetUrl::new(url("/jwks")).unwrap(),
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
        more,
    )
    .set_token_endpoint(Some(TokenUrl::new(url("/token")).unwrap()))
    .set_grant_types_supported(Some(vec![CoreGrantType::AuthorizationCode]))
    .set_response_modes_supported(Some(vec![CoreResponseMode::Query]))
    .set_token_endpoint_auth_methods_supported(Some(vec![
        CoreClientAuthMethod::ClientSecretBasic,
        CoreClientAuthMethod::ClientSecretPost,
    ]))
    .set_scopes_supported(Some(["openid", "profile", "email", "groups"].map(|s| Scope::new(s.into())).to_vec()))
    .set_claims_supported(Some(
        ["sub", "iss", "aud", "exp", "iat", "nonce", "email", "email_verified", "preferred_username", "name", "groups"]
            .map(|c| CoreClaimName::new(c.into()))
            .to_vec(),
    ));
    Answer::json(200, serde_json::to_value(&metadata).expect("discovery document"))
}

fn jwks(shared: &Shared) -> Answer {
    let rotated = shared.state().rotated;
    let key = if rotated { &shared.keys.key2 } else { &shared.keys.key1 };
    let set = CoreJsonWebKeySet::new(vec![key.as_verification_key()]);
    let mut set = serde_json::to_value(&set).expect("JWKS");
    // `as_verification_key` leaves `alg` out; real providers (Keycloak, Authelia) name it.
    for key in set["keys"].as_array_mut().expect("keys") {
        key["alg"] = json!("RS256");
    }
    let mut answer = Answer::json(200, set);
    answer.headers = vec![("Cache-Control", "max-age=300".into())];
    answer
}

fn authorize(shared: &Shared, query: &str) -> Answer {
    let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let one = |name: &str| {
        let mut values = params.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str());
        match (values.next(), values.next()) {
            (Some(value), None) if !value.is_empty() => Some(value),
            _ => None,
        }
    };
    // Errors the provider cannot send back to the client: a page for the person.
    if one("client_id") != Some(CLIENT_ID) {
        return Answer::page(400, "Unknown client.");
    }
    let Some(redirect_uri) = one("redirect_uri") else {
        return Answer::page(400, "Missing or repeated redirect_uri.");
    };
    let Some(mut back) = Url::parse(redirect_uri)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.fragment().is_none() && u.host().is_some())
    else {
        return Answer::page(400, "Invalid redirect_uri.");
    };
    let state = one("state");
    let refuse = |error: &str, description: &str| {
        let mut back = back.clone();
        {
            let mut pairs = back.query_pairs_mut();
            pairs.append_pair("error", error).append_pair("error_description", description);
            if let Some(state) = state {
                pairs.append_pair("state", state);
            }
        }
        Answer::redirect(back.into())
    };
    let mut names: Vec<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        return refuse("invalid_request", "a parameter is repeated");
    }
    match one("response_type") {
        Some("code") => {}
        Some(_) => return refuse("unsupported_response_type", "only the authorization code flow is supported"),
        None => return refuse("invalid_request", "response_type is missing"),
    }
    if !one("scope").is_some_and(|scope| scope.split(' ').any(|s| s == "openid")) {
        return refuse("invalid_scope", "the openid scope is required");
    }
    let Some(state) = state else {
        return refuse("invalid_request", "state is required");
    };
    let Some(nonce) = one("nonce") else {
        return refuse("invalid_request", "nonce is required");
    };
    if one("code_challenge_method") != Some("S256") {
        return refuse("invalid_request", "PKCE with code_challenge_method=S256 is required");
    }
    let Some(challenge) = one("code_challenge").filter(|c| c.len() == 43 && pkce_charset(c)) else {
        return refuse("invalid_request", "code_challenge is missing or malformed");
    };
    let code = random_token();
    {
        let mut shared_state = shared.state();
        let now = Instant::now();
        shared_state.codes.retain(|_, grant| grant.expires > now);
        let grant = Grant {
            user: shared_state.user.clone(),
            nonce: nonce.to_string(),
            challenge: challenge.to_string(),
            redirect_uri: redirect_uri.to_string(),
            expires: now + CODE_LIFETIME,
        };
        shared_state.codes.insert(code.clone(), grant);
    }
    back.query_pairs_mut().append_pair("code", &code).append_pair("state", state);
    Answer::redirect(back.into())
}

fn token(shared: &Shared, request: &Request) -> Answer {
    let form_type = request.header("content-type").unwrap_or_default();
    if !form_type.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("application/x-www-form-urlencoded")
    {
        return Answer::oauth_error(400, "invalid_request", "the body must be application/x-www-form-urlencoded");
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(&request.body).into_owned().collect();
    let mut names: Vec<&str> = form.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        return Answer::oauth_error(400, "invalid_request", "a parameter is repeated");
    }
    let field = |name: &str| form.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());

    // Client authentication: exactly one of client_secret_basic and client_secret_post.
    let basic = match request.header("authorization") {
        Some(value) => match basic_credentials(value) {
            Ok(credentials) => Some(credentials),
            Err(()) => return Answer::oauth_error(401, "invalid_client", "malformed Basic credentials"),
        },
        None => None,
    };
    let (client_id, secret) = match (basic, field("client_secret")) {
        (Some(_), Some(_)) => {
            return Answer::oauth_error(400, "invalid_request", "more than one client authentication method");
        }
        (Some((id, secret)), None) => {
            if field("client_id").is_some_and(|form_id| form_id != id) {
                return Answer::oauth_error(401, "invalid_client", "client_id differs from the authenticated client");
            }
            (id, secret)
        }
        (None, Some(secret)) => (field("client_id").unwrap_or_default().to_string(), secret.to_string()),
        (None, None) => return Answer::oauth_error(401, "invalid_client", "client authentication is required"),
    };
    if client_id != CLIENT_ID || secret != CLIENT_SECRET {
        return Answer::oauth_error(401, "invalid_client", "client authentication failed");
    }

    match field("grant_type") {
        Some("authorization_code") => {}
        Some(_) => return Answer::oauth_error(400, "unsupported_grant_type", "only authorization_code is supported"),
        None => return Answer::oauth_error(400, "invalid_request", "grant_type is missing"),
    }
    let Some(code) = field("code") else {
        return Answer::oauth_error(400, "invalid_request", "code is missing");
    };
    // A code is spent by any authenticated attempt, successful or not.
    let Some(grant) = shared.state().codes.remove(code) else {
        return Answer::oauth_error(400, "invalid_grant", "unknown or already used code");
    };
    if grant.expires <= Instant::now() {
        return Answer::oauth_error(400, "invalid_grant", "the code has expired");
    }
    if field("redirect_uri") != Some(grant.redirect_uri.as_str()) {
        return Answer::oauth_error(400, "invalid_grant", "redirect_uri differs from the authorization request");
    }
    let verified = field("code_verifier")
        .filter(|v| (43..=128).contains(&v.len()) && pkce_charset(v))
        .is_some_and(|verifier| URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == grant.challenge);
    if !verified {
        return Answer::oauth_error(400, "invalid_grant", "code_verifier does not match the code_challenge");
    }

    let (tamper, rotated, unpublished) = {
        let mut state = shared.state();
        (state.tamper.take(), state.rotated, state.unpublished)
    };
    let access_token = AccessToken::new(random_token());
    let id_token = id_token(shared, &grant, &access_token, tamper, rotated, unpublished);
    Answer::json(
        200,
        json!({
            "access_token": access_token.secret(),
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME,
            "id_token": id_token,
        }),
    )
}

fn id_token(
    shared: &Shared,
    grant: &Grant,
    access_token: &AccessToken,
    tamper: Option<Tamper>,
    rotated: bool,
    unpublished: bool,
) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_secs();
    let (iat, exp) = match tamper {
        Some(Tamper::Expired) => (now - 900, now - 600),
        Some(Tamper::FutureIat) => (now + 3600, now + 3900),
        _ => (now, now + TOKEN_LIFETIME),
    };
    let issuer = match tamper {
        Some(Tamper::WrongIssuer) => format!("{}/other", shared.issuer),
        _ => shared.issuer.clone(),
    };
    let audiences = match tamper {
        Some(Tamper::WrongAudience) => vec!["someone-else"],
        Some(Tamper::ExtraAudienceWithoutAzp) => vec![CLIENT_ID, "someone-else"],
        _ => vec![CLIENT_ID],
    };
    let nonce = match tamper {
        Some(Tamper::WrongNonce) => format!("{}-not-this-one", grant.nonce),
        _ => grant.nonce.clone(),
    };
    let user = &grant.user;
    let standard = StandardClaims::new(SubjectIdentifier::new(user.sub.clone()))
        .set_email(user.email.clone().map(EndUserEmail::new))
        .set_email_verified(user.email.as_ref().map(|_| true))
        .set_preferred_username(user.preferred_username.clone().map(EndUserUsername::new))
        .set_name(user.name.clone().map(|name| LocalizedClaim::from(EndUserName::new(name))));
    let claims = GroupsIdTokenClaims::new(
        IssuerUrl::new(issuer).expect("issuer URL"),
        audiences.into_iter().map(|a| Audience::new(a.to_string())).collect(),
        seconds(exp),
        seconds(iat),
        standard,
        GroupsClaims { groups: user.groups.clone() },
    )
    .set_nonce(Some(Nonce::new(nonce)));

    let current_kid = if rotated { KID_2 } else { KID_1 };
    match tamper {
        Some(Tamper::AlgNone) => {
            let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
            let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("claims"));
            format!("{header}.{payload}.")
        }
        Some(Tamper::Hs256WithPublicKey) => {
            let public_pem = if rotated { KEY2_PUBLIC_PEM } else { KEY1_PUBLIC_PEM };
            let header = URL_SAFE_NO_PAD.encode(json!({"alg": "HS256", "kid": current_kid}).to_string());
            let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("claims"));
            let signing_input = format!("{header}.{payload}");
            let mut mac = Hmac::<Sha256>::new_from_slice(public_pem.as_bytes()).expect("any HMAC key length");
            mac.update(signing_input.as_bytes());
            format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
        }
        _ => {
            let key = if unpublished || tamper == Some(Tamper::UnknownKid) {
                &shared.keys.unpublished
            } else if rotated {
                &shared.keys.key2
            } else {
                &shared.keys.key1
            };
            GroupsIdToken::new(claims, key, CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, Some(access_token), None)
                .expect("sign the ID token")
                .to_string()
        }
    }
}

fn seconds(unix: u64) -> DateTime<Utc> {
    DateTime::from_timestamp(i64::try_from(unix).expect("sane time"), 0).expect("representable time")
}

/// RFC 7636 unreserved characters.
fn pkce_charset(value: &str) -> bool {
    value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// `Basic base64(urlencode(id):urlencode(secret))` → (id, secret), RFC 6749 §2.3.1.
fn basic_credentials(header: &str) -> Result<(String, String), ()> {
    let (scheme, encoded) = header.trim().split_once(' ').ok_or(())?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(());
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).map_err(|_| ())?).map_err(|_| ())?;
    let (id, secret) = decoded.split_once(':').ok_or(())?;
    Ok((form_decode(id)?, form_decode(secret)?))
}

/// application/x-www-form-urlencoded decoding of one value (`+` is a space), strict about `%`.
fn form_decode(value: &str) -> Result<String, ()> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).filter(|h| h.iter().all(u8::is_ascii_hexdigit)).ok_or(())?;
                out.push(u8::from_str_radix(std::str::from_utf8(hex).map_err(|_| ())?, 16).map_err(|_| ())?);
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| ())
}
