// The checklist editor of the drawer: items to tick, rename, remove, and a line to add one.

import { h } from '../../dom.js';

export function checklistEditor(initial) {
  const items = initial.map((item) => ({ ...item }));
  const list = h('ul', { class: 'checklist' });
  const draw = () => {
    list.replaceChildren(...items.map((item, index) => {
      const done = h('input', { type: 'checkbox', checked: item.done, 'aria-label': `Done: ${item.text}` });
      done.addEventListener('change', () => { item.done = done.checked; });
      const text = h('input', { type: 'text', value: item.text, maxlength: 500, 'aria-label': `Checklist item ${index + 1}` });
      text.addEventListener('input', () => { item.text = text.value; });
      return h('li', {}, done, text,
        h('button', { type: 'button', class: 'link small', 'aria-label': `Remove ${item.text}`, onclick: () => { items.splice(index, 1); draw(); } }, 'Remove'));
    }));
  };
  const add = h('input', { id: 'todo-checklist-add', type: 'text', maxlength: 500, placeholder: 'Add an item and press Enter' });
  const addItem = () => {
    if (!add.value.trim() || items.length >= 100) return;
    items.push({ text: add.value, done: false });
    add.value = '';
    draw();
    add.focus();
  };
  add.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') { event.preventDefault(); addItem(); }
  });
  draw();
  const el = h('fieldset', { class: 'checklist-field' }, h('legend', {}, 'Checklist'), list,
    h('div', { class: 'quick-add-row' },
      h('label', { for: 'todo-checklist-add', class: 'visually-hidden' }, 'New checklist item'), add,
      h('button', { type: 'button', onclick: addItem }, 'Add item')));
  return { el, value: () => items.map((i) => ({ text: i.text, done: i.done })) };
}
