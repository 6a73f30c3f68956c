//! PROPPATCH and MKCALENDAR. A calendar's owner and managers rename it, recolour it and
//! change its description (`service::calendars::update`); any other member's colour becomes
//! their own preference (`set_preferences`), as in the UI. A PROPPATCH is atomic (RFC 4918
//! §9.2): when every property may be set, all are, in one transaction (200 each); when any
//! is refused (403: not allowed or not writable), none is, and the others answer
//! `424 Failed Dependency`. The todos, the address book and everything else have no
//! writable properties. MKCALENDAR makes a calendar in the calendar home through
//! `service::calendars::create`.

use rocket::http::Status;

use super::answer::{Answer, condition, method_not_allowed, need_privileges, xml};
use super::auth::DavAccount;
use super::dispatch::{ALLOW_COLLECTION, body_xml};
use super::load;
use super::paths::{self, Resource};
use super::requests::{self, PropUpdate};
use super::store::{Collection, DavError};
use super::xml::{APPLE, CALDAV, DAV, Element, Node, Propstat, ResponseEntry, multistatus};
use super::{DavRequest, DavResponse};
use crate::db::dav_calendars;
use crate::db::error::DbError;
use crate::domain::calendars::{CalendarPatch, NewCalendar, PreferencesPatch};
use crate::domain::id::CalendarId;
use crate::domain::patch::Patch;
use crate::service::Context;
use crate::service::calendars::{self, CalendarError};

/// `#RRGGBB` from a client's colour (Apple sends `#RRGGBBAA`); `None` when it is not one.
pub fn colour(text: &str) -> Option<String> {
    let text = text.trim();
    let hex = text.strip_prefix('#')?;
    let fine = (hex.len() == 6 || hex.len() == 8) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    fine.then(|| format!("#{}", &hex[..6]).to_ascii_uppercase())
}

/// What one PROPPATCH does to a calendar.
#[derive(Default)]
struct Plan {
    patch: CalendarPatch,
    preferences: PreferencesPatch,
    touches_calendar: bool,
    touches_preferences: bool,
}

/// Sorts each update into the plan, or refuses it (403).
fn plan(updates: &[PropUpdate], can_manage: bool) -> (Plan, Vec<(Node, Status)>) {
    let mut plan = Plan::default();
    let mut statuses = Vec::new();
    for update in updates {
        let p = &update.prop;
        let node = Node::new(&p.ns, &p.name);
        let text = p.text.trim().to_string();
        let ok = match (p.ns.as_str(), p.name.as_str(), update.remove) {
            (DAV, "displayname", false) if can_manage && !text.is_empty() => {
                plan.patch.name = Patch::Set(text);
                plan.touches_calendar = true;
                true
            }
            (CALDAV, "calendar-description", remove) if can_manage => {
                plan.patch.description = Patch::Set(if remove { String::new() } else { text });
                plan.touches_calendar = true;
                true
            }
            (APPLE, "calendar-color", false) => match colour(&text) {
                Some(c) if can_manage => {
                    plan.patch.colour = Patch::Set(c);
                    plan.touches_calendar = true;
                    true
                }
                Some(c) => {
                    plan.preferences.colour_override = Patch::Set(c);
                    plan.touches_preferences = true;
                    true
                }
                None => false,
            },
            (APPLE, "calendar-color", true) if !can_manage => {
                plan.preferences.colour_override = Patch::Clear;
                plan.touches_preferences = true;
                true
            }
            _ => false,
        };
        statuses.push((node, if ok { Status::Ok } else { Status::Forbidden }));
    }
    (plan, statuses)
}

fn answer(href: String, statuses: Vec<(Node, Status)>) -> DavResponse {
    let mut propstats: Vec<Propstat> = Vec::new();
    for (node, status) in statuses {
        match propstats.iter_mut().find(|p| p.status == status) {
            Some(p) => p.props.push(node),
            None => propstats.push(Propstat { status, props: vec![node] }),
        }
    }
    xml(Status { code: 207 }, multistatus(&[ResponseEntry::props(href, propstats)], None))
}

pub async fn run(ctx: Context<'_>, account: &DavAccount, resource: &Resource, request: &DavRequest) -> Answer {
    let Some(root) = body_xml(request)? else {
        return Err(DavResponse::text(Status::BadRequest, "A PROPPATCH needs a propertyupdate body."));
    };
    let updates = requests::proppatch(&root)?;
    let Resource::Collection(Collection::Calendar(id)) = resource else {
        if matches!(resource, Resource::Unmapped(_) | Resource::UnmappedObject(..)) {
            return Err(super::answer::not_found());
        }
        if let Resource::Object(collection, _) | Resource::Collection(collection) = resource {
            // Existence first: a missing calendar is 404, not a list of refusals.
            load::collection(ctx, account, *collection).await?;
        }
        let statuses = updates.iter().map(|u| (Node::new(&u.prop.ns, &u.prop.name), Status::Forbidden)).collect();
        return Ok(answer(request.path.clone(), statuses));
    };
    let target = load::collection(ctx, account, Collection::Calendar(*id)).await?;
    let level = load::level_of(&target);
    let (plan, statuses) = plan(&updates, level.can_manage());
    if statuses.iter().all(|(_, s)| *s == Status::Forbidden) && !level.can_manage() && !plan.touches_preferences {
        // Nothing this member may change: say so the way a write refusal does.
        return Err(need_privileges());
    }
    let href = paths::base(&request.path, false);
    if statuses.iter().any(|(_, s)| *s == Status::Forbidden) {
        return Ok(answer(href, failed_dependencies(statuses)));
    }
    apply(ctx, account, *id, plan).await?;
    Ok(answer(href, statuses))
}

