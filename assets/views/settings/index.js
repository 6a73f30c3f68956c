// Settings, as tabs: profile, preferences (appearance, time zone, formats), notifications
// (quiet hours, alert lead time, ntfy push), the password, security (authenticator app,
// sessions) and devices (the certificate authority, app passwords for calendar apps).

import { h } from '../../dom.js';
import { post } from '../../api.js';
import { form } from '../../forms.js';
import { toast } from '../../toast.js';
import { security } from '../security/index.js';
import { profilePanel } from './profile.js';
import { preferencesPanel } from './preferences.js';
import { notificationsPanel } from './notifications.js';
import { devicesPanel } from './devices.js';
import { tabBar } from '../../tabs.js';

const TABS = [
  { path: '/settings/profile', label: 'Profile', render: profilePanel },
  { path: '/settings/preferences', label: 'Preferences', render: preferencesPanel },
  { path: '/settings/notifications', label: 'Notifications', render: notificationsPanel },
  { path: '/settings/password', label: 'Password', render: passwordPanel },
  { path: '/settings/security', label: 'Security', render: security },
  { path: '/settings/devices', label: 'Devices', render: devicesPanel },
];

export function settings(context) {
  const { path, status } = context;
  const tab = TABS.find((t) => path === t.path) || TABS[0];
  const notices = [];
  if (status.must_change_password) {
    notices.push(h('p', { class: 'notice', role: 'alert' }, 'An admin reset your password. Choose a new one to continue.'));
  }
  if (status.second_factor_missing) {
    notices.push(h('p', { class: 'notice', role: 'alert' }, 'This server requires a second factor. Set up an authenticator app to continue.'));
  }
  return h('div', { class: 'page' },
    h('h1', {}, 'Settings'),
    notices,
    tabBar('Settings', TABS, tab),
    tab.render(context));
}

function passwordPanel({ user, refresh }) {
  const { el, reset } = form({
    fields: [
      { name: 'current_password', label: 'Current password', type: 'password', autocomplete: 'current-password' },
      {
        name: 'new_password', label: 'New password', type: 'password', autocomplete: 'new-password', minLength: 15,
        hint: 'At least 15 characters; not your username or a common password.', strength: () => user.username,
      },
    ],
    submitLabel: 'Change password',
    // A wrong current password is a 401 that belongs to its field, not a sign-out.
    statusFields: { 401: 'current_password' },
    async onSubmit(values, { success }) {
      await post('/api/auth/password', values);
      reset();
      const message = 'Password changed. Your other sessions were signed out.';
      success(message);
      toast(message);
      // Leaving a forced change redraws the page; the toast outlives that redraw.
      await refresh();
    },
  });
  return h('section', { class: 'card narrow', 'aria-labelledby': 'pw-title' },
    h('h2', { id: 'pw-title' }, 'Change password'),
    h('p', { class: 'muted' }, `For ${user.username}. Signing in elsewhere will need the new password.`),
    el);
}
