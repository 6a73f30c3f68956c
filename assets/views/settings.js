// Settings: the password, and security (authenticator app, sessions), as two tabs.

import { h } from '../dom.js';
import { post } from '../api.js';
import { form } from '../forms.js';
import { security } from './security.js';

const TABS = [
  { path: '/settings/password', label: 'Password', render: passwordPanel },
  { path: '/settings/security', label: 'Security', render: security },
];

export function settings(context) {
  const { path, navigate, status } = context;
  const tab = TABS.find((t) => path === t.path) || TABS[0];
  const notices = [];
  if (status.must_change_password) {
    notices.push(h('p', { class: 'notice', role: 'alert' }, 'An admin reset your password. Choose a new one to continue.'));
  }
  if (status.second_factor_missing) {
    notices.push(h('p', { class: 'notice', role: 'alert' }, 'This server requires a second factor. Set up an authenticator app to continue.'));
  }
  return h('div', { class: 'page' },
    h('h1', {}, 'Settings'),
    notices,
    h('nav', { class: 'tabs', 'aria-label': 'Settings' }, TABS.map((t) => h('a', {
      href: t.path,
      'aria-current': t === tab ? 'page' : null,
      onclick: (e) => { e.preventDefault(); navigate(t.path); },
    }, t.label))),
    tab.render(context));
}

function passwordPanel({ user, refresh }) {
  const done = h('p', { class: 'success', role: 'status', hidden: true });
  const { el, inputs } = form({
    fields: [
      { name: 'current_password', label: 'Current password', type: 'password', autocomplete: 'current-password' },
      { name: 'new_password', label: 'New password', type: 'password', autocomplete: 'new-password', hint: 'At least 15 characters; not your username or a common password.', strength: () => user.username },
    ],
    submitLabel: 'Change password',
    async onSubmit(values) {
      done.hidden = true;
      await post('/api/auth/password', values);
      for (const input of Object.values(inputs)) input.value = '';
      done.textContent = 'Password changed. Your other sessions were signed out.';
      done.hidden = false;
      await refresh();
    },
  });
  return h('section', { class: 'card narrow', 'aria-labelledby': 'pw-title' },
    h('h2', { id: 'pw-title' }, 'Change password'),
    h('p', { class: 'muted' }, `For ${user.username}. Signing in elsewhere will need the new password.`),
    el, done);
}

