// The detail drawer: everything about one todo — title, notes, priority, category, due date
// or date-time, checklist, repeat rule and completion history — saved in one PATCH, and
// deleted after a confirmation that says what is lost.

import { h } from '../../dom.js';
import { ApiError, del, get, patch } from '../../api.js';
import { confirmDialog } from '../../dialog.js';
import { userZone, zonedInstant } from '../../fields.js';
import { formatTime } from '../../format.js';
import { toast } from '../../toast.js';
import { localDateTime } from './dates.js';
import { checklistEditor } from './checklist.js';
import { recurrenceBuilder } from './recurrence.js';

function field(id, label, control, errorFor) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, errorFor);
}

// Opens the drawer for `todo`; `onChanged()` reloads the list after a save or delete.
export function openDrawer(todo, { categories, onChanged }) {
  const errors = {};
  const errorFor = (name) => {
    errors[name] = h('p', { class: 'field-error', hidden: true });
    return errors[name];
  };
  const title = h('input', { id: 'todo-title', name: 'title', type: 'text', value: todo.title, maxlength: 500, required: true });
  const notes = h('textarea', { id: 'todo-notes', name: 'notes', rows: 4, maxlength: 10000 }, todo.notes);
  const priority = h('select', { id: 'todo-priority', name: 'priority' },
    [['none', 'None'], ['low', 'Low'], ['medium', 'Medium'], ['high', 'High']]
      .map(([v, l]) => h('option', { value: v, selected: todo.priority === v }, l)));
  const category = h('select', { id: 'todo-category', name: 'category_id' },
    h('option', { value: '' }, 'No category'),
    categories.map((c) => h('option', { value: String(c.id), selected: todo.category_id === c.id }, c.name)));
  const dueKind = h('select', { id: 'todo-due-kind', name: 'due_kind' },
    h('option', { value: 'none', selected: !todo.due_date && !todo.due_at }, 'No due date'),
    h('option', { value: 'date', selected: Boolean(todo.due_date) }, 'On a day'),
    h('option', { value: 'time', selected: Boolean(todo.due_at) }, 'At a time'));
  const dueDate = h('input', { id: 'todo-due-date', name: 'due_date', type: 'date', value: todo.due_date || '' });
  const dueAt = h('input', { id: 'todo-due-at', name: 'due_at', type: 'datetime-local', value: todo.due_at ? localDateTime(new Date(todo.due_at)) : '' });
  const dateRow = field('todo-due-date', 'Due date', dueDate, errorFor('due_date'));
  const timeRow = field('todo-due-at', 'Due at (your time zone)', dueAt, errorFor('due_at'));
  const showDue = () => { dateRow.hidden = dueKind.value !== 'date'; timeRow.hidden = dueKind.value !== 'time'; };
  dueKind.addEventListener('change', showDue);
  showDue();
  const checklist = checklistEditor(todo.checklist);
  const repeat = recurrenceBuilder(todo);
  const alert = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const history = h('ul', { class: 'completions' });

  const save = async (event) => {
    event.preventDefault();
    Object.values(errors).forEach((e) => { e.hidden = true; });
    alert.hidden = true;
    const body = {
      title: title.value,
      notes: notes.value,
      priority: priority.value,
      category_id: category.value ? Number(category.value) : null,
      due_date: dueKind.value === 'date' && dueDate.value ? dueDate.value : null,
      due_at: dueKind.value === 'time' && dueAt.value ? zonedInstant(dueAt.value, userZone()) : null,
      timezone: userZone(),
      checklist: checklist.value(),
      ...repeat.value(),
    };
    try {
      await patch(`/api/todos/${todo.id}`, body);
      toast(`Saved “${body.title}”.`);
      dialog.close();
      onChanged();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      let shown = false;
      for (const [name, message] of Object.entries(err.fields)) {
        const key = name.startsWith('checklist') ? 'checklist' : name;
        if (errors[key]) { errors[key].textContent = message; errors[key].hidden = false; shown = true; }
      }
      if (!shown) { alert.textContent = err.message; alert.hidden = false; }
    }
  };
  const remove = async () => {
    const ok = await confirmDialog({
      title: 'Delete this todo?', message: `“${todo.title}” will be deleted.`,
      lose: 'Its notes, checklist and completion history are lost.', confirmLabel: 'Delete', danger: true,
    });
    if (!ok) return;
    await del(`/api/todos/${todo.id}`);
    toast(`Deleted “${todo.title}”.`);
    dialog.close();
    onChanged();
  };
  const dialog = h('dialog', { class: 'dialog drawer', 'aria-labelledby': 'todo-drawer-title' },
    h('form', { onsubmit: save },
      h('div', { class: 'drawer-head' },
        h('h2', { id: 'todo-drawer-title' }, 'Todo'),
        h('button', { type: 'button', class: 'cancel', onclick: () => dialog.close() }, 'Close')),
      field('todo-title', 'Title', title, errorFor('title')),
      field('todo-notes', 'Notes', notes, errorFor('notes')),
      h('div', { class: 'field-row' },
        field('todo-priority', 'Priority', priority, errorFor('priority')),
        field('todo-category', 'Category', category, errorFor('category_id'))),
      field('todo-due-kind', 'Due', dueKind),
      dateRow, timeRow,
      checklist.el, errorFor('checklist'),
      repeat.el, errorFor('recurrence'),
      alert,
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', id: 'todo-save' }, 'Save'),
        h('button', { type: 'button', class: 'danger-outline', onclick: remove }, 'Delete'))),
    todo.recurrence ? h('section', { class: 'history', 'aria-labelledby': 'todo-history-title' },
      h('h3', { id: 'todo-history-title' }, 'Completed before'), history) : null);
  document.body.append(dialog);
  dialog.addEventListener('close', () => dialog.remove());
  dialog.showModal();
  title.focus();
  if (todo.recurrence) {
    get(`/api/todos/${todo.id}/completions?limit=20`).then((page) => {
      history.replaceChildren(...(page.items.length
        ? page.items.map((c) => h('li', {}, formatTime(c.completed_at)))
        : [h('li', { class: 'muted' }, 'Not completed yet. Each completion is kept here.')]));
    }).catch(() => history.replaceChildren(h('li', { class: 'muted' }, 'The history could not be loaded.')));
  }
}
