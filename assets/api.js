// The one fetch wrapper: sends the CSRF header, parses problem+json into errors a form can
// show per field, and tells the app about 401 (sign in again) and 423 (session locked).

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && problem.detail) || `Request failed (${status})`);
    this.status = status;
    this.fields = {};
    for (const error of (problem && problem.errors) || []) {
      this.fields[error.field] = error.message;
    }
  }
}

// `quiet` lets the caller handle 401/423 itself (the login and unlock forms do).
export async function api(method, path, body, { quiet = false } = {}) {
  const headers = { 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json' };
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
  if (response.status === 204) return null;
  const isJson = (response.headers.get('Content-Type') || '').includes('json');
  const data = isJson ? await response.json().catch(() => null) : null;
  if (response.ok) return data;
  if (!quiet && response.status === 401) window.dispatchEvent(new CustomEvent('umbra:signed-out'));
  if (!quiet && response.status === 423) window.dispatchEvent(new CustomEvent('umbra:locked'));
  throw new ApiError(response.status, data);
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body, opts);
