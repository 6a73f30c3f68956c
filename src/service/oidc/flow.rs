//! The authorization-code flow: `begin` sends the browser to the provider (PKCE S256, state,
//! nonce, all kept server-side for one use within ten minutes and bound to the browser by a
//! cookie); `finish` takes the code back, has the provider exchange it, verifies the ID
//! token (signature against the provider's keys, refreshed once when the token names an
//! unknown key; issuer, audience, authorized party, expiry, issue time and nonce) and then
//! signs in, creates or links the account the identity (issuer, subject) belongs to.
//!
//! An e-mail address never links anything: providers that let people set their own address
//! would hand over any account with a matching one.

use openidconnect::core::{CoreAuthenticationFlow, CoreClientAuthMethod, CoreGenderClaim, CoreJsonWebKey};
use openidconnect::{
    AuthType, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IdTokenClaims,
    IdTokenVerifier, IssuerUrl, LogoutRequest, Nonce, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    RedirectUrl, RequestTokenError, Scope, SignatureVerificationError, TokenResponse,
};

use super::OidcError;
use super::provider::{Metadata, OidcClient, OtherClaims, ProviderCache, SIGNING_ALGS, with_provider};
use super::settings;
use crate::auth::password::PasswordHasher;
use crate::auth::session::{RequestOrigin, hash_token};
use crate::auth::totp::SecretBox;
use crate::clock::Clock;
use crate::db::oidc_flows::{self, NewFlow};
use crate::db::{oidc_identities, sessions, users};
use crate::domain::audit_action::AuditAction;
use crate::domain::id::{OidcIdentityId, UserId};
use crate::domain::oidc::{GroupVerdict, OidcSettings, groups_from_claim};
use crate::domain::role::Role;
use crate::domain::username::Username;
use crate::outbound::OutboundClient;
use crate::service::sign_in::{self, SessionToken};
use crate::service::users::{AccountChange, update_account};
use crate::service::{Caller, Context, second_factor};

/// An ID token issued longer ago than this is refused (it came from an exchange just now).
const MAX_TOKEN_AGE_SECONDS: i64 = 600;
/// Clocks differ: this much in the future is still "now".
const CLOCK_SKEW_SECONDS: i64 = 60;

/// What the flow needs from the server.
#[derive(Clone, Copy)]
pub struct Deps<'a> {
    pub outbound: &'a std::sync::Arc<OutboundClient>,
    pub provider: &'a ProviderCache,
    pub secrets: &'a SecretBox,
    pub hasher: &'a PasswordHasher,
    pub clock: &'a dyn Clock,
    /// Where the server is reached (`https://host[:port]`, no trailing slash).
    pub origin: &'a str,
}

/// The path the provider sends the browser back to.
pub const CALLBACK_PATH: &str = "/api/auth/oidc/callback";

/// The redirect URI to register at the provider: exactly this, on the public origin.
pub fn redirect_uri(origin: &str) -> String {
    format!("{}{CALLBACK_PATH}", origin.trim_end_matches('/'))
}

/// Where to send a browser whose single sign-on session just ended here, to end the
/// provider's session too: its end-session endpoint (RP-initiated logout) with our client id
/// and the sign-in page to come back to. `None` when the admin turned that off, the provider
/// offers none or cannot be reached (signing out here never waits on it failing).
pub async fn end_session_url(ctx: Context<'_>, deps: Deps<'_>) -> Option<String> {
    let settings = settings::load(ctx.db.pool()).await.ok()?;
    if !settings.enabled || !settings.rp_logout {
        return None;
    }
    let metadata = deps.provider.metadata(deps.outbound, &settings.issuer).await.ok()?;
    let endpoint = metadata.additional_metadata().end_session_endpoint.clone()?;
    let back = PostLogoutRedirectUrl::new(format!("{}/login", deps.origin.trim_end_matches('/'))).ok()?;
    let request = LogoutRequest::from(endpoint)
        .set_client_id(ClientId::new(settings.client_id))
        .set_post_logout_redirect_uri(back);
    Some(request.http_get_url().to_string())
}

/// Where to send the browser, and the value for the cookie that binds the flow to it.
pub struct Begun {
    pub authorize_url: String,
    pub browser_token: String,
}

/// How a callback ended.
pub enum Finished {
    SignedIn {
        session: SessionToken,
    },
    /// The user has an authenticator and the admin wants it asked after single sign-on too.
    SecondStep {
        mfa_token: String,
    },
    Linked,
}

