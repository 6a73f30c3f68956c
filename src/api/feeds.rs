//! `GET /ics/<token>.ics`: a calendar's secret feed, for calendar apps that cannot sign in.
//! No session; the gate rate-limits `/ics/` in its own per-address bucket. The token is
//! looked up by its SHA-256, so a revoked or made-up token is a 404 at once.

use rocket::{State, get};

use crate::api::calendar_ics::{IcsFile, ical_error};
use crate::error::ApiResult;
use crate::server::AppState;
use crate::service::ical as service;

api_module!(calendar_feed);

/// Calendar apps poll; five minutes keeps their traffic modest and a change soon visible.
const FEED_CACHE: &str = "private, max-age=300";

#[utoipa::path(tag = "calendars", params(("file" = String, Path, description = "<token>.ics")),
    responses((status = 200, description = "the calendar as an iCalendar file", content_type = "text/calendar", body = String),
        (status = 404, description = "no such feed (or revoked)"),
        (status = 429, description = "too many requests from this address")))]
#[get("/ics/<file>")]
pub async fn calendar_feed(state: &State<AppState>, file: &str) -> ApiResult<IcsFile> {
    let token = file.strip_suffix(".ics").unwrap_or("");
    let body = service::feed(state.context().await?, token).await.map_err(ical_error)?;
    Ok(IcsFile { body, cache: FEED_CACHE })
}
