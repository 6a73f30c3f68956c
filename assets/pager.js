// Previous/next paging under a list that holds a `Page` ({items, total, limit, offset}):
// nothing when everything fits on one page.

import { h } from './dom.js';

export function pager(page, go) {
  if (page.total <= page.limit) return null;
  const last = page.offset + page.items.length;
  return h('div', { class: 'actions pager' },
    h('button', { type: 'button', disabled: page.offset === 0, onclick: () => go(Math.max(0, page.offset - page.limit)) }, 'Previous'),
    h('span', { class: 'muted' }, `${page.offset + 1}–${last} of ${page.total}`),
    h('button', { type: 'button', disabled: last >= page.total, onclick: () => go(page.offset + page.limit) }, 'Next'));
}
