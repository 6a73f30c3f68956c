// The event dialog: a new event, an existing one (for a series: the occurrence that was
// clicked, with the scope prompt on save and delete), or a read-only view of an event the
// user may only see (a read share, an invitation).

import { h } from '../../dom.js';
import { ApiError } from '../../api.js';
import { confirmDialog } from '../../dialog.js';
import { linkProps } from '../../nav.js';
import { toast } from '../../toast.js';
import { createEvent, deleteEvent, updateEvent } from './data.js';
import { eventForm } from './event_form.js';
import { askScope } from './scope.js';
import { describeItem } from './items.js';

const FIELD_IDS = {
  title: 'event-title', calendar_id: 'event-calendar', start: 'event-start', end: 'event-end', start_date: 'event-start-date',
  end_date: 'event-end-date', timezone: 'event-zone', recurrence: 'event-recurrence', alerts: 'event-alerts',
  location: 'event-location', description: 'event-description',
};

// What an occurrence looks like to the form: the series' values, the occurrence's own times,
// title and (where overridden) description, location and colour.
function occurrenceValues(item, series) {
  // Recurrence ids compare as instants (or dates): the same moment may be written two ways.
  const same = (a, b) => a === b || (Date.parse(a) === Date.parse(b) && !Number.isNaN(Date.parse(a)));
  const override = (series.overrides || []).find((o) => same(String(o.recurrence_id), item.recurrence_id)) || {};
  return {
    ...series,
    title: item.title ?? series.title,
    description: override.description ?? series.description,
    location: override.location ?? series.location,
    colour: 'colour' in override ? override.colour : series.colour,
    start: item.all_day ? undefined : item.startMs,
    end: item.all_day ? undefined : item.endMs,
    start_date: item.all_day ? item.start_date : undefined,
    end_date: item.all_day ? item.end_date : undefined,
  };
}

// The fields that differ from `before` (both in the form's shape), in the API's shape.
function changes(after, before, series, scope) {
  const body = {};
  for (const key of ['title', 'calendar_id', 'location', 'description', 'colour', 'recurrence']) {
    if ((after[key] ?? null) !== (before[key] ?? null)) body[key] = after[key];
  }
  if (JSON.stringify(after.alerts) !== JSON.stringify(before.alerts || [])) body.alerts = after.alerts;
  if (after.all_day !== Boolean(before.all_day)) body.all_day = after.all_day;
  if (after.all_day) {
    if (body.all_day !== undefined || after.start_date !== before.start_date || after.end_date !== before.end_date) {
      const shift = series && scope === 'all' && !body.all_day ? series : null;
      Object.assign(body, shiftDates(after, before, shift));
    }
  } else {
    if (body.all_day !== undefined || after.startMs !== before.start || after.endMs !== before.end) {
      // For "all", the series moves by what the occurrence moved by.
      const base = series && scope === 'all' && body.all_day === undefined ? Date.parse(series.start) - before.start : 0;
      body.start = new Date(after.startMs + base).toISOString();
      body.end = new Date(after.endMs + base).toISOString();
    }
    if (after.timezone !== before.timezone || body.start) body.timezone = after.timezone;
  }
  return body;
}

function shiftDates(after, before, series) {
  if (!series) return { start_date: after.start_date, end_date: after.end_date };
  const day = 86400000;
  const shift = (Date.parse(after.start_date) - Date.parse(before.start_date)) / day;
  const length = (Date.parse(after.end_date) - Date.parse(after.start_date)) / day;
  const first = new Date(Date.parse(series.start_date) + shift * day).toISOString().slice(0, 10);
  return { start_date: first, end_date: new Date(Date.parse(first) + length * day).toISOString().slice(0, 10) };
}

