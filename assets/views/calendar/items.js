// How one calendar item reads and looks, shared by the month, week/day and agenda views: its
// time in words (the user's zone and clock), its colour (set through CSSOM: the CSP forbids
// style attributes), and its accessible name.

import { h } from '../../dom.js';
import { addDays, clockText, dayText } from './time.js';

export function describeItem(item, settings) {
  if (item.kind === 'birthday') return `${dayText(item.firstDay)} · birthday`;
  if (item.kind === 'todo') return item.minutes === null ? `Due ${dayText(item.firstDay)}` : `Due ${dayText(item.firstDay)} ${clockText(item.minutes, settings.hour12)}`;
  if (item.all_day) {
    return item.firstDay === item.lastDay ? `${dayText(item.firstDay)}, all day` : `${dayText(item.firstDay, 'short')} – ${dayText(item.lastDay, 'short')}, all day`;
  }
  const from = clockText(item.startWall.minutes, settings.hour12);
  const to = clockText(item.endWall.minutes, settings.hour12);
  if (item.startWall.date === item.endWall.date || (item.endWall.minutes === 0 && addDays(item.startWall.date, 1) === item.endWall.date)) {
    return `${dayText(item.startWall.date)}, ${from}–${to}`;
  }
  return `${dayText(item.startWall.date, 'short')} ${from} – ${dayText(item.endWall.date, 'short')} ${to}`;
}

// The start time shown before a title in a day cell: nothing for all-day items.
export function startLabel(item, day, settings) {
  if (item.kind === 'todo') return item.minutes === null ? '' : clockText(item.minutes, settings.hour12);
  if (item.all_day || item.kind !== 'event') return '';
  return item.startWall.date === day ? clockText(item.startWall.minutes, settings.hour12) : '';
}

export function paint(el, colour) {
  if (colour) el.style.setProperty('--item', colour);
  return el;
}

// A stable key for an occurrence (for focus after a redraw, and for tests).
export const itemKey = (item) => (item.kind === 'event' ? `${item.event_id}@${item.recurrence_id || ''}` : item.id);

// A clickable chip for an item in a day cell or list (events open the dialog).
export function itemChip(item, { day, settings, onOpen, className = '' }) {
  const time = startLabel(item, day, settings);
  const kindLabel = item.kind === 'birthday' ? 'Birthday: ' : item.kind === 'todo' ? 'Todo due: ' : '';
  const chip = h('button', {
    type: 'button',
    class: `cal-item kind-${item.kind}${item.all_day ? ' all-day' : ''}${item.recurrence_id ? ' recurring' : ''} ${className}`,
    dataset: { key: itemKey(item), title: item.title },
    'aria-label': `${kindLabel}${item.title}, ${describeItem(item, settings)}`,
    onclick: (event) => { event.stopPropagation(); onOpen(item); },
  }, time ? h('span', { class: 'cal-time' }, time) : null, h('span', { class: 'cal-title' }, item.title));
  return paint(chip, item.colour);
}
