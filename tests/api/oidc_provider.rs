//! The OpenID provider the OIDC tests sign in against (`support::oidc_provider`), checked with
//! `openidconnect` playing the relying party: discovery, the code flow with PKCE, a verified
//! ID token carrying the groups; codes are single use and bound to the verifier, the redirect
//! URI and the client; each tampered token is refused by a strict verifier and accepted by one
//! relaxed on exactly that point (so each spoils one thing, and only that); key rotation and
//! an unpublished key change what `/jwks` serves and what the tokens name.

use std::str::FromStr;
use std::time::Duration;

use chrono::Utc;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreErrorResponseType, CoreJsonWebKey, CoreJsonWebKeySet,
    CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRsaPrivateSigningKey, CoreTokenResponse,
};
use openidconnect::{
    AuthType, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, HttpClientError, HttpRequest, HttpResponse, IdTokenVerifier, IssuerUrl, JsonWebKey,
    JsonWebKeyId, Nonce, PkceCodeChallenge, PkceCodeVerifier, PrivateSigningKey, RedirectUrl, RequestTokenError, Scope,
    SignatureVerificationError, StandardErrorResponse, TokenResponse, http,
};
use serde_json::Value;
use url::Url;

use crate::support::oidc_provider::{
    CLIENT_ID, CLIENT_SECRET, GroupsIdToken, IdpUser, KID_1, KID_2, KID_UNPUBLISHED, Provider, Tamper,
};

const REDIRECT: &str = "http://127.0.0.1:9/api/auth/oidc/callback";

type RpClient =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// The relying party: the client and what discovery found (the client keeps no getters for these).
#[derive(Clone)]
struct Rp {
    client: RpClient,
    issuer: IssuerUrl,
    jwks: CoreJsonWebKeySet,
}
type HttpError = HttpClientError<reqwest::Error>;
type ExchangeError = RequestTokenError<HttpError, StandardErrorResponse<CoreErrorResponseType>>;

/// The async HTTP client `openidconnect` asks for: a closure (here a fn) over reqwest that
/// never follows redirects.
async fn http(request: HttpRequest) -> Result<HttpResponse, HttpError> {
    crate::live::install_crypto();
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().map_err(Box::new)?;
    let response = client.execute(request.try_into().map_err(Box::new)?).await.map_err(Box::new)?;
    let mut answer = http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        answer = answer.header(name, value);
    }
    answer.body(response.bytes().await.map_err(Box::new)?.to_vec()).map_err(HttpClientError::Http)
}

async fn relying_party(provider: &Provider, secret: &str) -> Rp {
    let issuer = IssuerUrl::new(provider.issuer()).unwrap();
    let metadata = CoreProviderMetadata::discover_async(issuer.clone(), &http).await.expect("discovery");
    let jwks = metadata.jwks().clone();
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(CLIENT_ID.into()),
        Some(ClientSecret::new(secret.into())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
    Rp { client, issuer, jwks }
}

/// Stricter than `openidconnect`'s default, which accepts any `iat`.
fn strict(rp: &Rp) -> IdTokenVerifier<'_, CoreJsonWebKey> {
    rp.client.id_token_verifier().set_issue_time_verifier_fn(|iat| {
        if iat > Utc::now() + Duration::from_mins(1) { Err(format!("issued in the future ({iat})")) } else { Ok(()) }
    })
}

/// One trip through `/authorize`: the code, the nonce sent and the PKCE verifier.
async fn authorize(provider: &Provider, rp: &Rp) -> (AuthorizationCode, Nonce, PkceCodeVerifier) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = rp
        .client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let location = Url::parse(&provider.follow_authorize(url.as_str()).await).unwrap();
    assert!(location.as_str().starts_with(&format!("{REDIRECT}?")), "{location}");
    let param = |name: &str| location.query_pairs().find(|(n, _)| n == name).map(|(_, v)| v.into_owned());
    assert_eq!(param("state").as_deref(), Some(state.secret().as_str()), "{location}");
    (AuthorizationCode::new(param("code").expect("a code")), nonce, verifier)
}

