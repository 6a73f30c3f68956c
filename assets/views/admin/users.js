// Admin → Users: the accounts, with search, paging and the row actions (role, password,
// app passwords, lockout, sessions, second factors, delete).

import { h, mount } from '../../dom.js';
import { del, get, patch, post } from '../../api.js';
import { confirmDialog, formDialog } from '../../dialog.js';
import { form } from '../../forms.js';
import { formatTime } from '../../format.js';
import { icon } from '../../icons.js';
import { load } from '../../load.js';
import { menuButton } from '../../menu.js';
import { dataTable } from '../../table.js';
import { toast } from '../../toast.js';
import { pager } from '../../pager.js';
import { openAppPasswords } from './app_passwords.js';

const roleName = (role) => (role === 'admin' ? 'Administrator' : 'Member');

// Runs a row action; its outcome is a toast (the list is redrawn under it).
async function act(run, message, reload) {
  try {
    await run();
    if (message) toast(message);
    reload();
  } catch (error) {
    if (!error.signedOut) toast(error.message, { kind: 'error' });
  }
}


export function usersPanel(context) {
  const listCard = h('section', { class: 'card', 'aria-labelledby': 'users-title' });
  const query = { q: '', offset: 0 };
  const search = h('input', { type: 'search', 'aria-label': 'Search users', placeholder: 'Search by name', autocomplete: 'off' });
  search.addEventListener('change', () => { query.q = search.value.trim(); query.offset = 0; reload(); });
  const list = h('div');
  mount(listCard, h('h2', { id: 'users-title' }, 'Users'), search, list);
  const reload = load(list, {
    fetch: () => get(`/api/admin/users?limit=50&offset=${query.offset}&q=${encodeURIComponent(query.q)}`),
    isEmpty: (page) => page.items.length === 0,
    empty: h('p', { class: 'muted' }, 'No user matches this search. Clear it to see everyone, or create the account below.'),
    render: (page) => [
      dataTable({
        caption: 'Users',
        columns: [
          { label: 'User', className: 'primary-cell', cell: (u) => [u.username, u.id === context.user.id ? h('span', { class: 'badge' }, 'you') : null] },
          { label: 'Role', cell: (u) => roleName(u.role) },
          {
            label: 'State',
            cell: (u) => [u.active ? 'Active' : 'Deactivated',
              u.locked_until ? h('span', { class: 'badge warn' }, `locked until ${formatTime(u.locked_until)}`) : null],
          },
          { label: 'Last sign-in', cell: (u) => (u.last_login_at ? formatTime(u.last_login_at) : 'Never') },
          { label: '', className: 'actions-cell', cell: (u) => userActions(u, context.user.id, reload) },
        ],
        rows: page.items,
      }),
      pager(page, (next) => { query.offset = next; reload(); }),
    ],
  });

  const { el, inputs } = form({
    fields: [
      { name: 'username', label: 'Username', autocomplete: 'off', minLength: 3, maxLength: 32 },
      {
        name: 'password', label: 'Initial password', type: 'password', autocomplete: 'new-password', minLength: 15,
        hint: 'At least 15 characters. Tell it to the person; they can change it.', strength: () => inputs.username.value,
      },
      { name: 'role', label: 'Role', kind: 'select', options: [['standard', 'Member'], ['admin', 'Administrator']], value: 'standard' },
    ],
    submitLabel: 'Create user',
    async onSubmit(values, { reset, success }) {
      await post('/api/admin/users', values);
      reset();
      success(`User ${values.username} created. They can sign in now.`);
      reload();
    },
  });
  return h('div', { class: 'stack' },
    listCard,
    h('section', { class: 'card narrow', 'aria-labelledby': 'new-user-title' }, h('h2', { id: 'new-user-title' }, 'New user'), el));
}

