// The sign-in page: the identity provider's button when single sign-on is on, the password
// (hidden behind a discreet link when the admin allows passwords to admins only, or to
// nobody), then (with an authenticator set up) the code step. The server's single sign-on
// callback comes back here with `?oidc_error=<code>` or, when UMBRA's own code is still
// wanted, `?mfa_token=<token>` (straight to the code step).

import { h, mount } from '../dom.js';
import { post } from '../api.js';
import { form } from '../forms.js';
import { signedIn } from '../session.js';
import { linkProps } from '../nav.js';
import { IP_NOTE, openedByIp, passkeysSupported, signInWithPasskey } from '../passkeys.js';
import { OIDC_LOGIN_PATH, oidcErrorMessage, takeQuery } from '../oidc.js';

// The link that reveals the password form, by `password_login`.
const REVEAL = {
  admins_only: 'Sign in with a password (admins)',
  disabled: 'Administrator sign-in',
};

export function loginView(status) {
  document.title = 'Sign in · UMBRA';
  const card = h('section', { class: 'card auth-card', 'aria-labelledby': 'login-title' });
  const query = takeQuery(['oidc_error', 'mfa_token']);
  if (query.mfa_token) {
    mount(card, codeStep(query.mfa_token));
    requestAnimationFrame(() => card.querySelector('input')?.focus());
    return h('main', { class: 'centered' }, card);
  }
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
  const sso = typeof status?.oidc_button === 'string' ? ssoButton(status.oidc_button) : null;
  const passwords = [el, passkeyOption(el)];
  // Without a provider's button the password is all there is: never hide it then.
  const reveal = sso ? REVEAL[status.password_login] : null;
  mount(card, h('h1', { id: 'login-title' }, 'Sign in to UMBRA'),
    query.oidc_error ? h('p', { class: 'form-error sso-error', role: 'alert' }, oidcErrorMessage(query.oidc_error)) : null,
    sso,
    reveal ? discreet(reveal, passwords) : [sso ? h('p', { class: 'muted or' }, 'or') : null, passwords],
    status && status.registration_open
      ? h('p', { class: 'switch' }, 'New here? ', h('a', linkProps('/register'), 'Create an account'))
      : null);
  return h('main', { class: 'centered' }, card);
}

// The provider's button: a full page load of the server's redirect to the provider.
function ssoButton(label) {
  return h('button', {
    type: 'button',
    class: 'primary sso-button',
    onclick: () => { location.href = OIDC_LOGIN_PATH; },
  }, label);
}

// `content` stays hidden until the small link is followed; the link then gives way to it.
function discreet(label, content) {
  const box = h('div', { class: 'password-fallback', hidden: true }, content);
  const link = h('button', {
    type: 'button',
    class: 'link small',
    onclick: () => {
      box.hidden = false;
      link.parentElement.remove();
      box.querySelector('input')?.focus();
    },
  }, label);
  return [h('p', { class: 'switch' }, link), box];
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