/// A refused request's statuses: the refused keep their 403, every other one is 424 (it
/// would have been set, but nothing of the request is).
fn failed_dependencies(statuses: Vec<(Node, Status)>) -> Vec<(Node, Status)> {
    statuses
        .into_iter()
        .map(|(node, status)| (node, if status == Status::Forbidden { status } else { Status::FailedDependency }))
        .collect()
}

/// The calendar's change and the member's preference, in one transaction: both or neither.
async fn apply(ctx: Context<'_>, account: &DavAccount, id: CalendarId, plan: Plan) -> Result<(), CalendarError> {
    let mut tx = ctx.db.write().await?;
    if plan.touches_calendar {
        calendars::update_in(&mut tx, ctx.now, account.user_id, id, plan.patch).await?;
    }
    if plan.touches_preferences {
        calendars::set_preferences_in(&mut tx, account.user_id, id, plan.preferences).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The text of a MKCALENDAR property, if it was set.
fn prop_text<'a>(props: &'a [Element], ns: &str, name: &str) -> Option<&'a str> {
    props.iter().find(|p| p.is(ns, name)).map(|p| p.text.trim()).filter(|t| !t.is_empty())
}

pub async fn mkcalendar(ctx: Context<'_>, account: &DavAccount, resource: &Resource, request: &DavRequest) -> Answer {
    let segment = match resource {
        Resource::Unmapped(segment) => segment,
        Resource::Collection(Collection::Calendar(id)) => {
            // A number is the address of an existing calendar: taken if visible, refused if not.
            return Err(match load::collection(ctx, account, Collection::Calendar(*id)).await {
                Ok(_) => method_not_allowed(ALLOW_COLLECTION),
                Err(_) => condition(Status::Forbidden, Node::new(CALDAV, "calendar-collection-location-ok")),
            });
        }
        Resource::Collection(_) => return Err(method_not_allowed(ALLOW_COLLECTION)),
        _ => return Err(condition(Status::Forbidden, Node::new(CALDAV, "calendar-collection-location-ok"))),
    };
    let props = requests::mkcalendar(body_xml(request)?.as_ref())?;
    if let Some(set) = props.iter().find(|p| p.is(CALDAV, "supported-calendar-component-set")) {
        let events_only = set.children.iter().all(|c| c.attr("name").is_some_and(|n| n.eq_ignore_ascii_case("VEVENT")));
        if !events_only {
            return Err(condition(Status::Forbidden, Node::new(CALDAV, "supported-calendar-component")));
        }
    }
    let name: String = prop_text(&props, DAV, "displayname").unwrap_or(segment).chars().take(100).collect();
    let body = NewCalendar {
        name,
        colour: prop_text(&props, APPLE, "calendar-color").and_then(colour),
        description: prop_text(&props, CALDAV, "calendar-description").map(str::to_string),
        timezone: None,
        is_default: None,
    };
    let row = calendars::create(ctx, account.user_id, body).await?;
    // The calendar lives at the URL the client chose (RFC 4791 §5.3.1). The name was free when
    // the request was resolved; a concurrent MKCALENDAR to the same URL may have taken it
    // since: then that one made the calendar, and this one's is removed again (405, as for
    // any existing resource) rather than left behind unreachable.
    if let Err(error) = dav_calendars::set_name(ctx.db.pool(), account.user_id, row.id, segment).await {
        if let Err(cleanup) = calendars::delete(ctx, account.user_id, row.id).await {
            tracing::warn!("MKCALENDAR: could not remove the calendar that lost the race: {cleanup}");
        }
        return Err(match DbError::classify(error) {
            DbError::Unique { .. } => method_not_allowed(ALLOW_COLLECTION),
            other => DavError::Db(other).into(),
        });
    }
    Ok(DavResponse::status(Status::Created).with_header("Location", paths::base(&request.path, false)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_client_colours() {
        assert_eq!(colour("#ff8800"), Some("#FF8800".into()));
        assert_eq!(colour("#FF8800FF"), Some("#FF8800".into()));
        assert_eq!(colour("red"), None);
        assert_eq!(colour("#12345"), None);
    }
}