/// Starts a sign-in (`link_to` None) or the linking of an identity to a signed-in account.
pub async fn begin(ctx: Context<'_>, deps: Deps<'_>, link_to: Option<UserId>) -> Result<Begun, OidcError> {
    let settings = settings::load(ctx.db.pool()).await?;
    if !settings.enabled {
        return Err(OidcError::Off);
    }
    let metadata = deps.provider.metadata(deps.outbound, &settings.issuer).await.map_err(unavailable)?;
    let client = client(ctx, deps, &settings, &metadata).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(challenge);
    for scope in settings.scopes.split_whitespace().filter(|s| *s != "openid") {
        request = request.add_scope(Scope::new(scope.to_string()));
    }
    let (url, state, nonce) = request.url();
    let browser_token = crate::auth::session::new_token().token;
    oidc_flows::start(
        ctx.db.pool(),
        NewFlow {
            state_hash: &hash_token(state.secret()),
            browser_hash: &hash_token(&browser_token),
            nonce: nonce.secret(),
            pkce_verifier: verifier.secret(),
            issuer: &settings.issuer,
            link_user_id: link_to,
        },
        ctx.now,
    )
    .await?;
    Ok(Begun { authorize_url: url.to_string(), browser_token })
}

/// What came back to the callback.
pub struct Callback<'a> {
    pub state: Option<&'a str>,
    pub code: Option<&'a str>,
    /// The provider's `error` parameter (the user cancelled, the provider refused).
    pub error: Option<&'a str>,
    /// The cookie `begin` set, if the browser sent it.
    pub browser_token: Option<&'a str>,
    /// The session token the browser already had (ended by a new sign-in).
    pub replacing: Option<&'a str>,
}

/// Whether a callback belonged to a link flow: failures of those return to Settings.
pub struct Failure {
    pub error: OidcError,
    pub linking: bool,
}

/// Finishes a flow. Every failure is audited (`oidc_login_failure` with the reason); a
/// refused sign-in leaves nothing behind (no account, no link, no session).
pub async fn finish(
    ctx: Context<'_>,
    deps: Deps<'_>,
    origin: &RequestOrigin,
    callback: Callback<'_>,
) -> Result<Finished, Failure> {
    let mut linking = false;
    let outcome = async {
        let state = callback.state.ok_or(OidcError::Expired)?;
        let flow = oidc_flows::take(ctx.db.pool(), &hash_token(state)).await?.ok_or(OidcError::Expired)?;
        linking = flow.link_user_id.is_some();
        let same_browser = callback.browser_token.is_some_and(|token| hash_token(token) == flow.browser_hash);
        if flow.expires_at <= ctx.now.0 || !same_browser {
            return Err(OidcError::Expired);
        }
        if let Some(error) = callback.error {
            return Err(OidcError::Refused(format!("the provider answered error={}", truncate(error))));
        }
        let code = callback.code.ok_or_else(|| OidcError::Refused("no code in the callback".into()))?;
        let settings = settings::load(ctx.db.pool()).await?;
        if !settings.enabled {
            return Err(OidcError::Off);
        }
        if settings.issuer != flow.issuer {
            // The admin changed providers while this sign-in was under way.
            return Err(OidcError::Expired);
        }
        if let Some(user_id) = flow.link_user_id {
            // A link finishes in the session that started it, never in a browser an
            // attacker's flow was planted in.
            let session = match callback.replacing {
                Some(token) => sessions::resolve(ctx.db.pool(), &hash_token(token)).await?,
                None => None,
            };
            if !session.is_some_and(|s| s.user_id == user_id && s.expires_at > ctx.now.0) {
                return Err(OidcError::Expired);
            }
        }
        let identity = verified_identity(ctx, deps, &settings, code, flow.pkce_verifier, &flow.nonce).await?;
        match flow.link_user_id {
            Some(user_id) => link_signed_in(ctx, origin, user_id, &settings.issuer, &identity).await,
            None => sign_in(ctx, deps, origin, &settings, &identity, callback.replacing).await,
        }
    }
    .await;
    match outcome {
        Ok(finished) => Ok(finished),
        Err(error) => {
            let reason = error.to_string();
            tracing::info!(client_ip = %origin.ip, "single sign-on refused: {reason}");
            // The audit write failing must not hide the sign-in's own failure.
            let _ = Caller::anonymous(origin).audit(ctx, AuditAction::OidcLoginFailure, "oidc", Some(reason)).await;
            Err(Failure { error, linking })
        }
    }
}