async fn exchange(
    rp: &Rp,
    code: AuthorizationCode,
    verifier: PkceCodeVerifier,
) -> Result<CoreTokenResponse, ExchangeError> {
    rp.client.exchange_code(code).expect("token endpoint").set_pkce_verifier(verifier).request_async(&http).await
}

/// A full sign-in; the raw ID token and the nonce it must carry.
async fn sign_in(provider: &Provider, rp: &Rp) -> (String, Nonce) {
    let (code, nonce, verifier) = authorize(provider, rp).await;
    let tokens = exchange(rp, code, verifier).await.expect("token exchange");
    (tokens.id_token().expect("an ID token").to_string(), nonce)
}

fn oauth_error(result: Result<CoreTokenResponse, ExchangeError>) -> CoreErrorResponseType {
    match result {
        Err(RequestTokenError::ServerResponse(error)) => error.error().clone(),
        other => panic!("expected an OAuth error, got {other:?}"),
    }
}

fn header(id_token: &str) -> Value {
    use base64::Engine;
    let encoded = id_token.split('.').next().unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded).unwrap()).unwrap()
}

async fn get_json(url: &str) -> (u16, Value) {
    let response = http(http::Request::get(url).body(Vec::new()).unwrap()).await.unwrap();
    let status = response.status().as_u16();
    assert_eq!(response.headers()["content-type"], "application/json", "{url}");
    (status, serde_json::from_slice(response.body()).unwrap())
}

#[tokio::test]
async fn code_flow_with_pkce_gives_a_verified_id_token_with_groups() {
    let provider = Provider::start().await;
    let issuer = provider.issuer();
    let (status, discovery) = get_json(&format!("{issuer}/.well-known/openid-configuration")).await;
    assert_eq!(status, 200);
    assert_eq!(discovery["issuer"], issuer.as_str());
    assert_eq!(discovery["code_challenge_methods_supported"], serde_json::json!(["S256"]));
    assert_eq!(discovery["id_token_signing_alg_values_supported"], serde_json::json!(["RS256"]));
    assert_eq!(
        discovery["token_endpoint_auth_methods_supported"],
        serde_json::json!(["client_secret_basic", "client_secret_post"])
    );
    assert!(discovery.get("end_session_endpoint").is_none(), "{discovery}");

    provider.sign_in_as(IdpUser::new("sub-bob", "bob", &["umbra-admins", "family"]));
    let rp = relying_party(&provider, CLIENT_SECRET).await;
    let (id_token, nonce) = sign_in(&provider, &rp).await;
    assert_eq!(header(&id_token)["kid"], KID_1);
    let token = GroupsIdToken::from_str(&id_token).unwrap();
    let claims = token.claims(&strict(&rp), &nonce).expect("a valid ID token");
    assert_eq!(claims.subject().as_str(), "sub-bob");
    assert_eq!(claims.audiences().iter().map(|a| a.as_str()).collect::<Vec<_>>(), [CLIENT_ID]);
    assert_eq!(claims.email().map(|e| e.as_str()), Some("bob@example.test"));
    assert_eq!(claims.email_verified(), Some(true));
    assert_eq!(claims.preferred_username().map(|u| u.as_str()), Some("bob"));
    assert_eq!(claims.name().and_then(|n| n.get(None)).map(|n| n.as_str()), Some("bob"));
    assert_eq!(claims.additional_claims().groups, ["umbra-admins", "family"]);
    assert_eq!((claims.expiration() - claims.issue_time()).num_seconds(), 300);

    let requests = provider.token_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].basic_auth, Some((CLIENT_ID.to_string(), CLIENT_SECRET.to_string())));
    assert_eq!(requests[0].answered, 200);
    let field = |name: &str| requests[0].form.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    assert_eq!(field("grant_type").as_deref(), Some("authorization_code"));
    assert_eq!(field("redirect_uri").as_deref(), Some(REDIRECT));
    assert_eq!((provider.discovery_fetches(), provider.jwks_fetches()), (2, 1));

    // client_secret_post works as well.
    let mut rp = relying_party(&provider, CLIENT_SECRET).await;
    rp.client = rp.client.set_auth_type(AuthType::RequestBody);
    let (id_token, nonce) = sign_in(&provider, &rp).await;
    GroupsIdToken::from_str(&id_token).unwrap().claims(&strict(&rp), &nonce).expect("a valid ID token");
    let last = provider.token_requests().pop().unwrap();
    assert_eq!((last.basic_auth, last.answered), (None, 200));
    assert!(last.form.contains(&("client_secret".to_string(), CLIENT_SECRET.to_string())), "{:?}", last.form);

    // RP-initiated logout only when advertised; down means 503 everywhere.
    provider.advertise_end_session(true);
    let (_, discovery) = get_json(&format!("{issuer}/.well-known/openid-configuration")).await;
    assert_eq!(discovery["end_session_endpoint"], format!("{issuer}/logout"));
    let logout = reqwest::get(format!("{issuer}/logout?state=x")).await.unwrap();
    assert_eq!(logout.status(), 200);
    assert!(logout.text().await.unwrap().contains("signed out"));
    provider.set_down(true);
    let fetches = provider.discovery_fetches();
    let discovered = CoreProviderMetadata::discover_async(IssuerUrl::new(issuer.clone()).unwrap(), &http).await;
    assert!(discovered.is_err());
    assert_eq!(provider.discovery_fetches(), fetches + 1);
    assert_eq!(reqwest::get(format!("{issuer}/jwks")).await.unwrap().status(), 503);
}

