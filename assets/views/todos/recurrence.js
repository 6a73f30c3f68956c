// The recurrence builder: repeat none/daily/weekly (on chosen days)/monthly/yearly, every N,
// counted from the due date or from completion. It writes the RRULE text into a field the
// user can also edit by hand (for COUNT, UNTIL and other parts the builder does not offer).

import { h } from '../../dom.js';

const DAYS = [['MO', 'Mon'], ['TU', 'Tue'], ['WE', 'Wed'], ['TH', 'Thu'], ['FR', 'Fri'], ['SA', 'Sat'], ['SU', 'Sun']];
const FREQS = [['', 'Does not repeat'], ['DAILY', 'Daily'], ['WEEKLY', 'Weekly'], ['MONTHLY', 'Monthly'], ['YEARLY', 'Yearly']];
const UNITS = { DAILY: 'days', WEEKLY: 'weeks', MONTHLY: 'months', YEARLY: 'years' };

function partsOf(rule) {
  const parts = {};
  for (const part of (rule || '').split(';')) {
    const [name, value] = part.split('=');
    if (name && value !== undefined) parts[name.toUpperCase()] = value.toUpperCase();
  }
  return parts;
}

// todo: the todo being edited. Returns { el, value(): { recurrence, recur_from } }.
export function recurrenceBuilder(todo) {
  const parts = partsOf(todo.recurrence);
  const freq = h('select', { id: 'todo-repeat', name: 'repeat' },
    FREQS.map(([value, label]) => h('option', { value, selected: (parts.FREQ || '') === value }, label)));
  const every = h('input', { id: 'todo-every', name: 'every', type: 'number', min: 1, max: 365, value: parts.INTERVAL || 1 });
  const unit = h('span', { class: 'muted' });
  const days = DAYS.map(([code, label]) => h('label', { class: 'day-toggle' },
    h('input', { type: 'checkbox', value: code, checked: (parts.BYDAY || '').split(',').includes(code) }), label));
  const daysRow = h('fieldset', { class: 'days' }, h('legend', {}, 'On'), days);
  const from = h('select', { id: 'todo-recur-from', name: 'recur_from' },
    h('option', { value: 'due', selected: todo.recur_from !== 'completion' }, 'the due date'),
    h('option', { value: 'completion', selected: todo.recur_from === 'completion' }, 'the day it is completed'));
  const rule = h('input', { id: 'todo-rrule', name: 'recurrence', type: 'text', value: todo.recurrence || '', maxlength: 500, spellcheck: 'false', 'aria-describedby': 'todo-rrule-hint' });
  const details = h('div', { class: 'repeat-details' });

  // The builder's parts replace those it owns; other parts typed by hand are kept.
  const build = () => {
    const kept = Object.entries(partsOf(rule.value)).filter(([name]) => !['FREQ', 'INTERVAL', 'BYDAY'].includes(name));
    if (!freq.value) {
      rule.value = '';
    } else {
      const built = [`FREQ=${freq.value}`];
      const n = Number(every.value);
      if (Number.isInteger(n) && n > 1) built.push(`INTERVAL=${n}`);
      const chosen = days.map((d) => d.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
      if (freq.value === 'WEEKLY' && chosen.length) built.push(`BYDAY=${chosen.join(',')}`);
      rule.value = [...built, ...kept.map(([name, value]) => `${name}=${value}`)].join(';');
    }
    show();
  };
  const show = () => {
    details.hidden = !freq.value;
    daysRow.hidden = freq.value !== 'WEEKLY';
    unit.textContent = UNITS[freq.value] || '';
  };
  freq.addEventListener('change', build);
  every.addEventListener('input', build);
  days.forEach((d) => d.querySelector('input').addEventListener('change', build));
  rule.addEventListener('input', () => {
    const typed = partsOf(rule.value);
    freq.value = FREQS.some(([v]) => v === typed.FREQ) ? typed.FREQ : '';
    every.value = typed.INTERVAL || 1;
    days.forEach((d) => { const input = d.querySelector('input'); input.checked = (typed.BYDAY || '').split(',').includes(input.value); });
    show();
  });
  show();
  const el = h('fieldset', { class: 'repeat' },
    h('legend', {}, 'Repeat'),
    h('div', { class: 'field' }, h('label', { for: 'todo-repeat' }, 'Repeats'), freq),
    h('div', { class: 'field-group' }, details),
    h('div', { class: 'field' }, h('label', { for: 'todo-rrule' }, 'Rule (RRULE)'), rule,
      h('p', { class: 'hint', id: 'todo-rrule-hint' }, 'Built from the choices above; you may add parts such as COUNT=5 or UNTIL=20271231T000000Z.')));
  details.append(
    h('div', { class: 'field inline' }, h('label', { for: 'todo-every' }, 'Every'), every, unit),
    daysRow,
    h('div', { class: 'field' }, h('label', { for: 'todo-recur-from' }, 'Count from'), from));
  return {
    el,
    value: () => ({ recurrence: rule.value.trim() || null, recur_from: from.value }),
  };
}
