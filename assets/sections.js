// The app's sections, in one list: the sidebar, the mobile tab bar and the router are all
// built from it, so a new feature adds its section here and nowhere else.
// `place`: 'main' (top of the sidebar) or 'bottom' (Settings, Admin); `tab`: in the mobile tab bar.

import { home } from './views/home.js';
import { settings } from './views/settings.js';

export const sections = [
  { path: '/', label: 'Home', icon: '⌂', place: 'main', tab: true, render: home },
  { path: '/settings', label: 'Settings', icon: '⚙', place: 'bottom', tab: true, render: settings },
];

// The section a path belongs to: the longest matching prefix.
export function sectionFor(path) {
  const matches = sections.filter((s) => path === s.path || (s.path !== '/' && path.startsWith(`${s.path}/`)));
  return matches.sort((a, b) => b.path.length - a.path.length)[0] || null;
}
