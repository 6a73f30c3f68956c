// @-completion in a comment box: typing "@" and the start of a name lists the project's
// members whose username (or display name) begins so; ↑/↓ choose, Enter or Tab puts
// "@username " in the text, Escape closes the list (not the drawer), a click picks too.

import { h } from '../../dom.js';
import { personName } from './shared.js';

let nextId = 0;

// The "@word" that ends just before the caret, or null.
export function mentionAt(text, caret) {
  const match = /(^|[^\w@])@([a-z0-9._-]{0,32})$/i.exec(text.slice(0, caret));
  if (!match) return null;
  return { query: match[2].toLowerCase(), start: caret - match[2].length - 1 };
}

// members(): the users one may mention ([UserRef]). Returns the list element to place
// right after the textarea.
export function mentionCompletion(area, members) {
  const listId = `mentions-${++nextId}`;
  const list = h('ul', { class: 'mention-list', id: listId, role: 'listbox', 'aria-label': 'Members to mention', hidden: true });
  let options = [];
  let active = 0;
  let at = null;
  area.setAttribute('aria-autocomplete', 'list');
  area.setAttribute('aria-controls', listId);
  area.setAttribute('aria-expanded', 'false');

  const close = () => {
    list.hidden = true;
    options = [];
    at = null;
    area.setAttribute('aria-expanded', 'false');
    area.removeAttribute('aria-activedescendant');
  };

  const paint = () => {
    [...list.children].forEach((li, i) => li.setAttribute('aria-selected', String(i === active)));
    const li = list.children[active];
    if (li) area.setAttribute('aria-activedescendant', li.id);
  };

  const pick = (user) => {
    const before = area.value.slice(0, at.start);
    const after = area.value.slice(area.selectionStart).replace(/^[a-z0-9._-]*/i, '');
    const inserted = `@${user.username} `;
    area.value = `${before}${inserted}${after.replace(/^ /, '')}`;
    const caret = before.length + inserted.length;
    area.setSelectionRange(caret, caret);
    close();
    area.focus();
  };

  const update = () => {
    at = mentionAt(area.value, area.selectionStart);
    if (!at || area.selectionStart !== area.selectionEnd) { close(); return; }
    const q = at.query;
    options = members().filter((u) => u.username.startsWith(q) || (u.display_name || '').toLowerCase().split(/\s+/).some((w) => w.startsWith(q)))
      .sort((a, b) => a.username.localeCompare(b.username)).slice(0, 8);
    if (!options.length) { close(); at = null; return; }
    active = Math.min(active, options.length - 1);
    list.replaceChildren(...options.map((user, i) => h('li', {
      id: `${listId}-${i}`, role: 'option', class: 'mention-option', dataset: { username: user.username },
      onmousedown: (event) => { event.preventDefault(); at = mentionAt(area.value, area.selectionStart); if (at) pick(user); },
    }, h('strong', {}, `@${user.username}`), user.display_name ? h('span', { class: 'muted' }, ` ${personName(user)}`) : null)));
    list.hidden = false;
    area.setAttribute('aria-expanded', 'true');
    paint();
  };

  area.addEventListener('input', () => {
    active = 0;
    update();
  });
  area.addEventListener('click', update);
  area.addEventListener('blur', () => setTimeout(close, 150));
  area.addEventListener('keydown', (event) => {
    if (list.hidden || !options.length) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      active = (active + (event.key === 'ArrowDown' ? 1 : -1) + options.length) % options.length;
      paint();
    } else if ((event.key === 'Enter' && !event.ctrlKey) || event.key === 'Tab') {
      event.preventDefault();
      event.stopPropagation();
      pick(options[active]);
    } else if (event.key === 'Escape') {
      // The list closes; the drawer around it stays open.
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  return list;
}
