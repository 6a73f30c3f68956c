// Settings → Security: the authenticator app (set up, recovery codes, turn off) and the
// list of signed-in sessions.

import { h, mount } from '../dom.js';
import { del, get, itemsOf, patch, post } from '../api.js';
import { confirmDialog, formDialog } from '../dialog.js';
import { form } from '../forms.js';
import { formatTime } from '../format.js';
import { icon } from '../icons.js';
import { load } from '../load.js';
import { menuButton } from '../menu.js';
import { IP_NOTE, addPasskey, openedByIp, passkeysSupported } from '../passkeys.js';
import { dataTable } from '../table.js';
import { toast } from '../toast.js';

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

function renderSessions(card) {
  const list = h('div');
  mount(card, h('h2', { id: 'sessions-title' }, 'Where you are signed in'), list);
  const reload = load(list, {
    fetch: async () => itemsOf(await get('/api/auth/sessions')),
    empty: h('p', { class: 'muted' }, 'No sessions are open: sign in again to start one.'),
    render: (sessions) => {
      const others = sessions.filter((s) => !s.current).length;
      const signOutOne = async (s) => {
        const ok = await confirmDialog({
          title: 'Sign out this session?',
          message: `${describeAgent(s.user_agent)}, last active ${formatTime(s.last_seen_at)}.`,
          lose: 'That device will need your password to sign in again.',
          confirmLabel: 'Sign out',
          danger: true,
        });
        if (!ok) return;
        try {
          await del(`/api/auth/sessions/${s.id}`);
          toast('The session was signed out.');
          reload();
        } catch (error) {
          if (!error.signedOut) toast(error.message, { kind: 'error' });
        }
      };
      return [
        dataTable({
          caption: 'Your sessions',
          columns: [
            { label: 'Device', cell: (s) => [describeAgent(s.user_agent), s.current ? h('span', { class: 'badge' }, 'this device') : null], className: 'primary-cell' },
            { label: 'IP address', cell: (s) => s.ip || '—' },
            { label: 'Last active', cell: (s) => formatTime(s.last_seen_at) },
            { label: 'Signed in', cell: (s) => formatTime(s.created_at) },
            {
              label: '', className: 'actions-cell',
              cell: (s) => (s.current ? null : h('button', { type: 'button', class: 'danger-outline small', onclick: () => signOutOne(s) }, 'Sign out')),
            },
          ],
          rows: sessions,
        }),
        others > 0
          ? h('button', {
            type: 'button',
            class: 'danger-outline',
            async onclick() {
              const ok = await confirmDialog({
                title: 'Sign out everywhere else?',
                message: `Your ${others} other ${others === 1 ? 'session' : 'sessions'} will end; this one stays.`,
                lose: 'Those devices will need your password again.',
                confirmLabel: 'Sign out others',
                danger: true,
              });
              if (!ok) return;
              try {
                await post('/api/auth/sessions/revoke-others');
                toast('Your other sessions were signed out.');
                reload();
              } catch (error) {
                if (!error.signedOut) toast(error.message, { kind: 'error' });
              }
            },
          }, 'Sign out everywhere else')
          : h('p', { class: 'muted' }, 'No other sessions: only this device is signed in.'),
      ];
    },
  });
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
  const list = h('div');
  const reload = () => load(list, {
    fetch: async () => itemsOf(await get('/api/auth/passkeys')),
    empty: h('p', { class: 'muted' }, 'No passkeys yet. Add one below to sign in without typing your password.'),
    render: (keys) => h('ul', { class: 'passkeys' }, keys.map((k) => passkeyRow(k, reload))),
  });
  const { el } = form({
    fields: [
      { name: 'name', label: 'Name for the new passkey', autocomplete: 'off', hint: 'For example “Phone” or “Laptop”.', maxLength: 64 },
      { name: 'password', label: 'Your password', type: 'password', autocomplete: 'current-password' },
    ],
    submitLabel: 'Add a passkey',
    // A wrong password is a 401 for the password field, not a sign-out.
    statusFields: { 401: 'password' },
    async onSubmit(values, { reset, success }) {
      await post('/api/auth/reauth', { password: values.password });
      await addPasskey(values.name);
      reset();
      success(`Passkey “${values.name}” added.`);
      reload();
      await context.refresh();
    },
  });
  mount(card, title, intro, list, h('details', { class: 'sensitive', open: true }, h('summary', {}, 'Add a passkey'), el));
  reload();
}

function passkeyRow(k, reload) {
  const rename = async () => {
    const done = await formDialog({
      title: 'Rename passkey',
      fields: [{ name: 'name', label: 'Name', value: k.name, maxLength: 64 }],
      submitLabel: 'Rename',
      onSubmit: (values) => patch(`/api/auth/passkeys/${k.id}`, { name: values.name }),
    });
    if (done) reload();
  };
  const remove = async () => {
    const done = await formDialog({
      title: `Remove the passkey “${k.name}”?`,
      message: 'You can no longer sign in with it. Confirm with your password.',
      fields: [{ name: 'password', label: 'Your password', type: 'password', autocomplete: 'current-password' }],
      submitLabel: 'Remove passkey',
      danger: true,
      statusFields: { 401: 'password' },
      async onSubmit(values) {
        await post('/api/auth/reauth', { password: values.password });
        await del(`/api/auth/passkeys/${k.id}`);
      },
    });
    if (done) {
      toast(`Passkey “${k.name}” removed.`);
      reload();
    }
  };
  return h('li', {},
    h('div', { class: 'passkey-text' },
      h('strong', {}, k.name),
      h('span', { class: 'muted' }, `Added ${formatTime(k.created_at)}, last used ${formatTime(k.last_used_at)}`)),
    menuButton({
      label: `Actions for passkey ${k.name}`,
      className: 'icon-button',
      content: icon('more'),
      items: [
        { label: 'Rename', onSelect: rename },
        { label: 'Remove', danger: true, onSelect: remove },
      ],
    }));
}
