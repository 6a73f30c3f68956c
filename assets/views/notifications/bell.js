// The bell in the top bar: a link to the notification centre with the unread count. The
// count is asked every 30 s while the page is visible, at once when it becomes visible
// again, and after every action that changes it (`refreshBell`), so it is right without a
// reload. The shell is drawn again on every navigation: the count is kept here, so a new bell
// shows it at once, and every bell on the page is updated in place.

import { h } from '../../dom.js';
import { get } from '../../api.js';
import { icon } from '../../icons.js';
import { linkProps } from '../../nav.js';

const EVERY_MS = 30_000;
let count = 0;
let timer = null;
let asked = 0;

function label(n) {
  if (n === 0) return 'Notifications, none unread';
  return `Notifications, ${n} unread`;
}

function shown(n) {
  return n > 99 ? '99+' : String(n);
}

// Draws the count into every bell on the page.
function paint() {
  for (const bell of document.querySelectorAll('a.bell')) {
    bell.setAttribute('aria-label', label(count));
    bell.dataset.count = String(count);
    const badge = bell.querySelector('.bell-count');
    badge.textContent = shown(count);
    badge.hidden = count === 0;
  }
}

// Asks the server for the count and draws it. Quiet: a poll never throws the user out of a
// page (a gone or locked session shows at their next action), it just stops.
export async function refreshBell() {
  const ticket = ++asked;
  try {
    const answer = await get('/api/notifications/unread-count', { quiet: true, background: true });
    if (ticket !== asked) return;
    count = answer.count;
    paint();
  } catch (error) {
    if (error.status === 401 || error.status === 423) stop();
  }
}

function stop() {
  clearInterval(timer);
  timer = null;
}

function tick() {
  if (!document.querySelector('a.bell')) {
    stop();
    return;
  }
  if (document.visibilityState === 'visible') refreshBell();
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && timer) refreshBell();
});
// Another account may sign in next: its bell must not start with this one's count.
for (const name of ['umbra:signed-out', 'umbra:locked']) {
  window.addEventListener(name, () => { count = 0; stop(); });
}

// A new bell (for a fresh shell, i.e. after every navigation): shows the count known so far,
// asks for the current one, and starts the polling if it is not running.
export function bell() {
  const link = h('a', { ...linkProps('/notifications'), class: 'bell icon-button', 'aria-label': label(count), dataset: { count: String(count) } },
    icon('bell'),
    h('span', { class: 'bell-count', hidden: count === 0, 'aria-hidden': 'true' }, shown(count)));
  if (!timer) timer = setInterval(tick, EVERY_MS);
  // Answered after this shell is in the page, so the answer finds the bell.
  refreshBell();
  return link;
}
