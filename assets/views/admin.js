// Admin (admins only): accounts, system settings and the audit log, as three tabs.

import { h, mount } from '../dom.js';
import { api, get, post } from '../api.js';
import { form } from '../forms.js';
import { formatTime } from '../format.js';

const TABS = [
  { path: '/admin/users', label: 'Users', render: usersPanel },
  { path: '/admin/settings', label: 'System settings', render: settingsPanel },
  { path: '/admin/audit', label: 'Audit log', render: auditPanel },
];

export function admin(context) {
  const { path, navigate } = context;
  const tab = TABS.find((t) => path.startsWith(t.path)) || TABS[0];
  return h('div', { class: 'page' },
    h('h1', {}, 'Admin'),
    h('nav', { class: 'tabs', 'aria-label': 'Admin' }, TABS.map((t) => h('a', {
      href: t.path,
      'aria-current': t === tab ? 'page' : null,
      onclick: (e) => { e.preventDefault(); navigate(t.path); },
    }, t.label))),
    tab.render(context));
}

function errorText(error) {
  return h('p', { class: 'form-error', role: 'alert' }, error.message);
}

// ---- Users

function usersPanel(context) {
  const list = h('section', { class: 'card', 'aria-labelledby': 'users-title' });
  const reload = () => renderUsers(list, context);
  const { el, inputs } = form({
    fields: [
      { name: 'username', label: 'Username', autocomplete: 'off' },
      { name: 'password', label: 'Initial password', type: 'password', autocomplete: 'new-password', hint: 'At least 15 characters. Tell it to the person; they can change it.', strength: () => inputs.username.value },
    ],
    submitLabel: 'Create user',
    async onSubmit(values) {
      await post('/api/admin/users', { ...values, role: role.value });
      for (const input of Object.values(inputs)) input.value = '';
      reload();
    },
  });
  const role = h('select', { id: 'new-role', name: 'role' },
    h('option', { value: 'standard' }, 'Member'), h('option', { value: 'admin' }, 'Administrator'));
  el.insertBefore(h('div', { class: 'field' }, h('label', { for: 'new-role' }, 'Role'), role), el.querySelector('.form-error'));
  reload();
  return h('div', { class: 'stack' },
    list,
    h('section', { class: 'card narrow', 'aria-labelledby': 'new-user-title' }, h('h2', { id: 'new-user-title' }, 'New user'), el));
}

