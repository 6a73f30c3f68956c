//! `GET /api/admin/audit-logs`: the audit log, filtered and paged, newest first.

use chrono::DateTime;
use rocket::serde::json::Json;
use rocket::{State, get};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::page::{Page, Paging};
use crate::auth::guards::AdminUser;
use crate::db::audit::{self, AuditFilter};
use crate::domain::audit_action::AuditAction;
use crate::domain::id::AuditId;
use crate::domain::time::UtcMillis;
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub id: AuditId,
    #[schema(value_type = String, format = DateTime)]
    pub at: UtcMillis,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
}

/// The query string, taken raw so that bad values are a 422 naming the parameter.
#[derive(Debug, rocket::FromForm)]
pub struct AuditQuery<'r> {
    actor: Option<&'r str>,
    action: Option<&'r str>,
    since: Option<&'r str>,
    until: Option<&'r str>,
    limit: Option<&'r str>,
    offset: Option<&'r str>,
}

fn instant(field: &str, raw: Option<&str>) -> ApiResult<Option<UtcMillis>> {
    raw.filter(|s| !s.trim().is_empty())
        .map(|text| {
            DateTime::parse_from_rfc3339(text.trim())
                .map(|t| UtcMillis(t.timestamp_millis()))
                .map_err(|_| ApiError::invalid_field(field, "must be an RFC 3339 time, e.g. 2026-01-31T12:00:00Z"))
        })
        .transpose()
}

fn text(raw: Option<&str>) -> Option<String> {
    raw.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

#[utoipa::path(tag = "admin",
    params(("actor" = Option<String>, Query), ("action" = Option<AuditAction>, Query),
           ("since" = Option<String>, Query, description = "RFC 3339, inclusive"),
           ("until" = Option<String>, Query, description = "RFC 3339, exclusive"),
           ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<AuditEntryView>)))]
#[get("/api/admin/audit-logs?<query..>")]
pub async fn list_audit_logs(
    state: &State<AppState>,
    _admin: AdminUser,
    query: AuditQuery<'_>,
) -> ApiResult<Json<Page<AuditEntryView>>> {
    let AuditQuery { actor, action, since, until, limit, offset } = query;
    let paging = Paging::parse(limit, offset)?;
    let filter = AuditFilter {
        actor: text(actor),
        action: text(action)
            .map(|name| {
                AuditAction::parse(&name).ok_or_else(|| ApiError::invalid_field("action", "is not a known action"))
            })
            .transpose()?,
        since: instant("since", since)?,
        until: instant("until", until)?,
    };
    let (rows, total) = audit::search(state.db.pool(), &filter, paging.limit, paging.offset).await?;
    let items = rows
        .into_iter()
        .map(|r| AuditEntryView {
            id: r.id,
            at: UtcMillis(r.at),
            actor: r.actor,
            action: r.action,
            target: r.target,
            ip: r.ip,
            user_agent: r.user_agent,
            detail: r.detail,
        })
        .collect();
    Ok(Json(paging.page(items, total)))
}
