// A menu behind a button (the user menu, a table row's actions): opens below the button,
// arrow keys move, Escape and a click elsewhere close it, and the focus goes back.

import { h } from './dom.js';

// items: [{ label, icon (node), danger, onSelect }] (null entries are skipped).
export function menuButton({ label, content, items, className = '', align = 'end' }) {
  const menu = h('div', { class: `menu align-${align}`, role: 'menu', hidden: true });
  const button = h('button', {
    type: 'button', class: `menu-button ${className}`, 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-label': label,
    onclick: () => (menu.hidden ? show() : hide(false)),
  }, content);
  const entries = () => [...menu.querySelectorAll('[role=menuitem]')];
  const outside = (event) => {
    if (!wrapper.contains(event.target)) hide(false);
  };
  const escape = (event) => {
    if (event.key === 'Escape') { event.preventDefault(); hide(true); }
  };
  function show() {
    menu.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    entries()[0]?.focus();
    document.addEventListener('pointerdown', outside, true);
    document.addEventListener('keydown', escape, true);
  }
  function hide(refocus) {
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', outside, true);
    document.removeEventListener('keydown', escape, true);
    if (refocus) button.focus();
  }
  for (const item of items.filter(Boolean)) {
    if (item.heading) {
      menu.append(h('div', { class: 'menu-heading' }, item.heading));
      continue;
    }
    menu.append(h('button', {
      type: 'button', role: 'menuitem', tabindex: '-1', class: item.danger ? 'danger-item' : null,
      onclick: () => { hide(true); item.onSelect(); },
    }, item.icon || null, h('span', {}, item.label)));
  }
  menu.addEventListener('keydown', (event) => {
    const all = entries();
    const at = all.indexOf(document.activeElement);
    if (event.key === 'ArrowDown') { event.preventDefault(); all[(at + 1) % all.length]?.focus(); }
    if (event.key === 'ArrowUp') { event.preventDefault(); all[(at - 1 + all.length) % all.length]?.focus(); }
    if (event.key === 'Tab') hide(false);
  });
  const wrapper = h('div', { class: 'menu-wrap' }, button, menu);
  return wrapper;
}