/// Who the provider says signed in.
struct Identity {
    subject: String,
    preferred_username: Option<String>,
    email: Option<String>,
    groups: Vec<String>,
}

/// Exchanges the code (with the PKCE verifier) and verifies the ID token; a token signed with
/// a key the cached set lacks makes the keys be fetched again, once.
async fn verified_identity(
    ctx: Context<'_>,
    deps: Deps<'_>,
    settings: &OidcSettings,
    code: &str,
    pkce_verifier: String,
    nonce: &str,
) -> Result<Identity, OidcError> {
    let metadata = deps.provider.metadata(deps.outbound, &settings.issuer).await.map_err(unavailable)?;
    let client = client(ctx, deps, settings, &metadata).await?;
    let code = AuthorizationCode::new(code.to_string());
    let answer = with_provider(deps.outbound, move |http| {
        let request = client.exchange_code(code).map_err(|_| None)?;
        request.set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier)).request(http).map_err(Some)
    })
    .await
    .map_err(unavailable)?
    .map_err(|e| match e {
        None => OidcError::Unavailable("the provider names no token endpoint".into()),
        Some(e) => match e {
            RequestTokenError::Request(e) => OidcError::Unavailable(e.to_string()),
            RequestTokenError::ServerResponse(e) => OidcError::Refused(format!("token endpoint: {}", e.error())),
            other => OidcError::Refused(format!("token endpoint: {other}")),
        },
    })?;
    let id_token = answer.id_token().ok_or_else(|| OidcError::Refused("no ID token in the answer".into()))?;
    let nonce = Nonce::new(nonce.to_string());
    let verify = |metadata: &Metadata| -> Result<IdTokenClaims<OtherClaims, CoreGenderClaim>, ClaimsVerificationError> {
        id_token.clone().into_claims(&verifier(deps, settings, metadata), &nonce)
    };
    let claims = match verify(&metadata) {
        Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)) => {
            let refreshed =
                deps.provider.refresh_keys(deps.outbound, &settings.issuer, &metadata).await.map_err(unavailable)?;
            verify(&refreshed)
        }
        other => other,
    }
    .map_err(|e| OidcError::Refused(format!("ID token: {e}")))?;
    // openidconnect refuses audiences besides ours but does not read `azp`; when present it
    // must name us (OpenID Connect Core §3.1.3.7, step 5).
    if claims.authorized_party().is_some_and(|azp| azp.as_str() != settings.client_id) {
        return Err(OidcError::Refused("ID token: azp names another client".into()));
    }
    Ok(Identity {
        subject: claims.subject().to_string(),
        preferred_username: claims.preferred_username().map(|u| u.to_string()),
        email: claims.email().map(|e| e.to_string()),
        groups: groups_from_claim(claims.additional_claims().0.get(&settings.groups_claim)),
    })
}

/// The ID-token checks: asymmetric signatures only, by a key of the provider's set; `iss`
/// the issuer; `aud` our client id and no other (openidconnect trusts no other audience);
/// `exp` in the future and `iat` recent, both by the app's clock. (`azp` is checked after.)
fn verifier<'a>(deps: Deps<'a>, settings: &OidcSettings, metadata: &Metadata) -> IdTokenVerifier<'a, CoreJsonWebKey> {
    let clock = deps.clock;
    let now = move || chrono::DateTime::from_timestamp_millis(clock.now().0).unwrap_or_default();
    let issuer = IssuerUrl::new(settings.issuer.clone()).unwrap_or_else(|_| metadata.issuer().clone());
    IdTokenVerifier::new_public_client(ClientId::new(settings.client_id.clone()), issuer, metadata.jwks().clone())
        .set_allowed_algs(SIGNING_ALGS)
        .set_time_fn(now)
        .set_issue_time_verifier_fn(move |iat| {
            let age = (now() - iat).num_seconds();
            if age < -CLOCK_SKEW_SECONDS {
                Err(format!("issued {}s in the future", -age))
            } else if age > MAX_TOKEN_AGE_SECONDS {
                Err(format!("issued {age}s ago"))
            } else {
                Ok(())
            }
        })
}

