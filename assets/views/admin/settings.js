// Admin → System settings: registration, lockout and session limits, audit retention.

import { h, mount } from '../../dom.js';
import { get, put } from '../../api.js';
import { form } from '../../forms.js';
import { load } from '../../load.js';

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
  return card;
}
