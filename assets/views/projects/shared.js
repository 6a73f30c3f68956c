// What the Projects views share: the words for statuses, priorities and roles, how a person
// and a due date read, the colour swatch, and the paths of the API.

import { h } from '../../dom.js';
import { get } from '../../api.js';
import { dueText, localDate } from '../todos/dates.js';

export const PROJECT_STATUSES = [['active', 'Active'], ['on_hold', 'On hold'], ['done', 'Done'], ['archived', 'Archived']];
export const TASK_STATUSES = [['todo', 'To do'], ['in_progress', 'In progress'], ['blocked', 'Blocked'], ['done', 'Done']];
export const PRIORITIES = [['none', 'None'], ['low', 'Low'], ['medium', 'Medium'], ['high', 'High']];
export const ROLES = [['owner', 'Owner'], ['editor', 'Editor'], ['viewer', 'Viewer']];

const label = (pairs) => (value) => (pairs.find(([v]) => v === value) || [value, value])[1];
export const projectStatusLabel = label(PROJECT_STATUSES);
export const taskStatusLabel = label(TASK_STATUSES);
export const priorityLabel = label(PRIORITIES);
export const roleLabel = label(ROLES);

// What each role may do (the server decides; the UI only hides what would be refused).
export const canWrite = (role) => role === 'editor' || role === 'owner';
export const canManage = (role) => role === 'owner';

export const projectPath = (id) => `/api/projects/${id}`;
export const tasksPath = (id) => `/api/projects/${id}/tasks`;
export const taskPath = (projectId, taskId) => `/api/projects/${projectId}/tasks/${taskId}`;

// A person as shown: their display name, else their username.
export function personName(user) {
  if (!user) return 'Someone (account deleted)';
  return user.display_name || user.username;
}

// A round avatar with the first letter; the name is for the accessibility tree (or hidden
// when text beside it says it already).
export function avatar(user, { labelled = true } = {}) {
  const name = personName(user);
  return h('span', {
    class: 'avatar', title: name, role: labelled ? 'img' : null,
    'aria-label': labelled ? name : null, 'aria-hidden': labelled ? null : 'true',
  }, (user ? user.username : '?').slice(0, 1).toUpperCase());
}

// A project's colour as a swatch (set through CSSOM: the CSP forbids style attributes).
export function swatch(colour, className = 'project-swatch') {
  const el = h('span', { class: className, 'aria-hidden': 'true' });
  if (colour) el.style.setProperty('--project', colour);
  return el;
}

// "Due today", "Due Mon 3 Mar 2027"; overdue ones say so.
export function dueLabel(dueDate, { open = true } = {}) {
  if (!dueDate) return null;
  const overdue = open && dueDate < localDate(new Date());
  const words = dueText({ due_date: dueDate });
  const shown = words === 'Today' || words === 'Tomorrow' ? words.toLowerCase() : words;
  return h('span', { class: `due${overdue ? ' overdue' : ''}`, dataset: { date: dueDate } },
    overdue ? `Overdue since ${shown}` : `Due ${shown}`);
}

// Sets a form control's error line, or clears it.
export function showError(el, message) {
  el.textContent = message || '';
  el.hidden = !message;
}

// Every task of the project matching `params` (the API gives 200 at most per page).
export async function allTasks(projectId, params = new URLSearchParams()) {
  const items = [];
  for (let offset = 0; ; offset += 200) {
    params.set('limit', '200');
    params.set('offset', String(offset));
    const page = await get(`${tasksPath(projectId)}?${params}`);
    items.push(...page.items);
    if (page.items.length === 0 || items.length >= page.total) return items;
  }
}
