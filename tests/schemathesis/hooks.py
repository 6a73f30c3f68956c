"""Schemathesis hooks for UMBRA (loaded through SCHEMATHESIS_HOOKS by run.sh).

- `StandardUserSession`: every generated request goes out signed in as the standard user that
  run.sh created, with the session cookie and the CSRF header (`X-Requested-With`), which
  every unsafe method under /api needs. The session is obtained by the real sign-in
  (POST /api/auth/login) and re-obtained whenever an answer says it died (401): a generated
  DELETE /api/auth/sessions/{id} may well name the run's own session, and that is a correct
  answer to test, not a reason to test everything after it signed out. Each new session also
  confirms the password (POST /api/auth/reauth), so that the operations that want a recent
  re-authentication (second factors, passkeys, app passwords) are reached, not only refused.
- `problem_details`: every 4xx/5xx answer is RFC 9457 application/problem+json with
  type, title, status (equal to the HTTP status) and detail.

run.sh passes the server and the account in the environment: UMBRA_ST_BASE (https://host:port),
UMBRA_ST_USERNAME, UMBRA_ST_PASSWORD and UMBRA_ST_CA (the local CA's PEM, for verification).
"""

import json
import os

import requests
import schemathesis

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
class StandardUserSession:
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
            raise RuntimeError(f"sign-in as the standard user failed: {answer.status_code} {answer.text}")
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
