// A project's page: the header (name, status, due date, members, edit and delete for owners),
// the switch between Board, List and Activity (`?view=`), and the task drawer (`?task=`).
// The address changes without redrawing the page, so focus stays where the user is; the
// tasks are read once per change and every view draws from the same list.

import { h, mount } from '../../dom.js';
import { del, get, itemsOf } from '../../api.js';
import { confirmDialog } from '../../dialog.js';
import { navigate } from '../../nav.js';
import { toast } from '../../toast.js';
import { activityPanel } from './activity.js';
import { boardView } from './board.js';
import { openTaskDrawer } from './drawer.js';
import { openMembersDialog } from './members_dialog.js';
import { editProject } from './project_form.js';
import { progress } from './list.js';
import { taskTable } from './task_table.js';
import {
  allTasks, avatar, canManage, dueLabel, projectPath, projectStatusLabel, roleLabel, swatch, tasksPath,
} from './shared.js';

const VIEWS = [['board', 'Board'], ['list', 'List'], ['activity', 'Activity']];

// The page's query: view and task, from the address.
function query() {
  const params = new URLSearchParams(location.search);
  const view = VIEWS.some(([v]) => v === params.get('view')) ? params.get('view') : 'board';
  const task = /^[1-9][0-9]{0,17}$/.test(params.get('task') || '') ? Number(params.get('task')) : null;
  return { view, task };
}

// Writes the query back into the address (a new history entry only when `push`).
function setQuery({ view, task }, push = false) {
  const params = new URLSearchParams();
  if (view && view !== 'board') params.set('view', view);
  if (task) params.set('task', String(task));
  const search = params.toString();
  const url = `${location.pathname}${search ? `?${search}` : ''}`;
  if (url === `${location.pathname}${location.search}`) return;
  if (push) history.pushState({}, '', url); else history.replaceState({}, '', url);
}

