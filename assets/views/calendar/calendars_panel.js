// The calendar list beside the views: each calendar with its colour and a show/hide box (a
// preference of this user, saved on the server), and a menu: edit, my colour, share, feed,
// export, import, leave (shared ones) and delete (which says how many events go with it).

import { h } from '../../dom.js';
import { del, get, itemsOf, patch, post } from '../../api.js';
import { confirmDialog, formDialog } from '../../dialog.js';
import { icon } from '../../icons.js';
import { menuButton } from '../../menu.js';
import { toast } from '../../toast.js';
import { calendarColour, canManage, canWrite } from './data.js';
import { importInto, openFeedDialog } from './feed_import.js';
import { paint } from './items.js';
import { openShareDialog, personName } from './share_dialog.js';

const HEX = /^#[0-9a-fA-F]{6}$/;

function calendarFields(calendar = {}) {
  return [
    { name: 'name', label: 'Name', value: calendar.name || '', maxLength: 100 },
    { name: 'colour', label: 'Colour', type: 'color', value: calendar.colour || '#5B8DEF' },
    { name: 'description', label: 'Description', kind: 'textarea', value: calendar.description || '', optional: true, maxLength: 2000 },
  ];
}

const toastError = (error) => { if (!error.signedOut) toast(error.message, { kind: 'error' }); };

async function newCalendar(onChanged) {
  const made = await formDialog({
    title: 'New calendar', fields: calendarFields(), submitLabel: 'Create',
    onSubmit: (v) => post('/api/calendars', { name: v.name.trim(), colour: v.colour.toUpperCase(), description: v.description }),
  });
  if (made) { toast(`Created “${made.name || 'the calendar'}”.`); onChanged(); }
}

async function editCalendar(calendar, onChanged) {
  const saved = await formDialog({
    title: `Edit “${calendar.name}”`, fields: calendarFields(calendar), submitLabel: 'Save',
    onSubmit: (v) => patch(`/api/calendars/${calendar.id}`, { name: v.name.trim(), colour: v.colour.toUpperCase(), description: v.description }),
  });
  if (saved) { toast('Calendar saved.'); onChanged(); }
}

async function myColour(calendar, onChanged) {
  const saved = await formDialog({
    title: `Your colour for “${calendar.name}”`, message: 'Only you see this colour. Clear the box to use the calendar’s own.',
    fields: [{ name: 'own', label: 'Use my own colour', kind: 'checkbox', value: Boolean(calendar.colour_override) },
      { name: 'colour', label: 'Colour', type: 'color', value: calendar.colour_override || calendar.colour }],
    submitLabel: 'Save',
    onSubmit: (v) => patch(`/api/calendars/${calendar.id}/preferences`, { colour_override: v.own && HEX.test(v.colour) ? v.colour.toUpperCase() : null }),
  });
  if (saved) onChanged();
}

async function deleteCalendar(calendar, onChanged) {
  const count = Number(calendar.event_count || 0);
  const ok = await confirmDialog({
    title: `Delete “${calendar.name}”?`, message: 'The calendar is deleted for everyone it is shared with.',
    lose: count ? `Its ${count} event${count === 1 ? '' : 's'} will be deleted with it.` : 'It has no events.',
    confirmLabel: 'Delete calendar', danger: true,
  });
  if (!ok) return;
  try { await del(`/api/calendars/${calendar.id}`); toast(`Deleted “${calendar.name}”.`); onChanged(); } catch (e) { toastError(e); }
}

async function leaveCalendar(calendar, onChanged) {
  if (!await confirmDialog({ title: `Leave “${calendar.name}”?`, message: 'You will no longer see it or its events, unless it is shared with you again.', confirmLabel: 'Leave', danger: true })) return;
  try {
    const incoming = itemsOf(await get('/api/shared-calendars?direction=incoming&limit=500'));
    const share = incoming.find((s) => s.calendar_id === calendar.id || (s.calendar && s.calendar.id === calendar.id));
    if (!share) throw new Error('This share could not be found. Reload the page and try again.');
    await del(`/api/shared-calendars/${share.id}`);
    toast(`Left “${calendar.name}”.`);
    onChanged();
  } catch (e) { toastError(e); }
}

function exportFile(calendar) {
  const link = h('a', { href: `/api/calendars/${calendar.id}/export.ics`, download: `${calendar.name}.ics`, class: 'visually-hidden' }, 'Export');
  document.body.append(link);
  link.click();
  link.remove();
}

function menuFor(calendar, onChanged) {
  const own = calendar.access === 'owner';
  return menuButton({
    label: `Actions for ${calendar.name}`, className: 'icon-button', content: icon('more'),
    items: [
      canManage(calendar) ? { label: 'Edit', onSelect: () => editCalendar(calendar, onChanged) } : null,
      { label: 'My colour', onSelect: () => myColour(calendar, onChanged) },
      canManage(calendar) ? { label: 'Share…', onSelect: () => openShareDialog(calendar, onChanged) } : null,
      own ? { label: 'Feed URL…', onSelect: () => openFeedDialog(calendar) } : null,
      { label: 'Export (.ics)', onSelect: () => exportFile(calendar) },
      canWrite(calendar) ? { label: 'Import .ics…', onSelect: () => importInto(calendar, onChanged) } : null,
      own ? null : { label: 'Leave', danger: true, onSelect: () => leaveCalendar(calendar, onChanged) },
      own && !calendar.is_default ? { label: 'Delete…', danger: true, onSelect: () => deleteCalendar(calendar, onChanged) } : null,
    ],
  });
}

// calendars: as loaded; onToggle(): redraw the views with the new hidden set; onChanged():
// reload everything (a calendar was added, edited, shared or deleted).
export function calendarsPanel({ calendars, onToggle, onChanged }) {
  const rows = calendars.map((calendar) => {
    const id = `cal-show-${calendar.id}`;
    const box = h('input', {
      id, type: 'checkbox', checked: !calendar.hidden, class: 'cal-show',
      async onchange() {
        calendar.hidden = !box.checked;
        onToggle();
        try {
          await patch(`/api/calendars/${calendar.id}/preferences`, { hidden: calendar.hidden });
        } catch (e) {
          calendar.hidden = !calendar.hidden;
          box.checked = !calendar.hidden;
          onToggle();
          toastError(e);
        }
      },
    });
    const owner = calendar.access !== 'owner' && calendar.owner ? personName(calendar.owner) : '';
    return h('li', { class: 'cal-row', dataset: { id: String(calendar.id), name: calendar.name } },
      paint(h('span', { class: 'cal-swatch', 'aria-hidden': 'true' }), calendarColour(calendar)),
      box,
      h('label', { for: id, class: 'cal-name' }, calendar.name, owner ? h('small', {}, ` · ${owner}`) : null,
        calendar.access !== 'owner' ? h('small', { class: 'cal-level' }, ` · ${calendar.access}`) : null),
      menuFor(calendar, onChanged));
  });
  return h('section', { class: 'card cal-panel', 'aria-labelledby': 'cal-panel-title' },
    h('div', { class: 'cal-panel-head' }, h('h2', { id: 'cal-panel-title' }, 'Calendars'),
      h('button', { type: 'button', class: 'small', id: 'new-calendar', onclick: () => newCalendar(onChanged) }, 'New calendar')),
    calendars.length ? h('ul', { class: 'plain cal-list' }, rows) : h('p', { class: 'muted' }, 'No calendars yet. Make one with “New calendar”.'));
}
