// Toasts: short messages in the one polite live region (#status, outside #app), so they
// survive a redraw of the page and a screen reader reads them once.

import { h } from './dom.js';
import { icon } from './icons.js';

function region() {
  let el = document.getElementById('status');
  if (!el) {
    el = h('div', { id: 'status', class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(el);
  }
  return el;
}

// kind: 'success' (goes after a while, not while pointed at or focused) or 'error' (stays
// until closed).
export function toast(message, { kind = 'success' } = {}) {
  const item = h('div', { class: `toast ${kind}` },
    icon(kind === 'error' ? 'alert' : 'check'),
    h('span', { class: 'toast-text' }, message),
    h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Dismiss', onclick: () => item.remove() }, icon('close')));
  // At most three at once: a burst of actions must not stack toasts over the controls.
  const shown = region();
  shown.append(item);
  while (shown.children.length > 3) shown.firstElementChild.remove();
  if (kind !== 'error') {
    let timer;
    const later = () => { timer = setTimeout(() => item.remove(), 8000); };
    item.addEventListener('pointerenter', () => clearTimeout(timer));
    item.addEventListener('pointerleave', later);
    item.addEventListener('focusin', () => clearTimeout(timer));
    later();
  }
  return item;
}
