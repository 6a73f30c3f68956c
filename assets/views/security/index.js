// Settings → Security: the authenticator app (set up, recovery codes, turn off), passkeys
// and the list of signed-in sessions.

import { h } from '../../dom.js';
import { renderTotp } from './totp.js';
import { renderPasskeys } from './passkeys.js';
import { renderSessions } from './sessions.js';

export function security(context) {
  const totpCard = h('section', { class: 'card narrow', 'aria-labelledby': 'totp-title' });
  const passkeysCard = h('section', { class: 'card narrow', 'aria-labelledby': 'passkeys-title' });
  const sessionsCard = h('section', { class: 'card', 'aria-labelledby': 'sessions-title' });
  renderTotp(totpCard, context);
  renderPasskeys(passkeysCard, context);
  renderSessions(sessionsCard);
  return h('div', { class: 'stack' }, totpCard, passkeysCard, sessionsCard);
}
