// Settings → Security: the authenticator app (set up, recovery codes, turn off) and the
// list of signed-in sessions.

import { h, mount } from '../dom.js';
import { get, post, api } from '../api.js';
import { form } from '../forms.js';
import { formatTime } from '../format.js';
import { IP_NOTE, addPasskey, openedByIp, passkeysSupported } from '../passkeys.js';

export function security(context) {
  const totpCard = h('section', { class: 'card narrow', 'aria-labelledby': 'totp-title' });
  const passkeysCard = h('section', { class: 'card narrow', 'aria-labelledby': 'passkeys-title' });
  const sessionsCard = h('section', { class: 'card', 'aria-labelledby': 'sessions-title' });
  renderTotp(totpCard, context);
  renderPasskeys(passkeysCard, context);
  renderSessions(sessionsCard);
  return h('div', { class: 'stack' }, totpCard, passkeysCard, sessionsCard);
}

function renderTotp(card, context) {
  const { status } = context;
  const title = h('h2', { id: 'totp-title' }, 'Authenticator app');
  if (!status.totp_enabled) {
    // Like adding a passkey: the password first (the server wants a recent
    // re-authentication), then the secret to scan.
    const { el } = form({
      fields: [{ name: 'password', label: 'Your password', type: 'password', autocomplete: 'current-password' }],
      submitLabel: 'Set up an authenticator app',
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
  if (withCode) fields.push({ name: 'code', label: 'Code from your app (or a recovery code)', autocomplete: 'one-time-code' });
  const { el } = form({
    fields,
    submitLabel: label,
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
    fields: [{ name: 'code', label: 'Code shown by the app', autocomplete: 'one-time-code' }],
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

async function renderSessions(card) {
  const title = h('h2', { id: 'sessions-title' }, 'Where you are signed in');
  let sessions;
  try {
    ({ items: sessions } = await get('/api/auth/sessions'));
  } catch (error) {
    mount(card, title, h('p', { class: 'form-error', role: 'alert' }, error.message));
    return;
  }
  const rows = sessions.map((s) => h('tr', {},
    h('td', {}, describeAgent(s.user_agent), s.current ? h('span', { class: 'badge' }, 'this device') : null),
    h('td', {}, s.ip || '—'),
    h('td', {}, formatTime(s.last_seen_at)),
    h('td', {}, formatTime(s.created_at)),
    h('td', {}, s.current ? null : h('button', {
      async onclick() {
        await api('DELETE', `/api/auth/sessions/${s.id}`);
        renderSessions(card);
      },
    }, 'Sign out'))));
  const others = sessions.filter((s) => !s.current).length;
  mount(card, title,
    h('table', {},
      h('thead', {}, h('tr', {}, ['Device', 'IP address', 'Last active', 'Signed in', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows)),
    others > 0
      ? h('button', {
        async onclick() {
          if (!window.confirm(`Sign out your ${others} other session(s)? Those devices will need your password again.`)) return;
          await post('/api/auth/sessions/revoke-others');
          renderSessions(card);
        },
      }, 'Sign out everywhere else')
      : h('p', { class: 'muted' }, 'No other sessions.'));
}

function describeAgent(agent) {
  if (!agent) return 'Unknown device';
  const browser = /Firefox\//.test(agent) ? 'Firefox' : /Edg\//.test(agent) ? 'Edge' : /Chrome\//.test(agent) ? 'Chrome' : /Safari\//.test(agent) ? 'Safari' : 'Browser';
  const system = /Android/.test(agent) ? 'Android' : /iPhone|iPad/.test(agent) ? 'iOS' : /Windows/.test(agent) ? 'Windows' : /Mac OS/.test(agent) ? 'macOS' : /Linux/.test(agent) ? 'Linux' : '';
  return system ? `${browser} on ${system}` : browser;
}

async function renderPasskeys(card, context) {
  const title = h('h2', { id: 'passkeys-title' }, 'Passkeys');
  const intro = h('p', { class: 'muted' }, 'A passkey signs you in with your device’s fingerprint, face or PIN — no password and no code needed.');
  if (!passkeysSupported()) {
    mount(card, title, intro, h('p', {}, 'This browser does not support passkeys.'));
    return;
  }
  if (openedByIp()) {
    mount(card, title, intro, h('p', { class: 'notice' }, IP_NOTE));
    return;
  }
  let keys;
  try {
    ({ items: keys } = await get('/api/auth/passkeys'));
  } catch (error) {
    mount(card, title, h('p', { class: 'form-error', role: 'alert' }, error.message));
    return;
  }
  const reload = () => renderPasskeys(card, context);
  const list = keys.length === 0
    ? h('p', { class: 'muted' }, 'No passkeys yet.')
    : h('ul', { class: 'passkeys' }, keys.map((k) => h('li', {},
      h('strong', {}, k.name),
      h('span', { class: 'muted' }, ` added ${formatTime(k.created_at)}, last used ${formatTime(k.last_used_at)}`),
      h('span', { class: 'row-actions' },
        h('button', {
          async onclick() {
            const name = window.prompt('New name for this passkey', k.name);
            if (name) { await api('PATCH', `/api/auth/passkeys/${k.id}`, { name }); reload(); }
          },
        }, 'Rename'),
        confirmWithPassword('Remove', `Remove the passkey “${k.name}”? You can no longer sign in with it.`, async () => {
          await api('DELETE', `/api/auth/passkeys/${k.id}`);
          reload();
        }, false)))));
  const { el } = form({
    fields: [
      { name: 'name', label: 'Name for the new passkey', autocomplete: 'off', hint: 'For example “Phone” or “Laptop”.' },
      { name: 'password', label: 'Your password', type: 'password', autocomplete: 'current-password' },
    ],
    submitLabel: 'Add a passkey',
    async onSubmit(values) {
      await post('/api/auth/reauth', { password: values.password });
      await addPasskey(values.name);
      await context.refresh();
    },
  });
  mount(card, title, intro, list, h('details', { class: 'sensitive', open: keys.length === 0 }, h('summary', {}, 'Add a passkey'), el));
}
