// Times in the user's own time zone and format (Settings → Preferences), never as raw ISO
// strings. The last settings seen are kept in localStorage, so a page load draws in the
// right format at once; before any: this device's zone, ISO dates, a 24-hour clock. Dates in
// words (`dateWords`) follow the same date-format setting for their order.

const KEY = 'umbra-formats';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const deviceZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function validZone(zone) {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return null;
  }
}

function remembered() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || 'null');
    if (saved && typeof saved === 'object') {
      return { timeZone: validZone(saved.timeZone) || deviceZone(), hour12: saved.hour12 === true, dateFormat: saved.dateFormat || 'iso' };
    }
  } catch {
    // Unreadable: the defaults.
  }
  return { timeZone: deviceZone(), hour12: false, dateFormat: 'iso' };
}

const prefs = remembered();

// Takes the user's settings; true when what is shown changes.
export function setFormatPreferences({ timezone, time_format: timeFormat, date_format: dateFormat }) {
  const next = {
    timeZone: (timezone && validZone(timezone)) || deviceZone(),
    hour12: timeFormat === '12h',
    dateFormat: dateFormat || 'iso',
  };
  const changed = Object.keys(next).some((key) => next[key] !== prefs[key]);
  Object.assign(prefs, next);
  localStorage.setItem(KEY, JSON.stringify(prefs));
  return changed;
}

function parts(date) {
  const all = new Intl.DateTimeFormat('en-US', {
    timeZone: prefs.timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).formatToParts(date);
  return Object.fromEntries(all.map((p) => [p.type, p.value]));
}

export function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  const { year, month, day, hour, minute } = parts(date);
  const dates = {
    iso: `${year}-${month}-${day}`,
    dmy: `${day}/${month}/${year}`,
    mdy: `${month}/${day}/${year}`,
    long: `${Number(day)} ${MONTHS[Number(month) - 1]} ${year}`,
  };
  const h = Number(hour) % 24;
  const time = prefs.hour12 ? `${h % 12 || 12}:${minute} ${h < 12 ? 'am' : 'pm'}` : `${String(h).padStart(2, '0')}:${minute}`;
  return `${dates[prefs.dateFormat] || dates.iso} ${time}`;
}

// Dates in words ("Monday 1 March 2027", "Mon 1 Mar") take the order of the date-format
// setting: month before day for `mdy` ("Monday, March 1, 2027", "Mon, Mar 1"), day before
// month for the others (as `dmy` and `long` write numbers; `iso` has no word order of its
// own). The names come from Intl in English, the UI's language, whatever the browser's.
const wordFormats = new Map();
export function wordLocale() {
  return prefs.dateFormat === 'mdy' ? 'en-US' : 'en-GB';
}

export const prefersHour12 = () => prefs.hour12;

// `options` are Intl.DateTimeFormat's; without `timeZone`, the user's zone.
export function dateWords(date, options) {
  const all = { timeZone: prefs.timeZone, ...options };
  const key = `${wordLocale()} ${JSON.stringify(all)}`;
  let format = wordFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(wordLocale(), all);
    wordFormats.set(key, format);
  }
  return format.format(date);
}
