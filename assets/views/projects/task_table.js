// The list view of a project: the tasks as a table (a card per row on a phone), filtered by
// status, "assigned to me" and a search (all three asked of the server) and sorted by due
// date, priority or status (in the page). The filters survive a redraw after a change.

import { h, mount } from '../../dom.js';
import { icon } from '../../icons.js';
import { dataTable } from '../../table.js';
import { TASK_STATUSES, allTasks, dueLabel, personName, priorityLabel, taskStatusLabel } from './shared.js';

const PRIORITY_RANK = { high: 0, medium: 1, low: 2, none: 3 };
const STATUS_RANK = Object.fromEntries(TASK_STATUSES.map(([s], i) => [s, i]));
const SORTS = {
  board: { label: 'Board order', compare: () => 0 },
  due: { label: 'Due date', compare: (a, b) => (a.due_date || '9999').localeCompare(b.due_date || '9999') },
  priority: { label: 'Priority', compare: (a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] },
  status: { label: 'Status', compare: (a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status] },
};

export function taskTable(ctx) {
  ctx.listState ||= { status: '', mine: false, q: '', sort: 'board' };
  const state = ctx.listState;
  const tableEl = h('div', { class: 'task-table-wrap', 'aria-live': 'polite' });
  let shown = null;
  let ticket = 0;

  const sorted = (tasks) => {
    // The board's order breaks ties, so equal keys keep the order people gave them.
    const board = new Map(ctx.tasks.map((t, i) => [t.id, i]));
    const compare = SORTS[state.sort].compare;
    return [...tasks].sort((a, b) => compare(a, b) || (board.get(a.id) ?? 0) - (board.get(b.id) ?? 0));
  };

  const sortButton = (key) => h('button', {
    type: 'button', class: 'link sort-button', dataset: { sort: key },
    onclick: () => { state.sort = state.sort === key ? 'board' : key; draw(); },
  }, SORTS[key].label, state.sort === key ? icon('chevron') : null);

  const draw = () => {
    if (!shown) return;
    const filtered = state.status || state.mine || state.q;
    if (!shown.length) {
      mount(tableEl, h('div', { class: 'empty' }, filtered
        ? 'No tasks match these filters. Clear the search or choose another status.'
        : 'No tasks yet. Add one on the board with the line under a column.'));
      return;
    }
    const table = dataTable({
      caption: 'Tasks',
      rows: sorted(shown),
      rowClass: (t) => `task-row status-${t.status}`,
      columns: [
        {
          label: 'Task', className: 'primary-cell',
          cell: (t) => h('button', { type: 'button', class: 'link task-open', dataset: { taskId: String(t.id) }, onclick: () => ctx.openTask(t.id) }, t.title),
        },
        { label: 'Status', cell: (t) => taskStatusLabel(t.status) },
        { label: 'Priority', cell: (t) => (t.priority === 'none' ? '—' : priorityLabel(t.priority)) },
        { label: 'Due', cell: (t) => dueLabel(t.due_date, { open: t.status !== 'done' }) || '—' },
        { label: 'Assignees', cell: (t) => (t.assignees.length ? t.assignees.map(personName).join(', ') : '—') },
      ],
    });
    // Sortable headers: a button in each, and aria-sort on the sorted one.
    const heads = table.querySelectorAll('thead th');
    [[1, 'status'], [2, 'priority'], [3, 'due']].forEach(([i, key]) => {
      heads[i].replaceChildren(sortButton(key));
      heads[i].setAttribute('aria-sort', state.sort === key ? 'ascending' : 'none');
    });
    mount(tableEl, h('p', { class: 'hint' }, `${shown.length === 1 ? '1 task' : `${shown.length} tasks`}, sorted by ${SORTS[state.sort].label.toLowerCase()}.`), table);
  };

  const reload = async () => {
    const mine = ++ticket;
    const params = new URLSearchParams();
    if (state.status) params.set('status', state.status);
    if (state.mine) params.set('assignee', 'me');
    if (state.q.trim()) params.set('q', state.q.trim());
    tableEl.setAttribute('aria-busy', 'true');
    try {
      const tasks = (state.status || state.mine || state.q.trim()) ? await allTasks(ctx.projectId, params) : ctx.tasks;
      if (mine !== ticket) return;
      shown = tasks;
      draw();
    } catch (error) {
      if (mine !== ticket || error.signedOut) return;
      if (error.status === 404) { ctx.gone(); return; }
      mount(tableEl, h('div', { class: 'load-error', role: 'alert' }, h('p', { class: 'form-error' }, error.message),
        h('button', { type: 'button', onclick: reload }, 'Try again')));
    } finally {
      if (mine === ticket) tableEl.removeAttribute('aria-busy');
    }
  };

  const status = h('select', {
    id: 'task-filter-status', name: 'status', onchange: () => { state.status = status.value; reload(); },
  }, h('option', { value: '' }, 'All statuses'), TASK_STATUSES.map(([v, l]) => h('option', { value: v, selected: v === state.status }, l)));
  const mineBox = h('input', {
    id: 'task-filter-mine', type: 'checkbox', checked: state.mine, onchange: () => { state.mine = mineBox.checked; reload(); },
  });
  let timer = null;
  const search = h('input', {
    id: 'task-search', type: 'search', name: 'q', value: state.q, maxlength: 200, autocomplete: 'off', placeholder: 'Title or notes',
    oninput: () => {
      state.q = search.value;
      clearTimeout(timer);
      timer = setTimeout(reload, 250);
    },
  });

  reload();
  return h('div', { class: 'task-list-view' },
    h('div', { class: 'filters task-filters' },
      h('div', { class: 'field' }, h('label', { for: 'task-filter-status' }, 'Status'), status),
      h('div', { class: 'field' }, h('label', { for: 'task-search' }, 'Search'), search),
      h('div', { class: 'field field-checkbox task-mine' }, mineBox, h('label', { for: 'task-filter-mine' }, 'Assigned to me'))),
    tableEl);
}
