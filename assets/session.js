// Session state: the server's /api/auth/status, and the moves between signed out, signed in
// and locked. Views import these; the app draws from `session.status`.

import { get, post } from './api.js';
import { navigate } from './nav.js';
import { leaveFor } from './oidc.js';

const OUTSIDE = ['/login', '/register', '/setup', '/lock'];

export const session = { status: null, returnTo: '/' };

export function isOutsidePath(path) {
  return OUTSIDE.includes(path);
}

export async function refreshStatus() {
  session.status = await get('/api/auth/status', { quiet: true });
  return session.status;
}

// Remembers where a signed-out visitor was heading, for after the sign-in.
export function rememberReturn(path) {
  if (!isOutsidePath(path)) session.returnTo = path;
}

// After a sign-in, sign-up, unlock or setup: reload the status and go where the user was heading.
export async function signedIn() {
  await refreshStatus();
  const target = session.returnTo && !isOutsidePath(session.returnTo) ? session.returnTo : '/';
  session.returnTo = '/';
  navigate(target, { replace: true });
}

// A session that came from single sign-on may be answered with the provider's sign-out page
// (200 `{redirect}`): the browser goes there instead of to /login. The usual answer is a 204.
export async function signOut() {
  let answer = null;
  try {
    answer = await post('/api/auth/logout', undefined, { quiet: true });
  } finally {
    if (!(answer && answer.redirect && leaveFor(answer.redirect))) {
      await refreshStatus().catch(() => { session.status = null; });
      navigate('/login', { replace: true });
    }
  }
}

export async function lockSession() {
  await post('/api/auth/lock');
  await refreshStatus();
  navigate('/lock', { replace: true });
}
