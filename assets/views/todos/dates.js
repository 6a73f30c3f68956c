// Dates for todos, always in the browser's own zone: local YYYY-MM-DD keys, the date words
// quick-add understands, and how a due date or time reads on screen (in words, ordered as the
// user's date-format setting says, with their clock; format.js).

import { dateWords, prefersHour12 } from '../../format.js';

const deviceZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const DATE = { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' };
const TIME = { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' };

const pad = (n) => String(n).padStart(2, '0');

// A Date's local calendar day as YYYY-MM-DD.
export function localDate(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

// A Date's local wall time as YYYY-MM-DDTHH:MM (what <input type=datetime-local> holds).
export function localDateTime(date) {
  return `${localDate(date)}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function addDays(date, days) {
  const next = new Date(date);
  next.setDate(next.getDate() + days);
  return next;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

// A date word as a local YYYY-MM-DD, or null: today, tomorrow, a weekday (the next one
// after today, also in three letters), or YYYY-MM-DD itself.
export function dateWord(word, now = new Date()) {
  const lower = word.toLowerCase();
  if (lower === 'today') return localDate(now);
  if (lower === 'tomorrow') return localDate(addDays(now, 1));
  const day = WEEKDAYS.findIndex((name) => name === lower || (lower.length === 3 && name.startsWith(lower)));
  if (day >= 0) {
    const ahead = ((day - now.getDay() + 7) % 7) || 7;
    return localDate(addDays(now, ahead));
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(word)) {
    const [y, m, d] = word.split('-').map(Number);
    const date = new Date(y, m - 1, d);
    if (date.getFullYear() === y && date.getMonth() === m - 1 && date.getDate() === d) return word;
  }
  return null;
}

// How a todo's due date or time reads: "Today", "Tomorrow" or a formatted date.
export function dueText(todo) {
  if (todo.due_at) return dateWords(new Date(todo.due_at), { ...TIME, hour12: prefersHour12(), timeZone: deviceZone() });
  if (!todo.due_date) return '';
  const today = localDate(new Date());
  if (todo.due_date === today) return 'Today';
  if (todo.due_date === localDate(addDays(new Date(), 1))) return 'Tomorrow';
  const [y, m, d] = todo.due_date.split('-').map(Number);
  return dateWords(new Date(y, m - 1, d), { ...DATE, timeZone: deviceZone() });
}

// Whether an open todo is past due.
export function isOverdue(todo) {
  if (todo.completed) return false;
  if (todo.due_at) return new Date(todo.due_at) < new Date();
  return Boolean(todo.due_date) && todo.due_date < localDate(new Date());
}
