"""The `caldav` client library against UMBRA: events and todos created, read, found by time
range, updated under their ETag (and refused under a stale one), completed and deleted.

Run by tests/api/dav_clients (never by hand in CI). Reads UMBRA_DAV_URL (the server's base
URL), UMBRA_DAV_USER, UMBRA_DAV_PASSWORD (an app password), UMBRA_DAV_CA (the certificate to
trust: verification stays on) and UMBRA_DAV_CALENDAR (the display name of a calendar the test
made through the JSON API, holding one event "Dentist" on 2030-02-01; the user also has one
todo "Call the plumber" made through the API). UMBRA_DAV_FOREIGN is the path of another
user's calendar, which must look like nothing at all. With UMBRA_DAV_EXPECT_REFUSED=1 the
script only checks that the server refuses the credentials (a revoked app password, the
account password).

Prints `ok <step>` for every step that held and, at the first that did not, `FAIL <step>: …`
with the traceback on stderr, exiting 1. The Rust test asserts on those lines, then checks
through the JSON API that what this script left is really there (and what it deleted is gone).
"""

import os
import sys
import traceback
from datetime import datetime, timezone

import caldav
from caldav.lib import error

BASE = os.environ["UMBRA_DAV_URL"].rstrip("/")
USER = os.environ["UMBRA_DAV_USER"]


def utc(*parts):
    return datetime(*parts, tzinfo=timezone.utc)


def vcalendar(component, uid, summary, lines):
    body = "\r\n".join(
        ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//UMBRA tests//caldav client//EN",
         f"BEGIN:{component}", f"UID:{uid}", "DTSTAMP:20300101T000000Z", f"SUMMARY:{summary}",
         *lines, f"END:{component}", "END:VCALENDAR", ""])
    return body


def summary(obj):
    return str(obj.icalendar_component["SUMMARY"])


def uids(objects):
    return sorted(str(o.icalendar_component["UID"]) for o in objects)


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


STEPS = []


def step(name):
    def register(function):
        STEPS.append((name, function))
        return function
    return register


class Run:
    """What the steps share: the client, the collections and the objects made so far."""

    client = None
    principal = None
    calendar = None
    todos = None


@step("discover-principal")
def discover(run):
    run.client = caldav.DAVClient(
        url=f"{BASE}/dav/", username=USER, password=os.environ["UMBRA_DAV_PASSWORD"],
        ssl_verify_cert=os.environ["UMBRA_DAV_CA"])
    run.principal = run.client.principal()
    expect(str(run.principal.url).rstrip("/").endswith(f"/dav/principals/{USER}"),
           f"principal at {run.principal.url}")


@step("list-calendars")
def list_calendars(run):
    calendars = run.principal.calendars()
    names = {c.get_display_name(): c for c in calendars}
    wanted = os.environ["UMBRA_DAV_CALENDAR"]
    expect(wanted in names, f"calendar {wanted!r} not among {sorted(map(str, names))}")
    run.calendar = names[wanted]
    by_url = [c for c in calendars if str(c.url).rstrip("/").endswith(f"/dav/calendars/{USER}/todos")]
    expect(by_url, f"no todos collection among {[str(c.url) for c in calendars]}")
    run.todos = by_url[0]


@step("foreign-calendar-hidden")
def foreign_calendar_hidden(run):
    foreign = run.client.calendar(url=f"{BASE}{os.environ['UMBRA_DAV_FOREIGN']}")
    try:
        found = foreign.search(start=utc(2000, 1, 1), end=utc(2100, 1, 1), event=True)
    except error.NotFoundError:
        return
    raise AssertionError(f"another user's calendar answered with {len(found)} events (expected 404)")


@step("read-api-event")
def read_api_event(run):
    found = run.calendar.search(start=utc(2030, 1, 31), end=utc(2030, 2, 2), event=True)
    expect([summary(e) for e in found] == ["Dentist"], f"found {[summary(e) for e in found]}")


@step("create-events")
def create_events(run):
    run.calendar.add_event(vcalendar("VEVENT", "caldav-kept", "Piano lesson",
                                     ["DTSTART:20300310T090000Z", "DTEND:20300310T100000Z"]))
    run.calendar.add_event(vcalendar("VEVENT", "caldav-gone", "Bin day",
                                     ["DTSTART:20300320T070000Z", "DTEND:20300320T073000Z"]))


@step("read-event")
def read_event(run):
    event = run.calendar.event_by_uid("caldav-kept")
    event.load()
    expect(summary(event) == "Piano lesson", f"read back {summary(event)!r}")
    expect(event.etag and not event.etag.startswith("W/"), f"ETag {event.etag!r} is not strong")


@step("time-range-query")
def time_range_query(run):
    march_10 = run.calendar.search(start=utc(2030, 3, 9), end=utc(2030, 3, 11), event=True, expand=False)
    expect(uids(march_10) == ["caldav-kept"], f"9-11 March found {uids(march_10)}")
    march_20 = run.calendar.search(start=utc(2030, 3, 20, 7, 15), end=utc(2030, 3, 20, 8), event=True)
    expect(uids(march_20) == ["caldav-gone"], f"20 March 07:15-08:00 found {uids(march_20)}")
    april = run.calendar.search(start=utc(2030, 4, 1), end=utc(2030, 5, 1), event=True)
    expect(uids(april) == [], f"April found {uids(april)}")
    # An event ending exactly where the range starts does not overlap it (RFC 4791 9.9).
    after = run.calendar.search(start=utc(2030, 3, 10, 10), end=utc(2030, 3, 10, 11), event=True)
    expect(uids(after) == [], f"10 March 10:00-11:00 found {uids(after)}")


