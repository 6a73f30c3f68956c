// Admin (admins only): accounts, system settings and the audit log, as three tabs.

import { h, mount } from '../dom.js';
import { del, get, patch, post, put } from '../api.js';
import { confirmDialog, formDialog } from '../dialog.js';
import { form } from '../forms.js';
import { formatTime } from '../format.js';
import { icon } from '../icons.js';
import { load } from '../load.js';
import { menuButton } from '../menu.js';
import { linkProps } from '../nav.js';
import { dataTable } from '../table.js';
import { toast } from '../toast.js';
import { describeDetail } from './audit_detail.js';

const TABS = [
  { path: '/admin/users', label: 'Users', render: usersPanel },
  { path: '/admin/settings', label: 'System settings', render: settingsPanel },
  { path: '/admin/audit', label: 'Audit log', render: auditPanel },
];

export function admin(context) {
  const { path } = context;
  const tab = TABS.find((t) => path.startsWith(t.path)) || TABS[0];
  return h('div', { class: 'page' },
    h('h1', {}, 'Admin'),
    h('nav', { class: 'tabs', 'aria-label': 'Admin' }, TABS.map((t) => h('a', {
      ...linkProps(t.path),
      'aria-current': t === tab ? 'page' : null,
    }, t.label))),
    tab.render(context));
}

const roleName = (role) => (role === 'admin' ? 'Administrator' : 'Member');

function pager(page, go) {
  if (page.total <= page.limit) return null;
  const last = page.offset + page.items.length;
  return h('div', { class: 'actions pager' },
    h('button', { type: 'button', disabled: page.offset === 0, onclick: () => go(Math.max(0, page.offset - page.limit)) }, 'Previous'),
    h('span', { class: 'muted' }, `${page.offset + 1}–${last} of ${page.total}`),
    h('button', { type: 'button', disabled: last >= page.total, onclick: () => go(page.offset + page.limit) }, 'Next'));
}

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

// ---- Users

function usersPanel(context) {
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

// ---- System settings

const NUMBERS = [
  ['session_idle_minutes', 'Sign out after inactivity (minutes)'],
  ['session_absolute_minutes', 'Longest session (minutes)'],
  ['max_sessions_per_user', 'Sessions per user'],
  ['lockout_threshold', 'Failed sign-ins before a lock'],
  ['lockout_minutes', 'Lock duration (minutes)'],
  ['audit_retention_days', 'Keep the audit log (days)'],
];

function settingsPanel() {
  const card = h('section', { class: 'card narrow', 'aria-labelledby': 'settings-title' });
  const body = h('div');
  mount(card, h('h2', { id: 'settings-title' }, 'System settings'), body);
  load(body, {
    fetch: () => get('/api/admin/config'),
    isEmpty: () => false,
    render: (current) => form({
      fields: [
        { name: 'registration_open', label: 'Self-registration', kind: 'select', options: [['false', 'Closed'], ['true', 'Open: anyone can create an account']], value: String(current.registration_open) },
        { name: 'default_role', label: 'Role of self-registered users', kind: 'select', options: [['standard', 'Member'], ['admin', 'Administrator']], value: current.default_role },
        { name: 'require_mfa', label: 'Require a second factor', kind: 'select', options: [['off', 'No'], ['admins', 'For admins'], ['everyone', 'For everyone']], value: current.require_mfa },
        ...NUMBERS.map(([name, label]) => ({ name, label, kind: 'number', min: 1, value: current[name] })),
      ],
      submitLabel: 'Save settings',
      async onSubmit(values, { success }) {
        await put('/api/admin/config', { ...values, registration_open: values.registration_open === 'true' });
        success('Saved. The new settings apply now.');
      },
    }).el,
  });
  return card;
}

// ---- Audit log

function auditPanel() {
  const card = h('section', { class: 'card', 'aria-labelledby': 'audit-title' });
  const filters = { actor: '', action: '', since: '', until: '' };
  let offset = 0;
  const field = (name, label, type = 'text') => {
    const input = h('input', { id: `a-${name}`, type, name, autocomplete: 'off' });
    input.addEventListener('change', () => {
      filters[name] = type === 'date' && input.value ? new Date(`${input.value}T00:00:00`).toISOString() : input.value.trim();
      offset = 0;
      reload();
    });
    return h('div', { class: 'field' }, h('label', { for: `a-${name}` }, label), input);
  };
  const list = h('div');
  mount(card, h('h2', { id: 'audit-title' }, 'Audit log'),
    h('div', { class: 'filters' }, field('actor', 'Who'), field('action', 'What'), field('since', 'From', 'date'), field('until', 'Until', 'date')),
    list);
  const reload = load(list, {
    fetch: () => {
      const query = new URLSearchParams({ limit: '50', offset: String(offset) });
      for (const [k, v] of Object.entries(filters)) if (v) query.set(k, v);
      return get(`/api/admin/audit-logs?${query}`);
    },
    isEmpty: (page) => page.items.length === 0,
    empty: h('p', { class: 'muted' }, 'Nothing recorded matches these filters. Widen the dates or clear a filter.'),
    render: (page) => [
      dataTable({
        caption: 'Audit log',
        columns: [
          { label: 'When', cell: (e) => formatTime(e.at) },
          { label: 'Who', cell: (e) => e.actor },
          { label: 'What', className: 'primary-cell', cell: (e) => e.action.replaceAll('_', ' ') },
          { label: 'Concerning', cell: (e) => e.target || '—' },
          { label: 'From', cell: (e) => h('span', { title: e.user_agent || '' }, e.ip || '—') },
          { label: 'Details', className: 'detail-cell', cell: (e) => describeDetail(e.detail) },
        ],
        rows: page.items,
      }),
      pager(page, (next) => { offset = next; reload(); }),
    ],
  });
  return card;
}
