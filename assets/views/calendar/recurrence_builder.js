// The event dialog's recurrence builder: every N days/weeks/months/years; on chosen
// weekdays; monthly or yearly "on day 31", "the 2nd Tuesday" or "the last Friday"; ends never,
// on a date (UNTIL) or after N times (COUNT). It writes RRULE text into a field that may also
// be edited by hand: parts the builder does not offer (BYSETPOS, WKST…) are kept.

import { h } from '../../dom.js';
import { addDays, instantAt, parseDate, wallClock, weekday, WEEKDAY_CODES } from './time.js';

const FREQS = [['', 'Does not repeat'], ['DAILY', 'Daily'], ['WEEKLY', 'Weekly'], ['MONTHLY', 'Monthly'], ['YEARLY', 'Yearly']];
const UNITS = { DAILY: 'day(s)', WEEKLY: 'week(s)', MONTHLY: 'month(s)', YEARLY: 'year(s)' };
const DAY_NAMES = { MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday' };
const ORDINALS = [['1', 'first'], ['2', 'second'], ['3', 'third'], ['4', 'fourth'], ['-1', 'last']];
const OWNED = ['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'COUNT', 'UNTIL'];

export function partsOf(rule) {
  const parts = {};
  for (const part of (rule || '').replace(/^RRULE:/i, '').split(';')) {
    const [name, value] = part.split('=');
    if (name && value !== undefined) parts[name.trim().toUpperCase()] = value.trim().toUpperCase();
  }
  return parts;
}

const compact = (ms) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

function select(id, label, options, value) {
  const el = h('select', { id, name: id, 'aria-label': label }, options.map(([v, l]) => h('option', { value: v }, l)));
  if (value !== undefined) el.value = value;
  return el;
}

// rule: the current RRULE text (or null); start(): the first day (`YYYY-MM-DD`).
export function recurrenceBuilder({ rule, start }) {
  const parts = partsOf(rule);
  const freq = select('event-repeat', 'Repeats', FREQS, parts.FREQ || '');
  const every = h('input', { id: 'event-every', type: 'number', min: 1, max: 999, value: parts.INTERVAL || 1, 'aria-label': 'Every how many' });
  const unit = h('span', { class: 'muted' });
  const dayBoxes = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'].map((code) => h('label', { class: 'day-toggle' },
    h('input', { type: 'checkbox', value: code, name: 'byday', checked: parts.FREQ === 'WEEKLY' && (parts.BYDAY || '').split(',').includes(code) }),
    DAY_NAMES[code].slice(0, 3)));
  const weekly = h('fieldset', { class: 'days' }, h('legend', {}, 'On'), dayBoxes);
  const nth = /^(-?\d)([A-Z]{2})$/.exec(parts.BYDAY || '');
  const monthKind = select('event-month-kind', 'Monthly on', [['day', 'On day'], ['nth', 'On the']], nth ? 'nth' : 'day');
  const monthDay = select('event-month-day', 'Day of the month',
    [...Array.from({ length: 31 }, (_, i) => [String(i + 1), String(i + 1)]), ['-1', 'last day']], parts.BYMONTHDAY || undefined);
  const ordinal = select('event-ordinal', 'Which week', ORDINALS, nth ? nth[1] : '1');
  const nthDay = select('event-nth-day', 'Which weekday', Object.entries(DAY_NAMES), nth ? nth[2] : 'MO');
  const monthly = h('div', { class: 'field inline month-rule' }, monthKind, monthDay, ordinal, nthDay);
  const untilPart = parts.UNTIL ? `${parts.UNTIL.slice(0, 4)}-${parts.UNTIL.slice(4, 6)}-${parts.UNTIL.slice(6, 8)}` : '';
  const ends = select('event-ends', 'Ends', [['never', 'Never'], ['until', 'On a date'], ['count', 'After a number of times']],
    parts.COUNT ? 'count' : parts.UNTIL ? 'until' : 'never');
  const until = h('input', { id: 'event-until', type: 'date', value: untilPart, 'aria-label': 'Last day' });
  const count = h('input', { id: 'event-count', type: 'number', min: 1, max: 5000, value: parts.COUNT || 10, 'aria-label': 'Number of times' });
  const raw = h('input', { id: 'event-rrule', name: 'recurrence', type: 'text', value: rule || '', spellcheck: 'false', maxlength: 500 });
  const details = h('div', { class: 'repeat-details' });
  let context = { allDay: false, zone: 'UTC' };
  // Until the user touches the builder, an existing rule is kept exactly as stored.
  let interacted = false;

  const defaults = () => {
    const first = start();
    if (!first) return;
    if (!monthDay.dataset.touched) monthDay.value = String(Number(first.slice(8, 10)));
    if (!nthDay.dataset.touched) nthDay.value = WEEKDAY_CODES[weekday(first)];
    if (!ordinal.dataset.touched) {
      const week = Math.ceil(Number(first.slice(8, 10)) / 7);
      const last = parseDate(addDays(first, 7)).getUTCMonth() !== parseDate(first).getUTCMonth();
      ordinal.value = last && week >= 4 ? '-1' : String(Math.min(week, 4));
    }
  };

  const untilText = () => {
    if (!until.value) return null;
    if (context.allDay) return until.value.replaceAll('-', '');
    // The end of that day in the event's zone, as UTC (RFC 5545 wants UTC with a zoned start).
    return compact(instantAt(addDays(until.value, 1), 0, context.zone) - 1000);
  };

  const build = () => {
    const kept = Object.entries(partsOf(raw.value)).filter(([name]) => !OWNED.includes(name));
    if (!freq.value) {
      raw.value = '';
    } else {
      const out = [`FREQ=${freq.value}`];
      const n = Number(every.value);
      if (Number.isInteger(n) && n > 1) out.push(`INTERVAL=${n}`);
      if (freq.value === 'WEEKLY') {
        const chosen = dayBoxes.map((d) => d.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
        if (chosen.length) out.push(`BYDAY=${chosen.join(',')}`);
      }
      if (freq.value === 'YEARLY' && start()) out.push(`BYMONTH=${Number(start().slice(5, 7))}`);
      if (freq.value === 'MONTHLY' || freq.value === 'YEARLY') {
        out.push(monthKind.value === 'nth' ? `BYDAY=${ordinal.value}${nthDay.value}` : `BYMONTHDAY=${monthDay.value}`);
      }
      if (ends.value === 'count' && Number(count.value) > 0) out.push(`COUNT=${Number(count.value)}`);
      if (ends.value === 'until' && untilText()) out.push(`UNTIL=${untilText()}`);
      raw.value = [...out, ...kept.map(([k, v]) => `${k}=${v}`)].join(';');
    }
    show();
  };

  const show = () => {
    details.hidden = !freq.value;
    weekly.hidden = freq.value !== 'WEEKLY';
    monthly.hidden = freq.value !== 'MONTHLY' && freq.value !== 'YEARLY';
    monthDay.hidden = monthKind.value !== 'day';
    ordinal.hidden = monthKind.value !== 'nth';
    nthDay.hidden = monthKind.value !== 'nth';
    until.hidden = ends.value !== 'until';
    count.hidden = ends.value !== 'count';
    unit.textContent = UNITS[freq.value] || '';
  };

  for (const el of [freq, every, monthKind, monthDay, ordinal, nthDay, ends, until, count]) {
    el.addEventListener('change', () => { el.dataset.touched = '1'; interacted = true; build(); });
    el.addEventListener('input', () => { interacted = true; build(); });
  }
  dayBoxes.forEach((d) => d.querySelector('input').addEventListener('change', () => { interacted = true; build(); }));
  raw.addEventListener('input', () => {
    const typed = partsOf(raw.value);
    freq.value = FREQS.some(([v]) => v === typed.FREQ) ? typed.FREQ : '';
    every.value = typed.INTERVAL || 1;
    show();
  });
  if (parts.UNTIL && parts.UNTIL.includes('T')) {
    // A UTC UNTIL reads back as the day it falls on in the event's zone (set on first `update`).
    const iso = `${untilPart}T${parts.UNTIL.slice(9, 11)}:${parts.UNTIL.slice(11, 13)}:${parts.UNTIL.slice(13, 15)}Z`;
    until.dataset.instant = String(Date.parse(iso));
  }
  defaults();
  show();

  details.append(
    h('div', { class: 'field inline' }, h('label', { for: 'event-every' }, 'Every'), every, unit),
    weekly, monthly,
    h('div', { class: 'field inline' }, h('label', { for: 'event-ends' }, 'Ends'), ends, until, count));
  const el = h('fieldset', { class: 'repeat' },
    h('legend', {}, 'Repeat'),
    h('div', { class: 'field' }, h('label', { for: 'event-repeat' }, 'Repeats'), freq),
    details,
    h('details', { class: 'rrule-details', open: Boolean(rule) && Object.keys(parts).some((p) => !OWNED.includes(p)) },
      h('summary', {}, 'Rule as text (RRULE)'),
      h('div', { class: 'field' }, h('label', { for: 'event-rrule' }, 'RRULE'), raw,
        h('p', { class: 'hint' }, 'Built from the choices above; parts such as BYSETPOS=-1 may be added by hand.'))));
  return {
    el,
    // The start day or the zone changed: defaults follow, and a rule that is shown rebuilds.
    update(next) {
      context = { ...context, ...next };
      if (until.dataset.instant) {
        until.value = wallClock(Number(until.dataset.instant), context.zone).date;
        delete until.dataset.instant;
      }
      defaults();
      if (interacted) build();
    },
    value: () => raw.value.trim() || null,
    changed: () => (raw.value.trim() || null) !== (rule || null),
    rebuild: build,
  };
}