function showErrors(dialog, alert, error) {
  let placed = false;
  for (const [field, message] of Object.entries(error.fields || {})) {
    const id = FIELD_IDS[field.split(/[.[]/)[0]];
    const el = id && dialog.querySelector(`#${id}-error`);
    if (el) { el.textContent = message; el.hidden = false; placed = true; }
  }
  if (!placed) { alert.textContent = error.message; alert.hidden = false; }
}

function shell(titleText, body, onClose) {
  const dialog = h('dialog', { class: 'dialog drawer event-dialog', 'aria-labelledby': 'event-dialog-title' },
    h('div', { class: 'drawer-head' }, h('h2', { id: 'event-dialog-title' }, titleText),
      h('button', { type: 'button', class: 'cancel', onclick: () => dialog.close() }, 'Close')),
    body);
  const opener = document.activeElement;
  document.body.append(dialog);
  dialog.addEventListener('close', () => { dialog.remove(); if (opener && opener.isConnected) opener.focus(); onClose?.(); });
  dialog.showModal();
  return dialog;
}

// A read-only view: what, when, where; invitations are answered in the inbox.
function viewOnly(item, series, ctx) {
  const calendar = ctx.calendars.find((c) => c.id === item.calendar_id);
  const body = h('div', { class: 'event-view' },
    h('p', { class: 'event-view-title' }, item.title),
    h('dl', { class: 'facts' },
      h('dt', {}, 'When'), h('dd', {}, describeItem(item, ctx.settings)),
      calendar ? [h('dt', {}, 'Calendar'), h('dd', {}, calendar.name)] : null,
      series && series.location ? [h('dt', {}, 'Where'), h('dd', {}, series.location)] : null,
      series && series.recurrence ? [h('dt', {}, 'Repeats'), h('dd', {}, series.recurrence)] : null),
    series && series.description ? h('p', { class: 'notes' }, series.description) : null,
    item.access === 'invited'
      ? h('p', {}, `Your answer: ${item.rsvp || 'not yet'}. `, h('a', linkProps('/calendar/invitations'), 'Answer in the invitations'))
      : h('p', { class: 'muted' }, 'You can see this event but not change it.'));
  shell('Event', body);
}

// item: the clicked occurrence (or null for a new event); series: GET /api/events/{id};
// preset: the new event's start values; ctx: { settings, calendars, reload }.
export function openEventDialog({ item = null, series = null, preset = {}, ctx }) {
  if (item && !['owner', 'manage', 'write'].includes(item.access)) {
    viewOnly(item, series, ctx);
    return;
  }
  const isSeries = Boolean(series && series.recurrence);
  const before = item ? (item.recurrence_id ? occurrenceValues(item, series) : { ...series, start: Date.parse(series.start), end: Date.parse(series.end) }) : preset;
  const form = eventForm(before, ctx);
  const alert = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'primary', id: 'event-save' }, item ? 'Save' : 'Create');
  const remove = item ? h('button', { type: 'button', class: 'danger-outline', id: 'event-delete', onclick: () => onDelete() }, 'Delete') : null;
  const clear = () => {
    alert.hidden = true;
    dialog.querySelectorAll('.field-error').forEach((e) => { e.hidden = true; });
  };
  const done = (message) => { toast(message); dialog.close(); ctx.reload(); };

  async function onSubmit(event) {
    event.preventDefault();
    clear();
    const problems = form.problems();
    if (Object.keys(problems).length) { showErrors(dialog, alert, { fields: problems }); return; }
    const after = form.values();
    save.disabled = true;
    try {
      if (!item) {
        const { startMs, endMs, ...body } = after;
        if (!body.all_day) Object.assign(body, { start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() });
        if (!body.recurrence) delete body.recurrence;
        await createEvent(body);
        done(`Created “${after.title}”.`);
        return;
      }
      let scope = null;
      if (isSeries) {
        scope = await askScope({ verb: 'Change', title: after.title, allowThis: !form.repeatChanged() });
        if (!scope) return;
      }
      const body = changes(after, before, series, scope);
      if (scope === 'this') delete body.recurrence;
      if (Object.keys(body).length === 0) { dialog.close(); return; }
      const answer = await updateEvent(series.id, body, scope, item.recurrence_id);
      const dropped = answer && answer.dropped_overrides && answer.dropped_overrides.length;
      done(dropped ? `Saved “${after.title}”. ${dropped} changed occurrence(s) no longer fit the new rule and were removed.` : `Saved “${after.title}”.`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (!error.signedOut) showErrors(dialog, alert, error);
    } finally {
      save.disabled = false;
    }
  }

  async function onDelete() {
    let scope = null;
    if (isSeries) {
      scope = await askScope({ verb: 'Delete', title: before.title });
      if (!scope) return;
    } else if (!await confirmDialog({
      title: 'Delete this event?', message: `“${before.title}” will be deleted.`,
      lose: 'Its details, alerts and invitations are lost.', confirmLabel: 'Delete', danger: true,
    })) return;
    try {
      await deleteEvent(series.id, scope, item.recurrence_id);
      done(`Deleted “${before.title}”.`);
    } catch (error) {
      if (!error.signedOut) { alert.textContent = error.message; alert.hidden = false; }
    }
  }

  const dialog = shell(item ? 'Event' : 'New event', h('form', { novalidate: true, onsubmit: onSubmit },
    form.el, alert, h('div', { class: 'actions' }, save, remove)));
  form.focus();
}
