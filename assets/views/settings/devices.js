// Settings → Devices: what a phone or a desktop needs to sync calendars and contacts. First
// trust this server (UMBRA's own certificate authority, once per device), then give each
// device an app password: named, shown once with the server address and the user name, and
// revocable alone. A device never holds the account password.

import { h, mount } from '../../dom.js';
import { ApiError, del, get, post } from '../../api.js';
import { confirmDialog, formDialog } from '../../dialog.js';
import { form } from '../../forms.js';
import { formatTime } from '../../format.js';
import { load } from '../../load.js';
import { pager } from '../../pager.js';
import { dataTable } from '../../table.js';
import { toast } from '../../toast.js';
import { copyField } from '../../copy.js';
import { TRUST_STEPS, accountSteps, howTo } from './devices_help.js';

export function devicesPanel(context) {
  const trustCard = h('section', { class: 'card', 'aria-labelledby': 'trust-title' });
  const appsCard = h('section', { class: 'card', 'aria-labelledby': 'app-passwords-title' });
  renderTrust(trustCard);
  renderAppPasswords(appsCard, context);
  return h('div', { class: 'stack devices' }, trustCard, appsCard);
}

// "Trust this server": the CA's fingerprint and downloads, or why there is nothing to install.
function renderTrust(card) {
  const title = h('h2', { id: 'trust-title' }, 'Trust this server');
  const body = h('div');
  mount(card, title, body);
  load(body, {
    fetch: async () => {
      try {
        return await get('/api/ca');
      } catch (error) {
        // 404: the server does not use its own certificate authority.
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
    isEmpty: (ca) => ca === null,
    empty: [
      h('p', {}, 'This server uses a certificate from its operator, not one of its own, so there is no UMBRA certificate to install here.'),
      h('p', { class: 'muted' }, 'If a device warns about this server’s certificate, ask whoever runs it how to trust it.'),
    ],
    render: (ca) => [
      h('p', {}, 'Calendar and contacts apps cannot click through a certificate warning the way a browser can. Install UMBRA’s certificate authority once on each device; the server’s certificate, renewed automatically, is then trusted for good.'),
      h('p', { class: 'hint' }, 'Its SHA-256 fingerprint (the server also prints it when it starts; compare before trusting):'),
      h('p', {}, h('code', { class: 'secret fingerprint', id: 'ca-fingerprint' }, ca.fingerprint_sha256)),
      h('div', { class: 'actions' },
        h('a', { class: 'button', href: ca.certificate_url || '/ca.crt', download: 'umbra-ca.crt' }, 'Download certificate'),
        h('a', { class: 'button', href: ca.profile_url || '/ca.mobileconfig', download: 'umbra-ca.mobileconfig' }, 'Download Apple profile')),
      ca.server_certificate_expires_at
        ? h('p', { class: 'hint' }, `The server’s current certificate is valid until ${formatTime(ca.server_certificate_expires_at)} and is renewed before then.`)
        : null,
      howTo('How to trust it on each platform', TRUST_STEPS),
    ],
  });
}

// Creates an app password. The server wants a password confirmed in the last ten minutes: on
// its 403, the password is asked for in a dialog, confirmed, and the creation tried again.
// Resolves null when the person cancels the dialog.
async function createAppPassword(name) {
  try {
    return await post('/api/auth/app-passwords', { name });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 403) throw error;
  }
  const confirmed = await formDialog({
    title: 'Confirm your password',
    message: 'A new app password lets a device read and change your calendars and contacts. Confirm it is you.',
    fields: [{ name: 'password', label: 'Your password', type: 'password', autocomplete: 'current-password' }],
    submitLabel: 'Confirm',
    // A wrong password is a 401 for the field, not a sign-out.
    statusFields: { 401: 'password' },
    onSubmit: (values) => post('/api/auth/reauth', { password: values.password }),
  });
  if (!confirmed) return null;
  return post('/api/auth/app-passwords', { name });
}

// The new app password, shown this once, with what to type where on the device.
function revealed(created, user, onDone) {
  const url = `${location.origin}/dav/`;
  return h('div', { class: 'revealed', role: 'region', 'aria-labelledby': 'revealed-title' },
    h('h3', { id: 'revealed-title' }, `App password for “${created.name}”`),
    h('p', { class: 'notice', role: 'status' }, 'Shown only now: enter it on the device, then close this. It cannot be shown again; if it is lost, revoke it and make a new one.'),
    copyField('app-password-secret', 'App password', created.password),
    copyField('app-password-url', 'Server URL', url),
    copyField('app-password-user', 'User name', user.username),
    h('h4', {}, 'How to add this account'),
    howTo('How to add this account on each platform', accountSteps({ url, host: location.host, user: user.username })),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: onDone }, 'Done')));
}

function renderAppPasswords(card, { user }) {
  const title = h('h2', { id: 'app-passwords-title' }, 'App passwords');
  const intro = h('p', { class: 'muted' }, 'Calendar and contacts apps (iPhone, Mac, Thunderbird, DAVx⁵, GNOME) sign in with an app password, one per device — never with your account password. Revoking one stops only that device.');
  const shown = h('div');
  const list = h('div');
  let offset = 0;
  const reload = load(list, {
    fetch: () => get(`/api/auth/app-passwords?limit=50&offset=${offset}`),
    isEmpty: (page) => page.items.length === 0 && page.total === 0,
    empty: h('p', { class: 'muted' }, 'No app passwords yet. Name a device below to connect it.'),
    render: (page) => [
      dataTable({
        caption: 'Your app passwords',
        columns: [
          { label: 'Device', className: 'primary-cell', cell: (a) => a.name },
          { label: 'Created', cell: (a) => formatTime(a.created_at) },
          { label: 'Last used', cell: (a) => (a.last_used_at ? formatTime(a.last_used_at) : 'Never') },
          {
            label: '', className: 'actions-cell',
            cell: (a) => h('button', { type: 'button', class: 'danger-outline small', 'aria-label': `Revoke ${a.name}`, onclick: () => revoke(a) }, 'Revoke'),
          },
        ],
        rows: page.items,
      }),
      pager(page, (next) => { offset = next; reload(); }),
    ],
  });
  const revoke = async (a) => {
    const ok = await confirmDialog({
      title: `Revoke “${a.name}”?`,
      message: 'The device stops syncing at its next request.',
      lose: 'To sync it again you will have to make a new app password and enter it on the device.',
      confirmLabel: 'Revoke',
      danger: true,
    });
    if (!ok) return;
    try {
      await del(`/api/auth/app-passwords/${a.id}`);
      toast(`“${a.name}” can no longer sign in.`);
      reload();
    } catch (error) {
      if (!error.signedOut) toast(error.message, { kind: 'error' });
    }
  };
  const { el } = form({
    fields: [{ name: 'name', label: 'Device name', autocomplete: 'off', maxLength: 64, hint: 'For example “Anna’s phone” or “Work laptop”, so you know which to revoke.' }],
    submitLabel: 'Create app password',
    async onSubmit(values, { reset }) {
      const created = await createAppPassword(values.name);
      if (!created) return;
      reset();
      mount(shown, revealed(created, user, () => {
        mount(shown);
        el.querySelector('input')?.focus();
      }));
      shown.querySelector('#app-password-secret')?.focus();
      reload();
    },
  });
  mount(card, title, intro, shown, list, h('h3', {}, 'Connect a device'), el);
}
