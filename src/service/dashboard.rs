//! The dashboard: one answer that gathers the caller's day, in their time zone — today's and
//! the next 7 days' events (the calendar range read: own and shared calendars not hidden,
//! accepted invitations), open todos due, active reminders firing, birthdays; overdue todos;
//! open project tasks assigned to them; the unread notification count; and the weather,
//! waited for at most the weather timeout. The reads run side by side, one statement each.

use std::cmp::Ordering;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use super::Context;
use crate::db::dashboard as db;
use crate::db::error::DbError;
use crate::domain::events::{Timing, local_midnight};
use crate::domain::id::{CalendarId, PersonId, ProjectId, ReminderId, TaskId, TodoId, UserId};
use crate::domain::people::Birthday;
use crate::domain::time::{UtcMillis, parse_date};
use crate::domain::weather::WeatherView;
use crate::outbound::Requester;
use crate::service::events::EventError;
use crate::service::events::range::RangeItem;
use crate::service::events::range_cache::StampedRanges;
use crate::service::settings;
use crate::service::weather::{Weather, WeatherFor};

/// The most overdue todos and assigned tasks listed (oldest first / soonest due first).
pub const LIST_MAX: usize = 100;
/// The days after today that `next_7_days` covers.
pub const AHEAD_DAYS: i64 = 7;

#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for DashboardError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::classify(error))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Event,
    Todo,
    Reminder,
    Birthday,
}

