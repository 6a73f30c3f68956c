// What the calendar pages read and write: the user's settings (zone, week start, clock), the
// calendars they can see, one window of occurrences, and the agenda's extra kinds (birthdays,
// due todos). Items are normalised once here so the views only draw.

import { ApiError, del, get, itemsOf, patch, post } from '../../api.js';
import { addDays, daysBetween, instantAt, parseDate, validZone, wallClock } from './time.js';

const deviceZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export async function loadSettings() {
  let settings = {};
  try {
    settings = await get('/api/settings');
  } catch (error) {
    if (error.signedOut) throw error;
  }
  return {
    zone: settings.timezone && validZone(settings.timezone) ? settings.timezone : deviceZone(),
    weekStart: settings.week_start || 'monday',
    hour12: settings.time_format === '12h',
  };
}

export const canWrite = (calendar) => ['owner', 'manage', 'write'].includes(calendar && calendar.access);
export const canManage = (calendar) => ['owner', 'manage'].includes(calendar && calendar.access);
export const calendarColour = (calendar) => (calendar && (calendar.colour_override || calendar.colour)) || '#5B8DEF';

export async function loadCalendars() {
  const calendars = itemsOf(await get('/api/calendars?limit=500'));
  // Own calendars first (the default on top), then shared ones, each by name.
  const rank = (c) => (c.is_default ? 0 : c.access === 'owner' ? 1 : 2);
  return calendars.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

// The occurrences overlapping the days [first, last] in `zone`, each with `days` (the
// local days it touches) and, for timed ones, start/end in ms, as `{ items, tooFull }`.
// A window holds at most 5,000 occurrences. When one calendar (a shared one someone filled,
// say) takes it past that, the calendars are read one by one instead, so the others still
// show; `tooFull` names those still too full on their own (their items, and invitations from
// calendars not in `calendars`, are left out).
export async function loadRange(first, last, zone, calendars) {
  const start = new Date(instantAt(first, 0, zone)).toISOString();
  const end = new Date(instantAt(addDays(last, 1), 0, zone)).toISOString();
  const read = async (calendar) => {
    const only = calendar ? `&calendar_id=${calendar.id}` : '';
    const answer = await get(`/api/events?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}${only}`);
    return itemsOf(answer).map((item) => normalise(item, zone));
  };
  try {
    return { items: await read(null), tooFull: [] };
  } catch (error) {
    if (!tooManyOccurrences(error)) throw error;
  }
  const items = [];
  const tooFull = [];
  for (const calendar of calendars) {
    try {
      items.push(...await read(calendar));
    } catch (error) {
      if (!tooManyOccurrences(error)) throw error;
      tooFull.push(calendar.name);
    }
  }
  return { items, tooFull };
}

const tooManyOccurrences = (error) => error instanceof ApiError && error.status === 422
  && /occurrences/.test(error.fields.end || '');

function normalise(item, zone) {
  const out = { ...item, kind: 'event' };
  if (item.all_day) {
    out.firstDay = item.start_date;
    out.lastDay = addDays(item.end_date || addDays(item.start_date, 1), -1);
    if (out.lastDay < out.firstDay) out.lastDay = out.firstDay;
  } else {
    out.startMs = Date.parse(item.start);
    out.endMs = Math.max(Date.parse(item.end), out.startMs);
    out.startWall = wallClock(out.startMs, zone);
    out.endWall = wallClock(out.endMs, zone);
    out.firstDay = out.startWall.date;
    // An event ending exactly at midnight does not touch the next day.
    const endsAtMidnight = out.endWall.minutes === 0 && out.endMs > out.startMs;
    out.lastDay = endsAtMidnight ? addDays(out.endWall.date, -1) : out.endWall.date;
    if (out.lastDay < out.firstDay) out.lastDay = out.firstDay;
  }
  return out;
}

export const touches = (item, day) => item.firstDay <= day && day <= item.lastDay;

// People's birthdays placed on the days [first, last] (29 February → 28 February in other years).
export async function loadBirthdays(first, last, zone) {
  const page = await get(`/api/people/birthdays?days=366&limit=500&tz=${encodeURIComponent(zone)}`);
  const out = [];
  for (const person of itemsOf(page)) {
    const monthDay = person.birthday.slice(-5);
    const born = /^\d{4}/.test(person.birthday) ? Number(person.birthday.slice(0, 4)) : null;
    for (let year = Number(first.slice(0, 4)); year <= Number(last.slice(0, 4)); year += 1) {
      let day = `${year}-${monthDay}`;
      if (monthDay === '02-29' && parseDate(day).getUTCMonth() !== 1) day = `${year}-02-28`;
      if (day < first || day > last) continue;
      out.push({ kind: 'birthday', id: `birthday-${person.person_id}-${year}`, person_id: person.person_id, title: person.name,
        all_day: true, firstDay: day, lastDay: day, turns: born ? year - born : null });
    }
  }
  return out;
}

// Open todos due on the days [first, last].
export async function loadTodos(first, last, zone) {
  const page = await get(`/api/todos?status=open&due_after=${first}&due_before=${last}&sort=due&limit=500`);
  return itemsOf(page).flatMap((todo) => {
    const day = todo.due_date || (todo.due_at ? wallClock(Date.parse(todo.due_at), zone).date : null);
    if (!day || day < first || day > last) return [];
    const at = todo.due_at ? wallClock(Date.parse(todo.due_at), zone).minutes : null;
    return [{ kind: 'todo', id: `todo-${todo.id}`, todo_id: todo.id, title: todo.title, all_day: at === null, firstDay: day, lastDay: day, minutes: at }];
  });
}

// ---- Writes

// The query of a scoped change: `scope` and, for this/following, the occurrence.
function scoped(path, scope, recurrenceId) {
  if (!scope) return path;
  const params = new URLSearchParams({ scope });
  if (scope !== 'all' && recurrenceId) params.set('recurrence_id', recurrenceId);
  return `${path}?${params}`;
}

export const getEvent = (id) => get(`/api/events/${id}`);
export const createEvent = (body) => post('/api/events', body);
export const updateEvent = (id, body, scope, recurrenceId) => patch(scoped(`/api/events/${id}`, scope, recurrenceId), body);
export const deleteEvent = (id, scope, recurrenceId) => del(scoped(`/api/events/${id}`, scope, recurrenceId));

// The body that moves an occurrence to start at `startMs` (timed) or by `days` (all-day). For
// scope `all` the series' own start moves by the same amount (the occurrence may not be the
// first), so `series` is the event as GET /api/events/{id} gives it.
export function moveBody(item, { startMs, days = 0 }, series) {
  if (item.all_day) {
    const base = series || { start_date: item.start_date, end_date: item.end_date };
    return { start_date: addDays(base.start_date, days), end_date: addDays(base.end_date, days) };
  }
  const shift = startMs - item.startMs;
  const base = series ? { startMs: Date.parse(series.start), endMs: Date.parse(series.end) } : item;
  return { start: new Date(base.startMs + shift).toISOString(), end: new Date(base.endMs + shift).toISOString() };
}

// The body that makes a timed occurrence end at `endMs`, its start unchanged. For scope `all`
// the series keeps its own start and gets the occurrence's new length (as a move keeps it).
export function resizeBody(item, endMs, series) {
  const end = series ? Date.parse(series.start) + (endMs - item.startMs) : endMs;
  return { end: new Date(end).toISOString() };
}

// A day difference between two `YYYY-MM-DD` days (for drags in the month view).
export const dayShift = daysBetween;

// Sends a raw text/calendar body (api.js sends JSON only); counts as a pending request.
export async function importIcs(calendarId, text) {
  const root = document.documentElement;
  root.dataset.pending = String(Number(root.dataset.pending || 0) + 1);
  try {
    const response = await fetch(`/api/calendars/${calendarId}/import`, {
      method: 'POST', credentials: 'same-origin', body: text,
      headers: { 'Content-Type': 'text/calendar', 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json' },
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  } finally {
    root.dataset.pending = String(Number(root.dataset.pending || 1) - 1);
  }
}
