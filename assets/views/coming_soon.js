// A section that is announced but not built yet: says so plainly, and where to go instead.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { linkProps } from '../nav.js';

export function comingSoon(section) {
  return () => h('div', { class: 'page' },
    h('h1', {}, section.label),
    h('div', { class: 'card empty-state' },
      icon(section.icon),
      h('h2', {}, 'Coming soon'),
      h('p', {}, section.soon),
      h('p', { class: 'muted' }, 'This section arrives in a later version of UMBRA. Nothing is lost by waiting: there is nothing to set up here yet.'),
      h('a', { ...linkProps('/'), class: 'button' }, 'Back to the dashboard')));
}
