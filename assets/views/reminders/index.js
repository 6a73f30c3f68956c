// Reminders: Upcoming (active ones, in the order they fire) and Done (done or dismissed), each
// row with its time ("in 2 h" and the date), a repeat badge, and its actions: done, a snooze
// menu (10 min, 1 h, tomorrow 09:00, a picked time), edit, dismiss, delete (confirmed).

import { h } from '../../dom.js';
import { del, get, itemsOf, post } from '../../api.js';
import { confirmDialog } from '../../dialog.js';
import { icon } from '../../icons.js';
import { load } from '../../load.js';
import { menuButton } from '../../menu.js';
import { pager } from '../../pager.js';
import { toast } from '../../toast.js';
import { reminderDialog, snoozeDialog } from './form.js';
import { repeatLabel, tomorrowAtNine, whenText } from './when.js';
import { tabBar } from '../../tabs.js';

const TABS = [
  { path: '/reminders', label: 'Upcoming', status: 'active', empty: 'Nothing coming up. Add a reminder and UMBRA will tell you when it is time.' },
  { path: '/reminders/done', label: 'Done', status: 'done,dismissed', empty: 'Reminders you mark done or dismiss are kept here.' },
];
const PAGE_SIZE = 50;

export function reminders({ path }) {
  const tab = TABS.find((t) => t.path === path) || TABS[0];
  const list = h('div', { class: 'reminder-list-wrap' });
  let offset = 0;
  const reload = load(list, {
    fetch: () => get(`/api/reminders?status=${encodeURIComponent(tab.status)}&limit=${PAGE_SIZE}&offset=${offset}`),
    isEmpty: (page) => itemsOf(page).length === 0 && page.offset === 0,
    empty: h('div', { class: 'empty-state' }, icon('reminders'), h('p', {}, tab.empty),
      tab.status === 'active' ? h('button', { type: 'button', class: 'primary', onclick: () => add() }, 'New reminder') : null),
    render: (page) => [
      h('ul', { class: 'reminder-list', 'aria-label': `${tab.label} reminders` }, itemsOf(page).map((r) => row(r, reload))),
      pager(page, (next) => { offset = next; reload(); }),
    ],
  });
  // Once a minute the times say "in 4 min" rather than "in 5 min", and a reminder whose time
  // has come gets its red edge; the timer ends when the page is left.
  const timer = setInterval(() => {
    if (!list.isConnected) {
      clearInterval(timer);
      return;
    }
    for (const item of list.querySelectorAll('.reminder')) {
      const when = item.querySelector('.reminder-when');
      const at = when.getAttribute('datetime');
      when.textContent = whenText(at);
      if (item.dataset.status === 'active' && new Date(at).getTime() <= Date.now()) item.classList.add('overdue');
    }
  }, 60_000);
  const add = async () => {
    const saved = await reminderDialog();
    if (saved) {
      toast(`Reminder “${saved.title}” added.`);
      reload();
    }
  };
  return h('div', { class: 'page reminders' },
    h('div', { class: 'reminders-head' },
      h('h1', {}, 'Reminders'),
      h('button', { type: 'button', class: 'primary', onclick: add }, 'New reminder')),
    tabBar('Reminders', TABS, tab),
    list);
}

// Runs an action, then says so and reloads; a failure is a toast that stays.
async function act(promise, message, reload) {
  try {
    const result = await promise;
    if (result === null) return;
    toast(message);
  } catch (error) {
    if (!error.signedOut) toast(error.message, { kind: 'error' });
  }
  reload();
}

function row(reminder, reload) {
  const active = reminder.status === 'active';
  const due = active && new Date(reminder.next_fire_at).getTime() <= Date.now();
  const snooze = (body, words) => act(post(`/api/reminders/${reminder.id}/snooze`, body), `Snoozed ${words}.`, reload);
  const badges = [
    repeatLabel(reminder.recurrence) ? h('span', { class: 'badge repeat' }, repeatLabel(reminder.recurrence)) : null,
    active && reminder.snoozed_until ? h('span', { class: 'badge snoozed' }, 'Snoozed') : null,
    due ? h('span', { class: 'badge warn' }, 'Due') : null,
    reminder.status === 'dismissed' ? h('span', { class: 'badge' }, 'Dismissed') : null,
    reminder.status === 'done' ? h('span', { class: 'badge' }, 'Done') : null,
  ];
  const actions = active
    ? [
      h('button', {
        type: 'button', class: 'done-button',
        onclick: () => act(post(`/api/reminders/${reminder.id}/done`), reminder.recurrence ? 'Done. See you next time.' : 'Marked done.', reload),
      }, icon('check'), h('span', {}, 'Done')),
      menuButton({
        label: `Snooze “${reminder.title}”`, className: 'snooze-button', content: 'Snooze',
        items: [
          { label: '10 minutes', onSelect: () => snooze({ minutes: 10 }, 'for 10 minutes') },
          { label: '1 hour', onSelect: () => snooze({ minutes: 60 }, 'for 1 hour') },
          { label: 'Tomorrow 09:00', onSelect: () => snooze({ until: tomorrowAtNine() }, 'until tomorrow 09:00') },
          { label: 'Pick a time…', onSelect: () => act(snoozeDialog(reminder), 'Snoozed.', reload) },
        ],
      }),
    ]
    : [h('button', {
      type: 'button', onclick: () => act(post(`/api/reminders/${reminder.id}/reopen`), 'Reminder reopened.', reload),
    }, 'Reopen')];
  const more = menuButton({
    label: `More actions for “${reminder.title}”`, content: icon('more'), className: 'icon-button',
    items: [
      { label: 'Edit', onSelect: () => act(reminderDialog(reminder), 'Reminder saved.', reload) },
      active ? { label: 'Dismiss', onSelect: () => act(post(`/api/reminders/${reminder.id}/dismiss`), 'Reminder dismissed.', reload) } : null,
      {
        label: 'Delete', danger: true,
        onSelect: async () => {
          const sure = await confirmDialog({
            title: 'Delete this reminder?',
            message: reminder.title,
            lose: reminder.recurrence ? 'The reminder and all its future repeats will be gone.' : 'The reminder will be gone for good.',
            confirmLabel: 'Delete', danger: true,
          });
          if (sure) act(del(`/api/reminders/${reminder.id}`).then(() => true), 'Reminder deleted.', reload);
        },
      },
    ],
  });
  return h('li', { class: `reminder card${due ? ' overdue' : ''}`, dataset: { status: reminder.status } },
    h('div', { class: 'reminder-text' },
      h('strong', { class: 'reminder-title' }, reminder.title),
      h('time', { class: 'reminder-when', datetime: reminder.next_fire_at }, whenText(reminder.next_fire_at)),
      reminder.notes ? h('p', { class: 'reminder-notes muted' }, reminder.notes) : null,
      h('div', { class: 'badges' }, badges)),
    h('div', { class: 'reminder-actions' }, actions, more));
}
