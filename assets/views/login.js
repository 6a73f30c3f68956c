// The sign-in page: password first, then (with an authenticator set up) the code step.

import { h, mount } from '../dom.js';
import { post } from '../api.js';
import { form } from '../forms.js';
import { signedIn } from '../session.js';
import { linkProps } from '../nav.js';
import { IP_NOTE, openedByIp, passkeysSupported, signInWithPasskey } from '../passkeys.js';

export function loginView(status) {
  document.title = 'Sign in · UMBRA';
  const card = h('section', { class: 'card auth-card', 'aria-labelledby': 'login-title' });
  const { el } = form({
    fields: [
      { name: 'username', label: 'Username', autocomplete: 'username' },
      { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password' },
    ],
    submitLabel: 'Sign in',
    async onSubmit(values) {
      const answer = await post('/api/auth/login', values, { quiet: true });
      if (answer && answer.mfa_required) {
        mount(card, codeStep(answer.mfa_token));
        card.querySelector('input')?.focus();
        return;
      }
      await signedIn();
    },
  });
  mount(card, h('h1', { id: 'login-title' }, 'Sign in to UMBRA'), el, passkeyOption(el),
    status && status.registration_open
      ? h('p', { class: 'switch' }, 'New here? ', h('a', linkProps('/register'), 'Create an account'))
      : null);
  return h('main', { class: 'centered' }, card);
}

function codeStep(mfaToken) {
  const { el } = form({
    fields: [{
      name: 'code', label: 'Code from your authenticator app', kind: 'code', recovery: true,
      hint: 'Six digits, or one of your recovery codes.',
    }],
    submitLabel: 'Verify',
    extra: h('a', { href: '/login', class: 'link' }, 'Start again'),
    async onSubmit(values) {
      await post('/api/auth/totp/verify', { mfa_token: mfaToken, code: values.code }, { quiet: true });
      await signedIn();
    },
  });
  return [h('h1', { id: 'login-title' }, 'Two-step verification'), el];
}

// "Sign in with a passkey", or why it cannot work here.
function passkeyOption(formEl) {
  if (!passkeysSupported()) return null;
  if (openedByIp()) return h('p', { class: 'hint passkey-note' }, IP_NOTE);
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const button = h('button', {
    type: 'button',
    class: 'passkey-button',
    async onclick() {
      error.hidden = true;
      button.disabled = true;
      try {
        await signInWithPasskey(formEl.querySelector('input[name=username]').value.trim());
        await signedIn();
      } catch (e) {
        error.textContent = e.name === 'NotAllowedError' ? 'The passkey prompt was closed. Try again.' : e.message;
        error.hidden = false;
      } finally {
        button.disabled = false;
      }
    },
  }, 'Sign in with a passkey');
  return h('div', { class: 'alternative' }, h('p', { class: 'muted' }, 'or'), button, error);
}
