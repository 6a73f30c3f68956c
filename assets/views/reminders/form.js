// The add/edit form of a reminder, in a dialog: title, notes, date and time (with the zone it
// repeats in: the browser's by default) and a repeat choice.

import { h } from '../../dom.js';
import { post, patch } from '../../api.js';
import { formDialog } from '../../dialog.js';
import { userZone } from '../../fields.js';
import { NO_REPEAT, REPEATS, localInput, nextHour } from './when.js';

// Resolves with the saved reminder, or null when cancelled.
export function reminderDialog(reminder = null) {
  const zone = reminder ? reminder.timezone : userZone();
  const repeats = [...REPEATS];
  if (reminder && reminder.recurrence && !repeats.some(([value]) => value === reminder.recurrence)) {
    // A rule written elsewhere (the API) is kept as it is unless another choice is made.
    repeats.push([reminder.recurrence, 'Custom (keep as it is)']);
  }
  const saved = formDialog({
    title: reminder ? 'Edit reminder' : 'New reminder',
    submitLabel: reminder ? 'Save' : 'Add reminder',
    fields: [
      { name: 'title', label: 'Title', maxLength: 200, value: reminder ? reminder.title : '' },
      { name: 'notes', label: 'Notes', kind: 'textarea', optional: true, maxLength: 10000, rows: 3, value: reminder ? reminder.notes : '' },
      {
        name: 'remind_at', label: 'Date and time', kind: 'datetime', zone,
        value: localInput(reminder ? reminder.remind_at : nextHour(), zone),
        hint: 'A repeating reminder keeps this time of day in the chosen zone.',
      },
      { name: 'recurrence', label: 'Repeat', kind: 'select', options: repeats, value: (reminder && reminder.recurrence) || NO_REPEAT },
    ],
    async onSubmit(values) {
      // The zone picked beside the date is the zone the reminder repeats in.
      const picked = document.querySelector('dialog[open] .datetime select.zone');
      const body = {
        title: values.title,
        notes: values.notes || '',
        remind_at: values.remind_at,
        timezone: picked ? picked.value : zone,
        recurrence: values.recurrence === NO_REPEAT ? null : values.recurrence,
      };
      return reminder ? patch(`/api/reminders/${reminder.id}`, body) : post('/api/reminders', body);
    },
  });
  // The browser's list of zones may lack the reminder's own (Chromium's has no plain "UTC"):
  // offer it, so that saving does not move the reminder to another zone.
  const select = document.querySelector('dialog[open] .datetime select.zone');
  if (select && select.value !== zone) {
    select.prepend(h('option', { value: zone }, zone.replaceAll('_', ' ')));
    select.value = zone;
  }
  return saved;
}

// Asks for a time to snooze until; resolves with the snoozed reminder, or null.
export function snoozeDialog(reminder) {
  return formDialog({
    title: 'Snooze until…',
    message: reminder.title,
    submitLabel: 'Snooze',
    fields: [{ name: 'until', label: 'Snooze until', kind: 'datetime', value: localInput(nextHour(), userZone()) }],
    onSubmit: (values) => post(`/api/reminders/${reminder.id}/snooze`, { until: values.until }),
  });
}
