// Settings → Preferences: the theme (applied and saved the moment it is picked), the time
// zone, the first day of the week and how dates and times are written, and where the
// weather is for.

import { h, mount } from '../../dom.js';
import { get, patch } from '../../api.js';
import { form } from '../../forms.js';
import { load } from '../../load.js';
import { userZone } from '../../fields.js';
import { setFormatPreferences } from '../../format.js';
import { setThemeChoice } from '../../theme.js';
import { toast } from '../../toast.js';
import { weatherForm } from './weather.js';

const THEMES = [['system', 'Like this device'], ['dark', 'Dark'], ['light', 'Light']];
const WEEK_STARTS = [['monday', 'Monday'], ['sunday', 'Sunday'], ['saturday', 'Saturday']];
const DATE_FORMATS = [['iso', '2026-03-31'], ['dmy', '31/03/2026'], ['mdy', '03/31/2026'], ['long', '31 Mar 2026']];
const TIME_FORMATS = [['24h', '24-hour (18:30)'], ['12h', '12-hour (6:30 pm)']];

function zones(current) {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const list = [...new Set([current, userZone(), 'UTC', ...all].filter(Boolean))].sort();
  return list.map((z) => [z, z.replaceAll('_', ' ')]);
}

// The theme as a group of radio buttons: a pick shows at once and is saved at once.
function themePicker(current) {
  const status = h('p', { class: 'hint', role: 'status' });
  const radios = THEMES.map(([value, label]) => {
    const id = `theme-${value}`;
    return h('label', { class: 'choice', for: id },
      h('input', {
        id, type: 'radio', name: 'theme', value, checked: current === value,
        async onchange() {
          setThemeChoice(value);
          try {
            await patch('/api/settings', { theme: value });
            status.textContent = 'Saved.';
          } catch (error) {
            if (!error.signedOut) toast(error.message, { kind: 'error' });
          }
        },
      }),
      label);
  });
  return h('fieldset', { class: 'choices' }, h('legend', {}, 'Theme'), radios, status);
}

export function preferencesPanel() {
  const appearance = h('div');
  const formats = h('div');
  const weather = h('div');
  load(appearance, {
    fetch: () => get('/api/settings'),
    isEmpty: () => false,
    render: (current) => {
      load(formats, { fetch: async () => current, isEmpty: () => false, render: formatsForm });
      load(weather, { fetch: async () => current, isEmpty: () => false, render: weatherForm });
      return themePicker(current.theme);
    },
  });
  return h('div', { class: 'stack' },
    h('section', { class: 'card narrow', 'aria-labelledby': 'appearance-title' }, h('h2', { id: 'appearance-title' }, 'Appearance'), appearance),
    h('section', { class: 'card narrow', 'aria-labelledby': 'formats-title' }, h('h2', { id: 'formats-title' }, 'Time and formats'), formats),
    h('section', { class: 'card narrow', 'aria-labelledby': 'weather-title' }, h('h2', { id: 'weather-title' }, 'Weather'), weather));
}

function formatsForm(current) {
  const built = form({
    fields: [
      { name: 'timezone', label: 'Time zone', kind: 'select', options: zones(current.timezone || userZone()), value: current.timezone || userZone(),
        hint: `Times are shown and reminders fire in this zone. This device is in ${userZone().replaceAll('_', ' ')}.` },
      { name: 'week_start', label: 'Weeks start on', kind: 'select', options: WEEK_STARTS, value: current.week_start },
      { name: 'date_format', label: 'Dates', kind: 'select', options: DATE_FORMATS, value: current.date_format },
      { name: 'time_format', label: 'Times', kind: 'select', options: TIME_FORMATS, value: current.time_format },
    ],
    submitLabel: 'Save preferences',
    async onSubmit(values, { success }) {
      const saved = await patch('/api/settings', values);
      setFormatPreferences(saved);
      success('Saved. Times now show as you chose.');
    },
  });
  const wrap = h('div');
  mount(wrap, built.el);
  return wrap;
}
