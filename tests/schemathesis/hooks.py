"""Schemathesis hooks for UMBRA (loaded through SCHEMATHESIS_HOOKS by run.sh).

- `SignedInSession`: every generated request goes out signed in as the standard user that
  run.sh created (or the admin, in the admin pass), with the session cookie and the CSRF
  header (`X-Requested-With`), which every unsafe method under /api needs. The session is
  obtained by the real sign-in (POST /api/auth/login) and re-obtained whenever an answer
  says it died (401): a generated DELETE /api/auth/sessions/{id} may well name the run's own
  session, and that is a correct answer to test, not a reason to test everything after it
  signed out. Each new session also confirms the password (POST /api/auth/reauth), so that
  the operations that want a recent re-authentication (second factors, passkeys, app
  passwords) are reached, not only refused.
- Seeded objects: random ids almost never name an object of the user's, so most generated
  requests would stop at a 404 before the handler's real work. Once the document is loaded,
  `after_load_schema` creates one object of each kind through the API (a calendar with an
  event, a feed and a share, a todo in a category, a reminder, a person, a location, a
  project with a member, a task and a comment, an app password, a connection, and what
  other users send: a connection request, a calendar share, an event invitation, the
  notifications they cause). `flatmap_path_parameters` then draws each path id either as
  generated or as the seeded object of its kind, and `flatmap_body`/`flatmap_query` offer,
  half of the time, a variant whose ids (calendar_id, category_id, …) name seeded objects and
  whose instants, dates, zones, rules and colours are valid (PLAUSIBLE). DELETE keeps
  generated ids only, so that the seeded objects live through the run. A seeding step that fails only makes
  the run shallower: it is reported on stderr, not fatal.
- No network beyond the box: `before_call` points every URL a request body carries (an ntfy
  server, an OIDC issuer, a weather provider, …) at 127.0.0.1 port 9, where nothing listens,
  so that what the server does with a URL it is given (validate it, refuse a loopback
  target, fail to connect) is exercised, and nothing leaves the machine.
- The admin pass (UMBRA_ST_ROLE=admin; run.sh runs it on /api/admin/ after the standard pass):
  signed in as the admin; a path id under /api/admin/users names the stranger half of the
  time, and never the admin itself, whose password and role are the run's credentials.
- `problem_details`: every 4xx/5xx answer is RFC 9457 application/problem+json with
  type, title, status (equal to the HTTP status) and detail.

run.sh passes the server and the accounts in the environment: UMBRA_ST_BASE (https://host:port),
UMBRA_ST_USERNAME (the account the run signs in as), UMBRA_ST_ROLE (`standard` or `admin`),
UMBRA_ST_FRIEND and UMBRA_ST_STRANGER (two more standard users, for what others send),
UMBRA_ST_PASSWORD (everyone's) and UMBRA_ST_CA (the local CA's PEM, for verification).
"""

import json
import os
import re
import sys

import requests
import schemathesis
from hypothesis import strategies as st

SESSION_COOKIE = "__Host-umbra_session"
CSRF_HEADER = ("X-Requested-With", "XMLHttpRequest")


