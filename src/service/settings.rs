//! The user settings workflows: read (defaults for a user who never saved any), change
//! (a partial patch, every field checked, the ntfy server URL checked against the outbound
//! rules before it is stored), the ntfy target the dispatcher pushes to, and the test push.
//! The ntfy token is sealed with the server's `SecretBox` at rest and never returned.

use std::collections::BTreeMap;

use crate::auth::totp::SecretBox;
use crate::db::error::DbError;
use crate::db::user_settings::{self, UserSettingsRow, UserSettingsValues};
use crate::domain::id::UserId;
use crate::domain::user_settings::{
    DateFormat, FieldProblem, QuietHours, SettingsPatch, Theme, TimeFormat, TokenChange, UserSettings, WeekStart,
    format_hhmm,
};
use crate::domain::weather::{Coordinates, Units};
use crate::outbound::{OutboundClient, OutboundError, Requester};
use crate::push::ntfy::NtfySender;
use crate::push::{NtfyTarget, PushError, PushMessage};
use crate::service::Context;
use crate::service::weather::{GeocodeError, Weather, WeatherFor};

#[derive(Debug, thiserror::Error)]
pub enum UserSettingsError {
    #[error("invalid settings")]
    Invalid(Vec<FieldProblem>),
    /// The ntfy test needs a server and a topic first.
    #[error("ntfy is not set up")]
    NtfyMissing,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for UserSettingsError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::classify(error))
    }
}

/// A user's settings and whether a token is stored (the token itself stays sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub settings: UserSettings,
    pub ntfy_token_set: bool,
    sealed_token: Option<String>,
}

/// The row's meaning. A value the domain does not know (written by hand) reads as the default
/// rather than failing every request of that user. (The dispatcher reads rows in bulk and
/// interprets them here too.)
pub fn stored_of(row: Option<UserSettingsRow>) -> Stored {
    let Some(row) = row else {
        return Stored { settings: UserSettings::default(), ntfy_token_set: false, sealed_token: None };
    };
    let mut settings = UserSettings {
        display_name: row.display_name,
        timezone: row.timezone.and_then(|z| z.parse().ok()),
        week_start: WeekStart::parse(&row.week_start).unwrap_or_default(),
        date_format: DateFormat::parse(&row.date_format).unwrap_or_default(),
        time_format: TimeFormat::parse(&row.time_format).unwrap_or_default(),
        theme: Theme::parse(&row.theme).unwrap_or_default(),
        quiet_hours: row.quiet_start.zip(row.quiet_end).and_then(|(s, e)| QuietHours::parse(&s, &e)),
        ntfy_server: row.ntfy_server,
        ntfy_topic: row.ntfy_topic,
        todo_due_alert_minutes: row.todo_due_alert_minutes,
        weather_at: row
            .weather_latitude
            .zip(row.weather_longitude)
            .and_then(|(lat, lon)| Coordinates::new(lat, lon).ok()),
        weather_place: row.weather_place,
        units: Units::parse(&row.units).unwrap_or_default(),
        ..UserSettings::default()
    };
    let priorities: BTreeMap<String, i64> = serde_json::from_str(&row.ntfy_priorities).unwrap_or_default();
    for (kind, priority) in priorities {
        if let Some(slot) = settings.ntfy_priority.get_mut(&kind)
            && (1..=5).contains(&priority)
        {
            *slot = priority as u8;
        }
    }
    Stored { ntfy_token_set: row.ntfy_token.is_some(), sealed_token: row.ntfy_token, settings }
}

pub async fn get(ctx: Context<'_>, user: UserId) -> Result<Stored, UserSettingsError> {
    Ok(stored_of(user_settings::find(ctx.db.pool(), user).await?))
}

/// Where the user's weather is for.
pub fn weather_for(settings: &UserSettings) -> WeatherFor {
    WeatherFor { at: settings.weather_at, place: settings.weather_place.clone(), units: settings.units }
}

/// Looks up the place name a patch gives alone (without coordinates) with the weather
/// provider's geocoder. A name it cannot find, a provider that is down and geocoding turned
/// off are each a problem at `weather_place`, and the whole patch is refused.
async fn geocode_place(
    weather: &Weather,
    who: &Requester,
    patch: &SettingsPatch,
) -> Result<Option<crate::domain::weather::Place>, UserSettingsError> {
    let Some(name) = patch.place_to_geocode() else { return Ok(None) };
    let problem = |message: &str| UserSettingsError::Invalid(vec![("weather_place", message.to_string())]);
    match weather.geocode(who, name.trim()).await {
        Ok(Some(place)) => Ok(Some(place)),
        Ok(None) => Err(problem("no place of that name was found")),
        Err(GeocodeError::Off) => Err(problem("looking places up is turned off; enter coordinates instead")),
        Err(GeocodeError::Unavailable) => {
            Err(problem("the weather service could not be reached to look the place up; try again later"))
        }
    }
}

