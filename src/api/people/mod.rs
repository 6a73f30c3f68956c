//! `/api/people`: the signed-in user's contacts, their upcoming birthdays, and vCard export
//! and import (`vcard.rs`). Another user's person — or location, named in a body — is a 404.

mod vcard;

use chrono::{DateTime, Utc};
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, delete, get, patch, post};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::locations::search_text;
use crate::api::page::{Page, Paging};
use crate::auth::guards::UnlockedUser;
use crate::db::people::{Filter, PersonRow};
use crate::domain::id::{LocationId, PersonId};
use crate::domain::people::{ContactValue, NewPerson, PersonPatch, TAG_MAX};
use crate::domain::time::UtcMillis;
use crate::error::{ApiError, ApiResult};
use crate::http::json::JsonBody;
use crate::server::AppState;
use crate::service::people as service;

api_module!(
    list_people,
    create_person,
    upcoming_birthdays,
    get_person,
    update_person,
    delete_person,
    vcard::export_people,
    vcard::import_people,
);

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    pub id: PersonId,
    /// The vCard UID (assigned by the server, or kept from an import).
    pub uid: String,
    pub name: String,
    pub nickname: String,
    pub emails: Vec<ContactValue>,
    pub phones: Vec<ContactValue>,
    /// `YYYY-MM-DD`, or `--MM-DD` when the year is unknown.
    pub birthday: Option<String>,
    pub address: String,
    pub notes: String,
    pub tags: Vec<String>,
    pub favourite: bool,
    pub location_id: Option<LocationId>,
    /// The linked location's name, for display.
    pub location_name: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: UtcMillis,
}

impl From<PersonRow> for PersonView {
    fn from(row: PersonRow) -> Self {
        let fields = row.fields();
        Self {
            id: row.id,
            uid: row.uid,
            name: fields.name,
            nickname: fields.nickname,
            emails: fields.emails,
            phones: fields.phones,
            birthday: fields.birthday,
            address: fields.address,
            notes: fields.notes,
            tags: fields.tags,
            favourite: fields.favourite,
            location_id: row.location_id,
            location_name: row.location_name,
            created_at: UtcMillis(row.created_at),
            updated_at: UtcMillis(row.updated_at),
        }
    }
}

/// One upcoming birthday.
#[derive(Debug, Serialize, ToSchema)]
pub struct BirthdayView {
    pub person_id: PersonId,
    pub name: String,
    /// As stored: `YYYY-MM-DD` or `--MM-DD`.
    pub birthday: String,
    /// The next day it is observed on (`YYYY-MM-DD`; 28 February for a 29 February
    /// birthday in a non-leap year).
    pub date: String,
    /// 0 for today.
    pub days_until: i64,
    /// The age turned on `date`, when the birth year is known.
    pub turns: Option<i32>,
}

