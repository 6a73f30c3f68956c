// The event dialog's fields: title, calendar, all-day, start/end (in the event's zone, which
// is shown when it differs from the user's), location, description, colour, alerts and the
// recurrence builder. `values()` reads them in the API's shape; `original` is what they
// started as, so a save sends only what changed.

import { h } from '../../dom.js';
import { icon } from '../../icons.js';
import { calendarColour, canWrite } from './data.js';
import { recurrenceBuilder } from './recurrence_builder.js';
import { addDays, instantAt, localInput, validDate, validZone, wallClock } from './time.js';

const ALERTS = [[0, 'At the start'], [5, '5 minutes before'], [10, '10 minutes before'], [15, '15 minutes before'],
  [30, '30 minutes before'], [60, '1 hour before'], [120, '2 hours before'], [1440, '1 day before'], [2880, '2 days before'], [10080, '1 week before']];

function row(id, label, control, extra = null) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, extra,
    h('p', { class: 'field-error', id: `${id}-error`, hidden: true }));
}

function zoneOptions(current, user) {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([current, user, 'UTC', ...all].filter(Boolean))].sort().map((z) => h('option', { value: z }, z.replaceAll('_', ' ')));
}

// An alerts editor: up to five "minutes before" choices.
function alertsEditor(values) {
  const list = h('ul', { class: 'alert-list', id: 'event-alerts' });
  const add = (minutes = 15, focus = false) => {
    const options = ALERTS.some(([m]) => m === minutes) ? ALERTS : [...ALERTS, [minutes, `${minutes} minutes before`]];
    const choice = h('select', { 'aria-label': `Alert ${list.children.length + 1}` }, options.map(([m, l]) => h('option', { value: m }, l)));
    choice.value = String(minutes);
    const item = h('li', {}, choice, h('button', {
      type: 'button', class: 'icon-button', 'aria-label': 'Remove this alert', onclick: () => { item.remove(); addButton.hidden = false; },
    }, icon('close')));
    list.append(item);
    addButton.hidden = list.children.length >= 5;
    if (focus) choice.focus();
  };
  const addButton = h('button', { type: 'button', class: 'link small', onclick: () => add(15, true) }, 'Add an alert');
  for (const m of values || []) add(m);
  return {
    el: h('div', { class: 'field' }, h('span', { class: 'label' }, 'Alerts'), list, addButton,
      h('p', { class: 'field-error', id: 'event-alerts-error', hidden: true })),
    value: () => [...list.querySelectorAll('select')].map((s) => Number(s.value)),
  };
}

