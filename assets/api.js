// The one fetch wrapper: sends the CSRF header, parses problem+json into errors a form can
// show per field, and tells the app about a session that is gone (sign in again) or locked.

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && problem.detail) || `Request failed (${status})`);
    this.status = status;
    this.title = (problem && problem.title) || '';
    // field name → message, for a form to show next to each field.
    this.fields = {};
    for (const error of (problem && problem.errors) || []) {
      this.fields[error.field] = error.message;
    }
  }
}

// Requests in flight, published on <html data-pending> so that a test can wait for the page
// to settle instead of sleeping.
let pending = 0;
function track(delta) {
  pending += delta;
  document.documentElement.dataset.pending = String(pending);
}

async function send(method, path, body, background) {
  const headers = { 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json' };
  // A background poll is not activity: it must not keep an idle session alive.
  if (background) headers['X-Umbra-Background'] = '1';
  const init = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, { detail: 'The server cannot be reached. Check your connection and try again.' });
  }
  if (response.status === 204) return { response, data: null };
  const isJson = (response.headers.get('Content-Type') || '').includes('json');
  const data = isJson ? await response.json().catch(() => null) : null;
  return { response, data };
}

// A 401 means two different things: "this session is gone" (go to the login page) or "the
// password in this form is wrong" (say so in the form). The server's status is the judge:
// only when it no longer knows the session is the user signed out. One extra request, on a
// failure only.
async function sessionIsGone() {
  try {
    const { response, data } = await send('GET', '/api/auth/status');
    return response.ok && data && !data.authenticated;
  } catch {
    return false;
  }
}

// `quiet` lets the caller handle 401/423 itself (the login, sign-up and unlock forms do);
// `background` marks a poll the user did not ask for (see `send`).
export async function api(method, path, body, { quiet = false, background = false } = {}) {
  track(1);
  try {
    const { response, data } = await send(method, path, body, background);
    if (response.ok) return data;
    const error = new ApiError(response.status, data);
    if (!quiet && response.status === 401 && await sessionIsGone()) {
      error.signedOut = true;
      window.dispatchEvent(new CustomEvent('umbra:signed-out'));
    }
    if (!quiet && response.status === 423) window.dispatchEvent(new CustomEvent('umbra:locked'));
    throw error;
  } finally {
    track(-1);
  }
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body, opts);
export const put = (path, body, opts) => api('PUT', path, body, opts);
export const patch = (path, body, opts) => api('PATCH', path, body, opts);
export const del = (path, opts) => api('DELETE', path, undefined, opts);

// A list answer as an array: the `{items, total, limit, offset}` envelope or a bare array.
export function itemsOf(answer) {
  if (Array.isArray(answer)) return answer;
  return (answer && answer.items) || [];
}