def _env(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run the suite through tests/schemathesis/run.sh")
    return value


# A sign-in is reused for nine minutes, inside the server's ten-minute re-authentication
# window, and dropped at once when an answer is 401 (retry_on) so that the next case signs in
# again. 423 is not listed: the session lock is kept out of the run by run.sh, so a 423
# would be a finding.
@schemathesis.auth(refresh_interval=540, retry_on=[401])
class SignedInSession:
    def get(self, case, context):
        base, ca = _env("UMBRA_ST_BASE"), _env("UMBRA_ST_CA")
        password = _env("UMBRA_ST_PASSWORD")
        answer = requests.post(
            f"{base}/api/auth/login",
            json={"username": _env("UMBRA_ST_USERNAME"), "password": password},
            headers=dict([CSRF_HEADER]),
            verify=ca,
            timeout=30,
        )
        if answer.status_code != 200:
            raise RuntimeError(f"sign-in as {_env('UMBRA_ST_USERNAME')} failed: {answer.status_code} {answer.text}")
        token = answer.cookies.get(SESSION_COOKIE)
        if not token:
            raise RuntimeError(f"sign-in answered without the {SESSION_COOKIE} cookie")
        reauth = requests.post(
            f"{base}/api/auth/reauth",
            json={"password": password},
            headers=dict([CSRF_HEADER]),
            cookies={SESSION_COOKIE: token},
            verify=ca,
            timeout=30,
        )
        if reauth.status_code != 204:
            raise RuntimeError(f"re-authentication failed: {reauth.status_code} {reauth.text}")
        return token

    def set(self, case, data, context):
        case.headers = dict(case.headers or {})
        case.headers[CSRF_HEADER[0]] = CSRF_HEADER[1]
        case.cookies = dict(case.cookies or {})
        case.cookies[SESSION_COOKIE] = data


@schemathesis.check
def problem_details(ctx, response, case):
    """Errors are application/problem+json with type, title, status and detail (DESIGN.md)."""
    if response.status_code < 400:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    media_type = content_type.split(";")[0].strip().lower()
    if media_type != "application/problem+json":
        raise AssertionError(
            f"{response.status_code} answered as {content_type or 'no content type'}, not application/problem+json"
        )
    try:
        problem = json.loads(response.content)
    except ValueError as error:
        raise AssertionError(f"{response.status_code} problem document is not JSON: {error}") from None
    if not isinstance(problem, dict):
        raise AssertionError(f"{response.status_code} problem document is not a JSON object")
    for member, kind in (("type", str), ("title", str), ("status", int), ("detail", str)):
        if not isinstance(problem.get(member), kind) or isinstance(problem.get(member), bool):
            raise AssertionError(f"{response.status_code} problem document lacks a {kind.__name__} '{member}'")
    if problem["status"] != response.status_code:
        raise AssertionError(f"problem status {problem['status']} differs from the HTTP status {response.status_code}")
    return None


class _User:
    """One signed-in account, for seeding: JSON calls with the CSRF header."""

    def __init__(self, username):
        self.session = requests.Session()
        self.session.headers[CSRF_HEADER[0]] = CSRF_HEADER[1]
        self.call("POST", "/api/auth/login", {"username": username, "password": _env("UMBRA_ST_PASSWORD")})
        self.call("POST", "/api/auth/reauth", {"password": _env("UMBRA_ST_PASSWORD")})

    def call(self, method, path, body=None):
        # `verify` per request: a session's own is overridden by REQUESTS_CA_BUNDLE when set.
        url = f"{_env('UMBRA_ST_BASE')}{path}"
        answer = self.session.request(method, url, json=body, verify=_env("UMBRA_ST_CA"), timeout=30)
        if answer.status_code >= 300:
            raise RuntimeError(f"{method} {path} answered {answer.status_code}: {answer.text[:200]}")
        return answer.json() if answer.content else None


# Kind of object -> the id of the seeded one (str, as a path segment).
SEEDED = {}


def _seed():
    me, friend, stranger = (_User(_env(name)) for name in ("UMBRA_ST_USERNAME", "UMBRA_ST_FRIEND", "UMBRA_ST_STRANGER"))
    me_name = _env("UMBRA_ST_USERNAME")
    steps = [
        ("calendar", lambda: me.call("POST", "/api/calendars", {"name": "Seeded"})["id"]),
        ("event", lambda: me.call("POST", "/api/events", {
            "calendar_id": int(SEEDED["calendar"]), "title": "Seeded",
            "start": "2030-01-07T10:00:00Z", "end": "2030-01-07T11:00:00Z", "recurrence": "FREQ=WEEKLY;COUNT=5"})["id"]),
        ("feed", lambda: me.call("POST", f"/api/calendars/{SEEDED['calendar']}/feed")["path"].rsplit("/", 1)[1]),
        ("template", lambda: me.call("POST", "/api/event-templates", {"name": "Seeded"})["id"]),
        ("category", lambda: me.call("POST", "/api/todos/categories", {"name": "Seeded"})["id"]),
        ("todo", lambda: me.call("POST", "/api/todos", {"title": "Seeded", "category_id": int(SEEDED["category"])})["id"]),
        ("reminder", lambda: me.call("POST", "/api/reminders", {"title": "Seeded", "remind_at": "2030-01-31T09:00:00Z"})["id"]),
        ("person", lambda: me.call("POST", "/api/people", {"name": "Seeded"})["id"]),
        ("location", lambda: me.call("POST", "/api/locations", {"name": "Seeded"})["id"]),
        ("app_password", lambda: me.call("POST", "/api/auth/app-passwords", {"name": "Seeded"})["id"]),
        ("project", lambda: me.call("POST", "/api/projects", {"name": "Seeded"})["id"]),
        ("task", lambda: me.call("POST", f"/api/projects/{SEEDED['project']}/tasks", {"title": "Seeded"})["id"]),
        ("comment", lambda: me.call(
            "POST", f"/api/projects/{SEEDED['project']}/tasks/{SEEDED['task']}/comments", {"body": "Seeded"})["id"]),
        # A connection: asked by the friend, accepted by the user (notifications follow).
        ("connection", lambda: _connect(friend, me)),
        ("member", lambda: me.call(
            "POST", f"/api/projects/{SEEDED['project']}/members", {"username": _env("UMBRA_ST_FRIEND"), "role": "editor"})["id"]),
        ("share", lambda: me.call("POST", "/api/shared-calendars", {
            "calendar_id": int(SEEDED["calendar"]), "username": _env("UMBRA_ST_FRIEND"), "level": "read"})["id"]),
        # What the friend sends: a calendar share and an event invitation, both pending.
        ("incoming_share", lambda: _incoming_share(friend, me_name)),
        ("invitation", lambda: _invitation(friend, me_name, me)),
        # A connection request from a stranger, left pending.
        ("request", lambda: _pending_request(stranger, me_name, me)),
        ("notification", lambda: me.call("GET", "/api/notifications")["items"][0]["id"]),
    ]
    for kind, step in steps:
        try:
            SEEDED[kind] = str(step())
        except Exception as error:  # noqa: BLE001 - a failed step makes the run shallower, no more
            print(f"schemathesis hooks: could not seed a {kind}: {error}", file=sys.stderr)
    print(f"schemathesis hooks: seeded {', '.join(sorted(SEEDED))}", file=sys.stderr)


def _connect(asker, accepter):
    asker.call("POST", "/api/connections", {"username": _env("UMBRA_ST_USERNAME")})
    request = accepter.call("GET", "/api/connections/requests?direction=incoming")["items"][0]["id"]
    accepter.call("POST", f"/api/connections/requests/{request}/accept")
    return accepter.call("GET", "/api/connections")["items"][0]["id"]


def _incoming_share(friend, username):
    calendar = friend.call("POST", "/api/calendars", {"name": "Friend's"})["id"]
    return friend.call("POST", "/api/shared-calendars", {"calendar_id": calendar, "username": username, "level": "write"})["id"]


def _invitation(friend, username, me):
    event = friend.call("POST", "/api/events", {"title": "Friend's", "start": "2030-02-01T10:00:00Z", "end": "2030-02-01T11:00:00Z"})["id"]
    friend.call("POST", "/api/event-invitations", {"event_id": event, "usernames": [username]})
    return me.call("GET", "/api/event-invitations")["items"][0]["id"]


def _pending_request(stranger, username, me):
    stranger.call("POST", "/api/connections", {"username": username})
    return me.call("GET", "/api/connections/requests?direction=incoming")["items"][0]["id"]


# Path template -> the kinds its {id} may name (its other parameters: PARAMETER_KINDS).
# Paths not listed keep generated ids.
PATH_KINDS = {
    "/api/calendars/{id}": ["calendar"],
    "/api/events/{id}": ["event"],
    "/api/event-templates/{id}": ["template"],
    "/api/event-invitations/{id}": ["invitation"],
    "/api/todos/categories/{id}": ["category"],
    "/api/todos/{id}": ["todo"],
    "/api/reminders/{id}": ["reminder"],
    "/api/people/{id}": ["person"],
    "/api/locations/{id}": ["location"],
    "/api/projects/{id}": ["project"],
    # Accepting and declining concern the share the friend sent, PATCH the user's own.
    "/api/shared-calendars/{id}": ["incoming_share", "share"],
    "/api/connections/requests/{id}": ["request"],
    "/api/connections/{id}": ["connection"],
    "/api/notifications/{id}": ["notification"],
    "/api/auth/app-passwords/{id}": ["app_password"],
    "/api/admin/users/{id}": ["user"],
}
PARAMETER_KINDS = {"task_id": ["task"], "comment_id": ["comment"], "member_id": ["member"], "file": ["feed"]}
BODY_KINDS = {"calendar_id": "calendar", "category_id": "category", "location_id": "location",
              "event_id": "event", "todo_id": "todo", "template_id": "template", "member_id": "member"}
# Text fields whose rules the document states only in words (an RFC 3339 instant, a date, a
# zone, an RRULE, a colour): a random string almost never passes them, so the seeded variant
# of a body or query also gets a value that does, and the handler's real work is fuzzed too.
PLAUSIBLE = {
    "start": "2030-01-07T10:00:00Z", "end": "2030-01-07T11:00:00Z", "remind_at": "2030-01-31T09:00:00Z",
    "due_at": "2030-01-31T17:00:00Z", "until": "2030-02-01T00:00:00Z", "since": "2029-12-01T00:00:00Z",
    "start_date": "2030-01-07", "end_date": "2030-01-08", "due_date": "2030-01-31", "birthday": "1990-05-17",
    "timezone": "Europe/Berlin", "recurrence": "FREQ=WEEKLY;COUNT=3", "colour": "#336699",
}
QUERY_PLAUSIBLE = {
    "start": "2030-01-01T00:00:00Z", "end": "2030-02-01T00:00:00Z", "from": "2030-01-01T00:00:00Z",
    "to": "2030-03-01T00:00:00Z", "since": "2029-12-01T00:00:00Z", "until": "2030-12-01T00:00:00Z",
    "due_before": "2030-12-31", "due_after": "2030-01-01", "tz": "Europe/Berlin", "scope": "all",
}


def _kinds(path, parameter):
    if parameter in PARAMETER_KINDS:
        return PARAMETER_KINDS[parameter]
    if parameter != "id":
        return []
    # The longest listed prefix: /api/todos/categories/{id} before /api/todos/{id}.
    for template in sorted(PATH_KINDS, key=len, reverse=True):
        if path == template or path.startswith(template + "/"):
            return PATH_KINDS[template]
    return []


def _as_value(seeded):
    return int(seeded) if seeded.isdigit() else seeded


def _seed_admin():
    admin = _User(_env("UMBRA_ST_USERNAME"))
    SEEDED["self"] = str(admin.call("GET", "/api/auth/status")["user"]["id"])
    users = admin.call("GET", f"/api/admin/users?q={_env('UMBRA_ST_STRANGER')}")["items"]
    SEEDED["user"] = str(next(u["id"] for u in users if u["username"] == _env("UMBRA_ST_STRANGER")))
    print(f"schemathesis hooks: admin pass, users/{{id}} names user {SEEDED['user']}", file=sys.stderr)


@schemathesis.hook
def after_load_schema(context, schema):
    if os.environ.get("UMBRA_ST_ROLE") == "admin":
        _seed_admin()
    else:
        _seed()


URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")
NOWHERE = "https://127.0.0.1:9"


def _away_from_the_network(value):
    if isinstance(value, str):
        return URL.sub(NOWHERE, value)
    if isinstance(value, dict):
        return {key: _away_from_the_network(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_away_from_the_network(item) for item in value]
    return value


@schemathesis.hook
def before_call(context, case, kwargs):
    if isinstance(case.body, (dict, list)):
        case.body = _away_from_the_network(case.body)
    # The admin pass must not reset, demote or disable the admin it signs in as.
    parameters = case.path_parameters or {}
    if "self" in SEEDED and case.operation.path.startswith("/api/admin/users/{id}"):
        if str(parameters.get("id")) == SEEDED["self"]:
            case.path_parameters = {**parameters, "id": int(SEEDED["user"])}


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    operation = context.operation
    if not path_parameters or operation is None or operation.method.upper() == "DELETE":
        return st.just(path_parameters)
    variants = [path_parameters]
    for choice in range(2):
        seeded = dict(path_parameters)
        for name in path_parameters:
            kinds = [kind for kind in _kinds(operation.path, name) if kind in SEEDED]
            if kinds:
                seeded[name] = _as_value(SEEDED[kinds[choice % len(kinds)]])
        if seeded not in variants:
            variants.append(seeded)
    return st.sampled_from(variants)


def _plausible(values, ids):
    """The drawn object, and (when it differs) a variant with seeded ids and plausible texts."""
    if not isinstance(values, dict):
        return st.just(values)
    seeded = dict(values)
    for name, value in values.items():
        if ids.get(name) in SEEDED:
            seeded[name] = _as_value(SEEDED[ids[name]])
        elif isinstance(value, str) and name in PLAUSIBLE:
            seeded[name] = PLAUSIBLE[name]
    return st.sampled_from([values, seeded] if seeded != values else [values])


@schemathesis.hook
def flatmap_body(context, body):
    return _plausible(body, BODY_KINDS)


@schemathesis.hook
def flatmap_query(context, query):
    if not isinstance(query, dict):
        return st.just(query)
    seeded = dict(query)
    for name in query:
        if name in QUERY_PLAUSIBLE:
            seeded[name] = QUERY_PLAUSIBLE[name]
        elif name == "calendar_id" and "calendar" in SEEDED:
            seeded[name] = int(SEEDED["calendar"])
    return st.sampled_from([query, seeded] if seeded != query else [query])
