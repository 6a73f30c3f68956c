// The task drawer (`?task={id}`): title, notes, status, priority, due date, assignees (the
// project's members), the checklist — saved together with one PATCH of what changed — and
// the comments below. Editors and owners change and delete; a viewer reads. Closing it gives
// the focus back to the task's card and redraws the board if anything changed.

import { h } from '../../dom.js';
import { ApiError, del, patch } from '../../api.js';
import { confirmDialog } from '../../dialog.js';
import { formatTime } from '../../format.js';
import { toast } from '../../toast.js';
import { commentsPanel } from './comments.js';
import { PRIORITIES, TASK_STATUSES, canWrite, personName, roleLabel, taskPath } from './shared.js';
import { taskChecklist } from './task_checklist.js';

function field(id, label, control, error) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, error);
}

function choices(id, name, pairs, value, disabled) {
  return h('select', { id, name, disabled }, pairs.map(([v, l]) => h('option', { value: v, selected: v === value }, l)));
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// onClose(): after the drawer is gone.
export function openTaskDrawer(task, ctx, { onClose }) {
  const editable = canWrite(ctx.role);
  const disabled = !editable;
  let current = task;
  let changed = false;
  const errors = {};
  const errorFor = (name) => {
    errors[name] = h('p', { class: 'field-error', hidden: true });
    return errors[name];
  };
  const title = h('input', { id: 'task-title', name: 'title', type: 'text', value: task.title, maxlength: 200, required: true, disabled });
  const notes = h('textarea', { id: 'task-notes', name: 'notes', rows: 4, maxlength: 10000, disabled }, task.notes);
  const status = choices('task-status', 'status', TASK_STATUSES, task.status, disabled);
  const priority = choices('task-priority', 'priority', PRIORITIES, task.priority, disabled);
  const due = h('input', { id: 'task-due', name: 'due_date', type: 'date', value: task.due_date || '', disabled });
  const assigned = new Set(task.assignees.map((u) => u.id));
  const assignees = h('fieldset', { class: 'assignees' }, h('legend', {}, 'Assignees'),
    ctx.members.map((m) => {
      const id = `task-assignee-${m.user.id}`;
      return h('div', { class: 'inline-check' },
        h('input', { type: 'checkbox', id, name: 'assignee', value: String(m.user.id), checked: assigned.has(m.user.id), disabled }),
        h('label', { for: id }, personName(m.user), h('span', { class: 'muted' }, ` @${m.user.username} · ${roleLabel(m.role)}`)));
    }),
    // An assignee who has left the project is no longer in the list of members.
    task.assignees.filter((u) => !ctx.members.some((m) => m.user.id === u.id))
      .map((u) => h('p', { class: 'muted' }, `${personName(u)} (no longer a member)`)),
    errorFor('assignee_ids'));
  const checklist = taskChecklist(task.checklist, { readOnly: disabled });
  const alert = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const meta = h('p', { class: 'hint task-facts' });
  const showMeta = () => {
    meta.textContent = `Created ${formatTime(current.created_at)}${current.created_by ? ` by ${personName(current.created_by)}` : ''}`
      + ` · changed ${formatTime(current.updated_at)}${current.completed_at ? ` · done ${formatTime(current.completed_at)}` : ''}`;
  };
  showMeta();

  const values = () => ({
    title: title.value.trim(),
    notes: notes.value,
    status: status.value,
    priority: priority.value,
    due_date: due.value || null,
    checklist: checklist.value(),
    assignee_ids: [...assignees.querySelectorAll('input[name=assignee]:checked')].map((b) => Number(b.value)),
  });
  const original = (t) => ({
    title: t.title, notes: t.notes, status: t.status, priority: t.priority, due_date: t.due_date || null,
    checklist: t.checklist.map((i) => ({ text: i.text, done: i.done })), assignee_ids: t.assignees.map((u) => u.id),
  });

  const save = async (event) => {
    event.preventDefault();
    if (!editable) return;
    Object.values(errors).forEach((e) => { e.hidden = true; });
    alert.hidden = true;
    const now = values();
    const before = original(current);
    const body = Object.fromEntries(Object.entries(now).filter(([key, value]) => {
      if (key === 'assignee_ids') return !same([...value].sort(), [...before[key]].sort());
      return !same(value, before[key]);
    }));
    if (!Object.keys(body).length) { toast('Nothing to save: no field changed.'); return; }
    try {
      current = await patch(taskPath(ctx.projectId, task.id), body);
      changed = true;
      showMeta();
      toast(`Saved “${current.title}”.`);
    } catch (err) {
      if (!(err instanceof ApiError) || err.signedOut) return;
      if (err.status === 404) { dialog.close(); ctx.gone(); return; }
      let shown = false;
      for (const [name, message] of Object.entries(err.fields)) {
        const key = name.startsWith('checklist') ? 'checklist' : name.replace(/\[.*$/, '');
        if (errors[key]) { errors[key].textContent = message; errors[key].hidden = false; shown = true; }
      }
      if (!shown) { alert.textContent = err.message; alert.hidden = false; }
    }
  };

  const remove = async () => {
    const ok = await confirmDialog({
      title: 'Delete this task?', message: `“${current.title}” will be deleted for every member.`,
      lose: `Its notes, checklist and ${current.comment_count === 1 ? 'comment' : `${current.comment_count} comments`} are lost.`,
      confirmLabel: 'Delete task', danger: true,
    });
    if (!ok) return;
    try {
      await del(taskPath(ctx.projectId, task.id));
    } catch (err) {
      if (!err.signedOut) toast(err.message, { kind: 'error' });
      return;
    }
    toast(`Deleted “${current.title}”.`);
    changed = true;
    dialog.close();
  };

  const comments = commentsPanel(task, ctx, { onCountChanged: () => { changed = true; } });
  const dialog = h('dialog', { class: 'dialog drawer task-drawer', 'aria-labelledby': 'task-drawer-title' },
    h('form', { onsubmit: save, class: 'task-form' },
      h('div', { class: 'drawer-head' },
        h('h2', { id: 'task-drawer-title' }, editable ? 'Task' : 'Task (read only)'),
        h('button', { type: 'button', class: 'cancel', onclick: () => dialog.close() }, 'Close')),
      field('task-title', 'Title', title, errorFor('title')),
      field('task-notes', 'Notes', notes, errorFor('notes')),
      h('div', { class: 'field-row' },
        field('task-status', 'Status', status, errorFor('status')),
        field('task-priority', 'Priority', priority, errorFor('priority')),
        field('task-due', 'Due date', due, errorFor('due_date'))),
      assignees,
      checklist.el, errorFor('checklist'),
      alert,
      editable ? h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', id: 'task-save' }, 'Save'),
        h('button', { type: 'button', class: 'danger-outline', id: 'task-delete', onclick: remove }, 'Delete')) : null,
      meta),
    comments.el);
  document.body.append(dialog);
  // Back or forward in the history leaves the task: the drawer goes with it, and the address
  // (already the one navigated to) is left alone.
  let navigated = false;
  const leave = () => { navigated = true; dialog.close(); };
  window.addEventListener('popstate', leave);
  dialog.addEventListener('close', async () => {
    window.removeEventListener('popstate', leave);
    dialog.remove();
    if (navigated) return;
    onClose();
    if (changed) await ctx.refresh({ focusTask: task.id });
    else document.querySelector(`.project-body [data-task-id="${task.id}"]`)?.focus();
  });
  dialog.showModal();
  (editable ? title : dialog.querySelector('button.cancel')).focus();
  return dialog;
}
