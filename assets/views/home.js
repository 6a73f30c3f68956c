// The dashboard (a placeholder until the domains fill it): the landing page after sign-in.

import { h } from '../dom.js';

export function home({ user, navigate }) {
  return h('div', { class: 'page' },
    h('h1', {}, `Hello, ${user.username}`),
    h('div', { class: 'cards' },
      h('section', { class: 'card' },
        h('h2', {}, 'Your account'),
        h('dl', { class: 'facts' },
          h('dt', {}, 'Username'), h('dd', {}, user.username),
          h('dt', {}, 'Role'), h('dd', {}, user.role === 'admin' ? 'Administrator' : 'Member')),
        h('button', { onclick: () => navigate('/settings/password') }, 'Change password')),
      h('section', { class: 'card' },
        h('h2', {}, 'Stepping away?'),
        h('p', { class: 'muted' }, 'Lock the screen from the menu under your name: your session stays open, but nothing shows until you enter your password.'))));
}