// event: { title, calendar_id, all_day, start, end (ms), start_date, end_date (exclusive),
// timezone, location, description, colour, alerts, recurrence }; ctx: { settings, calendars }.
export function eventForm(event, ctx) {
  const userZone = ctx.settings.zone;
  const zone0 = event.timezone && validZone(event.timezone) ? event.timezone : userZone;
  const writable = ctx.calendars.filter((c) => canWrite(c) || c.id === event.calendar_id);
  const title = h('input', { id: 'event-title', name: 'title', type: 'text', maxlength: 200, value: event.title || '', required: true });
  const calendar = h('select', { id: 'event-calendar', name: 'calendar_id' },
    writable.map((c) => h('option', { value: String(c.id) }, c.access === 'owner' ? c.name : `${c.name} (shared)`)));
  calendar.value = String(event.calendar_id || (writable.find((c) => c.is_default) || writable[0] || {}).id || '');
  const allDay = h('input', { id: 'event-all-day', name: 'all_day', type: 'checkbox', checked: Boolean(event.all_day) });
  const zone = h('select', { id: 'event-zone', name: 'timezone' }, zoneOptions(zone0, userZone));
  zone.value = zone0;
  const startMs = event.start ?? instantAt(event.start_date || wallClock(Date.now(), userZone).date, 9 * 60, zone0);
  const endMs = event.end ?? startMs + 3600000;
  const start = h('input', { id: 'event-start', name: 'start', type: 'datetime-local', value: localInput(startMs, zone0) });
  const end = h('input', { id: 'event-end', name: 'end', type: 'datetime-local', value: localInput(endMs, zone0) });
  const day0 = event.start_date || wallClock(startMs, zone0).date;
  const startDate = h('input', { id: 'event-start-date', name: 'start_date', type: 'date', value: day0 });
  // All-day ends are exclusive in the API and inclusive on screen ("to Sunday" means through it).
  const endDate = h('input', { id: 'event-end-date', name: 'end_date', type: 'date', value: event.end_date ? addDays(event.end_date, -1) : day0 });
  const zoneNote = h('p', { class: 'hint zone-note' });
  const zoneBox = h('details', { class: 'zone-details' }, h('summary', {}, 'Time zone'), row('event-zone', 'Time zone of this event', zone));
  const location = h('input', { id: 'event-location', name: 'location', type: 'text', maxlength: 500, value: event.location || '' });
  const description = h('textarea', { id: 'event-description', name: 'description', rows: 3, maxlength: 10000 });
  description.value = event.description || '';
  const ownColour = h('input', { id: 'event-colour-on', type: 'checkbox', checked: Boolean(event.colour) });
  const colour = h('input', { id: 'event-colour', name: 'colour', type: 'color', value: event.colour || calendarColour(writable[0]), 'aria-label': 'Event colour' });
  const alerts = alertsEditor(event.alerts);
  const repeat = recurrenceBuilder({ rule: event.recurrence || null, start: () => (allDay.checked ? startDate.value : start.value.slice(0, 10)) });
  const timed = h('div', { class: 'field-row' }, row('event-start', 'Starts', start), row('event-end', 'Ends', end));
  const days = h('div', { class: 'field-row' }, row('event-start-date', 'First day', startDate), row('event-end-date', 'Last day', endDate));

  const sync = () => {
    timed.hidden = allDay.checked;
    days.hidden = !allDay.checked;
    zoneBox.hidden = allDay.checked;
    colour.disabled = !ownColour.checked;
    const differs = zone.value !== userZone;
    zoneNote.hidden = !differs || allDay.checked;
    zoneNote.textContent = differs ? `Times are in ${zone.value.replaceAll('_', ' ')} (yours: ${userZone.replaceAll('_', ' ')}).` : '';
    if (differs) zoneBox.open = true;
    repeat.update({ allDay: allDay.checked, zone: zone.value });
  };
  // Moving the start keeps the duration, as calendar apps do.
  let lastStart = start.value;
  start.addEventListener('change', () => {
    if (start.value && end.value && lastStart) {
      const shift = Date.parse(`${start.value}:00Z`) - Date.parse(`${lastStart}:00Z`);
      end.value = new Date(Date.parse(`${end.value}:00Z`) + shift).toISOString().slice(0, 16);
    }
    lastStart = start.value;
    sync();
  });
  startDate.addEventListener('change', () => {
    if (endDate.value < startDate.value) endDate.value = startDate.value;
    sync();
  });
  for (const el of [allDay, zone, ownColour]) el.addEventListener('change', sync);
  sync();

  const el = h('div', { class: 'event-fields' },
    row('event-title', 'Title', title),
    row('event-calendar', 'Calendar', calendar),
    h('div', { class: 'field field-checkbox' }, allDay, h('label', { for: 'event-all-day' }, 'All day')),
    timed, days, zoneNote, zoneBox,
    row('event-location', 'Location', location),
    row('event-description', 'Description', description),
    h('div', { class: 'field field-checkbox colour-field' }, ownColour, h('label', { for: 'event-colour-on' }, 'Own colour'), colour),
    alerts.el,
    repeat.el,
    h('p', { class: 'field-error', id: 'event-recurrence-error', hidden: true }));

  // The form as the API's fields; null for a field that cannot be read (shown as an error).
  const values = () => {
    const out = {
      title: title.value.trim(), calendar_id: Number(calendar.value), all_day: allDay.checked,
      location: location.value, description: description.value, colour: ownColour.checked ? colour.value.toUpperCase() : null,
      alerts: alerts.value(), recurrence: repeat.value(),
    };
    if (allDay.checked) {
      out.start_date = startDate.value;
      out.end_date = validDate(endDate.value) ? addDays(endDate.value, 1) : '';
    } else {
      out.timezone = zone.value;
      out.startMs = start.value ? instantAt(start.value.slice(0, 10), Number(start.value.slice(11, 13)) * 60 + Number(start.value.slice(14, 16)), zone.value) : NaN;
      out.endMs = end.value ? instantAt(end.value.slice(0, 10), Number(end.value.slice(11, 13)) * 60 + Number(end.value.slice(14, 16)), zone.value) : NaN;
    }
    return out;
  };
  // Checks what the browser can check before anything is sent.
  const problems = () => {
    const v = values();
    const out = {};
    if (!v.title) out.title = 'Give the event a title.';
    if (!v.calendar_id) out.calendar_id = 'Choose a calendar you can add events to.';
    if (v.all_day) {
      if (!validDate(v.start_date)) out.start_date = 'Enter the first day.';
      else if (!v.end_date || v.end_date <= v.start_date) out.end_date = 'The last day cannot be before the first.';
    } else if (Number.isNaN(v.startMs)) out.start = 'Enter when it starts.';
    else if (Number.isNaN(v.endMs)) out.end = 'Enter when it ends.';
    else if (v.endMs <= v.startMs) out.end = 'The end must be after the start.';
    return out;
  };
  return { el, values, problems, repeatChanged: repeat.changed, focus: () => title.focus() };
}
