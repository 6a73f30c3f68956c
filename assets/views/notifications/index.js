// The notification centre: All and Unread tabs, newest first; each notification with its
// time, a "Late" badge when it came after downtime, and its actions — open its link (which
// marks it read), mark read, delete (confirmed) — and "Mark all read". Every change updates
// the bell at once.

import { h } from '../../dom.js';
import { del, get, itemsOf, post } from '../../api.js';
import { confirmDialog } from '../../dialog.js';
import { icon } from '../../icons.js';
import { load } from '../../load.js';
import { navigate } from '../../nav.js';
import { pager } from '../../pager.js';
import { toast } from '../../toast.js';
import { refreshBell } from './bell.js';
import { relative } from '../reminders/when.js';
import { formatTime } from '../../format.js';
import { tabBar } from '../../tabs.js';

const TABS = [
  { path: '/notifications', label: 'All', query: '', empty: 'No notifications. When a reminder falls due or someone asks to connect, it shows here.' },
  { path: '/notifications/unread', label: 'Unread', query: '&unread=true', empty: 'You are all caught up.' },
];
const PAGE_SIZE = 50;

// Runs an action, then updates the bell and the list; a failure is a toast that stays.
async function act(promise, message, reload) {
  try {
    const result = await promise;
    if (result === null) return;
    if (message) toast(message);
  } catch (error) {
    if (!error.signedOut) toast(error.message, { kind: 'error' });
  }
  refreshBell();
  reload();
}

// Only a path inside the app is followed (the server keeps it so; this is belt and braces).
function appPath(link) {
  return typeof link === 'string' && link.startsWith('/') && !link.startsWith('//') ? link : null;
}

function row(item, reload) {
  const unread = !item.read_at;
  const link = appPath(item.link);
  const open = async () => {
    if (unread) {
      try {
        await post(`/api/notifications/${item.id}/read`);
      } catch (error) {
        if (error.signedOut) return;
      }
      refreshBell();
    }
    navigate(link);
  };
  const remove = async () => {
    const sure = await confirmDialog({
      title: 'Delete this notification?',
      message: item.title,
      lose: 'It will be gone from the list. What it was about is not changed.',
      confirmLabel: 'Delete', danger: true,
    });
    if (sure) act(del(`/api/notifications/${item.id}`).then(() => true), 'Notification deleted.', reload);
  };
  return h('li', { class: `notification card${unread ? ' unread' : ''}`, dataset: { type: item.type, id: String(item.id) } },
    h('div', { class: 'notification-text' },
      h('strong', { class: 'notification-title' }, unread ? h('span', { class: 'visually-hidden' }, 'Unread: ') : null, item.title),
      item.body ? h('p', { class: 'notification-body' }, item.body) : null,
      h('div', { class: 'notification-meta' },
        h('time', { datetime: item.created_at, title: formatTime(item.created_at) }, relative(item.created_at)),
        item.late ? h('span', { class: 'badge warn' }, 'Late') : null)),
    h('div', { class: 'notification-actions' },
      // A plain click marks it read and opens it in the app; a modified click opens a tab.
      link ? h('a', { href: link, class: 'button small', onclick: (event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        open();
      } }, 'Open') : null,
      unread ? h('button', { type: 'button', class: 'small', onclick: () => act(post(`/api/notifications/${item.id}/read`), null, reload) }, 'Mark read') : null,
      h('button', { type: 'button', class: 'small danger-outline', 'aria-label': `Delete “${item.title}”`, onclick: remove }, 'Delete')));
}

export function notifications({ path }) {
  const tab = TABS.find((t) => t.path === path) || TABS[0];
  const list = h('div', { class: 'notification-list-wrap' });
  let offset = 0;
  const reload = load(list, {
    fetch: () => get(`/api/notifications?limit=${PAGE_SIZE}&offset=${offset}${tab.query}`),
    isEmpty: (page) => itemsOf(page).length === 0 && page.offset === 0,
    empty: h('div', { class: 'empty-state' }, icon('bell'), h('p', {}, tab.empty)),
    render: (page) => [
      h('ul', { class: 'notification-list', 'aria-label': `${tab.label} notifications` }, itemsOf(page).map((n) => row(n, reload))),
      pager(page, (next) => { offset = next; reload(); }),
    ],
  });
  const readAll = () => act(post('/api/notifications/read-all'), 'All notifications marked read.', reload);
  return h('div', { class: 'page notifications-page' },
    h('div', { class: 'page-head' },
      h('h1', {}, 'Notifications'),
      h('button', { type: 'button', onclick: readAll }, icon('check'), ' Mark all read')),
    tabBar('Notifications', TABS, tab),
    list);
}
