// The lock screen: the session stays, but nothing is shown until the password is given.

import { h } from '../dom.js';
import { post } from '../api.js';
import { form } from '../forms.js';
import { signedIn, signOut } from '../session.js';
import { confirmWithPasskey, openedByIp, passkeysSupported } from '../passkeys.js';

export function lockView(user) {
  document.title = 'Locked · UMBRA';
  const { el } = form({
    fields: [{ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password' }],
    submitLabel: 'Unlock',
    extra: h('button', { type: 'button', class: 'link', onclick: () => signOut() }, 'Sign out instead'),
    async onSubmit(values) {
      await post('/api/auth/unlock', values, { quiet: true });
      await signedIn();
    },
  });
  return h('main', { class: 'centered' }, h('section', { class: 'card auth-card', 'aria-labelledby': 'lock-title' },
    h('div', { class: 'avatar large', 'aria-hidden': 'true' }, (user?.username || '?').slice(0, 1).toUpperCase()),
    h('h1', { id: 'lock-title' }, 'Locked'),
    h('p', { class: 'muted' }, `Signed in as ${user?.username || ''}. Enter your password to continue.`),
    el,
    passkeysSupported() && !openedByIp() ? passkeyUnlock() : null));
}

function passkeyUnlock() {
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const button = h('button', {
    type: 'button',
    class: 'passkey-button',
    async onclick() {
      error.hidden = true;
      try {
        await confirmWithPasskey();
        await signedIn();
      } catch (e) {
        error.textContent = e.status === 409 ? 'You have no passkeys yet: use your password.' : e.message;
        error.hidden = false;
      }
    },
  }, 'Unlock with a passkey');
  return h('div', { class: 'alternative' }, button, error);
}
