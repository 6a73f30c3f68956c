// A task's checklist in the drawer: tick, rename, remove, and a line to add an item. Saved
// with the rest of the task; read-only (no controls) for a viewer.

import { h } from '../../dom.js';

export function taskChecklist(initial, { readOnly = false } = {}) {
  const items = initial.map((item) => ({ ...item }));
  const list = h('ul', { class: 'checklist' });
  let onChange = () => {};
  const draw = () => {
    list.replaceChildren(...items.map((item, index) => {
      if (readOnly) {
        return h('li', { class: item.done ? 'done' : null }, h('span', {}, item.done ? 'Done: ' : 'To do: '), h('span', {}, item.text));
      }
      const done = h('input', { type: 'checkbox', checked: item.done, 'aria-label': `Done: ${item.text}` });
      done.addEventListener('change', () => { item.done = done.checked; onChange(); });
      const text = h('input', { type: 'text', value: item.text, maxlength: 200, 'aria-label': `Checklist item ${index + 1}` });
      text.addEventListener('input', () => { item.text = text.value; onChange(); });
      return h('li', {}, done, text,
        h('button', {
          type: 'button', class: 'link small', 'aria-label': `Remove ${item.text}`,
          onclick: () => { items.splice(index, 1); draw(); onChange(); add?.focus(); },
        }, 'Remove'));
    }));
    if (!items.length) list.append(h('li', { class: 'muted' }, readOnly ? 'No checklist.' : 'No items yet.'));
  };
  const add = readOnly ? null : h('input', { id: 'task-checklist-add', type: 'text', maxlength: 200, placeholder: 'Add an item and press Enter' });
  const addItem = () => {
    if (!add.value.trim() || items.length >= 100) return;
    items.push({ text: add.value.trim(), done: false });
    add.value = '';
    draw();
    onChange();
    add.focus();
  };
  add?.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') { event.preventDefault(); addItem(); }
  });
  draw();
  const el = h('fieldset', { class: 'checklist-field' }, h('legend', {}, 'Checklist'), list,
    readOnly ? null : h('div', { class: 'quick-add-row' },
      h('label', { for: 'task-checklist-add', class: 'visually-hidden' }, 'New checklist item'), add,
      h('button', { type: 'button', class: 'small', onclick: addItem }, 'Add item')));
  return {
    el,
    value: () => items.map((i) => ({ text: i.text, done: i.done })),
    onChange: (fn) => { onChange = fn; },
  };
}