#[tokio::test]
async fn codes_are_single_use_and_bound_to_verifier_redirect_and_client() {
    let provider = Provider::start().await;
    let rp = relying_party(&provider, CLIENT_SECRET).await;

    // Replay: the second exchange of a good code is invalid_grant.
    let (code, _, verifier) = authorize(&provider, &rp).await;
    let verifier_again = PkceCodeVerifier::new(verifier.secret().clone());
    exchange(&rp, code.clone(), verifier).await.expect("first exchange");
    assert_eq!(oauth_error(exchange(&rp, code, verifier_again).await), CoreErrorResponseType::InvalidGrant);

    // A verifier that is not the challenge's; and the code is spent by that attempt.
    let (code, _, verifier) = authorize(&provider, &rp).await;
    let wrong = PkceCodeVerifier::new("x".repeat(43));
    assert_eq!(oauth_error(exchange(&rp, code.clone(), wrong).await), CoreErrorResponseType::InvalidGrant);
    assert_eq!(oauth_error(exchange(&rp, code, verifier).await), CoreErrorResponseType::InvalidGrant);

    // Another redirect_uri at the token endpoint.
    let (code, _, verifier) = authorize(&provider, &rp).await;
    let mut elsewhere = rp.clone();
    elsewhere.client =
        elsewhere.client.set_redirect_uri(RedirectUrl::new("http://127.0.0.1:9/elsewhere".into()).unwrap());
    assert_eq!(oauth_error(exchange(&elsewhere, code, verifier).await), CoreErrorResponseType::InvalidGrant);

    // A wrong client secret is 401 invalid_client, and the code survives it.
    let (code, _, verifier) = authorize(&provider, &rp).await;
    let verifier_again = PkceCodeVerifier::new(verifier.secret().clone());
    let impostor = relying_party(&provider, "not-the-secret").await;
    assert_eq!(oauth_error(exchange(&impostor, code.clone(), verifier).await), CoreErrorResponseType::InvalidClient);
    assert_eq!(provider.token_requests().last().unwrap().answered, 401);
    exchange(&rp, code, verifier_again).await.expect("the code was not spent by an unauthenticated attempt");

    // /authorize: no PKCE, plain PKCE or no nonce → back with error=invalid_request; unknown client → a 400 page.
    let issuer = provider.issuer();
    let base = format!(
        "{issuer}/authorize?response_type=code&client_id={CLIENT_ID}&redirect_uri={}&scope=openid&state=s1",
        url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
    );
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    for (query, error) in [
        ("&nonce=n", "invalid_request"),
        (&*format!("&nonce=n&code_challenge={challenge}&code_challenge_method=plain"), "invalid_request"),
        (&*format!("&code_challenge={challenge}&code_challenge_method=S256"), "invalid_request"),
    ] {
        let location = Url::parse(&provider.follow_authorize(&format!("{base}{query}")).await).unwrap();
        let pairs: Vec<(String, String)> = location.query_pairs().into_owned().collect();
        assert!(pairs.contains(&("error".into(), error.into())), "{query}: {location}");
        assert!(pairs.contains(&("state".into(), "s1".into())), "{query}: {location}");
        assert!(!pairs.iter().any(|(n, _)| n == "code"), "{query}: {location}");
    }
    let ok = format!("{base}&nonce=n&code_challenge={challenge}&code_challenge_method=S256");
    let unknown = reqwest::get(ok.replace(CLIENT_ID, "stranger")).await.unwrap();
    assert_eq!(unknown.status(), 400);
    assert!(unknown.headers().get("location").is_none());
}

