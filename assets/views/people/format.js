// How people's dates read: birthdays without a year, upcoming days in words.

const monthDay = new Intl.DateTimeFormat(undefined, { month: 'long', day: 'numeric', timeZone: 'UTC' });
const fullDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'long', timeZone: 'UTC' });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC' });

// `YYYY-MM-DD` or `--MM-DD` as words ("17 May 1990", "29 February").
export function formatBirthday(text) {
  if (!text) return '';
  if (text.startsWith('--')) return monthDay.format(new Date(`2000${text.slice(1)}T00:00:00Z`));
  return fullDate.format(new Date(`${text}T00:00:00Z`));
}

export function whenText(item) {
  const day = weekday.format(new Date(`${item.date}T00:00:00Z`));
  if (item.days_until === 0) return `Today (${day})`;
  if (item.days_until === 1) return `Tomorrow (${day})`;
  return `In ${item.days_until} days (${day})`;
}

export const userZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
