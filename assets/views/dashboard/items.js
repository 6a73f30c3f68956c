// How the dashboard's lines read: an event, todo, reminder or birthday with its time (or
// "All day"), its kind and a link to where it lives; a task assigned to me with its project,
// status and due date; days in words.

import { h } from '../../dom.js';
import { dateWords, prefersHour12 } from '../../format.js';
import { linkProps } from '../../nav.js';
import { dueLabel, priorityLabel, taskStatusLabel } from '../projects/shared.js';

const KINDS = { event: 'Event', todo: 'Todo', reminder: 'Reminder', birthday: 'Birthday' };

// Only a path inside the app is followed. A calendar link naming a date opens that day.
export function appPath(link) {
  if (typeof link !== 'string' || !link.startsWith('/') || link.startsWith('//')) return null;
  const day = /^\/calendar\?date=(\d{4}-\d{2}-\d{2})$/.exec(link);
  return day ? `/calendar/day/${day[1]}` : link;
}

const clock = (iso) => dateWords(new Date(iso), { hour: prefersHour12() ? 'numeric' : '2-digit', minute: '2-digit', hour12: prefersHour12() });

// A `YYYY-MM-DD` day in words: "Tuesday 3 March" (the order of the date-format setting).
export function dayWords(date, options = { weekday: 'long', day: 'numeric', month: 'long' }) {
  const [y, m, d] = date.split('-').map(Number);
  return dateWords(new Date(Date.UTC(y, m - 1, d, 12)), { ...options, timeZone: 'UTC' });
}

function timeText(item, { withDate = false, today = null } = {}) {
  if (item.kind === 'todo' && withDate) return `Due ${dayWords(item.date, { weekday: 'short', day: 'numeric', month: 'short' })}`;
  if (item.kind === 'todo' && !item.start) return item.date === today ? 'Due today' : 'Due';
  if (item.all_day || !item.start) return 'All day';
  return item.end && item.kind === 'event' ? `${clock(item.start)}–${clock(item.end)}` : clock(item.start);
}

// withDate: the line names its day (overdue todos), not only its time; today: the
// dashboard's date, so a todo due then says so.
export function itemLine(item, { withDate = false, today = null } = {}) {
  const link = appPath(item.link);
  const content = [
    h('span', { class: 'dash-time' }, timeText(item, { withDate, today })),
    h('span', { class: 'dash-title' }, item.title),
    h('span', { class: 'badge kind-badge' }, KINDS[item.kind] || item.kind),
  ];
  const li = h('li', { class: `dash-item kind-${item.kind}`, dataset: { kind: item.kind } },
    link ? h('a', { ...linkProps(link), class: 'dash-link' }, content) : h('span', { class: 'dash-link' }, content));
  if (item.colour) li.style.setProperty('--item', item.colour);
  return li;
}

export function taskLine(task) {
  const link = appPath(task.link);
  return h('li', { class: 'dash-item kind-task' },
    h('a', { ...linkProps(link || `/projects/${task.project_id}`), class: 'dash-link' },
      h('span', { class: 'dash-title' }, task.title),
      h('span', { class: 'dash-sub muted' }, task.project_name, ' · ', taskStatusLabel(task.status),
        task.priority !== 'none' ? ` · ${priorityLabel(task.priority)}` : ''),
      dueLabel(task.due_date)));
}
