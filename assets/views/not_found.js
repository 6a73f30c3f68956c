// A path that belongs to no section.

import { h } from '../dom.js';
import { navigate } from '../nav.js';

export function notFound() {
  return h('div', { class: 'page' },
    h('h1', {}, 'Nothing here'),
    h('p', { class: 'muted' }, 'This page does not exist.'),
    h('button', { class: 'primary', onclick: () => navigate('/') }, 'Go home'));
}
