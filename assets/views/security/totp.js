// Settings → Security → Authenticator app: set up with a QR code, recovery codes, turn off.

import { h, mount } from '../../dom.js';
import { post } from '../../api.js';
import { form } from '../../forms.js';

export function renderTotp(card, context) {
  const { status } = context;
  const title = h('h2', { id: 'totp-title' }, 'Authenticator app');
  if (!status.totp_enabled) {
    // Like adding a passkey: the password first (the server wants a recent
    // re-authentication), then the secret to scan.
    const { el } = form({
      fields: [{ name: 'password', label: 'Your password', type: 'password', autocomplete: 'current-password' }],
      submitLabel: 'Set up an authenticator app',
      statusFields: { 401: 'password' },
      async onSubmit(values) {
        await post('/api/auth/reauth', { password: values.password });
        const setup = await post('/api/auth/totp/setup');
        mount(card, title, enrolment(setup, card, context));
      },
    });
    mount(card, title,
      h('p', { class: 'muted' }, 'Sign-ins will ask for a code from an app such as Aegis, Google Authenticator or 1Password, in addition to your password.'),
      el);
    return;
  }
  mount(card, title,
    h('p', {}, 'On. Sign-ins ask for a code from your authenticator app.'),
    confirmWithPassword('Turn off', 'Turn off the authenticator app?', async (password, code) => {
      await post('/api/auth/totp/disable', { password, code });
      await context.refresh();
    }, true),
    confirmWithPassword('New recovery codes', 'Replace your recovery codes? The old ones stop working.', async () => {
      const answer = await post('/api/auth/totp/recovery-codes');
      mount(card, title, recoveryCodes(answer.recovery_codes, context));
    }, false));
}

// A small form asking for the password (and optionally a code) before a sensitive change:
// the password re-authenticates the session, then `action` runs.
function confirmWithPassword(label, question, action, withCode) {
  const fields = [{ name: 'password', label: 'Your password', type: 'password', autocomplete: 'current-password' }];
  if (withCode) fields.push({ name: 'code', label: 'Code from your app (or a recovery code)', kind: 'code', recovery: true });
  const { el } = form({
    fields,
    submitLabel: label,
    danger: withCode,
    statusFields: { 401: withCode ? 'code' : 'password' },
    async onSubmit(values) {
      await post('/api/auth/reauth', { password: values.password });
      await action(values.password, values.code);
    },
  });
  return h('details', { class: 'sensitive' }, h('summary', {}, label), h('p', { class: 'muted' }, question), el);
}

function enrolment(setup, card, context) {
  const qr = h('img', {
    class: 'qr',
    alt: 'QR code for your authenticator app',
    src: `data:image/svg+xml;base64,${btoa(setup.qr_svg)}`,
    width: 200,
    height: 200,
  });
  const { el } = form({
    fields: [{ name: 'code', label: 'Code shown by the app', kind: 'code' }],
    statusFields: { 401: 'code' },
    submitLabel: 'Turn on',
    async onSubmit(values) {
      const answer = await post('/api/auth/totp/enable', values);
      mount(card, h('h2', { id: 'totp-title' }, 'Authenticator app'), recoveryCodes(answer.recovery_codes, context));
    },
  });
  return [
    h('ol', { class: 'steps' },
      h('li', {}, 'Scan this code with your authenticator app:'),
      qr,
      h('li', {}, 'Or type this key into it: ', h('code', { class: 'secret' }, setup.secret)),
      h('li', {}, 'Enter the six-digit code the app shows.')),
    el,
  ];
}

function recoveryCodes(codes, context) {
  const text = `UMBRA recovery codes\nEach works once, in place of an authenticator code.\n\n${codes.join('\n')}\n`;
  const download = h('a', {
    class: 'button',
    download: 'umbra-recovery-codes.txt',
    href: URL.createObjectURL(new Blob([text], { type: 'text/plain' })),
  }, 'Download as text');
  return [
    h('p', { class: 'notice', role: 'status' }, 'The authenticator app is on. Keep these recovery codes somewhere safe: they are shown only now.'),
    h('ul', { class: 'codes' }, codes.map((c) => h('li', {}, h('code', {}, c)))),
    h('div', { class: 'actions' }, download, h('button', { onclick: () => context.refresh() }, 'Done')),
  ];
}
