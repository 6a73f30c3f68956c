// The project's activity: who did what, newest first, with relative times (the exact time
// on hover and for screen readers), paged; a line about a task opens it.

import { h } from '../../dom.js';
import { get } from '../../api.js';
import { formatTime } from '../../format.js';
import { load } from '../../load.js';
import { pager } from '../../pager.js';
import { relative } from '../reminders/when.js';
import { avatar, projectPath } from './shared.js';

const PAGE_SIZE = 30;

export function activityPanel(ctx) {
  const el = h('div', { class: 'activity-wrap' });
  let offset = 0;
  const known = new Set(ctx.tasks.map((t) => t.id));
  const reload = load(el, {
    fetch: () => get(`${projectPath(ctx.projectId)}/activity?limit=${PAGE_SIZE}&offset=${offset}`),
    isEmpty: (page) => page.items.length === 0,
    empty: 'Nothing has happened here yet. Changes to the project, its tasks and its members show up here.',
    render: (page) => [
      h('ol', { class: 'activity-list', 'aria-label': 'Activity, newest first' }, page.items.map((item) => h('li', { class: 'activity-item' },
        avatar(item.actor, { labelled: false }),
        h('span', { class: 'activity-text' },
          item.task_id && known.has(item.task_id)
            ? h('button', { type: 'button', class: 'link activity-open', onclick: () => ctx.openTask(item.task_id) }, item.summary)
            : h('span', {}, item.summary),
          h('time', { datetime: item.created_at, class: 'muted', title: formatTime(item.created_at) },
            relative(item.created_at), h('span', { class: 'visually-hidden' }, ` (${formatTime(item.created_at)})`)))))),
      pager(page, (next) => { offset = next; reload(); }),
    ],
  });
  return h('section', { class: 'activity', 'aria-labelledby': 'activity-title' },
    h('h2', { id: 'activity-title' }, 'Activity'), el);
}
