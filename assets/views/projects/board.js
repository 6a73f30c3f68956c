// The kanban board: four columns (To do, In progress, Blocked, Done) with the tasks in their
// order and a quick add under each. A card moves by pointer (drag it to a column and a place;
// mouse, pen and touch through drag.js) or by keyboard on the focused card: Alt+←/→ to the
// end of the previous/next column, Alt+↑/↓ one place up/down. Each move is one POST …/move
// with the neighbour it lands before or after, and the result is announced ("Moved “Paint”
// to Done, position 1 of 3"). Viewers see the cards without any write control.

import { h } from '../../dom.js';
import { post } from '../../api.js';
import { icon } from '../../icons.js';
import { toast } from '../../toast.js';
import { onDrag, under } from '../calendar/drag.js';
import {
  TASK_STATUSES, avatar, canWrite, dueLabel, personName, priorityLabel, taskPath, tasksPath, taskStatusLabel,
} from './shared.js';

const KEYS_HINT = 'Drag a card to another column or place. On a focused card: Enter opens it, Alt+← and Alt+→ move it to another column, Alt+↑ and Alt+↓ change its place.';

// The small facts on a card: priority, due date, checklist, comments, assignees.
function cardMeta(task) {
  const done = task.checklist.filter((i) => i.done).length;
  return h('div', { class: 'task-meta' },
    task.priority !== 'none' ? h('span', { class: `badge priority-${task.priority}` }, priorityLabel(task.priority)) : null,
    dueLabel(task.due_date, { open: task.status !== 'done' }),
    task.checklist.length ? h('span', { class: 'muted' }, `${done}/${task.checklist.length} checked`) : null,
    task.comment_count ? h('span', { class: 'muted', title: 'Comments' },
      task.comment_count === 1 ? '1 comment' : `${task.comment_count} comments`) : null,
    task.assignees.length ? h('span', { class: 'avatar-stack' }, task.assignees.map((u) => avatar(u))) : null);
}

// The words a card is read as: its title, then what the meta shows.
function cardLabel(task) {
  const parts = [task.title];
  if (task.priority !== 'none') parts.push(`${priorityLabel(task.priority)} priority`);
  if (task.due_date) parts.push(`due ${task.due_date}`);
  if (task.assignees.length) parts.push(`assigned to ${task.assignees.map(personName).join(', ')}`);
  return parts.join(', ');
}