/// Applies `patch`. A new ntfy server URL must pass the outbound rules now (a refusal is a
/// problem at `ntfy_server` naming the rule, and is audited); it is checked again at every
/// send, since what a name resolves to can change.
pub async fn update(
    ctx: Context<'_>,
    outbound: &OutboundClient,
    weather: &Weather,
    secrets: &SecretBox,
    who: &Requester,
    user: UserId,
    patch: SettingsPatch,
) -> Result<Stored, UserSettingsError> {
    // Checked once before the write transaction: the DNS lookup must not hold the write lock.
    let before = get(ctx, user).await?;
    let (wanted, _) = before.settings.apply(patch.clone()).map_err(UserSettingsError::Invalid)?;
    let place = geocode_place(weather, who, &patch).await?;
    let mut server = wanted.ntfy_server.clone();
    if let Some(url) = server.as_deref().filter(|_| wanted.ntfy_server != before.settings.ntfy_server) {
        match outbound.check(who, url).await {
            // Stored as normalised, which can be ~3 times longer (percent-encoding): the
            // length limit applies to what is stored.
            Ok(checked) if checked.url.as_str().len() > crate::domain::user_settings::NTFY_SERVER_MAX => {
                let max = crate::domain::user_settings::NTFY_SERVER_MAX;
                let problem = format!("must be a URL of at most {max} characters");
                return Err(UserSettingsError::Invalid(vec![("ntfy_server", problem)]));
            }
            Ok(checked) => server = Some(checked.url.to_string()),
            Err(OutboundError::Refused(refusal)) => {
                return Err(UserSettingsError::Invalid(vec![("ntfy_server", refusal.to_string())]));
            }
            Err(OutboundError::Failed(error)) => {
                return Err(UserSettingsError::Db(DbError::Other(sqlx::Error::Protocol(error))));
            }
        }
    }

    let mut tx = ctx.db.write().await?;
    user_settings::lock(&mut tx, user).await?;
    let current = stored_of(user_settings::find(&mut *tx, user).await?);
    let (mut next, token) = current.settings.apply(patch).map_err(UserSettingsError::Invalid)?;
    if next.ntfy_server == wanted.ntfy_server {
        next.ntfy_server = server;
    }
    if let Some(place) = place {
        next.weather_at = Some(place.at);
        next.weather_place = Some(place.name);
    }
    let sealed = match token {
        TokenChange::Keep => current.sealed_token,
        TokenChange::Clear => None,
        TokenChange::Set(token) => Some(secrets.seal(token.as_bytes())),
    };
    let zone = next.timezone.map(|z| z.name().to_string());
    let values = UserSettingsValues {
        display_name: &next.display_name,
        timezone: zone.as_deref(),
        week_start: next.week_start.as_str(),
        date_format: next.date_format.as_str(),
        time_format: next.time_format.as_str(),
        theme: next.theme.as_str(),
        quiet_start: next.quiet_hours.map(|q| format_hhmm(q.start)),
        quiet_end: next.quiet_hours.map(|q| format_hhmm(q.end)),
        ntfy_server: next.ntfy_server.as_deref(),
        ntfy_topic: next.ntfy_topic.as_deref(),
        ntfy_token: sealed.as_deref(),
        ntfy_priorities: serde_json::to_string(&next.ntfy_priority).unwrap_or_else(|_| "{}".into()),
        todo_due_alert_minutes: next.todo_due_alert_minutes,
        weather_latitude: next.weather_at.map(|at| at.latitude),
        weather_longitude: next.weather_at.map(|at| at.longitude),
        weather_place: next.weather_place.as_deref(),
        units: next.units.as_str(),
        now: ctx.now.0,
    };
    user_settings::upsert(&mut *tx, user, &values).await?;
    tx.commit().await?;
    Ok(Stored { ntfy_token_set: sealed.is_some(), sealed_token: sealed, settings: next })
}

/// Where the user's pushes go, with the token unsealed; `None` until both a server and a
/// topic are set. The dispatcher calls this for every push it sends.
pub fn ntfy_target(stored: &Stored, secrets: &SecretBox) -> Option<NtfyTarget> {
    let settings = &stored.settings;
    let token = stored.sealed_token.as_deref().and_then(|t| secrets.open(t)).and_then(|t| String::from_utf8(t).ok());
    Some(NtfyTarget { server: settings.ntfy_server.clone()?, topic: settings.ntfy_topic.clone()?, token })
}

/// What a test push came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    pub delivered: bool,
    pub status: Option<u16>,
    pub error: Option<String>,
}

/// Sends a test push to the user's saved ntfy settings, on their behalf.
pub async fn send_test(
    ctx: Context<'_>,
    ntfy: &NtfySender,
    secrets: &SecretBox,
    who: &Requester,
    user: UserId,
    click: Option<String>,
) -> Result<TestOutcome, UserSettingsError> {
    let stored = get(ctx, user).await?;
    let target = ntfy_target(&stored, secrets).ok_or(UserSettingsError::NtfyMissing)?;
    let message = PushMessage {
        title: "UMBRA test".into(),
        body: "If you can read this, UMBRA can reach this device.".into(),
        priority: stored.settings.priority_for("reminder_due"),
        click,
        actions: Vec::new(),
    };
    Ok(match ntfy.send(who, &target, &message).await {
        Ok(status) => TestOutcome { delivered: true, status: Some(status), error: None },
        Err(PushError::Refused(rule)) => TestOutcome { delivered: false, status: None, error: Some(rule) },
        Err(PushError::Failed { status, error }) => TestOutcome { delivered: false, status, error: Some(error) },
    })
}
