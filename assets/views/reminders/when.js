// Reminder times for people: "in 2 h" beside the date in the browser's zone, the repeat
// badge's words, and the local wall time a form shows for an instant in a given zone.

import { formatTime } from '../../format.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// "in 5 min", "2 h ago", "in 3 days", "now".
export function relative(iso, now = Date.now()) {
  const diff = new Date(iso).getTime() - now;
  const size = Math.abs(diff);
  // Rounded at each scale first, so 59.9 minutes reads "1 h", not "60 min".
  const minutes = Math.round(size / MINUTE);
  const hours = Math.round(size / HOUR);
  const days = Math.round(size / DAY);
  let words;
  if (minutes === 0) return 'now';
  if (minutes < 60) words = `${minutes} min`;
  else if (hours < 24) words = `${hours} h`;
  else words = days === 1 ? '1 day' : `${days} days`;
  return diff > 0 ? `in ${words}` : `${words} ago`;
}

// "in 2 h · 29 Nov 2026, 14:00".
export function whenText(iso) {
  return `${relative(iso)} · ${formatTime(iso)}`;
}

// The repeat choices of the form: RRULE ↔ words.
export const NO_REPEAT = 'none';
export const REPEATS = [
  [NO_REPEAT, 'Does not repeat'],
  ['FREQ=DAILY', 'Daily'],
  ['FREQ=WEEKLY', 'Weekly'],
  ['FREQ=MONTHLY', 'Monthly'],
  ['FREQ=YEARLY', 'Yearly'],
];

export function repeatLabel(rule) {
  if (!rule) return null;
  const known = REPEATS.find(([value]) => value === rule);
  return known ? `Repeats ${known[1].toLowerCase()}` : 'Repeats';
}

// The wall-clock time (`YYYY-MM-DDTHH:MM`) of an instant in `zone`, for a datetime-local input.
export function localInput(iso, zone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

// Tomorrow at 09:00 in the browser's zone, as an instant.
export function tomorrowAtNine(now = new Date()) {
  const at = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0, 0, 0);
  return at.toISOString();
}

// The next full hour from now, as the default time of a new reminder.
export function nextHour(now = new Date()) {
  const at = new Date(now.getFullYear(), now.getMonth(), now.getDate(), now.getHours() + 1, 0, 0, 0);
  return at.toISOString();
}