#[utoipa::path(tag = "people",
    params(("q" = Option<String>, Query, description = "in name, nickname or e-mails, case-insensitive"),
        ("tag" = Option<String>, Query, description = "people with exactly this tag"),
        ("favourite" = Option<bool>, Query),
        ("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<PersonView>)))]
#[get("/api/people?<q>&<tag>&<favourite>&<limit>&<offset>")]
pub async fn list_people(
    state: &State<AppState>,
    user: UnlockedUser,
    q: Option<&str>,
    tag: Option<&str>,
    favourite: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<PersonView>>> {
    let paging = Paging::parse(limit, offset)?;
    let q = search_text(q)?;
    let tag = tag.map(str::trim).filter(|t| !t.is_empty());
    if tag.is_some_and(|t| t.chars().count() > TAG_MAX) {
        return Err(ApiError::invalid_field("tag", format!("must be at most {TAG_MAX} characters")));
    }
    let favourite = match favourite {
        None | Some("") => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Err(ApiError::invalid_field("favourite", "must be true or false")),
    };
    let filter = Filter { q, tag, favourite };
    let (rows, total) =
        service::list(state.context().await?, user.0.user_id, &filter, paging.limit, paging.offset).await?;
    Ok(Json(paging.page(rows.into_iter().map(PersonView::from).collect(), total)))
}

#[utoipa::path(tag = "people", request_body = NewPerson,
    responses((status = 201, body = PersonView), (status = 404, description = "location_id is not one of yours"),
        (status = 422, description = "invalid fields")))]
#[post("/api/people", data = "<body>")]
pub async fn create_person(
    state: &State<AppState>,
    user: UnlockedUser,
    body: JsonBody<NewPerson>,
) -> ApiResult<(Status, Json<PersonView>)> {
    let row = service::create(state.context().await?, user.0.user_id, body.0).await?;
    Ok((Status::Created, Json(row.into())))
}

/// The most days ahead the birthday list looks.
const DAYS_MAX: i64 = 366;

#[utoipa::path(tag = "people",
    params(("days" = Option<i64>, Query, description = "1–366, default 30: birthdays within this many days, today included"),
        ("tz" = Option<String>, Query, description = "IANA time zone that decides what 'today' is; default UTC"),
        ("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = Page<BirthdayView>)))]
#[get("/api/people/birthdays?<days>&<tz>&<limit>&<offset>")]
pub async fn upcoming_birthdays(
    state: &State<AppState>,
    user: UnlockedUser,
    days: Option<&str>,
    tz: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> ApiResult<Json<Page<BirthdayView>>> {
    let paging = Paging::parse(limit, offset)?;
    let days =
        match days {
            None => 30,
            Some(text) => text.trim().parse::<i64>().ok().filter(|d| (1..=DAYS_MAX).contains(d)).ok_or_else(|| {
                ApiError::invalid_field("days", format!("must be a whole number from 1 to {DAYS_MAX}"))
            })?,
        };
    let zone: chrono_tz::Tz = match tz.map(str::trim).filter(|t| !t.is_empty()) {
        None => chrono_tz::UTC,
        Some(name) => name.parse().map_err(|_| ApiError::invalid_field("tz", "is not a known IANA time zone"))?,
    };
    let ctx = state.context().await?;
    let now = DateTime::<Utc>::from_timestamp_millis(ctx.now.0).unwrap_or_default();
    let today = now.with_timezone(&zone).date_naive();
    let upcoming = service::birthdays(ctx, user.0.user_id, today, days).await?;
    let total = upcoming.len() as i64;
    let items = upcoming
        .into_iter()
        .skip(paging.offset as usize)
        .take(paging.limit as usize)
        .map(|(row, next)| BirthdayView {
            person_id: row.id,
            name: row.name,
            birthday: row.birthday.unwrap_or_default(),
            date: next.date.format("%Y-%m-%d").to_string(),
            days_until: next.days_until,
            turns: next.turns,
        })
        .collect();
    Ok(Json(paging.page(items, total)))
}

#[utoipa::path(tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = PersonView), (status = 404, description = "no such person of yours")))]
#[get("/api/people/<id>")]
pub async fn get_person(state: &State<AppState>, user: UnlockedUser, id: PersonId) -> ApiResult<Json<PersonView>> {
    Ok(Json(service::get(state.context().await?, user.0.user_id, id).await?.into()))
}

#[utoipa::path(tag = "people", params(("id" = i64, Path)), request_body = PersonPatch,
    responses((status = 200, body = PersonView),
        (status = 404, description = "no such person of yours, or location_id is not one of yours"),
        (status = 422, description = "invalid fields")))]
#[patch("/api/people/<id>", data = "<body>")]
pub async fn update_person(
    state: &State<AppState>,
    user: UnlockedUser,
    id: PersonId,
    body: JsonBody<PersonPatch>,
) -> ApiResult<Json<PersonView>> {
    Ok(Json(service::update(state.context().await?, user.0.user_id, id, body.0).await?.into()))
}

#[utoipa::path(tag = "people", params(("id" = i64, Path)),
    responses((status = 204, description = "deleted"), (status = 404, description = "no such person of yours")))]
#[delete("/api/people/<id>")]
pub async fn delete_person(state: &State<AppState>, user: UnlockedUser, id: PersonId) -> ApiResult<Status> {
    service::delete(state.context().await?, user.0.user_id, id).await?;
    Ok(Status::NoContent)
}
