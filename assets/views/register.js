// Sign-up, while an admin has opened registration: a username and a password, then the new
// account is signed in. The login page links here only when /api/auth/status says it is open.

import { h } from '../dom.js';
import { post } from '../api.js';
import { form } from '../forms.js';
import { linkProps } from '../nav.js';
import { signedIn } from '../session.js';

export function registerView() {
  document.title = 'Create an account · UMBRA';
  const { el, inputs } = form({
    fields: [
      { name: 'username', label: 'Username', autocomplete: 'username', hint: '3–32 letters, digits, dots, dashes or underscores.', minLength: 3, maxLength: 32 },
      {
        name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', minLength: 15,
        hint: 'At least 15 characters. A few unrelated words make a good one.', strength: () => inputs.username.value,
      },
    ],
    submitLabel: 'Create account',
    async onSubmit(values) {
      await post('/api/auth/register', values, { quiet: true });
      await signedIn();
    },
  });
  return h('main', { class: 'centered' }, h('section', { class: 'card auth-card', 'aria-labelledby': 'register-title' },
    h('h1', { id: 'register-title' }, 'Create an account'),
    h('p', { class: 'muted' }, 'Your own space on this UMBRA server. Only you see what you put in it.'),
    el,
    h('p', { class: 'switch' }, 'Have an account? ', h('a', linkProps('/login'), 'Sign in'))));
}
