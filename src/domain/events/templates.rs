//! Event templates as values: presets a new event can start from (`POST /api/events` with
//! `template_id` and `start`). The bodies and their validation.

use serde::Deserialize;
use utoipa::ToSchema;

use super::{DESCRIPTION_MAX, LOCATION_MAX, Problems, TITLE_MAX, check_alerts, check_text};
use crate::domain::id::CalendarId;
use crate::domain::patch::Patch;
use crate::domain::todos::check_colour;

pub const NAME_MAX: usize = 100;
/// A month, in minutes: the longest event a template makes.
pub const DURATION_MAX: i64 = 44_640;
pub const DEFAULT_DURATION: i64 = 60;

/// `POST /api/event-templates`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEventTemplate {
    /// 1–100 characters.
    pub name: String,
    /// The events' title (up to 200 characters; empty: the event must give one).
    #[serde(default)]
    pub title: Option<String>,
    /// 1–44640 minutes, default 60.
    #[serde(default)]
    pub duration_minutes: Option<i64>,
    /// A calendar you can see; events go there while you may write to it.
    #[serde(default)]
    pub calendar_id: Option<CalendarId>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub alerts: Option<Vec<i64>>,
    #[serde(default)]
    pub colour: Option<String>,
}

/// `PATCH /api/event-templates/{id}`: absent = unchanged, `null` = clear, value = set.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventTemplatePatch {
    #[serde(default)]
    pub name: Patch<String>,
    #[serde(default)]
    pub title: Patch<String>,
    #[serde(default)]
    pub duration_minutes: Patch<i64>,
    #[serde(default)]
    pub calendar_id: Patch<CalendarId>,
    #[serde(default)]
    pub description: Patch<String>,
    #[serde(default)]
    pub location: Patch<String>,
    #[serde(default)]
    pub alerts: Patch<Vec<i64>>,
    #[serde(default)]
    pub colour: Patch<String>,
}

/// A template's fields, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateState {
    pub name: String,
    pub title: String,
    pub duration_minutes: i64,
    pub calendar_id: Option<CalendarId>,
    pub description: String,
    pub location: String,
    pub alerts: Vec<i64>,
    pub colour: Option<String>,
}

impl TemplateState {
    fn check(&mut self, problems: &mut Problems) {
        if self.name.trim().is_empty() {
            problems.add("name", "is required");
        } else {
            check_text("name", &self.name, NAME_MAX, problems);
        }
        check_text("title", &self.title, TITLE_MAX, problems);
        if !(1..=DURATION_MAX).contains(&self.duration_minutes) {
            problems.add("duration_minutes", format!("must be 1 to {DURATION_MAX} minutes"));
        }
        check_text("description", &self.description, DESCRIPTION_MAX, problems);
        check_text("location", &self.location, LOCATION_MAX, problems);
        self.alerts = check_alerts(std::mem::take(&mut self.alerts), problems);
        if let Some(colour) = &self.colour {
            check_colour(colour, problems);
        }
    }
}

pub fn new_template(body: NewEventTemplate) -> Result<TemplateState, Problems> {
    let mut problems = Problems::default();
    let mut state = TemplateState {
        name: body.name,
        title: body.title.unwrap_or_default(),
        duration_minutes: body.duration_minutes.unwrap_or(DEFAULT_DURATION),
        calendar_id: body.calendar_id,
        description: body.description.unwrap_or_default(),
        location: body.location.unwrap_or_default(),
        alerts: body.alerts.unwrap_or_default(),
        colour: body.colour,
    };
    state.check(&mut problems);
    problems.into_result().map(|()| state)
}

pub fn patched_template(current: &TemplateState, patch: EventTemplatePatch) -> Result<TemplateState, Problems> {
    let mut problems = Problems::default();
    let mut next = current.clone();
    match patch.name.required() {
        Ok(Some(name)) => next.name = name,
        Ok(None) => {}
        Err(_) => problems.add("name", "cannot be null"),
    }
    match patch.duration_minutes.required() {
        Ok(Some(minutes)) => next.duration_minutes = minutes,
        Ok(None) => {}
        Err(_) => problems.add("duration_minutes", "cannot be null"),
    }
    if let Some(title) = patch.title.into_change() {
        next.title = title.unwrap_or_default();
    }
    if let Some(calendar) = patch.calendar_id.into_change() {
        next.calendar_id = calendar;
    }
    if let Some(text) = patch.description.into_change() {
        next.description = text.unwrap_or_default();
    }
    if let Some(text) = patch.location.into_change() {
        next.location = text.unwrap_or_default();
    }
    if let Some(alerts) = patch.alerts.into_change() {
        next.alerts = alerts.unwrap_or_default();
    }
    if let Some(colour) = patch.colour.into_change() {
        next.colour = colour;
    }
    next.check(&mut problems);
    problems.into_result().map(|()| next)
}
