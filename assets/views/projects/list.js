// The projects list: a status filter (active by default), one card per project with its
// colour, status, the caller's role, the due date and the progress (a bar and "3 of 8
// done"), paging, an empty state that says what to do, and "New project".

import { h, mount } from '../../dom.js';
import { get } from '../../api.js';
import { load } from '../../load.js';
import { linkProps, navigate } from '../../nav.js';
import { pager } from '../../pager.js';
import { toast } from '../../toast.js';
import { createProject } from './project_form.js';
import { dueLabel, projectStatusLabel, roleLabel, swatch } from './shared.js';

const PAGE_SIZE = 24;
const FILTERS = [['active', 'Active'], ['', 'All'], ['on_hold', 'On hold'], ['done', 'Done'], ['archived', 'Archived']];

// "3 of 8 done" under a bar; no tasks yet says so.
export function progress(project) {
  const { task_count: total, done_count: done } = project;
  const text = total ? `${done} of ${total} done` : 'No tasks yet';
  const bar = h('div', {
    class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': total || 1, 'aria-valuenow': done,
    'aria-valuetext': text, 'aria-label': 'Progress',
  }, h('span', { class: 'progress-fill' }));
  bar.firstChild.style.setProperty('--done', `${total ? Math.round((done / total) * 100) : 0}%`);
  return h('div', { class: 'progress-wrap' }, bar, h('span', { class: 'progress-text' }, text));
}

function projectCard(project) {
  return h('li', { class: 'card project-card', dataset: { id: String(project.id), name: project.name } },
    h('div', { class: 'project-card-head' },
      swatch(project.colour),
      h('h2', {}, h('a', { ...linkProps(`/projects/${project.id}`), class: 'project-link' }, project.name)),
      h('span', { class: `badge status-${project.status}` }, projectStatusLabel(project.status))),
    project.description ? h('p', { class: 'project-description muted' }, project.description) : null,
    progress(project),
    h('p', { class: 'project-meta' },
      h('span', {}, `You: ${roleLabel(project.my_role)}`),
      h('span', {}, project.member_count === 1 ? '1 member' : `${project.member_count} members`),
      dueLabel(project.due_date, { open: project.status !== 'done' && project.status !== 'archived' })));
}

export function projectsList() {
  const state = { status: 'active', offset: 0 };
  const listEl = h('div', { class: 'projects-wrap' });

  const create = async () => {
    const project = await createProject();
    if (!project) return;
    toast(`Created “${project.name}”.`);
    navigate(`/projects/${project.id}`);
  };

  const emptyText = () => {
    const createButton = h('button', { type: 'button', class: 'primary', onclick: create }, 'Create a project');
    if (state.status === '') {
      return [h('p', {}, 'No projects yet. A project gathers tasks on a board and the people who work on them with you.'), createButton];
    }
    if (state.status === 'active') {
      return [h('p', {}, 'No active projects. Create one to plan work on a board with your connections, or choose “All” above to see projects on hold, done or archived.'), createButton];
    }
    return [h('p', {}, `No ${projectStatusLabel(state.status).toLowerCase()} projects. Choose “All” above to see the others.`)];
  };

  const query = () => {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(state.offset) });
    if (state.status) params.set('status', state.status);
    return get(`/api/projects?${params}`);
  };
  // The empty state's words depend on the filter, so a new filter starts a new loader.
  const start = () => load(listEl, {
    fetch: query,
    isEmpty: (page) => page.items.length === 0,
    empty: h('div', { class: 'empty-state' }, emptyText()),
    render: (page) => [
      h('ul', { class: 'project-list', 'aria-label': 'Projects' }, page.items.map(projectCard)),
      pager(page, (offset) => { state.offset = offset; reload(); }),
    ],
  });
  let reload = start();

  const filter = h('select', {
    id: 'project-status-filter', name: 'status',
    onchange: () => {
      state.status = filter.value;
      state.offset = 0;
      mount(listEl);
      reload = start();
    },
  }, FILTERS.map(([value, text]) => h('option', { value, selected: value === state.status }, text)));

  return h('div', { class: 'page projects-page' },
    h('div', { class: 'page-head' },
      h('h1', {}, 'Projects'),
      h('button', { type: 'button', class: 'primary', id: 'new-project', onclick: create }, 'New project')),
    h('div', { class: 'filters project-filters' },
      h('div', { class: 'field' }, h('label', { for: 'project-status-filter' }, 'Show'), filter)),
    listEl);
}
