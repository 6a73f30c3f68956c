// Single sign-on (OpenID Connect) in the browser: the plain messages for the error codes the
// server's callback puts in the URL, reading those query parameters once (then removing them,
// so a reload or a bookmark does not repeat the message), and the one way the UI leaves for
// the identity provider.

export const OIDC_LOGIN_PATH = '/api/auth/oidc/login';

const ERRORS = {
  off: 'Single sign-on is not switched on.',
  unavailable: 'The identity provider could not be reached. Try again later.',
  expired: 'That sign-in took too long or was already used. Start again.',
  refused: 'The identity provider did not confirm who you are.',
  not_linked: 'No UMBRA account is linked to that identity. Ask an admin to link it, or sign in and link it from Settings → Security.',
  group: 'Your identity provider account is not in a group allowed to use UMBRA.',
  disabled: 'This account is disabled.',
  taken: 'That identity is already linked to another UMBRA account.',
};

// A code the server does not send today still gets a sentence, never the raw code.
export function oidcErrorMessage(code) {
  return ERRORS[code] || 'Single sign-on did not work. Try again.';
}

// The values of `names` in the location's query (null when absent); when any is present, the
// whole query is removed from the address bar (the path stays).
export function takeQuery(names) {
  const params = new URLSearchParams(location.search);
  const found = Object.fromEntries(names.map((name) => [name, params.get(name)]));
  if (names.some((name) => params.has(name))) history.replaceState(history.state, '', location.pathname);
  return found;
}

// Leaves for a URL the server gave (the provider's authorization or sign-out page). Only
// http(s): a `javascript:` URL from a hostile discovery document must never run here.
// Returns false (and stays) for anything else.
export function leaveFor(url) {
  let target;
  try {
    target = new URL(url, location.origin);
  } catch {
    return false;
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return false;
  location.href = target.href;
  return true;
}
