// The app's sections, in one list: the sidebar, the mobile tab bar and the router are all
// built from it, so a new feature adds its section here and nowhere else.
// `place`: 'main' (top of the sidebar) or 'bottom' (Settings, Admin); `tab`: in the mobile
// tab bar; `admin`: shown to admins only.

import { home } from './views/home.js';
import { settings } from './views/settings.js';
import { admin } from './views/admin.js';

export const sections = [
  { path: '/', label: 'Home', icon: '⌂', place: 'main', tab: true, render: home },
  { path: '/settings', label: 'Settings', icon: '⚙', place: 'bottom', tab: true, render: settings },
  { path: '/admin', label: 'Admin', icon: '⛨', place: 'bottom', tab: false, admin: true, render: admin },
];

// The sections this user may see.
export function visibleSections(user) {
  return sections.filter((s) => !s.admin || user.role === 'admin');
}

// The section a path belongs to: the longest matching prefix.
export function sectionFor(path, user) {
  const matches = visibleSections(user).filter((s) => path === s.path || (s.path !== '/' && path.startsWith(`${s.path}/`)));
  return matches.sort((a, b) => b.path.length - a.path.length)[0] || null;
}
