// The time grid of the week and day views: all-day items in a row at the top, timed ones
// placed by their wall-clock time in the user's zone, side by side where they overlap.
// Click-drag on empty time creates an event over that span (a plain click: one hour); an
// event dragged moves in 15-minute steps, to another day too; its bottom edge dragged
// changes its end on the same steps (resize.js).

import { h } from '../../dom.js';
import { keyMovable, onDrag, under } from './drag.js';
import { itemChip, paint } from './items.js';
import { touches } from './data.js';
import { sortItems } from './month.js';
import { isEdge, resizable } from './resize.js';
import { addDays, clockText, dayText, instantAt } from './time.js';

const HOUR = 48;
const STEP = 15;
const snap = (minutes) => Math.max(0, Math.min(1440, Math.round(minutes / STEP) * STEP));
const writable = (item) => item.kind === 'event' && ['owner', 'manage', 'write'].includes(item.access);

// The span an item covers on `day`, in minutes after midnight.
function spanOn(item, day) {
  if (item.kind === 'todo') return { top: item.minutes, bottom: item.minutes + 30 };
  const top = item.startWall.date === day ? item.startWall.minutes : 0;
  const bottom = item.endWall.date === day ? item.endWall.minutes : 1440;
  return { top, bottom: Math.max(bottom, top + STEP) };
}

// Whether the item's end is drawn in `day`'s column (only there can its edge be dragged).
const endsOn = (item, day) => item.endWall.date === day
  || (item.endWall.minutes === 0 && item.endWall.date === addDays(day, 1) && item.startWall.date <= day);

// Side-by-side lanes for overlapping items: each gets `lane` and its cluster's `lanes`.
function layOut(entries) {
  entries.sort((a, b) => a.top - b.top || b.bottom - a.bottom);
  let cluster = [];
  let clusterEnd = -1;
  const close = () => { const lanes = Math.max(...cluster.map((e) => e.lane)) + 1; cluster.forEach((e) => { e.lanes = lanes; }); };
  for (const entry of entries) {
    if (entry.top >= clusterEnd && cluster.length) { close(); cluster = []; }
    const used = new Set(cluster.filter((e) => e.bottom > entry.top).map((e) => e.lane));
    entry.lane = 0;
    while (used.has(entry.lane)) entry.lane += 1;
    cluster.push(entry);
    clusterEnd = Math.max(clusterEnd, entry.bottom);
  }
  if (cluster.length) close();
  return entries;
}

