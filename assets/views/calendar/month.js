// The month view: the weeks that hold the month, a cell per day with its items (all-day and
// multi-day first, then by time); a click on a day's empty space starts a new event there, a
// day's number opens that day, and an event dragged to another day moves there.

import { h } from '../../dom.js';
import { keyMovable, onDrag, under } from './drag.js';
import { itemChip } from './items.js';
import { touches } from './data.js';
import { addDays, dayText, startOfMonth, startOfWeek } from './time.js';

const SHOWN = 4;

// The days the month view of `anchor` shows: whole weeks from the month's first to its last.
export function monthRange(anchor, weekStart) {
  const first = startOfWeek(startOfMonth(anchor), weekStart);
  const monthEnd = addDays(startOfMonth(addDays(startOfMonth(anchor), 32)), -1);
  const last = addDays(startOfWeek(monthEnd, weekStart), 6);
  return { first, last };
}

export function sortItems(items) {
  const rank = (i) => (i.all_day ? 0 : 1);
  return [...items].sort((a, b) => rank(a) - rank(b) || (a.firstDay < b.firstDay ? -1 : a.firstDay > b.firstDay ? 1 : 0)
    || (a.startMs || 0) - (b.startMs || 0) || a.title.localeCompare(b.title));
}

// view: { anchor, today, settings, items, onOpen(item), onNew(preset), onDay(day), onMove(item, {days}, byKey) }
export function monthView(view) {
  const { anchor, settings, items } = view;
  const { first, last } = monthRange(anchor, settings.weekStart);
  const month = anchor.slice(0, 7);
  const heads = Array.from({ length: 7 }, (_, i) => h('div', { class: 'month-head', role: 'columnheader' }, dayText(addDays(first, i), 'weekday')));
  const weeks = [];
  for (let day = first; day <= last; day = addDays(day, 7)) {
    weeks.push(h('div', { class: 'month-week', role: 'row' }, Array.from({ length: 7 }, (_, i) => dayCell(addDays(day, i), month, view))));
  }
  const grid = h('div', { class: 'month-grid', role: 'grid', 'aria-label': dayText(anchor, 'month') },
    h('div', { class: 'month-week month-heads', role: 'row' }, heads), weeks);
  return grid;

  function dayCell(day, inMonth, v) {
    const mine = sortItems(items.filter((item) => touches(item, day)));
    const extra = mine.length - SHOWN;
    const list = h('div', { class: 'month-items' }, mine.slice(0, extra > 0 ? SHOWN - 1 : SHOWN).map((item) => {
      const chip = itemChip(item, { day, settings, onOpen: v.onOpen });
      if (item.kind === 'event' && ['owner', 'manage', 'write'].includes(item.access)) movable(chip, item, day);
      return chip;
    }),
    extra > 0 ? h('button', { type: 'button', class: 'link small more', onclick: () => v.onDay(day) }, `+${extra + 1} more`) : null);
    const cell = h('div', {
      class: `month-day${day.slice(0, 7) === inMonth ? '' : ' other-month'}${day === v.today ? ' today' : ''}`,
      role: 'gridcell', dataset: { day },
      onclick: (event) => { if (event.target === cell || event.target === list) v.onNew({ start_date: day }); },
    },
    h('button', { type: 'button', class: 'day-number', 'aria-label': `Open ${dayText(day)}`, onclick: () => v.onDay(day) }, String(Number(day.slice(8)))),
    list);
    return cell;
  }

  function movable(chip, item, day) {
    let target = null;
    // Alt+←/→: the day before/after; Alt+↑/↓: the week before/after.
    keyMovable(chip, ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'], (key) => {
      view.onMove(item, { days: { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 }[key] }, true);
    });
    onDrag(chip, {
      move: (event) => {
        target?.classList.remove('drop-target');
        target = under(event.clientX, event.clientY, '.month-day');
        target?.classList.add('drop-target');
      },
      drop: (event) => {
        target?.classList.remove('drop-target');
        const cell = under(event.clientX, event.clientY, '.month-day');
        if (cell && cell.dataset.day !== day) view.onMove(item, { days: Math.round((Date.parse(cell.dataset.day) - Date.parse(day)) / 86400000) });
      },
      cancel: () => target?.classList.remove('drop-target'),
    });
  }
}
