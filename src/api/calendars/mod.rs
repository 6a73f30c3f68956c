//! `/api/calendars`: the calendars the caller can see (their own and accepted shares), each
//! with the caller's level and view preferences; create, read, change, delete, and the
//! caller's preferences. Every route takes `UnlockedUser` (401 signed out, 423 locked); a
//! calendar the caller cannot see is 404 on every verb, one they see but may not change 403.
//! (Export, import and the feed live in `api::calendar_ics`.)

pub mod items;

use rocket::http::Status;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::calendars::CalendarRow;
use crate::domain::calendars::{CalendarLevel, Problems};
use crate::domain::id::{CalendarId, UserId};
use crate::domain::time::UtcMillis;
use crate::error::{ApiError, FieldError};
use crate::service::calendars::CalendarError;

api_module![
    items::list_calendars,
    items::create_calendar,
    items::get_calendar,
    items::update_calendar,
    items::delete_calendar,
    items::update_calendar_preferences,
];

/// A 422 naming every field in `problems` (the detail lists them).
pub fn invalid(problems: Problems) -> ApiError {
    let errors: Vec<FieldError> =
        problems.0.into_iter().map(|(field, message)| FieldError { field, message }).collect();
    let detail = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
    let mut error = ApiError::new(Status::UnprocessableEntity, detail);
    error.errors = errors;
    error
}

impl From<CalendarError> for ApiError {
    fn from(error: CalendarError) -> Self {
        match error {
            CalendarError::NotFound => Self::not_found(),
            CalendarError::Forbidden(detail) => Self::forbidden(detail),
            CalendarError::Conflict(detail) => Self::conflict(detail),
            CalendarError::Invalid(problems) => invalid(problems),
            CalendarError::Db(error) => error.into(),
        }
    }
}

/// A user as others see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: UserId,
    pub username: String,
    /// From their settings; empty when they set none.
    pub display_name: String,
}

/// A calendar as the caller sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarView {
    pub id: CalendarId,
    pub name: String,
    /// `#RRGGBB`.
    pub colour: String,
    pub description: String,
    /// The IANA zone in force: the calendar's own, else the owner's (settings), else UTC.
    pub timezone: String,
    /// True when the calendar has no zone of its own and follows its owner's.
    pub timezone_follows_owner: bool,
    /// The owner's default calendar (always true of exactly one of theirs).
    pub is_default: bool,
    /// The caller's level: `owner`, `manage`, `write` or `read`.
    pub access: CalendarLevel,
    /// Who owns it, for a calendar shared with the caller; null for the caller's own.
    pub owner: Option<UserView>,
    /// The caller's preference: left out of their views.
    pub hidden: bool,
    /// The caller's own colour for it, if any (`#RRGGBB`).
    pub colour_override: Option<String>,
    /// How many events (series count once) it holds: what deleting it deletes.
    pub event_count: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: UtcMillis,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: UtcMillis,
}

impl From<CalendarRow> for CalendarView {
    fn from(row: CalendarRow) -> Self {
        let access = CalendarLevel::from_rank(row.level_rank).unwrap_or(CalendarLevel::Read);
        let owner = (access != CalendarLevel::Owner).then_some(UserView {
            id: row.owner_id,
            username: row.owner_username,
            display_name: row.owner_display_name,
        });
        Self {
            id: row.id,
            name: row.name,
            colour: row.colour,
            description: row.description,
            timezone: row.effective_timezone,
            timezone_follows_owner: row.timezone.is_none(),
            is_default: row.is_default.get(),
            access,
            owner,
            hidden: row.hidden.get(),
            colour_override: row.colour_override,
            event_count: row.event_count,
            created_at: UtcMillis(row.created_at),
            updated_at: UtcMillis(row.updated_at),
        }
    }
}
