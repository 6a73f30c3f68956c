// Admin → System settings: registration, lockout and session limits, audit retention; single
// sign-on (oidc.js); the outbound allow-list (private hosts the server may reach, e.g. a LAN
// ntfy server or identity provider); and the weather provider (Open-Meteo-compatible base
// URLs; empty turns weather off).

import { h, mount } from '../../dom.js';
import { get, put } from '../../api.js';
import { form } from '../../forms.js';
import { load } from '../../load.js';
import { oidcCard } from './oidc.js';

const NUMBERS = [
  ['session_idle_minutes', 'Sign out after inactivity (minutes)'],
  ['session_absolute_minutes', 'Longest session (minutes)'],
  ['max_sessions_per_user', 'Sessions per user'],
  ['lockout_threshold', 'Failed sign-ins before a lock'],
  ['lockout_minutes', 'Lock duration (minutes)'],
  ['audit_retention_days', 'Keep the audit log (days)'],
];

export function settingsPanel() {
  const card = h('section', { class: 'card narrow', 'aria-labelledby': 'settings-title' });
  const body = h('div');
  mount(card, h('h2', { id: 'settings-title' }, 'System settings'), body);
  load(body, {
    fetch: () => get('/api/admin/config'),
    isEmpty: () => false,
    render: (current) => form({
      fields: [
        { name: 'registration_open', label: 'Self-registration', kind: 'select', options: [['false', 'Closed'], ['true', 'Open: anyone can create an account']], value: String(current.registration_open) },
        { name: 'default_role', label: 'Role of self-registered users', kind: 'select', options: [['standard', 'Member'], ['admin', 'Administrator']], value: current.default_role },
        { name: 'require_mfa', label: 'Require a second factor', kind: 'select', options: [['off', 'No'], ['admins', 'For admins'], ['everyone', 'For everyone']], value: current.require_mfa },
        ...NUMBERS.map(([name, label]) => ({ name, label, kind: 'number', min: 1, value: current[name] })),
      ],
      submitLabel: 'Save settings',
      async onSubmit(values, { success }) {
        await put('/api/admin/config', { ...values, registration_open: values.registration_open === 'true' });
        success('Saved. The new settings apply now.');
      },
    }).el,
  });
  return h('div', { class: 'stack' }, card, oidcCard(), outboundCard(), weatherCard());
}

// One entry per line: a host name, an address or a CIDR range. Errors name the line.
function outboundCard() {
  const card = h('section', { class: 'card narrow', 'aria-labelledby': 'outbound-title' });
  const body = h('div');
  mount(card, h('h2', { id: 'outbound-title' }, 'Outbound allow-list'),
    h('p', { class: 'muted' }, 'The server refuses to contact private, loopback and link-local addresses (ntfy pushes, '
      + 'weather, the identity provider). List the ones it may reach anyway, such as an ntfy server or an identity provider on your network.'),
    body);
  load(body, {
    fetch: () => get('/api/admin/outbound-allow'),
    isEmpty: () => false,
    render: (current) => form({
      fields: [{
        name: 'entries', label: 'Allowed hosts and ranges', kind: 'textarea', optional: true, rows: 4,
        value: current.entries.join('\n'), hint: 'One per line, e.g. 192.168.1.10, 10.0.0.0/8 or ntfy.home.arpa.',
      }],
      submitLabel: 'Save allow-list',
      async onSubmit(values, { success, show }) {
        const entries = values.entries.split('\n').map((line) => line.trim()).filter(Boolean);
        try {
          const saved = await put('/api/admin/outbound-allow', { entries });
          success(saved.entries.length ? `Saved: ${saved.entries.join(', ')}.` : 'Saved: only public addresses are reachable.');
        } catch (error) {
          // The server names entries by position ("entries[2]"); the form has one field for all.
          const first = Object.entries(error.fields || {})[0];
          if (first) {
            const line = Number(first[0].replace(/\D/g, '')) + 1;
            const problem = new Error(`Line ${line}: ${first[1]}`);
            problem.fields = { entries: `Line ${line}: ${first[1]}` };
            show(problem);
            return;
          }
          throw error;
        }
      },
    }).el,
  });
  return card;
}

// The weather provider's two base URLs. Empty forecast URL: no weather and no requests.
function weatherCard() {
  const card = h('section', { class: 'card narrow', 'aria-labelledby': 'weather-admin-title' });
  const body = h('div');
  mount(card, h('h2', { id: 'weather-admin-title' }, 'Weather provider'),
    h('p', { class: 'muted' }, 'An Open-Meteo-compatible service without a key. Requests go through the outbound rules above.'),
    body);
  load(body, {
    fetch: () => get('/api/admin/weather'),
    isEmpty: () => false,
    render: (current) => form({
      fields: [
        { name: 'weather_base_url', label: 'Forecast URL', optional: true, type: 'url', value: current.weather_base_url,
          hint: 'E.g. https://api.open-meteo.com. Leave empty to turn weather off for everyone.' },
        { name: 'weather_geocoding_url', label: 'Place lookup URL', optional: true, type: 'url', value: current.weather_geocoding_url,
          hint: 'E.g. https://geocoding-api.open-meteo.com. Empty: users enter coordinates instead of place names.' },
      ],
      submitLabel: 'Save weather provider',
      async onSubmit(values, { success }) {
        const saved = await put('/api/admin/weather', {
          weather_base_url: values.weather_base_url.trim(),
          weather_geocoding_url: values.weather_geocoding_url.trim(),
        });
        success(saved.weather_base_url ? `Saved: weather from ${saved.weather_base_url}.` : 'Saved: weather is turned off.');
      },
    }).el,
  });
  return card;
}