#[tokio::test]
async fn each_tampered_token_is_refused_and_spoils_only_its_one_thing() {
    let provider = Provider::start().await;
    let rp = relying_party(&provider, CLIENT_SECRET).await;
    let unpublished = CoreRsaPrivateSigningKey::from_pem(
        include_str!("../fixtures/oidc/unpublished.pem"),
        Some(JsonWebKeyId::new(KID_UNPUBLISHED.into())),
    )
    .unwrap()
    .as_verification_key();
    let public_pem = include_str!("../fixtures/oidc/key1.pub.pem");
    let other_issuer = IssuerUrl::new(format!("{}/other", provider.issuer())).unwrap();
    let jwks = || CoreJsonWebKeySet::new(vec![]);

    for how in [
        Tamper::WrongNonce,
        Tamper::WrongAudience,
        Tamper::WrongIssuer,
        Tamper::Expired,
        Tamper::FutureIat,
        Tamper::AlgNone,
        Tamper::Hs256WithPublicKey,
        Tamper::UnknownKid,
        Tamper::ExtraAudienceWithoutAzp,
    ] {
        provider.tamper_next(how);
        let (id_token, nonce) = sign_in(&provider, &rp).await;
        let token = GroupsIdToken::from_str(&id_token).unwrap_or_else(|e| panic!("{how:?}: unparsable: {e}"));
        let refused = token.claims(&strict(&rp), &nonce).err();
        let for_that_reason = match how {
            Tamper::WrongNonce => matches!(refused, Some(ClaimsVerificationError::InvalidNonce(_))),
            Tamper::WrongAudience | Tamper::ExtraAudienceWithoutAzp => {
                matches!(refused, Some(ClaimsVerificationError::InvalidAudience(_)))
            }
            Tamper::WrongIssuer => matches!(refused, Some(ClaimsVerificationError::InvalidIssuer(_))),
            Tamper::Expired | Tamper::FutureIat => matches!(refused, Some(ClaimsVerificationError::Expired(_))),
            Tamper::AlgNone => matches!(
                refused,
                Some(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoSignature))
            ),
            Tamper::Hs256WithPublicKey => matches!(
                refused,
                Some(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::DisallowedAlg(_)))
            ),
            Tamper::UnknownKid => matches!(
                refused,
                Some(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey))
            ),
        };
        assert!(for_that_reason, "{how:?}: refused {refused:?}");

        // Relaxed on exactly the tampered point, a verifier accepts the token: nothing else is wrong.
        let issuer = rp.issuer.clone();
        let client_id = ClientId::new(CLIENT_ID.into());
        let relaxed = match how {
            Tamper::WrongNonce => token.claims(&strict(&rp), |_: Option<&Nonce>| Ok(())).map(|_| ()),
            Tamper::WrongAudience => token.claims(&strict(&rp).require_audience_match(false), &nonce).map(|_| ()),
            Tamper::WrongIssuer => {
                let verifier = IdTokenVerifier::new_public_client(client_id, other_issuer.clone(), rp.jwks.clone());
                token.claims(&verifier, &nonce).map(|_| ())
            }
            Tamper::Expired => {
                let then = Utc::now() - Duration::from_secs(700);
                token.claims(&strict(&rp).set_time_fn(move || then), &nonce).map(|_| ())
            }
            Tamper::FutureIat => token.claims(&rp.client.id_token_verifier(), &nonce).map(|_| ()),
            Tamper::AlgNone => {
                assert_eq!(header(&id_token), serde_json::json!({"alg": "none"}));
                assert!(id_token.ends_with('.'));
                let verifier =
                    IdTokenVerifier::new_public_client(client_id, issuer, jwks()).insecure_disable_signature_check();
                token.claims(&verifier, &nonce).map(|_| ())
            }
            Tamper::Hs256WithPublicKey => {
                assert_eq!(header(&id_token), serde_json::json!({"alg": "HS256", "kid": KID_1}));
                let verifier = IdTokenVerifier::new_confidential_client(
                    client_id,
                    ClientSecret::new(public_pem.into()),
                    issuer,
                    jwks(),
                )
                .set_allowed_algs([CoreJwsSigningAlgorithm::HmacSha256]);
                token.claims(&verifier, &nonce).map(|_| ())
            }
            Tamper::UnknownKid => {
                assert_eq!(header(&id_token)["kid"], KID_UNPUBLISHED);
                let keys = CoreJsonWebKeySet::new(vec![unpublished.clone()]);
                token.claims(&IdTokenVerifier::new_public_client(client_id, issuer, keys), &nonce).map(|_| ())
            }
            Tamper::ExtraAudienceWithoutAzp => {
                let verifier = strict(&rp).set_other_audience_verifier_fn(|aud| aud.as_str() == "someone-else");
                let claims = token.claims(&verifier, &nonce).expect("relaxed");
                assert_eq!(claims.audiences().len(), 2);
                assert!(claims.authorized_party().is_none());
                Ok(())
            }
        };
        relaxed.unwrap_or_else(|e| panic!("{how:?}: the relaxed verifier refused it too: {e}"));

        // Only the next token was spoiled.
        let (id_token, nonce) = sign_in(&provider, &rp).await;
        GroupsIdToken::from_str(&id_token).unwrap().claims(&strict(&rp), &nonce).expect("after a tamper, a good token");
    }
}