export function projectPage(projectId, { user }) {
  const state = { ...query(), project: null, members: [], tasks: [] };
  const head = h('div', { class: 'project-head' }, h('h1', {}, 'Project'));
  const switcher = h('div', { class: 'view-switch', role: 'group', 'aria-label': 'View' });
  const body = h('div', { class: 'project-body', 'aria-busy': 'true' }, h('p', { class: 'muted loading' }, 'Loading…'));
  // Results of moves, read out by screen readers and shown under the switch.
  const live = h('p', { class: 'project-live muted', id: 'project-live', 'aria-live': 'polite', role: 'status' });
  const page = h('div', { class: 'page project-page' }, head, switcher, live, body);

  const role = () => (state.project ? state.project.my_role : 'viewer');
  const announce = (message) => {
    // Emptied first, so the same words twice are read twice.
    live.textContent = '';
    requestAnimationFrame(() => { live.textContent = message; });
  };

  const gone = () => {
    mount(page, h('h1', {}, 'Project not found'),
      h('p', { class: 'muted' }, 'This project does not exist, or you are no longer one of its members.'),
      h('button', { type: 'button', class: 'primary', onclick: () => navigate('/projects') }, 'All projects'));
  };

  const failed = (error) => {
    if (error.signedOut) return true;
    if (error.status === 404) { gone(); return true; }
    return false;
  };

  const ctx = {
    projectId,
    user,
    get project() { return state.project; },
    get members() { return state.members; },
    get tasks() { return state.tasks; },
    get role() { return role(); },
    announce,
    // Reloads what a change may have touched and draws the view again.
    async refresh({ members = false, focusTask = null, focus = null } = {}) {
      try {
        const [project, tasks, memberPage] = await Promise.all([
          get(projectPath(projectId)),
          allTasks(projectId),
          members ? get(`${projectPath(projectId)}/members?limit=200`) : null,
        ]);
        state.project = project;
        state.tasks = tasks;
        if (memberPage) state.members = itemsOf(memberPage);
      } catch (error) {
        if (!failed(error)) toast(error.message, { kind: 'error' });
        return;
      }
      drawHead();
      drawBody();
      if (focusTask) body.querySelector(`[data-task-id="${focusTask}"]`)?.focus();
      else if (focus) body.querySelector(focus)?.focus();
    },
    openTask: (taskId) => openTask(taskId, true),
    gone,
  };

  function drawHead() {
    const { project } = state;
    const owners = canManage(role());
    const shownMembers = state.members.slice(0, 5);
    mount(head,
      h('div', { class: 'project-title' },
        swatch(project.colour),
        h('h1', {}, project.name),
        h('span', { class: `badge status-${project.status}` }, projectStatusLabel(project.status))),
      project.description ? h('p', { class: 'project-description' }, project.description) : null,
      h('div', { class: 'project-facts' },
        progress(project),
        dueLabel(project.due_date, { open: project.status !== 'done' && project.status !== 'archived' }),
        h('span', { class: 'muted' }, `You are ${roleLabel(role()).toLowerCase()}`),
        h('button', {
          type: 'button', class: 'members-button', id: 'project-members',
          'aria-label': `Members: ${project.member_count}. Show the members`,
          onclick: () => openMembersDialog(ctx),
        },
        h('span', { class: 'avatar-stack', 'aria-hidden': 'true' }, shownMembers.map((m) => avatar(m.user, { labelled: false }))),
        h('span', {}, project.member_count === 1 ? '1 member' : `${project.member_count} members`))),
      owners ? h('div', { class: 'actions project-actions' },
        h('button', { type: 'button', class: 'small', id: 'project-edit', onclick: edit }, 'Edit project'),
        h('button', { type: 'button', class: 'small danger-outline', id: 'project-delete', onclick: remove }, 'Delete project')) : null);
    document.title = `${project.name} · UMBRA`;
  }

  function drawSwitch() {
    mount(switcher, VIEWS.map(([view, text]) => h('button', {
      type: 'button', class: 'small view-button', dataset: { view }, 'aria-pressed': String(state.view === view),
      onclick: () => {
        if (state.view === view) return;
        state.view = view;
        setQuery(state, true);
        // The last move's words belong to the board just left.
        live.textContent = '';
        drawSwitch();
        drawBody();
      },
    }, text)));
  }

  function drawBody() {
    body.removeAttribute('aria-busy');
    const views = {
      board: () => boardView(ctx),
      list: () => taskTable(ctx),
      activity: () => activityPanel(ctx),
    };
    mount(body, views[state.view]());
    body.dataset.view = state.view;
  }

  async function edit() {
    const project = await editProject(state.project);
    if (!project) return;
    state.project = project;
    toast(`Saved “${project.name}”.`);
    drawHead();
  }

  async function remove() {
    const { project } = state;
    const tasks = project.task_count === 1 ? '1 task' : `${project.task_count} tasks`;
    const ok = await confirmDialog({
      title: 'Delete this project?',
      message: `“${project.name}” will be deleted for all ${project.member_count === 1 ? 'its member' : `${project.member_count} members`}.`,
      lose: `Its ${tasks}, with their checklists and comments, and the activity history are lost.`,
      confirmLabel: 'Delete project',
      danger: true,
    });
    if (!ok) return;
    try {
      await del(projectPath(project.id));
    } catch (error) {
      if (!error.signedOut) toast(error.message, { kind: 'error' });
      return;
    }
    toast(`Deleted “${project.name}”.`);
    navigate('/projects');
  }

  // Opens the drawer of a task; the address names it while it is open.
  async function openTask(taskId, push) {
    state.task = taskId;
    setQuery(state, push);
    let task;
    try {
      task = await get(`${tasksPath(projectId)}/${taskId}`);
    } catch (error) {
      if (error.signedOut) return;
      state.task = null;
      setQuery(state);
      toast(error.status === 404 ? 'That task does not exist any more.' : error.message, { kind: 'error' });
      // A 404 may also mean this member was removed: the refresh says so if it was.
      if (error.status === 404) ctx.refresh();
      return;
    }
    openTaskDrawer(task, ctx, {
      onClose: () => {
        state.task = null;
        setQuery(state);
      },
    });
  }

  (async () => {
    try {
      const [project, memberPage, tasks] = await Promise.all([
        get(projectPath(projectId)),
        get(`${projectPath(projectId)}/members?limit=200`),
        allTasks(projectId),
      ]);
      state.project = project;
      state.members = itemsOf(memberPage);
      state.tasks = tasks;
    } catch (error) {
      if (failed(error)) return;
      mount(body, h('div', { class: 'load-error', role: 'alert' }, h('p', { class: 'form-error' }, error.message),
        h('button', { type: 'button', onclick: () => navigate(location.pathname + location.search, { replace: true }) }, 'Try again')));
      return;
    }
    drawHead();
    drawSwitch();
    drawBody();
    if (state.task) openTask(state.task, false);
  })();

  return page;
}