// view: { first, count (1 or 7), today, settings, items, onOpen, onNew(preset), onDay(day), onMove(item, change),
//   onResize(item, endMs, byKey) }
export function timeGrid(view) {
  const { first, count, settings, items } = view;
  const days = Array.from({ length: count }, (_, i) => addDays(first, i));
  const zone = settings.zone;
  const allDay = items.filter((i) => i.all_day);
  const timed = items.filter((i) => !i.all_day);

  const heads = days.map((day) => h('div', { class: `grid-head${day === view.today ? ' today' : ''}` },
    count > 1 ? h('button', { type: 'button', class: 'link day-link', onclick: () => view.onDay(day), 'aria-label': `Open ${dayText(day)}` },
      h('span', { class: 'wd' }, dayText(day, 'weekday')), h('span', { class: 'dn' }, String(Number(day.slice(8)))))
      : h('span', {}, dayText(day))));
  const allDayCells = days.map((day) => {
    const cell = h('div', { class: 'allday-cell', dataset: { day } }, sortItems(allDay.filter((i) => touches(i, day))).map((item) => {
      const chip = itemChip(item, { day, settings, onOpen: view.onOpen });
      if (writable(item)) dayDrag(chip, item, day, '.allday-cell');
      return chip;
    }));
    return cell;
  });
  const gutter = h('div', { class: 'grid-gutter', 'aria-hidden': 'true' },
    Array.from({ length: 24 }, (_, hour) => h('div', { class: 'hour-label' }, hour ? clockText(hour * 60, settings.hour12) : '')));
  const columns = days.map((day) => column(day));
  // One scroller holds the sticky heads too, so a scrollbar narrows heads and columns alike.
  const top = h('div', { class: 'grid-top' },
    h('div', { class: 'grid-row grid-heads' }, h('div', { class: 'grid-gutter-head' }), heads),
    h('div', { class: 'grid-row grid-allday' }, h('div', { class: 'grid-gutter-head muted' }, 'All day'), allDayCells));
  const scroller = h('div', { class: 'grid-scroll' }, top, h('div', { class: 'grid-body' }, gutter, columns));
  const el = h('div', { class: `time-grid days-${count}` }, scroller);
  // Start the day at 07:00 (or at the first event), once the grid is in the page.
  const earliest = Math.min(7 * 60, ...timed.filter((i) => days.some((d) => touches(i, d))).map((i) => spanOn(i, days.find((d) => touches(i, d))).top));
  requestAnimationFrame(() => { scroller.scrollTop = (earliest / 60) * HOUR; });
  return el;

  function column(day) {
    const entries = layOut(timed.filter((i) => touches(i, day)).map((item) => ({ item, ...spanOn(item, day) })));
    const col = h('div', { class: `day-col${day === view.today ? ' today' : ''}`, dataset: { day }, 'aria-label': dayText(day) },
      Array.from({ length: 24 }, () => h('div', { class: 'hour-line' })),
      entries.map((entry) => block(entry, day)));
    creator(col, day);
    return col;
  }

  function block({ item, top, bottom, lane, lanes }, day) {
    const el = itemChip(item, { day, settings, onOpen: view.onOpen, className: 'grid-item' });
    el.style.top = `${(top / 60) * HOUR}px`;
    el.style.height = `${Math.max(((bottom - top) / 60) * HOUR - 2, 18)}px`;
    el.style.left = `${(lane / lanes) * 100}%`;
    el.style.width = `calc(${100 / lanes}% - 2px)`;
    if (writable(item)) timeDrag(el, item, day, top);
    if (writable(item) && endsOn(item, day)) {
      resizable(el, {
        top, bottom, hour: HOUR, snap, step: STEP, label: (minutes) => clockText(minutes, settings.hour12),
        onResize: (minutes, byKey) => view.onResize(item, instantAt(day, minutes, zone), byKey),
      });
    }
    return el;
  }

  // Dragging an event: follows the pointer in 15-minute steps and across day columns.
  function timeDrag(el, item, day, top) {
    const original = { top: el.style.top, left: el.style.left };
    let target = null;
    const place = (event, dy) => {
      const col = under(event.clientX, event.clientY, '.day-col');
      const minutes = snap(top + (dy / HOUR) * 60);
      return { col, minutes };
    };
    // Alt+↑/↓: a step earlier/later; Alt+←/→: the day before/after.
    keyMovable(el, ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight'], (key) => {
      const delta = { ArrowUp: -STEP, ArrowDown: STEP }[key] || 0;
      const shiftDays = { ArrowLeft: -1, ArrowRight: 1 }[key] || 0;
      const startMs = instantAt(addDays(item.startWall.date, shiftDays), item.startWall.minutes + delta, zone);
      view.onMove(item, { startMs, days: shiftDays }, true);
    });
    onDrag(el, {
      start: (event) => !isEdge(event),
      move: (event, dx, dy) => {
        const { col, minutes } = place(event, dy);
        el.style.top = `${(minutes / 60) * HOUR}px`;
        target?.classList.remove('drop-target');
        target = col;
        target?.classList.add('drop-target');
      },
      drop: (event, dx, dy) => {
        target?.classList.remove('drop-target');
        const { col, minutes } = place(event, dy);
        if (!col) { Object.assign(el.style, original); return; }
        const shiftDays = Math.round((Date.parse(col.dataset.day) - Date.parse(day)) / 86400000);
        const delta = minutes - top;
        if (shiftDays === 0 && delta === 0) { Object.assign(el.style, original); return; }
        const startMs = instantAt(addDays(item.startWall.date, shiftDays), item.startWall.minutes + delta, zone);
        view.onMove(item, { startMs, days: shiftDays });
      },
      cancel: () => { Object.assign(el.style, original); target?.classList.remove('drop-target'); },
    });
  }

  // All-day items move between the day cells of the top row.
  function dayDrag(chip, item, day, selector) {
    keyMovable(chip, ['ArrowLeft', 'ArrowRight'], (key) => view.onMove(item, { days: key === 'ArrowLeft' ? -1 : 1 }, true));
    onDrag(chip, {
      drop: (event) => {
        const cell = under(event.clientX, event.clientY, selector);
        if (cell && cell.dataset.day !== day) view.onMove(item, { days: Math.round((Date.parse(cell.dataset.day) - Date.parse(day)) / 86400000) });
      },
    });
  }

  // Click-drag on empty time: a ghost shows the span; releasing opens the new event.
  function creator(col, day) {
    let from = 0;
    let ghost = null;
    const minutesAt = (event) => snap(((event.clientY - col.getBoundingClientRect().top) / HOUR) * 60 - STEP / 2);
    const span = (event) => {
      const to = snap(((event.clientY - col.getBoundingClientRect().top) / HOUR) * 60);
      return to > from ? [from, Math.max(to, from + STEP)] : [Math.max(0, to - STEP), from + STEP];
    };
    onDrag(col, {
      start: (event) => {
        if (event.target !== col && !event.target.classList.contains('hour-line')) return false;
        from = minutesAt(event);
        return true;
      },
      move: (event) => {
        const [a, b] = span(event);
        if (!ghost) { ghost = paint(h('div', { class: 'grid-ghost', 'aria-hidden': 'true' }), null); col.append(ghost); }
        ghost.style.top = `${(a / 60) * HOUR}px`;
        ghost.style.height = `${((b - a) / 60) * HOUR}px`;
        ghost.textContent = `${clockText(a, settings.hour12)}–${clockText(b, settings.hour12)}`;
      },
      drop: (event) => {
        const [a, b] = span(event);
        ghost?.remove();
        ghost = null;
        view.onNew({ start: instantAt(day, a, zone), end: instantAt(day, b, zone) });
      },
      cancel: () => { ghost?.remove(); ghost = null; },
    });
    col.addEventListener('click', (event) => {
      if (event.target !== col && !event.target.classList.contains('hour-line')) return;
      const at = snap(((event.clientY - col.getBoundingClientRect().top) / HOUR) * 60 - 30);
      view.onNew({ start: instantAt(day, at, zone), end: instantAt(day, at + 60, zone) });
    });
  }
}
