// The todo list: one row per todo with its checkbox, priority, category and due date; rows
// open the detail drawer; in manual order they move with Alt+ArrowUp/Down or by dragging the
// handle, and the new order is saved at once.

import { h } from '../../dom.js';
import { icon } from '../../icons.js';
import { dueText, isOverdue } from './dates.js';

// A category's name with its colour (set through CSSOM: the CSP forbids style attributes).
export function chip(category) {
  const el = h('span', { class: 'todo-category' }, category.name);
  el.style.setProperty('--chip', category.colour);
  return el;
}

const PRIORITY_LABELS = { none: '', low: 'Low', medium: 'Medium', high: 'High' };

// todos: the rows in order; canReorder: manual order is shown; handlers:
// { onToggle(todo, done), onOpen(todo), onMove(ids, movedId) }.
export function todoList({ todos, categories, canReorder, onToggle, onOpen, onMove }) {
  const byId = new Map(categories.map((c) => [c.id, c]));
  let dragged = null;
  const move = (from, to) => {
    if (to < 0 || to >= todos.length || from === to) return;
    const ids = todos.map((t) => t.id);
    const [id] = ids.splice(from, 1);
    ids.splice(to, 0, id);
    onMove(ids, id);
  };
  const rows = todos.map((todo, index) => {
    const category = todo.category_id ? byId.get(todo.category_id) : null;
    const due = dueText(todo);
    const check = h('input', {
      type: 'checkbox', class: 'todo-check', checked: todo.completed,
      'aria-label': `${todo.completed ? 'Reopen' : 'Complete'} ${todo.title}`,
      onchange: () => onToggle(todo, check.checked),
    });
    const row = h('li', {
      class: `todo-row${todo.completed ? ' done' : ''}`, tabindex: 0, dataset: { id: String(todo.id) },
      'aria-label': todo.title,
      onkeydown: (event) => {
        if (event.target !== row) return;
        if (canReorder && event.altKey && (event.key === 'ArrowUp' || event.key === 'ArrowDown')) {
          event.preventDefault();
          move(index, index + (event.key === 'ArrowUp' ? -1 : 1));
        } else if (event.key === 'Enter') {
          event.preventDefault();
          onOpen(todo);
        }
      },
      ondragover: (event) => { if (dragged !== null) { event.preventDefault(); row.classList.add('drop-target'); } },
      ondragleave: () => row.classList.remove('drop-target'),
      ondrop: (event) => {
        event.preventDefault();
        row.classList.remove('drop-target');
        if (dragged !== null) move(dragged, index);
        dragged = null;
      },
    },
    canReorder ? h('span', {
      class: 'drag-handle', draggable: 'true', title: 'Drag to reorder (or Alt+Arrow keys on the row)', 'aria-hidden': 'true',
      ondragstart: (event) => { dragged = index; event.dataTransfer.effectAllowed = 'move'; event.dataTransfer.setData('text/plain', String(todo.id)); },
      ondragend: () => { dragged = null; },
    }, icon('menu')) : null,
    check,
    h('button', { type: 'button', class: 'todo-open link', onclick: () => onOpen(todo) },
      h('span', { class: 'todo-title' }, todo.title)),
    h('span', { class: 'todo-meta' },
      todo.priority !== 'none' ? h('span', { class: `badge todo-priority priority-${todo.priority}` }, PRIORITY_LABELS[todo.priority]) : null,
      category ? chip(category) : null,
      due ? h('span', { class: `todo-due${isOverdue(todo) ? ' overdue' : ''}`, dataset: { date: todo.due_date || '' } }, due) : null,
      todo.recurrence ? h('span', { class: 'todo-repeat muted' }, 'repeats') : null,
      todo.checklist.length ? h('span', { class: 'muted todo-checklist-count' }, `${todo.checklist.filter((i) => i.done).length}/${todo.checklist.length}`) : null));
    return row;
  });
  return h('ul', { class: 'todo-list', 'aria-label': 'Todos' }, rows);
}
