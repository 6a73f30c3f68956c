//! `GET /api/people/export.vcf` and `POST /api/people/import`: vCard 4.0 out, vCard 4.0 (or
//! 3.0) in. The import body is the file itself (`text/vcard`), up to 5 MiB; the listener lets
//! this one route carry that much.

use std::io::Cursor;

use rocket::data::{Data, ToByteUnit};
use rocket::http::{ContentType, Header, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use rocket::serde::json::Json;
use rocket::{State, get, post};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::guards::UnlockedUser;
use crate::domain::id::{PersonId, parse_id};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::server::AppState;
use crate::service::people::{self as service, ImportError};

/// The largest vCard file accepted.
pub const IMPORT_LIMIT_BYTES: u64 = 5 * 1024 * 1024;

/// The most ids one export may name.
const EXPORT_IDS_MAX: usize = 500;

/// A vCard file, offered as a download.
pub struct VcfFile(String);

impl<'r> Responder<'r, 'static> for VcfFile {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let body = self.0.into_bytes();
        Response::build()
            .header(ContentType::new("text", "vcard").with_params(("charset", "utf-8")))
            .header(Header::new("Content-Disposition", "attachment; filename=\"people.vcf\""))
            .sized_body(body.len(), Cursor::new(body))
            .ok()
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnknownProperty {
    /// The card's position in the file, from 1.
    pub card: usize,
    /// The property name (e.g. `X-FOO`, `ORG`): UMBRA did not keep it.
    pub property: String,
}

/// Named apart from the calendar import's `ImportResult`: utoipa keys schemas by type name,
/// and the two shared one entry, so the document described this answer with the other's.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeopleImportResult {
    pub created: u64,
    pub updated: u64,
    pub unknown_properties: Vec<UnknownProperty>,
}

/// `1,2,3` as person ids: a malformed list is a 422, not a silent "export everything".
fn parse_ids(text: &str) -> ApiResult<Vec<PersonId>> {
    let ids: Option<Vec<PersonId>> = text.split(',').map(|part| parse_id(part.trim()).map(PersonId)).collect();
    match ids {
        Some(ids) if !ids.is_empty() && ids.len() <= EXPORT_IDS_MAX => Ok(ids),
        _ => {
            Err(ApiError::invalid_field("ids", format!("must be 1 to {EXPORT_IDS_MAX} person ids separated by commas")))
        }
    }
}

#[utoipa::path(tag = "people",
    params(("ids" = Option<String>, Query, description = "comma-separated person ids; all people when absent")),
    responses((status = 200, description = "a vCard 4.0 file", content_type = "text/vcard", body = String),
        (status = 404, description = "an id is not one of your people")))]
#[get("/api/people/export.vcf?<ids>")]
pub async fn export_people(state: &State<AppState>, user: UnlockedUser, ids: Option<&str>) -> ApiResult<VcfFile> {
    let ids = ids.map(parse_ids).transpose()?;
    let text = service::export(state.context().await?, user.0.user_id, ids.as_deref()).await?;
    Ok(VcfFile(text))
}

#[utoipa::path(tag = "people",
    request_body(content = String, content_type = "text/vcard", description = "a vCard file (4.0, or 3.0), at most 5 MiB"),
    responses((status = 200, body = PeopleImportResult),
        (status = 413, description = "the file is larger than 5 MiB"),
        (status = 415, description = "not text/vcard"),
        (status = 503, description = "another import is running: try again (Retry-After)"),
        (status = 422, description = "a card is malformed: the detail names the card and the line; nothing was imported")))]
#[post("/api/people/import", data = "<data>")]
pub async fn import_people(
    state: &State<AppState>,
    user: UnlockedUser,
    content_type: Option<&ContentType>,
    data: Data<'_>,
) -> ApiResult<Json<PeopleImportResult>> {
    let is_vcard = content_type.is_some_and(|ct| {
        ct.top().as_str().eq_ignore_ascii_case("text")
            && matches!(ct.sub().as_str().to_ascii_lowercase().as_str(), "vcard" | "x-vcard" | "directory")
    });
    if !is_vcard {
        return Err(ApiError::new(Status::UnsupportedMediaType, "Send the file as text/vcard."));
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
    let summary = service::import(state.context().await?, user.0.user_id, &text).await.map_err(import_error)?;
    Ok(Json(PeopleImportResult {
        created: summary.created,
        updated: summary.updated,
        unknown_properties: summary
            .unknown_properties
            .into_iter()
            .map(|(card, property)| UnknownProperty { card, property })
            .collect(),
    }))
}

fn import_error(error: ImportError) -> ApiError {
    match error {
        ImportError::Malformed { card, name, line, message } => {
            let which = match (card, name) {
                (Some(card), Some(name)) => format!("Card {card} (\u{201c}{name}\u{201d}), line {line}"),
                (Some(card), None) => format!("Card {card}, line {line}"),
                (None, _) => format!("Line {line}"),
            };
            let detail = format!("{which}: {message}. Nothing was imported.");
            let mut problem = ApiError::new(Status::UnprocessableEntity, detail.clone());
            problem.errors = vec![FieldError { field: "file".into(), message: detail }];
            problem
        }
        ImportError::Db(error) => error.into(),
    }
}
