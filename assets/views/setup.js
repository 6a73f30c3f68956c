// First run: the setup code from the server's console, then the first admin account.

import { h } from '../dom.js';
import { post } from '../api.js';
import { form } from '../forms.js';
import { signedIn } from '../session.js';

export function setupView() {
  document.title = 'Set up · UMBRA';
  const { el, inputs } = form({
    fields: [
      { name: 'setup_code', label: 'Setup code', autocomplete: 'off', autocapitalize: 'characters', hint: 'Printed in the server log at startup, or run: umbra admin setup-code' },
      { name: 'username', label: 'Admin username', autocomplete: 'username', hint: '3–32 letters, digits, dots, dashes or underscores.' },
      { name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', hint: 'At least 15 characters. A few unrelated words make a good one.', strength: () => inputs.username.value },
    ],
    submitLabel: 'Create admin account',
    async onSubmit(values) {
      await post('/api/auth/setup', values, { quiet: true });
      await signedIn();
    },
  });
  return h('main', { class: 'centered' }, h('section', { class: 'card auth-card', 'aria-labelledby': 'setup-title' },
    h('h1', { id: 'setup-title' }, 'Welcome to UMBRA'),
    h('p', { class: 'muted' }, 'Create the first account. It will administer this server.'),
    el));
}