/// The openidconnect client for the provider, with our secret and exact redirect URI. Client
/// authentication is HTTP Basic unless the provider supports only the form-body method.
async fn client(
    ctx: Context<'_>,
    deps: Deps<'_>,
    settings: &OidcSettings,
    metadata: &Metadata,
) -> Result<OidcClient, OidcError> {
    let secret = settings::client_secret(ctx, deps.secrets).await?.ok_or(OidcError::Off)?;
    let redirect = RedirectUrl::new(redirect_uri(deps.origin)).map_err(|e| OidcError::Internal(e.to_string()))?;
    let methods = metadata.token_endpoint_auth_methods_supported();
    let post_only = methods.is_some_and(|m| {
        !m.contains(&CoreClientAuthMethod::ClientSecretBasic) && m.contains(&CoreClientAuthMethod::ClientSecretPost)
    });
    let client = OidcClient::from_provider_metadata(
        metadata.clone(),
        ClientId::new(settings.client_id.clone()),
        Some(ClientSecret::new(secret)),
    )
    .set_redirect_uri(redirect);
    Ok(if post_only { client.set_auth_type(AuthType::RequestBody) } else { client })
}

/// Links a verified identity to the signed-in user who started the flow.
async fn link_signed_in(
    ctx: Context<'_>,
    origin: &RequestOrigin,
    user_id: UserId,
    issuer: &str,
    identity: &Identity,
) -> Result<Finished, OidcError> {
    let user = users::find_by_id(ctx.db.pool(), user_id).await?.ok_or(OidcError::NotFound)?;
    if let Some(existing) = oidc_identities::find(ctx.db.pool(), issuer, &identity.subject).await? {
        return if existing.user_id == user_id { Ok(Finished::Linked) } else { Err(OidcError::Taken) };
    }
    oidc_identities::link(ctx.db.pool(), user_id, issuer, &identity.subject, ctx.now)
        .await
        .map_err(|e| if e.is_unique_violation() { OidcError::Taken } else { OidcError::Db(e) })?;
    let detail = format!("{issuer} {}", identity.subject);
    Caller::user(user.id, &user.username, origin)
        .audit(ctx, AuditAction::OidcLink, &user.username, Some(detail))
        .await?;
    Ok(Finished::Linked)
}

/// Signs the identity's account in (creating it when allowed), with the role its groups give.
async fn sign_in(
    ctx: Context<'_>,
    deps: Deps<'_>,
    origin: &RequestOrigin,
    settings: &OidcSettings,
    identity: &Identity,
    replacing: Option<&str>,
) -> Result<Finished, OidcError> {
    let role = match settings.role_for(&identity.groups) {
        GroupVerdict::Refused => return Err(OidcError::Group),
        GroupVerdict::Role(role) => Some(role),
        GroupVerdict::Member => None,
    };
    let linked = oidc_identities::find(ctx.db.pool(), &settings.issuer, &identity.subject).await?;
    let (user, identity_row) = match linked {
        Some(row) => (users::find_by_id(ctx.db.pool(), row.user_id).await?.ok_or(OidcError::NotLinked)?, row),
        None if settings.auto_create => {
            let role = role.unwrap_or(settings.default_role);
            create_account(ctx, deps, origin, settings, identity, role).await?
        }
        None => return Err(OidcError::NotLinked),
    };
    if !user.is_active() {
        return Err(OidcError::Disabled);
    }
    if settings.require_local_mfa && second_factor::enabled(ctx, user.id).await.unwrap_or(true) {
        // Nothing changes (role, sessions) until UMBRA's own code is right too.
        let mfa_token = sign_in::second_step::challenge_after_sso(ctx, user.id, identity_row.id, role).await?;
        return Ok(Finished::SecondStep { mfa_token });
    }
    let (_, session) = finish_after_code(ctx, origin, user, identity_row.id, role, replacing).await?;
    Ok(Finished::SignedIn { session })
}

/// What a single sign-on does once every check passed (directly, or after the code step):
/// the role the groups give (`None`: keep), then a session marked as the identity's.
pub(crate) async fn finish_after_code(
    ctx: Context<'_>,
    origin: &RequestOrigin,
    user: users::UserRow,
    identity_id: OidcIdentityId,
    role: Option<Role>,
    replacing: Option<&str>,
) -> Result<(users::UserRow, SessionToken), sign_in::SignInError> {
    let user = match role {
        Some(role) => follow_role(ctx, origin, user, role).await.map_err(|e| match e {
            OidcError::Db(e) => sign_in::SignInError::Db(e),
            other => sign_in::SignInError::Internal(other.to_string()),
        })?,
        None => user,
    };
    let session = sign_in::start_session(ctx, origin, &user, replacing, AuditAction::OidcLogin).await?;
    sessions::set_oidc_identity(ctx.db.pool(), &hash_token(&session.token), identity_id).await?;
    oidc_identities::record_login(ctx.db.pool(), identity_id, ctx.now).await?;
    Ok((user, session))
}

