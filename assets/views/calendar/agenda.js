// The agenda: the coming days as a list, each day with its events, and — each kind toggled on
// or off, remembered on this device — people's birthdays and open todos that fall due.

import { h } from '../../dom.js';
import { linkProps } from '../../nav.js';
import { touches } from './data.js';
import { describeItem, itemKey, paint } from './items.js';
import { sortItems } from './month.js';
import { addDays, clockText, dayText } from './time.js';

export const AGENDA_DAYS = 30;
const KEY = 'umbra-agenda-kinds';

export function agendaKinds() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || 'null');
    if (saved && typeof saved === 'object') return { birthdays: saved.birthdays !== false, todos: saved.todos !== false };
  } catch { /* unreadable: the defaults */ }
  return { birthdays: true, todos: true };
}

function saveKinds(kinds) {
  localStorage.setItem(KEY, JSON.stringify(kinds));
}

function timeText(item, day, settings) {
  if (item.kind === 'todo') return item.minutes === null ? 'Due' : `Due ${clockText(item.minutes, settings.hour12)}`;
  if (item.all_day || item.kind === 'birthday') return 'All day';
  const from = item.startWall.date === day ? clockText(item.startWall.minutes, settings.hour12) : '…';
  const to = item.endWall.date === day ? clockText(item.endWall.minutes, settings.hour12) : '…';
  return `${from}–${to}`;
}

function entry(item, day, view) {
  const badge = { birthday: 'Birthday', todo: 'Todo' }[item.kind];
  const title = item.kind === 'birthday' && item.turns ? `${item.title} (turns ${item.turns})` : item.title;
  const label = `${badge ? `${badge}: ` : ''}${title}, ${describeItem(item, view.settings)}`;
  const body = [h('span', { class: 'agenda-time' }, timeText(item, day, view.settings)),
    h('span', { class: 'agenda-title' }, title), badge ? h('span', { class: `badge kind-badge` }, badge) : null];
  let control;
  if (item.kind === 'birthday') control = h('a', { ...linkProps(`/people/${item.person_id}`), class: 'agenda-link', 'aria-label': label }, body);
  else if (item.kind === 'todo') control = h('a', { ...linkProps('/todos'), class: 'agenda-link', 'aria-label': label }, body);
  else control = h('button', { type: 'button', class: 'agenda-link', 'aria-label': label, onclick: () => view.onOpen(item) }, body);
  return paint(h('li', { class: `agenda-item kind-${item.kind}`, dataset: { key: itemKey(item), title: item.title } }, control), item.colour);
}

// view: { first, settings, items (events, birthdays, todos as loaded), kinds, onKinds(kinds), onOpen, onNew }
export function agendaView(view) {
  const toggle = (name, label) => {
    const id = `agenda-${name}`;
    return h('label', { class: 'inline-check', for: id },
      h('input', { id, type: 'checkbox', checked: view.kinds[name], onchange: (e) => {
        const kinds = { ...view.kinds, [name]: e.target.checked };
        saveKinds(kinds);
        view.onKinds(kinds);
      } }), label);
  };
  const shown = view.items.filter((i) => i.kind === 'event' || (i.kind === 'birthday' && view.kinds.birthdays) || (i.kind === 'todo' && view.kinds.todos));
  const days = [];
  for (let i = 0; i < AGENDA_DAYS; i += 1) {
    const day = addDays(view.first, i);
    const mine = sortItems(shown.filter((item) => touches(item, day)));
    if (mine.length) {
      days.push(h('li', { class: `agenda-day${day === view.today ? ' today' : ''}`, dataset: { day } },
        h('h3', {}, dayText(day)), h('ul', { class: 'agenda-items' }, mine.map((item) => entry(item, day, view)))));
    }
  }
  return h('div', { class: 'agenda' },
    h('div', { class: 'agenda-kinds', role: 'group', 'aria-label': 'Also show' }, h('span', { class: 'muted' }, 'Also show:'),
      toggle('birthdays', 'Birthdays'), toggle('todos', 'Due todos')),
    days.length
      ? h('ol', { class: 'agenda-days' }, days)
      : h('div', { class: 'empty' }, h('p', {}, `Nothing planned from ${dayText(view.first)} to ${dayText(addDays(view.first, AGENDA_DAYS - 1))}.`),
        h('button', { type: 'button', class: 'primary', onclick: () => view.onNew({ start_date: view.first }) }, 'New event')));
}
