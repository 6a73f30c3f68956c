// Two field kinds only the people form needs, registered on the shared kind table (forms.js
// looks kinds up there): `contacts` (labelled values: e-mail addresses, phone numbers) and
// `birthday` (a date with a "year unknown" choice, sent as YYYY-MM-DD or --MM-DD).

import { h } from '../../dom.js';
import { fieldKinds } from '../../fields.js';
import { icon } from '../../icons.js';

function contacts(field, id, describedBy) {
  const items = h('ul', { class: 'value-list contact-list', id, 'aria-describedby': describedBy });
  let count = 0;
  const add = (entry = { label: '', value: '' }, focus = false) => {
    const n = ++count;
    const value = h('input', {
      type: field.type || 'text', value: entry.value, 'aria-label': `${field.itemLabel} ${n}`, autocomplete: 'off',
      class: 'contact-value', inputmode: field.type === 'tel' ? 'tel' : null,
    });
    const label = h('input', {
      type: 'text', value: entry.label, 'aria-label': `Label for ${field.itemLabel} ${n}`, placeholder: 'Label (home, work…)',
      autocomplete: 'off', class: 'contact-label', maxlength: 40,
    });
    const row = h('li', {}, value, label, h('button', {
      type: 'button', class: 'icon-button', 'aria-label': `Remove ${field.itemLabel} ${n}`,
      onclick: () => { row.remove(); items.querySelector('input')?.focus(); },
    }, icon('close')));
    items.append(row);
    if (focus) value.focus();
  };
  for (const entry of field.value || []) add(entry);
  const addButton = h('button', { type: 'button', class: 'link small', onclick: () => add(undefined, true) }, `Add ${field.itemLabel}`);
  const rows = () => [...items.querySelectorAll('li')].map((li) => ({
    value: li.querySelector('.contact-value').value.trim(),
    label: li.querySelector('.contact-label').value.trim(),
  }));
  return {
    el: h('div', { class: 'list-field' }, items, addButton),
    focusable: items.querySelector('input') || addButton,
    value: () => rows().filter((r) => r.value !== ''),
    set: (values) => { items.replaceChildren(); for (const v of values || []) add(v); },
    problem: () => (rows().length > 20 ? 'Give at most 20.' : null),
  };
}

function birthday(field, id, describedBy) {
  const stored = field.value || '';
  const noYear = stored.startsWith('--');
  // A date input needs a year: 2000 is a leap year, so 29 February fits.
  const input = h('input', { id, name: field.name, type: 'date', 'aria-describedby': describedBy, value: noYear ? `2000${stored.slice(1)}` : stored });
  const box = h('input', { type: 'checkbox', id: `${id}-noyear`, checked: noYear });
  return {
    el: h('div', { class: 'birthday-field' }, input,
      h('span', { class: 'inline-check' }, box, h('label', { for: `${id}-noyear` }, 'Year unknown'))),
    focusable: input,
    value: () => {
      if (!input.value) return null;
      return box.checked ? `--${input.value.slice(5)}` : input.value;
    },
    set: (v) => { input.value = v || ''; box.checked = false; },
    problem: () => (input.validity.badInput ? 'Enter a complete date.' : null),
  };
}

fieldKinds.contacts = contacts;
fieldKinds.birthday = birthday;