#[tokio::test]
async fn rotation_and_an_unpublished_key_change_what_is_served_and_signed() {
    let provider = Provider::start().await;
    let jwks_url = format!("{}/jwks", provider.issuer());
    let kids = |jwks: &Value| -> Vec<String> {
        jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_string()).collect()
    };
    let (status, before) = get_json(&jwks_url).await;
    assert_eq!((status, kids(&before)), (200, vec![KID_1.to_string()]));
    let rp_before = relying_party(&provider, CLIENT_SECRET).await;
    let (id_token, nonce) = sign_in(&provider, &rp_before).await;
    GroupsIdToken::from_str(&id_token).unwrap().claims(&strict(&rp_before), &nonce).expect("signed with key 1");

    provider.sign_with_unpublished_key(true);
    let (id_token, nonce) = sign_in(&provider, &rp_before).await;
    assert_eq!(header(&id_token)["kid"], KID_UNPUBLISHED);
    assert!(GroupsIdToken::from_str(&id_token).unwrap().claims(&strict(&rp_before), &nonce).is_err());
    assert_eq!(kids(&get_json(&jwks_url).await.1), [KID_1]);
    provider.sign_with_unpublished_key(false);

    provider.rotate_key();
    let (status, after) = get_json(&jwks_url).await;
    assert_eq!((status, kids(&after)), (200, vec![KID_2.to_string()]));
    let (id_token, nonce) = sign_in(&provider, &rp_before).await;
    assert_eq!(header(&id_token)["kid"], KID_2);
    let token = GroupsIdToken::from_str(&id_token).unwrap();
    assert!(token.claims(&strict(&rp_before), &nonce).is_err(), "a stale JWKS must not verify key 2");
    let rp_after = relying_party(&provider, CLIENT_SECRET).await;
    assert_eq!(rp_after.jwks.keys().iter().filter_map(|k| k.key_id()).map(|k| k.as_str()).collect::<Vec<_>>(), [KID_2]);
    token.claims(&strict(&rp_after), &nonce).expect("a fresh JWKS verifies key 2");
}
