// The sign-in page.

import { h } from '../dom.js';
import { post } from '../api.js';
import { form } from '../forms.js';
import { signedIn } from '../app.js';

export function loginView() {
  document.title = 'Sign in · UMBRA';
  const { el } = form({
    fields: [
      { name: 'username', label: 'Username', autocomplete: 'username' },
      { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password' },
    ],
    submitLabel: 'Sign in',
    async onSubmit(values) {
      await post('/api/auth/login', values, { quiet: true });
      await signedIn();
    },
  });
  return h('main', { class: 'centered' }, h('section', { class: 'card auth-card', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Sign in to UMBRA'),
    el));
}
