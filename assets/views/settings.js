// Settings: for now, changing one's password.

import { h } from '../dom.js';
import { post } from '../api.js';
import { form } from '../forms.js';

export function settings({ user }) {
  const done = h('p', { class: 'success', role: 'status', hidden: true });
  const { el, inputs } = form({
    fields: [
      { name: 'current_password', label: 'Current password', type: 'password', autocomplete: 'current-password' },
      { name: 'new_password', label: 'New password', type: 'password', autocomplete: 'new-password', hint: 'At least 15 characters; not your username or a common password.' },
    ],
    submitLabel: 'Change password',
    async onSubmit(values) {
      done.hidden = true;
      await post('/api/auth/password', values);
      for (const input of Object.values(inputs)) input.value = '';
      done.textContent = 'Password changed. Your other sessions were signed out.';
      done.hidden = false;
    },
  });
  return h('div', { class: 'page' },
    h('h1', {}, 'Settings'),
    h('section', { class: 'card narrow', 'aria-labelledby': 'pw-title' },
      h('h2', { id: 'pw-title' }, 'Change password'),
      h('p', { class: 'muted' }, `For ${user.username}. Signing in elsewhere will need the new password.`),
      el, done));
}