// The row's actions, in a menu. One's own row lacks what would lock oneself out (demote,
// deactivate, delete): the server refuses some of these anyway, the UI does not offer them.
function userActions(u, me, reload) {
  const self = u.id === me;
  const items = [
    u.role === 'admin'
      ? (self ? null : {
        label: 'Make member',
        danger: true,
        onSelect: async () => {
          const ok = await confirmDialog({
            title: `Make ${u.username} a member?`,
            lose: 'They lose access to Admin: users, system settings and the audit log.',
            confirmLabel: 'Make member',
            danger: true,
          });
          if (ok) act(() => patch(`/api/admin/users/${u.id}`, { role: 'standard' }), `${u.username} is now a member.`, reload);
        },
      })
      : {
        label: 'Make administrator',
        onSelect: async () => {
          const ok = await confirmDialog({
            title: `Make ${u.username} an administrator?`,
            message: 'They will manage every account, the system settings and the audit log.',
            confirmLabel: 'Make administrator',
          });
          if (ok) act(() => patch(`/api/admin/users/${u.id}`, { role: 'admin' }), `${u.username} is now an administrator.`, reload);
        },
      },
    { label: 'Set a new password', onSelect: () => setPassword(u) },
    { label: 'App passwords', onSelect: () => openAppPasswords(u) },
    u.locked_until ? { label: 'Unlock', onSelect: () => act(() => post(`/api/admin/users/${u.id}/unlock`), `${u.username} can sign in again.`, reload) } : null,
    {
      label: 'Reset second factor',
      danger: true,
      onSelect: async () => {
        const ok = await confirmDialog({
          title: `Reset ${u.username}'s second factor?`,
          lose: 'Their authenticator app and recovery codes are removed; sign-ins ask for the password only until they set up a new one.',
          confirmLabel: 'Reset second factor',
          danger: true,
        });
        if (ok) act(() => post(`/api/admin/users/${u.id}/reset-mfa`), `${u.username}'s second factor was reset.`, reload);
      },
    },
    self ? null : u.active
      ? {
        label: 'Deactivate',
        danger: true,
        onSelect: async () => {
          const ok = await confirmDialog({
            title: `Deactivate ${u.username}?`,
            lose: 'They are signed out everywhere and cannot sign in until reactivated. Their data is kept.',
            confirmLabel: 'Deactivate',
            danger: true,
          });
          if (ok) act(() => patch(`/api/admin/users/${u.id}`, { active: false }), `${u.username} was deactivated.`, reload);
        },
      }
      : { label: 'Activate', onSelect: () => act(() => patch(`/api/admin/users/${u.id}`, { active: true }), `${u.username} can sign in again.`, reload) },
    self ? null : {
      label: 'Delete',
      danger: true,
      onSelect: async () => {
        const ok = await confirmDialog({
          title: `Delete ${u.username}?`,
          lose: 'The account and everything it owns are deleted for good. This cannot be undone.',
          confirmLabel: 'Delete for good',
          danger: true,
        });
        if (ok) act(() => del(`/api/admin/users/${u.id}`), `${u.username} was deleted.`, reload);
      },
    },
  ];
  return menuButton({ label: `Actions for ${u.username}`, className: 'icon-button row-menu', content: icon('more'), items });
}

// A new password for someone: typed in a password field (never shown in clear), with the
// server's strength verdict.
async function setPassword(u) {
  const done = await formDialog({
    title: `New password for ${u.username}`,
    message: 'Tell it to them in person. Their other sessions end.',
    fields: [
      {
        name: 'new_password', label: 'New password', type: 'password', autocomplete: 'new-password', minLength: 15,
        hint: 'At least 15 characters.', strength: () => u.username,
      },
      { name: 'must_change', label: 'Ask them to choose their own at the next sign-in', kind: 'checkbox', value: true },
    ],
    submitLabel: 'Set password',
    onSubmit: (values) => post(`/api/admin/users/${u.id}/reset-password`, values),
  });
  if (done) toast(`Password for ${u.username} set.`);
}
