//! iCalendar under `/api/calendars`: `GET /{id}/export.ics`, `POST /{id}/import` (the file
//! itself, `text/calendar`, up to 5 MiB; the listener lets this route carry that much), and
//! the secret feed: `GET`/`POST`/`DELETE /{id}/feed`. The feed's own URL is served by
//! `api::feeds`. A calendar the caller cannot see is 404.

use std::io::Cursor;

use rocket::data::{Data, ToByteUnit};
use rocket::http::{ContentType, Header, Status};
use rocket::request::{self, FromRequest, Request};
use rocket::response::{self, Responder, Response};
use rocket::serde::json::Json;
use rocket::{State, delete, get, post};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::guards::UnlockedUser;
use crate::domain::id::CalendarId;
use crate::domain::time::UtcMillis;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::server::AppState;
use crate::service::ical::{self as service, IcalError};

api_module!(export_calendar, import_calendar, get_feed, create_feed, delete_feed);

/// The largest iCalendar file accepted.
pub const IMPORT_LIMIT_BYTES: u64 = 5 * 1024 * 1024;

/// An iCalendar file. `cache` is the Cache-Control value (API answers are `no-store`).
pub struct IcsFile {
    pub body: String,
    pub cache: &'static str,
}

impl<'r> Responder<'r, 'static> for IcsFile {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let body = self.body.into_bytes();
        Response::build()
            .header(ContentType::new("text", "calendar").with_params(("charset", "utf-8")))
            .header(Header::new("Content-Disposition", "attachment; filename=\"calendar.ics\""))
            .header(Header::new("Cache-Control", self.cache))
            .sized_body(body.len(), Cursor::new(body))
            .ok()
    }
}

pub fn ical_error(error: IcalError) -> ApiError {
    match error {
        IcalError::NotFound => ApiError::not_found(),
        IcalError::Forbidden => ApiError::forbidden("Your access to this calendar does not allow this."),
        IcalError::Malformed(error) => {
            let detail = format!("Line {}: {}. Nothing was imported.", error.line, error.message);
            let mut problem = ApiError::new(Status::UnprocessableEntity, detail.clone());
            problem.errors = vec![FieldError { field: "file".into(), message: detail }];
            problem
        }
        IcalError::TooLarge(detail) => {
            let mut problem = ApiError::new(Status::UnprocessableEntity, detail.clone());
            problem.errors = vec![FieldError { field: "file".into(), message: detail }];
            problem
        }
        IcalError::Db(error) => error.into(),
    }
}

#[utoipa::path(tag = "calendars", params(("id" = i64, Path)),
    responses((status = 200, description = "the calendar as an iCalendar (RFC 5545) file", content_type = "text/calendar", body = String),
        (status = 404, description = "not a calendar you can see")))]
#[get("/api/calendars/<id>/export.ics")]
pub async fn export_calendar(state: &State<AppState>, user: UnlockedUser, id: CalendarId) -> ApiResult<IcsFile> {
    let body = service::export(state.context().await?, user.0.user_id, id).await.map_err(ical_error)?;
    Ok(IcsFile { body, cache: "no-store" })
}

/// Something the file held that UMBRA did not import.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnsupportedView {
    /// The line it is on, when it is one line.
    pub line: Option<usize>,
    /// The property or component (e.g. `RDATE`, `VTODO`, `ATTENDEE`).
    pub what: String,
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    /// Events created.
    pub imported: u64,
    /// Events whose UID was in the calendar and that differed.
    pub updated: u64,
    /// Events whose UID was in the calendar, unchanged.
    pub unchanged: u64,
    pub unsupported: Vec<UnsupportedView>,
}

/// The request's media type is iCalendar.
pub struct CalendarBody(bool);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CalendarBody {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        let is_ics = req.content_type().is_some_and(|ct| {
            ct.top().as_str().eq_ignore_ascii_case("text") && ct.sub().as_str().eq_ignore_ascii_case("calendar")
        });
        request::Outcome::Success(CalendarBody(is_ics))
    }
}

#[utoipa::path(tag = "calendars", params(("id" = i64, Path)),
    request_body(content = String, content_type = "text/calendar", description = "an iCalendar file, at most 5 MiB"),
    responses((status = 200, body = ImportResult),
        (status = 403, description = "you may only read this calendar"),
        (status = 404, description = "not a calendar you can see"),
        (status = 413, description = "the file is larger than 5 MiB"),
        (status = 415, description = "not text/calendar"),
        (status = 422, description = "the file is malformed: the detail names the line; nothing was imported"),
        (status = 503, description = "another import is running: try again (Retry-After)")))]