/// Gives the account the role the groups say, as an admin's role change would (other
/// sessions end). The last active admin is never demoted by the provider: that would leave
/// nobody to administer UMBRA; it is audited instead.
async fn follow_role(
    ctx: Context<'_>,
    origin: &RequestOrigin,
    user: users::UserRow,
    role: Role,
) -> Result<users::UserRow, OidcError> {
    if user.role() == role {
        return Ok(user);
    }
    let caller = Caller::anonymous(origin);
    match update_account(ctx, &caller, user.id, AccountChange { role: Some(role), active: None }).await {
        Ok(changed) => {
            let detail = format!("{} -> {} (group claim)", user.role().as_str(), role.as_str());
            caller.audit(ctx, AuditAction::OidcRoleChange, &user.username, Some(detail)).await?;
            Ok(changed.after)
        }
        Err(crate::service::users::UserError::LastAdmin) => {
            let detail = "kept admin: the provider's groups would demote the last active admin".to_string();
            caller.audit(ctx, AuditAction::OidcRoleChange, &user.username, Some(detail)).await?;
            Ok(user)
        }
        Err(other) => Err(other.into()),
    }
}

/// Creates an account for an identity nobody linked (auto_create): named after the
/// provider's preferred username when that is a valid, free UMBRA name, else a variant of it.
/// The account and its link are written together; the account gets an unusable random
/// password (it signs in through the provider; a password can be set later).
async fn create_account(
    ctx: Context<'_>,
    deps: Deps<'_>,
    origin: &RequestOrigin,
    settings: &OidcSettings,
    identity: &Identity,
    role: Role,
) -> Result<(users::UserRow, oidc_identities::IdentityRow), OidcError> {
    let random = crate::auth::session::new_token().token;
    let unusable = crate::domain::password_policy::check(&random, "")
        .map_err(|_| OidcError::Internal("a random password was refused".into()))?;
    let hash = deps.hasher.hash(&unusable).await.map_err(|e| OidcError::Internal(e.to_string()))?;
    for name in candidate_names(identity) {
        let Ok(username) = Username::parse(&name) else { continue };
        let mut tx = ctx.db.write().await?;
        let user = match users::create(&mut *tx, &username, &hash, role, ctx.now).await {
            Ok(user) => user,
            Err(e) if e.is_unique_violation() => continue,
            Err(e) => return Err(e.into()),
        };
        let row = oidc_identities::link(&mut *tx, user.id, &settings.issuer, &identity.subject, ctx.now)
            .await
            .map_err(|e| if e.is_unique_violation() { OidcError::Expired } else { OidcError::Db(e) })?;
        tx.commit().await?;
        let detail = format!("role {}, identity {} {}", role.as_str(), settings.issuer, identity.subject);
        Caller::anonymous(origin).audit(ctx, AuditAction::OidcAccountCreate, &user.username, Some(detail)).await?;
        return Ok((user, row));
    }
    Err(OidcError::Internal("no free username for the new account".into()))
}

/// Names to try for a new account, best first: the preferred username, the e-mail's local
/// part, then those with a number, then a random one.
fn candidate_names(identity: &Identity) -> Vec<String> {
    let local = identity.email.as_deref().and_then(|e| e.split('@').next());
    let mut bases: Vec<String> = [identity.preferred_username.as_deref(), local]
        .into_iter()
        .flatten()
        .map(|raw| {
            raw.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c)).take(28).collect()
        })
        .filter(|name: &String| Username::parse(name).is_ok())
        .collect();
    bases.dedup();
    let mut names = bases.clone();
    for n in 2..10 {
        names.extend(bases.iter().map(|b| format!("{b}{n}")));
    }
    names.push(format!("user-{:08x}", rand::random::<u32>()));
    names
}

fn unavailable(error: super::provider::ProviderUnavailable) -> OidcError {
    OidcError::Unavailable(error.0)
}

/// A provider's parameter, cut short for the log.
fn truncate(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(80).collect()
}
