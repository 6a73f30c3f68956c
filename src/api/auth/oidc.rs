//! `/api/auth/oidc/…`: single sign-on. `login` sends the browser to the provider and
//! `callback` brings it back signed in (both answer with redirects, never JSON: they are
//! browser navigations; a failure lands on the sign-in page with `?oidc_error=<code>`).
//! A signed-in user lists, links (after re-authenticating) and unlinks their identities.
//! The flow itself is `service::oidc::flow`.

use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::response::Redirect;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::page::Page;
use crate::auth::guards::UnlockedUser;
use crate::auth::session::{self, RequestOrigin};
use crate::db::oidc_identities::IdentityRow;
use crate::domain::id::OidcIdentityId;
use crate::domain::time::UtcMillis;
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::Caller;
use crate::service::oidc::flow::{self, Callback, Finished};
use crate::service::oidc::{OidcError, identities};

/// The cookie that binds a flow to the browser that started it (a login CSRF otherwise: an
/// attacker's own authorization URL, opened by a victim, would sign the victim in as the
/// attacker). `__Host-` (over https) so that no sibling subdomain can plant its own; gone
/// after the flow's ten minutes.
fn flow_cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() { "__Host-umbra_oidc_flow" } else { "umbra_oidc_flow" }
}

fn set_flow_cookie(state: &AppState, jar: &CookieJar<'_>, token: String) {
    let cookie = Cookie::build((flow_cookie_name(state), token))
        .http_only(true)
        .secure(state.config.secure_cookies())
        // Lax: the provider brings the browser back with a top-level GET from its own site.
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(rocket::time::Duration::minutes(crate::db::oidc_flows::LIFETIME_MINUTES));
    jar.add_private(cookie);
}

fn take_flow_cookie(state: &AppState, jar: &CookieJar<'_>) -> Option<String> {
    let value = jar.get_private(flow_cookie_name(state)).map(|c| c.value().to_string());
    let removal = Cookie::build(flow_cookie_name(state))
        .path("/")
        .secure(state.config.secure_cookies())
        .http_only(true)
        .same_site(SameSite::Lax);
    jar.remove_private(removal);
    value
}

/// The sign-in page with a reason it can put into words.
fn to_login_with(error: &OidcError) -> Redirect {
    Redirect::to(format!("/login?oidc_error={}", error.code()))
}

#[utoipa::path(tag = "auth",
    responses((status = 303, description = "to the identity provider, or back to the sign-in page with `oidc_error`")))]
#[get("/api/auth/oidc/login")]
pub async fn oidc_login(state: &State<AppState>, jar: &CookieJar<'_>) -> ApiResult<Redirect> {
    let ctx = state.context().await?;
    match flow::begin(ctx, state.oidc(), None).await {
        Ok(begun) => {
            set_flow_cookie(state, jar, begun.browser_token);
            Ok(Redirect::to(begun.authorize_url))
        }
        Err(error) => {
            if let OidcError::Unavailable(why) = &error {
                tracing::warn!("single sign-on provider unavailable: {why}");
            }
            Ok(to_login_with(&error))
        }
    }
}

#[utoipa::path(tag = "auth", params(
        ("code" = Option<String>, Query), ("state" = Option<String>, Query), ("error" = Option<String>, Query)),
    responses((status = 303, description = "signed in (to the app), linked (to Settings → Security), \
        the authenticator-code step (`/login?mfa_token=`), or refused (`?oidc_error=<code>`)")))]
