// The app's sections, in one list: the sidebar, the mobile tab bar and the router are all
// built from it, so a new feature adds its section here and nowhere else.
// `place`: 'main' (top of the sidebar), 'bottom' (Settings, Admin) or 'top' (the top bar's
// own links, e.g. the bell: routed, not listed in the sidebar); `tab`: in the mobile
// tab bar (at most five); `admin`: shown to admins only; `soon`: announced in the sidebar,
// leading to a "coming soon" page until its domain lands (then it gets a `render`).

import { dashboard } from './views/dashboard/index.js';
import { settings } from './views/settings/index.js';
import { admin } from './views/admin/index.js';
import { comingSoon } from './views/coming_soon.js';
import { reminders } from './views/reminders/index.js';
import { todos } from './views/todos/index.js';
import { people } from './views/people/index.js';
import { locations } from './views/locations.js';
import { connections } from './views/connections/index.js';
import { notifications } from './views/notifications/index.js';
import { calendar } from './views/calendar/index.js';
import { projects } from './views/projects/index.js';

export const sections = [
  { path: '/', label: 'Dashboard', icon: 'dashboard', place: 'main', tab: true, render: dashboard },
  { path: '/calendar', label: 'Calendar', icon: 'calendar', place: 'main', tab: true, render: calendar },
  { path: '/todos', label: 'Todos', icon: 'todos', place: 'main', tab: true, render: todos },
  { path: '/reminders', label: 'Reminders', icon: 'reminders', place: 'main', tab: true, render: reminders },
  { path: '/projects', label: 'Projects', icon: 'projects', place: 'main', render: projects },
  { path: '/people', label: 'People', icon: 'people', place: 'main', render: people },
  { path: '/locations', label: 'Locations', icon: 'locations', place: 'main', render: locations },
  { path: '/connections', label: 'Connections', icon: 'connections', place: 'main', render: connections },
  // Reached from the bell in the top bar, not from the sidebar.
  { path: '/notifications', label: 'Notifications', icon: 'bell', place: 'top', render: notifications },
  { path: '/settings', label: 'Settings', icon: 'settings', place: 'bottom', tab: true, render: settings },
  { path: '/admin', label: 'Admin', icon: 'admin', place: 'bottom', tab: true, admin: true, render: admin },
];

for (const section of sections) {
  if (section.soon && !section.render) section.render = comingSoon(section);
}

// The sections this user may see.
export function visibleSections(user) {
  return sections.filter((s) => !s.admin || user.role === 'admin');
}

// The section a path belongs to: the longest matching prefix (a section still to come has
// no pages below it).
export function sectionFor(path, user) {
  const below = (s) => s.path !== '/' && !s.soon && path.startsWith(`${s.path}/`);
  const matches = visibleSections(user).filter((s) => path === s.path || below(s));
  return matches.sort((a, b) => b.path.length - a.path.length)[0] || null;
}
