// Admin (admins only): accounts, system settings and the audit log, as three tabs.

import { h } from '../../dom.js';
import { usersPanel } from './users.js';
import { settingsPanel } from './settings.js';
import { auditPanel } from './audit.js';
import { tabBar } from '../../tabs.js';

const TABS = [
  { path: '/admin/users', label: 'Users', render: usersPanel },
  { path: '/admin/settings', label: 'System settings', render: settingsPanel },
  { path: '/admin/audit', label: 'Audit log', render: auditPanel },
];

export function admin(context) {
  const { path } = context;
  const tab = TABS.find((t) => path.startsWith(t.path)) || TABS[0];
  return h('div', { class: 'page' },
    h('h1', {}, 'Admin'),
    tabBar('Admin', TABS, tab),
    tab.render(context));
}