#[get("/api/auth/oidc/callback?<code>&<state>&<error>")]
pub async fn oidc_callback(
    app: &State<AppState>,
    jar: &CookieJar<'_>,
    origin: RequestOrigin,
    code: Option<&str>,
    state: Option<&str>,
    error: Option<&str>,
) -> ApiResult<Redirect> {
    let browser_token = take_flow_cookie(app, jar);
    let replacing = session::read_token(jar, &app.config);
    let ctx = app.context().await?;
    let callback =
        Callback { state, code, error, browser_token: browser_token.as_deref(), replacing: replacing.as_deref() };
    Ok(match flow::finish(ctx, app.oidc(), &origin, callback).await {
        Ok(Finished::SignedIn { session }) => {
            session::set_cookie(jar, &app.config, session.token, session.lifetime_minutes);
            Redirect::to("/")
        }
        Ok(Finished::SecondStep { mfa_token }) => Redirect::to(format!("/login?mfa_token={mfa_token}")),
        Ok(Finished::Linked) => Redirect::to("/settings/security?oidc=linked"),
        Err(failure) if failure.linking => {
            Redirect::to(format!("/settings/security?oidc_error={}", failure.error.code()))
        }
        Err(failure) => to_login_with(&failure.error),
    })
}

/// An identity at a provider linked to the account.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkedIdentity {
    pub id: OidcIdentityId,
    pub issuer: String,
    pub subject: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_login_at: Option<UtcMillis>,
}

impl From<IdentityRow> for LinkedIdentity {
    fn from(row: IdentityRow) -> Self {
        Self {
            id: row.id,
            issuer: row.issuer,
            subject: row.subject,
            created_at: UtcMillis(row.created_at),
            last_login_at: row.last_login_at.map(UtcMillis),
        }
    }
}

/// Every identity of a user, as one page (there are a handful at most).
pub(crate) fn identity_page(rows: Vec<IdentityRow>) -> Page<LinkedIdentity> {
    let total = rows.len() as i64;
    Page { items: rows.into_iter().map(LinkedIdentity::from).collect(), total, limit: total.max(1), offset: 0 }
}

#[utoipa::path(tag = "auth", responses((status = 200, body = Page<LinkedIdentity>)))]
#[get("/api/auth/oidc/identities")]
pub async fn list_identities(state: &State<AppState>, user: UnlockedUser) -> ApiResult<Json<Page<LinkedIdentity>>> {
    let rows = identities::list(state.context().await?, user.0.user_id).await?;
    Ok(Json(identity_page(rows)))
}

/// No fields: the body is `{}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkStart {
    /// Where to send the browser: the provider's sign-in, which comes back linked.
    pub redirect: String,
}

#[utoipa::path(tag = "auth", request_body = LinkRequest,
    responses((status = 200, body = LinkStart), (status = 403, description = "re-authenticate first"),
              (status = 409, description = "single sign-on is off"), (status = 502, description = "the provider is unreachable")))]
#[post("/api/auth/oidc/link", data = "<_body>")]
pub async fn link_identity(
    state: &State<AppState>,
    jar: &CookieJar<'_>,
    user: UnlockedUser,
    _body: JsonBody<LinkRequest>,
) -> ApiResult<Json<LinkStart>> {
    if !user.0.recently_reauthenticated(state.clock.now()) {
        return Err(ApiError::reauth_required());
    }
    let begun = flow::begin(state.context().await?, state.oidc(), Some(user.0.user_id)).await?;
    set_flow_cookie(state, jar, begun.browser_token);
    Ok(Json(LinkStart { redirect: begun.authorize_url }))
}

#[utoipa::path(tag = "auth", params(("id" = i64, Path)),
    responses((status = 204, description = "unlinked"), (status = 404, description = "no such identity of yours"),
              (status = 409, description = "the account's last way to sign in")))]
#[delete("/api/auth/oidc/identities/<id>")]
pub async fn unlink_identity(
    state: &State<AppState>,
    origin: RequestOrigin,
    user: UnlockedUser,
    id: OidcIdentityId,
) -> ApiResult<Status> {
    let caller = Caller::user(user.0.user_id, &user.0.username, &origin);
    identities::unlink(state.context().await?, &caller, user.0.user_id, id, false).await?;
    Ok(Status::NoContent)
}
