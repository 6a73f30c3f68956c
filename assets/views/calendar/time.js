// Calendar arithmetic in the user's zone (Settings → time zone), which may differ from this
// device's: days are `YYYY-MM-DD` strings computed on UTC dates (no DST surprises), and an
// instant becomes a wall-clock time only through Intl with an explicit zone.

import { zonedInstant } from '../../fields.js';
import { dateWords } from '../../format.js';

const DAY_MS = 86400000;
export const WEEKDAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

const pad = (n) => String(n).padStart(2, '0');

// 'YYYY-MM-DD' of a UTC-midnight Date.
export function isoDate(date) {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

export function parseDate(text) {
  const [y, m, d] = text.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

export function validDate(text) {
  return typeof text === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(text) && isoDate(parseDate(text)) === text;
}

export function addDays(text, n) {
  return isoDate(new Date(parseDate(text).getTime() + n * DAY_MS));
}

// Whole days from a to b (b - a).
export function daysBetween(a, b) {
  return Math.round((parseDate(b) - parseDate(a)) / DAY_MS);
}

export function addMonths(text, n) {
  const d = parseDate(text);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), last));
  return isoDate(target);
}

// 0 = Sunday … 6 = Saturday.
export function weekday(text) {
  return parseDate(text).getUTCDay();
}

const START_DAY = { sunday: 0, monday: 1, saturday: 6 };

// The first day of the week holding `text`, for the user's week start.
export function startOfWeek(text, weekStart = 'monday') {
  const first = START_DAY[weekStart] ?? 1;
  return addDays(text, -((weekday(text) - first + 7) % 7));
}

export function startOfMonth(text) {
  return `${text.slice(0, 7)}-01`;
}

// The wall-clock parts of an instant in `zone`: { date: 'YYYY-MM-DD', minutes: since midnight }.
const partFormats = new Map();
export function wallClock(instant, zone) {
  let format = partFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    });
    partFormats.set(zone, format);
  }
  const p = Object.fromEntries(format.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, minutes: (Number(p.hour) % 24) * 60 + Number(p.minute) };
}

// The instant (ms) of a wall-clock time: day `text`, `minutes` after midnight, in `zone`.
export function instantAt(text, minutes, zone) {
  const day = addDays(text, Math.floor(minutes / 1440));
  const m = ((minutes % 1440) + 1440) % 1440;
  return Date.parse(zonedInstant(`${day}T${pad(Math.floor(m / 60))}:${pad(m % 60)}`, zone));
}

// The `datetime-local` value of an instant in `zone`.
export function localInput(instant, zone) {
  const { date, minutes } = wallClock(instant, zone);
  return `${date}T${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

export function validZone(zone) {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

// "09:30" or "9:30 am", from minutes after midnight.
export function clockText(minutes, hour12) {
  const h = Math.floor(minutes / 60) % 24;
  const m = pad(minutes % 60);
  if (!hour12) return `${pad(h)}:${m}`;
  return `${h % 12 || 12}:${m} ${h < 12 ? 'am' : 'pm'}`;
}

// A day in words, its order as the user's date-format setting says (format.js): style 'long'
// (Monday 30 November 2026 / Monday, November 30, 2026), 'short' (Mon 30 Nov), 'month'
// (November 2026), 'weekday' (Mon), 'day-month' (30 Nov 2026). Days are UTC midnights here.
const DAY_STYLES = {
  long: { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
  short: { weekday: 'short', day: 'numeric', month: 'short' },
  month: { month: 'long', year: 'numeric' },
  weekday: { weekday: 'short' },
  'day-month': { day: 'numeric', month: 'short', year: 'numeric' },
};
export function dayText(text, style = 'long') {
  return dateWords(parseDate(text), { ...DAY_STYLES[style], timeZone: 'UTC' });
}

// Today in `zone`.
export function today(zone) {
  return wallClock(Date.now(), zone).date;
}