async function renderUsers(card, context, query = '', offset = 0) {
  const title = h('h2', { id: 'users-title' }, 'Users');
  const search = h('input', { type: 'search', value: query, 'aria-label': 'Search users', placeholder: 'Search by name' });
  search.addEventListener('change', () => renderUsers(card, context, search.value, 0));
  let page;
  try {
    page = await get(`/api/admin/users?limit=50&offset=${offset}&q=${encodeURIComponent(query)}`);
  } catch (error) {
    mount(card, title, errorText(error));
    return;
  }
  const reload = () => renderUsers(card, context, query, offset);
  const act = (label, run, question) => h('button', {
    async onclick() {
      if (question && !window.confirm(question)) return;
      try {
        await run();
        reload();
      } catch (error) {
        window.alert(error.message);
      }
    },
  }, label);
  const me = context.user.id;
  const rows = page.items.map((u) => h('tr', {},
    h('td', {}, u.username, u.id === me ? h('span', { class: 'badge' }, 'you') : null),
    h('td', {}, u.role === 'admin' ? 'Administrator' : 'Member'),
    h('td', {}, u.active ? 'Active' : 'Deactivated', u.locked_until ? h('span', { class: 'badge warn' }, `locked until ${formatTime(u.locked_until)}`) : null),
    h('td', {}, formatTime(u.last_login_at)),
    h('td', { class: 'row-actions' },
      act(u.role === 'admin' ? 'Make member' : 'Make admin', () => api('PATCH', `/api/admin/users/${u.id}`, { role: u.role === 'admin' ? 'standard' : 'admin' })),
      act(u.active ? 'Deactivate' : 'Activate', () => api('PATCH', `/api/admin/users/${u.id}`, { active: !u.active }),
        u.active ? `Deactivate ${u.username}? They are signed out and cannot sign in until reactivated.` : null),
      act('Reset password', async () => {
        const password = window.prompt(`New password for ${u.username} (at least 15 characters). They will be asked to change it.`);
        if (password) await post(`/api/admin/users/${u.id}/reset-password`, { new_password: password, must_change: true });
      }),
      u.locked_until ? act('Unlock', () => post(`/api/admin/users/${u.id}/unlock`)) : null,
      act('Reset 2FA', () => post(`/api/admin/users/${u.id}/reset-mfa`), `Remove ${u.username}'s authenticator app and recovery codes?`),
      u.id === me ? null : act('Delete', () => api('DELETE', `/api/admin/users/${u.id}`),
        `Delete ${u.username} and everything they own? This cannot be undone.`))));
  mount(card, title, search,
    page.items.length === 0 ? h('p', { class: 'muted' }, 'No users match.') : h('table', {},
      h('thead', {}, h('tr', {}, ['User', 'Role', 'State', 'Last sign-in', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows)),
    pager(page, (next) => renderUsers(card, context, query, next)));
}

function pager(page, go) {
  if (page.total <= page.limit) return null;
  const last = page.offset + page.items.length;
  return h('div', { class: 'actions' },
    h('button', { disabled: page.offset === 0, onclick: () => go(Math.max(0, page.offset - page.limit)) }, 'Previous'),
    h('span', { class: 'muted' }, `${page.offset + 1}–${last} of ${page.total}`),
    h('button', { disabled: last >= page.total, onclick: () => go(page.offset + page.limit) }, 'Next'));
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
  const title = h('h2', { id: 'settings-title' }, 'System settings');
  get('/api/admin/config').then((current) => {
    const select = (name, label, options) => {
      const el = h('select', { id: `s-${name}`, name }, options.map(([value, text]) => h('option', { value, selected: current[name] === value }, text)));
      return { el, row: h('div', { class: 'field' }, h('label', { for: `s-${name}` }, label), el) };
    };
    const registration = select('registration_open', 'Self-registration', [['false', 'Closed'], ['true', 'Open']]);
    registration.el.value = String(current.registration_open);
    const role = select('default_role', 'Role of self-registered users', [['standard', 'Member'], ['admin', 'Administrator']]);
    const mfa = select('require_mfa', 'Require a second factor', [['off', 'No'], ['admins', 'For admins'], ['everyone', 'For everyone']]);
    const saved = h('p', { class: 'success', role: 'status', hidden: true });
    const { el } = form({
      fields: NUMBERS.map(([name, label]) => ({ name, label, type: 'number', value: current[name] })),
      submitLabel: 'Save settings',
      async onSubmit(values) {
        saved.hidden = true;
        const body = {
          registration_open: registration.el.value === 'true',
          default_role: role.el.value,
          require_mfa: mfa.el.value,
        };
        for (const [name] of NUMBERS) body[name] = Number(values[name]);
        await api('PUT', '/api/admin/config', body);
        saved.textContent = 'Saved. The new settings apply now.';
        saved.hidden = false;
      },
    });
    el.prepend(registration.row, role.row, mfa.row);
    mount(card, title, el, saved);
  }).catch((error) => mount(card, title, errorText(error)));
  mount(card, title, h('p', { class: 'muted', 'aria-busy': 'true' }, 'Loading…'));
  return card;
}

// ---- Audit log

function auditPanel() {
  const card = h('section', { class: 'card', 'aria-labelledby': 'audit-title' });
  const filters = { actor: '', action: '', since: '', until: '' };
  const field = (name, label, type = 'text') => {
    const input = h('input', { id: `a-${name}`, type, name });
    input.addEventListener('change', () => {
      filters[name] = type === 'date' && input.value ? new Date(`${input.value}T00:00:00`).toISOString() : input.value.trim();
      load(0);
    });
    return h('div', { class: 'field' }, h('label', { for: `a-${name}` }, label), input);
  };
  const table = h('div');
  const load = async (offset) => {
    const query = new URLSearchParams({ limit: '50', offset: String(offset) });
    for (const [k, v] of Object.entries(filters)) if (v) query.set(k, v);
    try {
      const page = await get(`/api/admin/audit-logs?${query}`);
      mount(table,
        page.items.length === 0 ? h('p', { class: 'muted' }, 'Nothing recorded matches these filters.') : h('table', {},
          h('thead', {}, h('tr', {}, ['When', 'Who', 'What', 'Concerning', 'From', 'Details'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, page.items.map((e) => h('tr', {},
            h('td', {}, formatTime(e.at)), h('td', {}, e.actor), h('td', {}, e.action.replaceAll('_', ' ')),
            h('td', {}, e.target || '—'), h('td', { title: e.user_agent || '' }, e.ip || '—'), h('td', {}, e.detail || ''))))),
        pager(page, load));
    } catch (error) {
      mount(table, errorText(error));
    }
  };
  load(0);
  mount(card, h('h2', { id: 'audit-title' }, 'Audit log'),
    h('div', { class: 'filters' }, field('actor', 'Who'), field('action', 'What'), field('since', 'From', 'date'), field('until', 'Until', 'date')),
    table);
  return card;
}
