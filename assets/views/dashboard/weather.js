// The weather card: current conditions (temperature, feels like, wind, chance of rain) and
// the next five days, each with its icon and the condition in words; "as of" the fetch, a
// hint when the value could not be refreshed, or the reason there is none (with the way to
// Settings when the user has no location yet).

import { h } from '../../dom.js';
import { dateWords, prefersHour12 } from '../../format.js';
import { linkProps } from '../../nav.js';
import { localDate } from '../todos/dates.js';
import { weatherIcon } from './weather_icons.js';

const WEATHER_SETTINGS = '/settings/preferences';

function units(view) {
  return view.units === 'imperial' ? { temp: '°F', wind: 'mph' } : { temp: '°C', wind: 'km/h' };
}

const round = (n) => (typeof n === 'number' && Number.isFinite(n) ? Math.round(n) : null);
const degrees = (n, u) => (round(n) === null ? '—' : `${round(n)}${u.temp}`);

// "Mon", from the forecast's local date ("Today" for today's).
function dayName(date) {
  if (date === localDate(new Date())) return 'Today';
  const [y, m, d] = date.split('-').map(Number);
  return dateWords(new Date(Date.UTC(y, m - 1, d, 12)), { weekday: 'short', timeZone: 'UTC' });
}

// "12 min", "3 h": how old a value is.
function age(seconds) {
  const minutes = Math.round((seconds || 0) / 60);
  if (minutes < 60) return `${Math.max(minutes, 1)} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

export function weatherBody(view) {
  if (!view || !view.available) {
    const reason = (view && view.reason) || 'the weather is not available right now';
    const needsLocation = /location|settings|place/i.test(reason);
    // The API's reason is a phrase ("set a location … in Settings"): shown as a sentence.
    const sentence = `${reason.charAt(0).toUpperCase()}${reason.slice(1)}${/[.!?]$/.test(reason) ? '' : '.'}`;
    return [
      h('p', { class: 'weather-reason' }, sentence),
      needsLocation ? h('a', { ...linkProps(WEATHER_SETTINGS), class: 'button small weather-settings' }, 'Set your location in Settings') : null,
    ];
  }
  const u = units(view);
  const { current } = view;
  const fetched = new Date(view.fetched_at);
  const asOf = dateWords(fetched, { hour: 'numeric', minute: '2-digit', hour12: prefersHour12() });
  return [
    h('div', { class: 'weather-now' },
      weatherIcon(current.icon, { label: current.label, size: 48 }),
      h('div', { class: 'weather-now-text' },
        h('p', { class: 'weather-temp' }, degrees(current.temperature, u)),
        h('p', { class: 'weather-label' }, current.label))),
    h('p', { class: 'weather-details muted' },
      `Feels like ${degrees(current.apparent_temperature, u)}`,
      round(current.wind_speed) !== null ? ` · wind ${round(current.wind_speed)} ${u.wind}` : '',
      round(current.precipitation_probability) !== null ? ` · ${round(current.precipitation_probability)}% chance of rain` : ''),
    h('ol', { class: 'forecast', 'aria-label': 'Five-day forecast' }, (view.daily || []).map((day) => h('li', { class: 'forecast-day' },
      h('span', { class: 'forecast-name' }, dayName(day.date)),
      weatherIcon(day.icon, { label: day.label }),
      h('span', { class: 'forecast-label' }, day.label),
      h('span', { class: 'forecast-temps' }, h('strong', {}, degrees(day.max, u)), ' ', h('span', { class: 'muted' }, degrees(day.min, u))),
      round(day.precipitation_probability) !== null
        ? h('span', { class: 'forecast-rain muted', title: 'Chance of rain' }, `${round(day.precipitation_probability)}%`) : null))),
    h('p', { class: 'hint weather-as-of' },
      view.place ? `${view.place} · ` : '',
      `as of ${asOf}`),
    view.stale ? h('p', { class: 'hint weather-stale' }, `Could not refresh the forecast: this one is ${age(view.age_seconds)} old.`) : null,
  ];
}