/// One thing on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DashboardItem {
    pub kind: ItemKind,
    /// The event's, todo's, reminder's or person's id.
    pub id: i64,
    pub title: String,
    pub all_day: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub start: Option<UtcMillis>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub end: Option<UtcMillis>,
    /// The day it is on, in the caller's time zone (`YYYY-MM-DD`).
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    pub colour: Option<String>,
    /// Where it lives in the app.
    pub link: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DashboardDay {
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    pub items: Vec<DashboardItem>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssignedTask {
    pub id: TaskId,
    pub project_id: ProjectId,
    pub project_name: String,
    pub title: String,
    pub status: String,
    pub priority: String,
    pub due_date: Option<String>,
    pub link: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DashboardView {
    /// The caller's IANA time zone (UTC until set).
    pub timezone: String,
    /// Today in that zone.
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// All-day items first, then by time.
    pub today: Vec<DashboardItem>,
    pub overdue_todos: Vec<DashboardItem>,
    /// The following 7 days; days without items are left out.
    pub next_7_days: Vec<DashboardDay>,
    pub assigned_tasks: Vec<AssignedTask>,
    pub unread_notifications: i64,
    /// Null when weather is turned off or the caller has no location set.
    pub weather: Option<WeatherView>,
}

/// The dashboard's window of occurrences per caller, kept as values (not rendered JSON) and
/// given again while the caller's range stamp is unchanged (`events::range_cache`).
pub type EventsCache = StampedRanges<Arc<Vec<RangeItem>>>;

/// The caller's day: today and the following 7 days, in their zone.
#[derive(Debug, Clone, Copy)]
struct Days {
    zone: Tz,
    today: NaiveDate,
    last: NaiveDate,
    /// The window's first and end instants (local midnights).
    start: i64,
    end: i64,
}

/// What the reads found, before it is arranged by day.
struct Found {
    events: Arc<Vec<RangeItem>>,
    hidden: Vec<CalendarId>,
    todos: Vec<db::DueTodoRow>,
    reminders: Vec<db::ReminderRow>,
    birthdays: Vec<db::BirthdayRow>,
    tasks: Vec<db::AssignedTaskRow>,
    unread: i64,
    weather: Option<WeatherView>,
}

/// The caller's dashboard at `ctx.now`.
pub async fn dashboard(
    ctx: Context<'_>,
    events_cache: &EventsCache,
    weather: &Arc<Weather>,
    who: &Requester,
    user: UserId,
) -> Result<DashboardView, DashboardError> {
    let stored = settings::get(ctx, user).await.map_err(|error| match error {
        settings::UserSettingsError::Db(error) => DashboardError::Db(error),
        other => DashboardError::Db(DbError::Other(sqlx::Error::Protocol(other.to_string()))),
    })?;
    let zone = stored.settings.zone();
    let today = local_date(zone, ctx.now.0);
    let last = today + Duration::days(AHEAD_DAYS);
    let days = Days {
        zone,
        today,
        last,
        start: local_midnight(zone, today),
        end: local_midnight(zone, last + Duration::days(1)),
    };
    let Found { events, hidden, todos, reminders, birthdays, tasks, unread, weather: weather_view } =
        read(ctx, events_cache, weather, who, user, &settings::weather_for(&stored.settings), days).await?;
    let mut items: Vec<DashboardItem> =
        events.iter().filter(|e| !hidden.contains(&e.calendar_id)).map(|e| event_item(e, days)).collect();
    let mut overdue = todo_items(todos, days, &mut items);
    items.extend(reminders.into_iter().map(|r| reminder_item(r, days.zone)));
    items.extend(birthdays.into_iter().filter_map(|b| birthday_item(b, days)));
    items.sort_by(in_day_order);
    overdue.sort_by(in_day_order);
    overdue.truncate(LIST_MAX);
    let (today_items, next) = by_day(items, days);
    let assigned_tasks = tasks
        .into_iter()
        .map(|task| AssignedTask {
            link: format!("/projects/{}?task={}", task.project_id.0, task.id.0),
            id: task.id,
            project_id: task.project_id,
            project_name: task.project_name,
            title: task.title,
            status: task.status,
            priority: task.priority,
            due_date: task.due_date,
        })
        .collect();
    Ok(DashboardView {
        timezone: zone.name().to_string(),
        date: today,
        today: today_items,
        overdue_todos: overdue,
        next_7_days: next,
        assigned_tasks,
        unread_notifications: unread,
        weather: weather_view,
    })
}

/// Every read, side by side: the range read, the hidden calendars, todos, reminders,
/// birthdays, assigned tasks, the unread count and the weather (bounded by its timeout).
async fn read(
    ctx: Context<'_>,
    events_cache: &EventsCache,
    weather: &Arc<Weather>,
    who: &Requester,
    user: UserId,
    wanted: &WeatherFor,
    days: Days,
) -> Result<Found, DashboardError> {
    let pool = ctx.db.pool();
    let month_days = month_days(days.today, days.last);
    let events = async {
        let window = (UtcMillis(days.start), UtcMillis(days.end));
        let weighed = |items: Vec<RangeItem>| {
            let size = items.iter().map(|item| size_of::<RangeItem>() + item.title.len() + item.colour.len()).sum();
            (Arc::new(items), size)
        };
        match events_cache.read(ctx, user, window, None, weighed).await {
            Ok(items) => Ok::<_, DashboardError>(items),
            // More than a range read answers in 8 days: the calendar view says so; here the
            // rest of the dashboard matters more.
            Err(EventError::Invalid(_) | EventError::NotFound | EventError::Forbidden) => Ok(Arc::default()),
            Err(EventError::Db(error)) => Err(DashboardError::Db(error)),
        }
    };
    let weather_view = async {
        if wanted.at.is_none() || weather.config().await?.base_url.is_empty() {
            return Ok::<_, DashboardError>(None);
        }
        Ok(Some(match tokio::time::timeout(weather.timeout(), weather.current(who, wanted)).await {
            Ok(view) => view?,
            Err(_) => WeatherView::unavailable("the weather service did not answer in time; try again later"),
        }))
    };
    let rest = async {
        let window = (days.start, days.end);
        let limits = (2_000, LIST_MAX as i64);
        let (today, last) = (days.today.format("%Y-%m-%d").to_string(), days.last.format("%Y-%m-%d").to_string());
        Ok::<_, DashboardError>(db::gather(pool, user, (&today, &last), window, &month_days, limits).await?)
    };
    let (events, rows, weather) = tokio::try_join!(events, rest, weather_view)?;
    let mut found = Found {
        events,
        hidden: Vec::new(),
        todos: Vec::new(),
        reminders: Vec::new(),
        birthdays: Vec::new(),
        tasks: Vec::new(),
        unread: 0,
        weather,
    };
    for row in rows {
        match row.kind.as_str() {
            "todo" => found.todos.push(db::DueTodoRow {
                id: TodoId(row.id),
                title: row.title,
                due_date: row.text_a,
                due_at: row.number,
                colour: row.text_b,
            }),
            "reminder" => found.reminders.push(db::ReminderRow {
                id: ReminderId(row.id),
                title: row.title,
                fire_at: row.number.unwrap_or_default(),
            }),
            "birthday" => found.birthdays.push(db::BirthdayRow {
                id: PersonId(row.id),
                name: row.title,
                birthday: row.text_a.unwrap_or_default(),
            }),
            "task" => found.tasks.push(db::AssignedTaskRow {
                id: TaskId(row.id),
                project_id: ProjectId(row.number.unwrap_or_default()),
                project_name: row.text_b.unwrap_or_default(),
                title: row.title,
                status: row.text_c.unwrap_or_default(),
                priority: row.text_d.unwrap_or_default(),
                due_date: row.text_a,
            }),
            "hidden" => found.hidden.push(CalendarId(row.id)),
            _ => found.unread = row.id,
        }
    }
    // UNION ALL keeps no order between or within its branches: the tasks' order again.
    found
        .tasks
        .sort_by(|a, b| (a.due_date.is_none(), &a.due_date, a.id.0).cmp(&(b.due_date.is_none(), &b.due_date, b.id.0)));
    Ok(found)
}

/// Todos due in the window go into `items`; those due before today are returned (overdue).
fn todo_items(todos: Vec<db::DueTodoRow>, days: Days, items: &mut Vec<DashboardItem>) -> Vec<DashboardItem> {
    let mut overdue = Vec::new();
    for todo in todos {
        let (date, all_day, start) = match (todo.due_at, todo.due_date.as_deref().and_then(parse_date)) {
            (Some(at), _) => (local_date(days.zone, at), false, Some(UtcMillis(at))),
            (None, Some(date)) => (date, true, None),
            (None, None) => continue,
        };
        let item = DashboardItem {
            kind: ItemKind::Todo,
            id: todo.id.0,
            title: todo.title,
            all_day,
            start,
            end: None,
            date,
            colour: todo.colour,
            link: "/todos".into(),
        };
        if date < days.today {
            overdue.push(item);
        } else if date <= days.last {
            items.push(item);
        }
    }
    overdue
}

fn reminder_item(reminder: db::ReminderRow, zone: Tz) -> DashboardItem {
    DashboardItem {
        kind: ItemKind::Reminder,
        id: reminder.id.0,
        title: reminder.title,
        all_day: false,
        start: Some(UtcMillis(reminder.fire_at)),
        end: None,
        date: local_date(zone, reminder.fire_at),
        colour: None,
        link: "/reminders".into(),
    }
}

fn birthday_item(person: db::BirthdayRow, days: Days) -> Option<DashboardItem> {
    let date = Birthday::parse(&person.birthday)?.next_on_or_after(days.today);
    (date <= days.last).then(|| DashboardItem {
        kind: ItemKind::Birthday,
        id: person.id.0,
        title: person.name,
        all_day: true,
        start: None,
        end: None,
        date,
        colour: None,
        link: format!("/people/{}", person.id.0),
    })
}

/// Sorted items split into today's and the following days' (days without items left out).
fn by_day(items: Vec<DashboardItem>, days: Days) -> (Vec<DashboardItem>, Vec<DashboardDay>) {
    let mut today = Vec::new();
    let mut next: Vec<DashboardDay> = Vec::new();
    for item in items {
        if item.date <= days.today {
            today.push(item);
        } else if item.date <= days.last {
            match next.last_mut() {
                Some(day) if day.date == item.date => day.items.push(item),
                _ => next.push(DashboardDay { date: item.date, items: vec![item] }),
            }
        }
    }
    (today, next)
}

/// An occurrence as a dashboard item, on the day it starts (today for one that began earlier
/// and runs into today).
fn event_item(event: &RangeItem, days: Days) -> DashboardItem {
    let (all_day, start, end, date) = match event.timing {
        Timing::Timed { start, end } => (false, Some(start), Some(end), local_date(days.zone, start.0)),
        Timing::AllDay { start, .. } => (true, None, None, start),
    };
    let date = date.max(days.today);
    DashboardItem {
        kind: ItemKind::Event,
        id: event.event_id.0,
        title: event.title.clone(),
        all_day,
        start,
        end,
        date,
        colour: Some(event.colour.clone()),
        link: format!("/calendar?date={}", date.format("%Y-%m-%d")),
    }
}

/// Within a day: all-day items first, then by time; then by kind and title.
fn in_day_order(a: &DashboardItem, b: &DashboardItem) -> Ordering {
    let key = |item: &DashboardItem| (item.date, !item.all_day, item.start.map_or(0, |s| s.0), item.kind);
    key(a).cmp(&key(b)).then_with(|| a.title.cmp(&b.title)).then_with(|| a.id.cmp(&b.id))
}

fn local_date(zone: Tz, millis: i64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp_millis(millis).unwrap_or_default().with_timezone(&zone).date_naive()
}

/// `MM-DD` of every day from `first` to `last`, and 29 February when 28 February is among
/// them in a year without one (such birthdays are observed on the 28th).
fn month_days(first: NaiveDate, last: NaiveDate) -> Vec<String> {
    let mut days = Vec::new();
    let mut day = first;
    while day <= last {
        days.push(day.format("%m-%d").to_string());
        if day.month() == 2 && day.day() == 28 && NaiveDate::from_ymd_opt(day.year(), 2, 29).is_none() {
            days.push("02-29".into());
        }
        day += Duration::days(1);
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leap_day_birthdays_are_asked_for_on_28_february_of_common_years() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let common = month_days(d(2027, 2, 25), d(2027, 3, 4));
        assert!(common.contains(&"02-29".to_string()) && common.contains(&"03-04".to_string()));
        assert_eq!(common.len(), 9);
        assert_eq!(month_days(d(2028, 2, 25), d(2028, 3, 3)).len(), 8);
        assert_eq!(month_days(d(2027, 12, 30), d(2028, 1, 2)), vec!["12-30", "12-31", "01-01", "01-02"]);
    }
}
