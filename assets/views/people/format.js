// How people's dates read: birthdays without a year, upcoming days in words, in the order
// of the user's date-format setting (format.js). Dates are days, so they format in UTC.

import { dateWords } from '../../format.js';

const MONTH_DAY = { month: 'long', day: 'numeric', timeZone: 'UTC' };
const FULL_DATE = { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' };
const WEEKDAY = { weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC' };

// `YYYY-MM-DD` or `--MM-DD` as words ("17 May 1990", "29 February").
export function formatBirthday(text) {
  if (!text) return '';
  if (text.startsWith('--')) return dateWords(new Date(`2000${text.slice(1)}T00:00:00Z`), MONTH_DAY);
  return dateWords(new Date(`${text}T00:00:00Z`), FULL_DATE);
}

export function whenText(item) {
  const day = dateWords(new Date(`${item.date}T00:00:00Z`), WEEKDAY);
  if (item.days_until === 0) return `Today (${day})`;
  if (item.days_until === 1) return `Tomorrow (${day})`;
  return `In ${item.days_until} days (${day})`;
}

export const userZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
