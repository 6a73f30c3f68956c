//! `/api/admin/oidc`: the single sign-on settings (the client secret is write-only), the
//! Test button (discovery through the SSRF-safe client, reported back), and identities
//! linked to a user on an admin's word (`/api/admin/users/{id}/oidc`).

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post, put};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::auth::oidc::{LinkedIdentity, identity_page};
use crate::api::page::Page;
use crate::auth::guards::AdminUser;
use crate::auth::session::RequestOrigin;
use crate::domain::id::{OidcIdentityId, UserId};
use crate::domain::oidc::{OidcSettings, check_issuer};
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::Caller;
use crate::service::oidc::provider::discover;
use crate::service::oidc::{flow, identities, settings};

/// The settings as an admin sees them.
#[derive(Debug, Serialize, ToSchema)]
pub struct OidcSettingsView {
    #[serde(flatten)]
    pub settings: OidcSettings,
    /// A client secret is stored (it is never shown).
    pub client_secret_set: bool,
    /// The exact redirect URI to register at the provider.
    pub redirect_uri: String,
}

/// The settings to save; `client_secret` absent keeps the stored one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OidcSettingsUpdate {
    #[serde(flatten)]
    pub settings: OidcSettings,
    pub client_secret: Option<String>,
}

async fn view(state: &AppState, settings: OidcSettings) -> ApiResult<OidcSettingsView> {
    let client_secret_set = settings::secret_is_set(state.context().await?).await?;
    Ok(OidcSettingsView { settings, client_secret_set, redirect_uri: flow::redirect_uri(&state.public_origin) })
}

#[utoipa::path(tag = "admin", responses((status = 200, body = OidcSettingsView)))]
#[get("/api/admin/oidc")]
pub async fn get_oidc(state: &State<AppState>, _admin: AdminUser) -> ApiResult<Json<OidcSettingsView>> {
    let settings = settings::load(state.db.pool()).await?;
    Ok(Json(view(state, settings).await?))
}

#[utoipa::path(tag = "admin", request_body = OidcSettingsUpdate,
    responses((status = 200, body = OidcSettingsView), (status = 422, description = "a field is wrong")))]
#[put("/api/admin/oidc", data = "<body>")]
pub async fn put_oidc(
    state: &State<AppState>,
    admin: AdminUser,
    origin: RequestOrigin,
    body: JsonBody<OidcSettingsUpdate>,
) -> ApiResult<Json<OidcSettingsView>> {
    let OidcSettingsUpdate { settings: wanted, client_secret } = body.0;
    let caller = Caller::admin(admin.0.user_id, &admin.0.username, &origin);
    let ctx = state.context().await?;
    let saved = settings::update(ctx, &caller, &state.secrets, wanted, client_secret.as_deref()).await?;
    state.oidc_provider.forget();
    Ok(Json(view(state, saved).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OidcTestRequest {
    pub issuer: String,
    #[serde(default)]
    pub allow_http_issuer: bool,
}

/// What discovery found, or why it failed.
#[derive(Debug, Serialize, ToSchema)]
pub struct OidcTestResult {
    pub ok: bool,
    pub error: Option<String>,
    pub issuer: Option<String>,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub jwks_uri: Option<String>,
    pub end_session_endpoint: Option<String>,
    pub signing_algs: Vec<String>,
    pub keys: usize,
}

impl OidcTestResult {
    fn failed(error: String) -> Self {
        Self {
            ok: false,
            error: Some(error),
            issuer: None,
            authorization_endpoint: None,
            token_endpoint: None,
            jwks_uri: None,
            end_session_endpoint: None,
            signing_algs: Vec::new(),
            keys: 0,
        }
    }
}

#[utoipa::path(tag = "admin", request_body = OidcTestRequest,
    responses((status = 200, body = OidcTestResult), (status = 422, description = "the issuer is not an acceptable URL")))]
#[post("/api/admin/oidc/test", data = "<body>")]
pub async fn test_oidc(
    state: &State<AppState>,
    _admin: AdminUser,
    body: JsonBody<OidcTestRequest>,
) -> ApiResult<Json<OidcTestResult>> {
    let issuer = body.0.issuer.trim();
    check_issuer(issuer, body.0.allow_http_issuer).map_err(|why| ApiError::invalid_field("issuer", why))?;
    let metadata = match discover(&state.outbound, issuer).await {
        Ok(metadata) => metadata,
        Err(why) => return Ok(Json(OidcTestResult::failed(why.0))),
    };
    let signing_algs = metadata
        .id_token_signing_alg_values_supported()
        .iter()
        .filter_map(|alg| serde_json::to_value(alg).ok()?.as_str().map(str::to_string))
        .collect();
    Ok(Json(OidcTestResult {
        ok: true,
        error: None,
        issuer: Some(metadata.issuer().to_string()),
        authorization_endpoint: Some(metadata.authorization_endpoint().to_string()),
        token_endpoint: metadata.token_endpoint().map(ToString::to_string),
        jwks_uri: Some(metadata.jwks_uri().to_string()),
        end_session_endpoint: metadata.additional_metadata().end_session_endpoint.as_ref().map(ToString::to_string),
        signing_algs,
        keys: metadata.jwks().keys().len(),
    }))
}

#[utoipa::path(tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = Page<LinkedIdentity>), (status = 404, description = "no such user")))]
#[get("/api/admin/users/<id>/oidc")]
pub async fn list_user_identities(
    state: &State<AppState>,
    _admin: AdminUser,
    id: UserId,
) -> ApiResult<Json<Page<LinkedIdentity>>> {
    let ctx = state.context().await?;
    crate::db::users::find_by_id(ctx.db.pool(), id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(identity_page(identities::list(ctx, id).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkIdentityRequest {
    pub issuer: String,
    pub subject: String,
}

#[utoipa::path(tag = "admin", params(("id" = i64, Path)), request_body = LinkIdentityRequest,
    responses((status = 201, body = LinkedIdentity), (status = 404, description = "no such user"),
              (status = 409, description = "that identity is linked to an account already"),
              (status = 422, description = "issuer or subject unusable")))]
#[post("/api/admin/users/<id>/oidc", data = "<body>")]
pub async fn link_user_identity(
    state: &State<AppState>,
    admin: AdminUser,
    origin: RequestOrigin,
    id: UserId,
    body: JsonBody<LinkIdentityRequest>,
) -> ApiResult<(Status, Json<LinkedIdentity>)> {
    let caller = Caller::admin(admin.0.user_id, &admin.0.username, &origin);
    let row = identities::admin_link(state.context().await?, &caller, id, &body.0.issuer, &body.0.subject).await?;
    Ok((Status::Created, Json(row.into())))
}

#[utoipa::path(tag = "admin", params(("id" = i64, Path), ("identity_id" = i64, Path)),
    responses((status = 204, description = "unlinked"), (status = 404, description = "no such user or identity")))]
#[delete("/api/admin/users/<id>/oidc/<identity_id>")]
pub async fn unlink_user_identity(
    state: &State<AppState>,
    admin: AdminUser,
    origin: RequestOrigin,
    id: UserId,
    identity_id: OidcIdentityId,
) -> ApiResult<Status> {
    let caller = Caller::admin(admin.0.user_id, &admin.0.username, &origin);
    identities::unlink(state.context().await?, &caller, id, identity_id, true).await?;
    Ok(Status::NoContent)
}
