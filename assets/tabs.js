// The tab bar of a section (Settings, Admin, Reminders, Notifications): links, the current
// one marked. On a phone the labels may not all fit; the bar then scrolls sideways on its own
// (never the page), and the selected tab is scrolled fully into view once the bar is shown,
// since a redraw after each navigation would otherwise start it scrolled to the left.

import { h } from './dom.js';
import { linkProps } from './nav.js';

// label: the bar's accessible name; tabs: [{ path, label }]; current: one of them.
export function tabBar(label, tabs, current) {
  const nav = h('nav', { class: 'tabs', 'aria-label': label }, tabs.map((t) => h('a', {
    ...linkProps(t.path),
    'aria-current': t === current ? 'page' : null,
  }, t.label)));
  let frames = 0;
  const reveal = () => {
    // The view is mounted after it is built: wait (a few frames at most) until it is.
    if (!nav.isConnected) { if ((frames += 1) < 10) requestAnimationFrame(reveal); return; }
    const tab = nav.querySelector('[aria-current="page"]');
    if (!tab) return;
    const bar = nav.getBoundingClientRect();
    const at = tab.getBoundingClientRect();
    if (at.left < bar.left) nav.scrollLeft -= bar.left - at.left;
    else if (at.right > bar.right) nav.scrollLeft += at.right - bar.right;
  };
  requestAnimationFrame(reveal);
  return nav;
}