@step("update-with-etag")
def update_with_etag(run):
    event = run.calendar.event_by_uid("caldav-kept")
    event.load()
    stale = run.calendar.event_by_uid("caldav-kept")
    stale.load()
    before = event.etag
    event.icalendar_component["SUMMARY"] = "Piano lesson (moved)"
    event.save(precondition="etag")
    fresh = run.calendar.event_by_uid("caldav-kept")
    fresh.load()
    expect(summary(fresh) == "Piano lesson (moved)", f"after update {summary(fresh)!r}")
    expect(fresh.etag != before, f"ETag unchanged by the update ({before})")
    stale.icalendar_component["SUMMARY"] = "Lost update"
    try:
        stale.save(precondition="etag")
    except error.ETagMismatchError:
        pass
    else:
        raise AssertionError("a save under the stale ETag was accepted (expected 412)")
    again = run.calendar.event_by_uid("caldav-kept")
    again.load()
    expect(summary(again) == "Piano lesson (moved)", f"the stale save changed it to {summary(again)!r}")


@step("delete-event")
def delete_event(run):
    event = run.calendar.event_by_uid("caldav-gone")
    event.load()
    event.delete(if_match=True)
    try:
        run.calendar.event_by_uid("caldav-gone")
    except error.NotFoundError:
        pass
    else:
        raise AssertionError("the deleted event is still found")


@step("list-all-events")
def list_all_events(run):
    # A calendar-query for every VEVENT, with no time range (what `events()` asks).
    everything = run.calendar.events()
    expect(sorted(summary(e) for e in everything) == ["Dentist", "Piano lesson (moved)"],
           f"all events: {sorted(summary(e) for e in everything)}")


@step("sync-token")
def sync_token(run):
    # RFC 6578: a first sync lists everything, a later one only what changed since.
    first = run.calendar.objects_by_sync_token(load_objects=False)
    expect(len(list(first)) == 2, f"the first sync listed {len(list(first))} objects")
    event = run.calendar.event_by_uid("caldav-kept")
    event.load()
    event.icalendar_component["LOCATION"] = "Music school"
    event.save(precondition="etag")
    later = run.calendar.objects_by_sync_token(sync_token=first.sync_token, load_objects=True)
    expect(uids(later) == ["caldav-kept"], f"the delta listed {uids(later)}")


@step("read-api-todo")
def read_api_todo(run):
    pending = run.todos.todos()
    expect([summary(t) for t in pending] == ["Call the plumber"], f"pending {[summary(t) for t in pending]}")


@step("create-todos")
def create_todos(run):
    run.todos.add_todo(vcalendar("VTODO", "caldav-todo-kept", "Water the plants",
                                 ["DUE:20300305T180000Z", "STATUS:NEEDS-ACTION"]))
    run.todos.add_todo(vcalendar("VTODO", "caldav-todo-gone", "Return library books",
                                 ["STATUS:NEEDS-ACTION"]))
    todo = run.todos.todo_by_uid("caldav-todo-kept")
    todo.load()
    expect(summary(todo) == "Water the plants", f"read back {summary(todo)!r}")


@step("update-todo-with-etag")
def update_todo(run):
    todo = run.todos.todo_by_uid("caldav-todo-kept")
    todo.load()
    stale = run.todos.todo_by_uid("caldav-todo-kept")
    stale.load()
    todo.icalendar_component["SUMMARY"] = "Water all the plants"
    todo.save(precondition="etag")
    stale.icalendar_component["SUMMARY"] = "Lost update"
    try:
        stale.save(precondition="etag")
    except error.ETagMismatchError:
        pass
    else:
        raise AssertionError("a todo save under the stale ETag was accepted (expected 412)")


@step("complete-todo")
def complete_todo(run):
    todo = run.todos.todo_by_uid("caldav-todo-gone")
    todo.load()
    todo.complete()
    pending = sorted(summary(t) for t in run.todos.todos())
    expect(pending == ["Call the plumber", "Water all the plants"], f"pending after completing {pending}")
    everything = sorted(summary(t) for t in run.todos.todos(include_completed=True))
    expect("Return library books" in everything, f"with completed {everything}")


@step("delete-todo")
def delete_todo(run):
    todo = run.todos.todo_by_uid("caldav-todo-gone")
    todo.load()
    todo.delete(if_match=True)
    try:
        run.todos.todo_by_uid("caldav-todo-gone")
    except error.NotFoundError:
        pass
    else:
        raise AssertionError("the deleted todo is still found")


def refused():
    """Only the sign-in, which must fail as unauthorised."""
    try:
        discover(Run())
    except error.AuthorizationError:
        print("ok refused", flush=True)
        return 0
    except Exception as failure:  # noqa: BLE001 - reported with its kind
        print(f"FAIL refused: {type(failure).__name__}: {failure}", flush=True)
        traceback.print_exc()
        return 1
    print("FAIL refused: the server accepted the credentials", flush=True)
    return 1


def main():
    if os.environ.get("UMBRA_DAV_EXPECT_REFUSED") == "1":
        return refused()
    run = Run()
    for name, function in STEPS:
        try:
            function(run)
        except Exception as failure:  # noqa: BLE001 - every failure is reported the same way
            print(f"FAIL {name}: {type(failure).__name__}: {failure}", flush=True)
            traceback.print_exc()
            return 1
        print(f"ok {name}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