#[post("/api/calendars/<id>/import", data = "<data>")]
pub async fn import_calendar(
    state: &State<AppState>,
    user: UnlockedUser,
    id: CalendarId,
    kind: CalendarBody,
    data: Data<'_>,
) -> ApiResult<Json<ImportResult>> {
    if !kind.0 {
        return Err(ApiError::new(Status::UnsupportedMediaType, "Send the file as text/calendar."));
    }
    let bytes = data
        .open(IMPORT_LIMIT_BYTES.bytes())
        .into_bytes()
        .await
        .map_err(|_| ApiError::bad_request("The request body could not be read."))?;
    if !bytes.is_complete() {
        return Err(ApiError::too_large("The file is larger than 5 MiB: split it and import the parts."));
    }
    let text = String::from_utf8(bytes.into_inner())
        .map_err(|_| ApiError::invalid_field("file", "The file is not UTF-8 text."))?;
    let _turn = state.import_turn.try_acquire().map_err(|_| ApiError::service_unavailable(2))?;
    let summary = service::import(state.context().await?, user.0.user_id, id, &text).await.map_err(ical_error)?;
    Ok(Json(ImportResult {
        imported: summary.imported,
        updated: summary.updated,
        unchanged: summary.unchanged,
        unsupported: summary
            .unsupported
            .into_iter()
            .map(|u| UnsupportedView { line: u.line, what: u.what, detail: u.detail })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedStatus {
    pub exists: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub created_at: Option<UtcMillis>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedCreated {
    /// The feed's address for other calendar apps. Shown this once: only its hash is kept.
    pub url: String,
    /// The same, as a path on this server.
    pub path: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
}

/// Where this server is reached: `public_url` when set, else the request's own host.
pub struct Origin(String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Origin {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        let state = req.rocket().state::<AppState>();
        let configured = state.and_then(|s| s.config.public_url.clone());
        let origin = configured.map_or_else(
            || {
                let tls = state.is_none_or(|s| s.config.tls != crate::config::TlsMode::Off);
                let host = req.host().map_or_else(|| "localhost".to_string(), ToString::to_string);
                format!("{}://{host}", if tls { "https" } else { "http" })
            },
            |url| url.trim_end_matches('/').to_string(),
        );
        request::Outcome::Success(Origin(origin))
    }
}

#[utoipa::path(tag = "calendars", params(("id" = i64, Path)),
    responses((status = 200, body = FeedStatus), (status = 404, description = "not a calendar you can see")))]
#[get("/api/calendars/<id>/feed")]
pub async fn get_feed(state: &State<AppState>, user: UnlockedUser, id: CalendarId) -> ApiResult<Json<FeedStatus>> {
    let created = service::feed_status(state.context().await?, user.0.user_id, id).await.map_err(ical_error)?;
    Ok(Json(FeedStatus { exists: created.is_some(), created_at: created.map(UtcMillis) }))
}

#[utoipa::path(tag = "calendars", params(("id" = i64, Path)),
    responses((status = 201, body = FeedCreated),
        (status = 403, description = "only the owner or a manage member may"),
        (status = 404, description = "not a calendar you can see")))]
#[post("/api/calendars/<id>/feed")]
pub async fn create_feed(
    state: &State<AppState>,
    user: UnlockedUser,
    id: CalendarId,
    origin: Origin,
) -> ApiResult<(Status, Json<FeedCreated>)> {
    let ctx = state.context().await?;
    let now = ctx.now;
    let token = service::create_feed(ctx, user.0.user_id, id).await.map_err(ical_error)?;
    let path = format!("/ics/{token}.ics");
    Ok((Status::Created, Json(FeedCreated { url: format!("{}{path}", origin.0), path, created_at: now })))
}

#[utoipa::path(tag = "calendars", params(("id" = i64, Path)),
    responses((status = 204, description = "revoked: the old URL answers 404"),
        (status = 403, description = "only the owner or a manage member may"),
        (status = 404, description = "not a calendar you can see, or it has no feed")))]
#[delete("/api/calendars/<id>/feed")]
pub async fn delete_feed(state: &State<AppState>, user: UnlockedUser, id: CalendarId) -> ApiResult<Status> {
    service::delete_feed(state.context().await?, user.0.user_id, id).await.map_err(ical_error)?;
    Ok(Status::NoContent)
}
