// Settings → Security: the authenticator app (set up, recovery codes, turn off), passkeys,
// single sign-on identities and the list of signed-in sessions.

import { h } from '../../dom.js';
import { renderTotp } from './totp.js';
import { renderPasskeys } from './passkeys.js';
import { renderSessions } from './sessions.js';
import { renderSso } from './sso.js';

export function security(context) {
  const totpCard = h('section', { class: 'card narrow', 'aria-labelledby': 'totp-title' });
  const passkeysCard = h('section', { class: 'card narrow', 'aria-labelledby': 'passkeys-title' });
  // Shown once the server answers the list of identities.
  const ssoCard = h('section', { class: 'card', 'aria-labelledby': 'sso-title', hidden: true });
  const sessionsCard = h('section', { class: 'card', 'aria-labelledby': 'sessions-title' });
  renderTotp(totpCard, context);
  renderPasskeys(passkeysCard, context);
  renderSso(ssoCard);
  renderSessions(sessionsCard);
  return h('div', { class: 'stack' }, totpCard, passkeysCard, ssoCard, sessionsCard);
}