export function boardView(ctx) {
  const editable = canWrite(ctx.role);
  const columnsEl = h('div', { class: 'board' });
  const columns = new Map();
  const byStatus = (status) => ctx.tasks.filter((t) => t.status === status);

  // Where `task` would land: its column's other cards in order and its index among them.
  const neighbours = (status, index, taskId) => {
    const others = byStatus(status).filter((t) => t.id !== taskId);
    if (others.length === 0) return {};
    if (index < others.length) return { before_id: others[index].id };
    return { after_id: others[others.length - 1].id };
  };

  // One move at a time: the next one is computed from the order the last one left.
  let moving = false;
  async function move(task, status, index, { byKey = false } = {}) {
    if (moving) return;
    moving = true;
    try {
      await post(`${taskPath(ctx.projectId, task.id)}/move`, { status, ...neighbours(status, index, task.id) });
    } catch (error) {
      moving = false;
      if (error.signedOut) return;
      if (error.status === 404) { ctx.gone(); return; }
      toast(error.message, { kind: 'error' });
      await ctx.refresh({ focusTask: byKey ? task.id : null });
      return;
    }
    await ctx.refresh({ focusTask: byKey ? task.id : null });
    moving = false;
    const column = byStatus(status);
    const at = column.findIndex((t) => t.id === task.id);
    ctx.announce(`Moved “${task.title}” to ${taskStatusLabel(status)}, position ${at + 1} of ${column.length}.`);
  }

  function keyMove(task, event) {
    const order = TASK_STATUSES.map(([s]) => s);
    const column = byStatus(task.status);
    const index = column.findIndex((t) => t.id === task.id);
    const col = order.indexOf(task.status);
    if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      const next = order[col + (event.key === 'ArrowLeft' ? -1 : 1)];
      if (!next) { ctx.announce(`“${task.title}” is already in the ${event.key === 'ArrowLeft' ? 'first' : 'last'} column.`); return; }
      move(task, next, byStatus(next).length, { byKey: true });
    } else {
      const to = index + (event.key === 'ArrowUp' ? -1 : 1);
      if (to < 0 || to >= column.length) { ctx.announce(`“${task.title}” is already ${to < 0 ? 'first' : 'last'} in ${taskStatusLabel(task.status)}.`); return; }
      move(task, task.status, to, { byKey: true });
    }
  }

  // Arrow keys without Alt walk between cards: up/down in a column, left/right across.
  function focusNear(task, key) {
    const order = TASK_STATUSES.map(([s]) => s);
    const column = byStatus(task.status);
    const index = column.findIndex((t) => t.id === task.id);
    let target = null;
    if (key === 'ArrowUp') target = column[index - 1];
    if (key === 'ArrowDown') target = column[index + 1];
    if (key === 'ArrowLeft' || key === 'ArrowRight') {
      const step = key === 'ArrowLeft' ? -1 : 1;
      for (let c = order.indexOf(task.status) + step; c >= 0 && c < order.length && !target; c += step) {
        const other = byStatus(order[c]);
        target = other[Math.min(index, other.length - 1)];
      }
    }
    if (target) columnsEl.querySelector(`[data-task-id="${target.id}"]`)?.focus();
  }

  // A pointer drag: the card follows the pointer; the column under it and the card the drop
  // would land before are marked; the drop moves it there.
  function draggable(card, task) {
    let target = null;
    const clear = () => {
      columnsEl.querySelectorAll('.drop-target, .drop-before').forEach((e) => e.classList.remove('drop-target', 'drop-before'));
    };
    const place = (event) => {
      const column = under(event.clientX, event.clientY, '.board-column');
      if (!column) return null;
      const cards = [...column.querySelectorAll('.task-card')].filter((c) => c !== card);
      const index = cards.findIndex((c) => {
        const r = c.getBoundingClientRect();
        return event.clientY < r.top + r.height / 2;
      });
      return { column, status: column.dataset.status, index: index < 0 ? cards.length : index, before: cards[index] || null };
    };
    onDrag(card, {
      start: (event) => !event.target.closest('button, a, input'),
      move: (event, dx, dy) => {
        card.style.transform = `translate(${dx}px, ${dy}px)`;
        clear();
        target = place(event);
        if (!target) return;
        target.column.classList.add('drop-target');
        target.before?.classList.add('drop-before');
      },
      drop: (event) => {
        target = place(event);
        clear();
        card.style.transform = '';
        if (!target) return;
        const column = byStatus(target.status).filter((t) => t.id !== task.id);
        const from = byStatus(task.status).findIndex((t) => t.id === task.id);
        if (target.status === task.status && target.index === from) return;
        // Shown at its new place at once; the answer redraws the board.
        const list = target.column.querySelector('.board-cards');
        list.querySelector('.board-empty')?.remove();
        list.insertBefore(card, target.before || null);
        move(task, target.status, Math.min(target.index, column.length));
      },
      cancel: () => { clear(); card.style.transform = ''; },
    });
  }

  function taskCard(task) {
    const card = h('li', {
      class: `task-card priority-edge-${task.priority}`, tabindex: 0, dataset: { taskId: String(task.id) },
      'aria-label': cardLabel(task), 'aria-describedby': editable ? 'board-keys' : null,
      'aria-keyshortcuts': editable ? 'Alt+ArrowLeft Alt+ArrowRight Alt+ArrowUp Alt+ArrowDown' : null,
      onclick: () => ctx.openTask(task.id),
      onkeydown: (event) => {
        if (event.target !== card) return;
        const arrow = ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'].includes(event.key);
        if (arrow && event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
          event.preventDefault();
          if (editable) keyMove(task, event);
        } else if (arrow && !event.altKey && !event.ctrlKey && !event.metaKey) {
          event.preventDefault();
          focusNear(task, event.key);
        } else if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          ctx.openTask(task.id);
        }
      },
    },
    editable ? h('span', { class: 'drag-handle', 'aria-hidden': 'true' }, icon('menu')) : null,
    h('span', { class: 'task-title' }, task.title),
    cardMeta(task));
    if (editable) draggable(card, task);
    return card;
  }

  function quickAdd(status, text) {
    const inputId = `quick-add-${status}`;
    const error = h('p', { class: 'field-error', hidden: true });
    const input = h('input', {
      id: inputId, type: 'text', maxlength: 200, autocomplete: 'off', placeholder: 'Add a task', name: 'title',
    });
    return h('form', {
      class: 'quick-add-task',
      async onsubmit(event) {
        event.preventDefault();
        const title = input.value.trim();
        if (!title) { error.textContent = 'Type a title first.'; error.hidden = false; input.focus(); return; }
        error.hidden = true;
        try {
          const task = await post(tasksPath(ctx.projectId), { title, status });
          ctx.announce(`Added “${task.title}” to ${text}.`);
          await ctx.refresh({ focus: `#${inputId}` });
        } catch (err) {
          if (err.signedOut) return;
          if (err.status === 404) { ctx.gone(); return; }
          error.textContent = Object.values(err.fields || {})[0] || err.message;
          error.hidden = false;
        }
      },
    },
    h('label', { for: inputId, class: 'visually-hidden' }, `New task in ${text}`),
    h('div', { class: 'quick-add-row' }, input, h('button', { type: 'submit', class: 'small', 'aria-label': `Add to ${text}` }, 'Add')),
    error);
  }

  for (const [status, text] of TASK_STATUSES) {
    const tasks = byStatus(status);
    const headingId = `column-${status}`;
    const column = h('section', { class: `board-column column-${status}`, dataset: { status }, 'aria-labelledby': headingId },
      h('h2', { id: headingId }, text, h('span', { class: 'badge count' }, String(tasks.length))),
      h('ul', { class: 'board-cards', 'aria-labelledby': headingId },
        tasks.length ? tasks.map(taskCard) : h('li', { class: 'board-empty muted' }, editable ? 'No tasks. Add one below or drag a card here.' : 'No tasks.')),
      editable ? quickAdd(status, text) : null);
    columns.set(status, column);
    columnsEl.append(column);
  }

  return h('div', { class: 'board-wrap' },
    editable
      ? h('p', { class: 'hint', id: 'board-keys' }, KEYS_HINT)
      : h('p', { class: 'hint' }, 'You can see this board but not change it: your role in this project is viewer.'),
    columnsEl);
}
