// The kinds of form field: each builds its control and reads its value in the shape the API
// wants (strings, booleans, numbers, `YYYY-MM-DD` dates, RFC 3339 instants, lists).

import { h } from './dom.js';
import { icon } from './icons.js';

const common = (field, id, describedBy) => ({
  id,
  name: field.name,
  'aria-describedby': describedBy,
  required: !field.optional,
});

function text(field, id, describedBy) {
  const input = h('input', {
    ...common(field, id, describedBy),
    type: field.type || 'text',
    autocomplete: field.autocomplete || 'off',
    value: field.value,
    maxlength: field.maxLength,
    autocapitalize: field.autocapitalize || (field.type === 'password' || field.autocomplete === 'username' ? 'none' : null),
    spellcheck: field.type === 'password' ? 'false' : null,
    placeholder: field.placeholder,
  });
  return { el: input, focusable: input, value: () => input.value, set: (v) => { input.value = v; } };
}

function textarea(field, id, describedBy) {
  const area = h('textarea', { ...common(field, id, describedBy), rows: field.rows || 4, maxlength: field.maxLength });
  area.value = field.value || '';
  return { el: area, focusable: area, value: () => area.value, set: (v) => { area.value = v; } };
}

function select(field, id, describedBy) {
  const el = h('select', common(field, id, describedBy),
    (field.options || []).map(([value, label]) => h('option', { value }, label)));
  if (field.value !== undefined && field.value !== null) el.value = String(field.value);
  return { el, focusable: el, value: () => el.value, set: (v) => { el.value = v || el.options[0]?.value || ''; } };
}

function checkbox(field, id, describedBy) {
  const box = h('input', { id, name: field.name, type: 'checkbox', 'aria-describedby': describedBy, checked: Boolean(field.value) });
  return { el: box, focusable: box, value: () => box.checked, set: (v) => { box.checked = Boolean(v); } };
}

function date(field, id, describedBy) {
  const input = h('input', { ...common(field, id, describedBy), type: 'date', value: field.value, min: field.min, max: field.max });
  return { el: input, focusable: input, value: () => input.value || (field.optional ? null : ''), set: (v) => { input.value = v || ''; } };
}

function number(field, id, describedBy) {
  const input = h('input', {
    ...common(field, id, describedBy), type: 'number', inputmode: field.step && field.step < 1 ? 'decimal' : 'numeric',
    value: field.value, min: field.min, max: field.max, step: field.step,
  });
  return {
    el: input,
    focusable: input,
    value: () => (input.value === '' ? (field.optional ? null : '') : Number(input.value)),
    set: (v) => { input.value = v ?? ''; },
    problem: () => {
      if (input.value === '') return input.validity.badInput ? 'Enter a number.' : null;
      const n = Number(input.value);
      if (!Number.isFinite(n)) return 'Enter a number.';
      if (field.min !== undefined && n < field.min) return `Use ${field.min} or more.`;
      if (field.max !== undefined && n > field.max) return `Use ${field.max} or less.`;
      return null;
    },
  };
}

// One-time codes: a numeric keyboard on phones, the code offered from an SMS or the platform.
// `recovery: true` fields also take the letters of a recovery code, on request.
function code(field, id, describedBy) {
  const input = h('input', {
    ...common(field, id, describedBy), type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
    autocapitalize: 'none', spellcheck: 'false', maxlength: 32,
  });
  if (!field.recovery) return { el: input, focusable: input, value: () => input.value.trim(), set: (v) => { input.value = v; } };
  const toggle = h('button', {
    type: 'button',
    class: 'link small',
    onclick: () => {
      const letters = input.getAttribute('inputmode') === 'numeric';
      input.setAttribute('inputmode', letters ? 'text' : 'numeric');
      toggle.textContent = letters ? 'Use a code from the app' : 'Use a recovery code';
      input.focus();
    },
  }, 'Use a recovery code');
  return { el: h('div', { class: 'code-field' }, input, toggle), focusable: input, value: () => input.value.trim(), set: (v) => { input.value = v; } };
}

// The UTC offset (ms) of `zone` at the instant `utcMs`.
function offsetAt(utcMs, zone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

// A wall-clock time (`YYYY-MM-DDTHH:MM`) in `zone` as an RFC 3339 instant.
export function zonedInstant(local, zone) {
  const [d, t] = local.split('T');
  const [y, mo, da] = d.split('-').map(Number);
  const [hh, mm] = t.split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, da, hh, mm);
  // Twice: the offset at the guess may differ from the offset at the answer around a DST change.
  let utc = wall - offsetAt(wall, zone);
  utc = wall - offsetAt(utc, zone);
  return new Date(utc).toISOString();
}

export const userZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function datetime(field, id, describedBy) {
  const input = h('input', { ...common(field, id, describedBy), type: 'datetime-local', value: field.value });
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [userZone()];
  const zone = h('select', { 'aria-label': `${field.label}: time zone`, class: 'zone' },
    (zones.includes(userZone()) ? zones : [userZone(), ...zones]).map((z) => h('option', { value: z }, z.replaceAll('_', ' '))));
  zone.value = field.zone || userZone();
  return {
    el: h('div', { class: 'datetime' }, input, zone),
    focusable: input,
    value: () => (input.value ? zonedInstant(input.value, zone.value) : (field.optional ? null : '')),
    set: (v) => { input.value = v || ''; },
    problem: () => (input.validity.badInput ? 'Enter a complete date and time.' : null),
  };
}

// Several values of one kind (tags, e-mail addresses): one input each, added and removed.
function list(field, id, describedBy) {
  const items = h('ul', { class: 'value-list', id, 'aria-describedby': describedBy });
  let count = 0;
  const add = (value = '', focus = false) => {
    const n = ++count;
    const input = h('input', { type: field.type || 'text', value, 'aria-label': `${field.itemLabel || field.label} ${n}`, autocomplete: 'off' });
    const row = h('li', {}, input, h('button', {
      type: 'button', class: 'icon-button', 'aria-label': `Remove ${field.itemLabel || 'value'} ${n}`,
      onclick: () => { row.remove(); items.querySelector('input')?.focus(); },
    }, icon('close')));
    items.append(row);
    if (focus) input.focus();
  };
  for (const value of field.value || []) add(value);
  const addButton = h('button', { type: 'button', class: 'link small', onclick: () => add('', true) }, `Add ${field.itemLabel || 'another'}`);
  const inputs = () => [...items.querySelectorAll('input')];
  return {
    el: h('div', { class: 'list-field' }, items, addButton),
    focusable: items.querySelector('input') || addButton,
    value: () => inputs().map((i) => i.value.trim()).filter(Boolean),
    set: (values) => { items.replaceChildren(); for (const v of values || []) add(v); },
    problem: () => (field.max && inputs().length > field.max ? `Give at most ${field.max}.` : null),
  };
}

export const fieldKinds = { text, textarea, select, checkbox, date, datetime, number, code, list };
