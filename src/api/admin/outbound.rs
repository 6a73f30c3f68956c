//! `GET/PUT /api/admin/outbound-allow`: the hosts and ranges that outbound requests (ntfy,
//! weather) may reach although they are not public, e.g. a LAN ntfy server. Kept apart from
//! `/api/admin/config` so that endpoint's shape (a fixed set of scalar settings) stays as is.

use rocket::serde::json::Json;
use rocket::{State, get, put};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::guards::AdminUser;
use crate::auth::session::RequestOrigin;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::json::JsonBody;
use crate::outbound::allow::AllowList;
use crate::server::AppState;
use crate::service::{Caller, outbound_allow};

/// The allow-list: each entry a host name (`ntfy.lan`), an address (`192.168.1.10`) or a
/// CIDR range (`10.0.0.0/8`). Unspecified, multicast and broadcast addresses stay refused.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutboundAllow {
    pub entries: Vec<String>,
}

#[utoipa::path(tag = "admin", responses((status = 200, body = OutboundAllow)))]
#[get("/api/admin/outbound-allow")]
pub async fn get_outbound_allow(state: &State<AppState>, _admin: AdminUser) -> ApiResult<Json<OutboundAllow>> {
    let list = crate::db::outbound_allow::load(state.db.pool()).await?;
    Ok(Json(OutboundAllow { entries: list.texts() }))
}

#[utoipa::path(tag = "admin", request_body = OutboundAllow,
    responses((status = 200, body = OutboundAllow), (status = 422, description = "an entry is not a host, address or range")))]
#[put("/api/admin/outbound-allow", data = "<body>")]
pub async fn put_outbound_allow(
    state: &State<AppState>,
    admin: AdminUser,
    origin: RequestOrigin,
    body: JsonBody<OutboundAllow>,
) -> ApiResult<Json<OutboundAllow>> {
    let list = AllowList::parse(&body.0.entries).map_err(|problems| {
        let mut error = ApiError::invalid_field(format!("entries[{}]", problems[0].0), problems[0].1.clone());
        error.errors =
            problems.into_iter().map(|(i, message)| FieldError { field: format!("entries[{i}]"), message }).collect();
        error
    })?;
    let caller = Caller::admin(admin.0.user_id, &admin.0.username, &origin);
    let saved = outbound_allow::replace(state.context().await?, &caller, &list).await?;
    state.outbound.forget_allow_list();
    Ok(Json(OutboundAllow { entries: saved.texts() }))
}
