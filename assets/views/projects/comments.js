// A task's comments in the drawer, oldest first: author, time, "edited", the text with its
// @mentions marked, edit and delete where the server says the caller may (authors edit and
// delete their own, owners delete any), and a box to write one with @-completion of members
// (editors and owners; Ctrl+Enter sends).

import { h, mount } from '../../dom.js';
import { del, get, patch, post } from '../../api.js';
import { confirmDialog } from '../../dialog.js';
import { formatTime } from '../../format.js';
import { toast } from '../../toast.js';
import { relative } from '../reminders/when.js';
import { mentionCompletion } from './mentions.js';
import { avatar, canWrite, personName, showError, taskPath } from './shared.js';

const PAGE_SIZE = 100;

// The text with each @mention of a member in <strong>; everything else stays text.
function bodyWithMentions(comment) {
  const names = new Set(comment.mentions.map((m) => m.toLowerCase()));
  const parts = comment.body.split(/(@[a-z0-9._-]+)/i);
  return parts.map((part) => (part.startsWith('@') && names.has(part.slice(1).toLowerCase())
    ? h('strong', { class: 'mention' }, part) : part));
}

// onCountChanged(): a comment was added or deleted (the board's count is stale).
export function commentsPanel(task, ctx, { onCountChanged }) {
  const path = `${taskPath(ctx.projectId, task.id)}/comments`;
  const others = () => ctx.members.map((m) => m.user).filter((u) => u.id !== ctx.user.id);
  const listEl = h('ol', { class: 'comment-list', 'aria-label': 'Comments' });
  const more = h('div', { class: 'comment-more' });
  const state = { items: [], total: 0 };

  // A textarea with its mention list, for a new comment or an edit.
  const box = (id, value, label) => {
    const area = h('textarea', { id, name: 'body', rows: 3, maxlength: 5000, 'aria-describedby': `${id}-hint` }, value);
    const list = mentionCompletion(area, others);
    return {
      area,
      el: h('div', { class: 'field comment-field' },
        h('label', { for: id }, label), h('div', { class: 'mention-anchor' }, area, list),
        h('p', { class: 'hint', id: `${id}-hint` }, 'Type @ and a name to mention a member: they get a notification. Ctrl+Enter sends.')),
    };
  };

  function commentItem(comment) {
    const li = h('li', { class: 'comment', dataset: { id: String(comment.id) } });
    const show = () => mount(li,
      h('div', { class: 'comment-head' },
        avatar(comment.author, { labelled: false }),
        h('strong', {}, personName(comment.author)),
        h('time', { datetime: comment.created_at, title: formatTime(comment.created_at), class: 'muted' }, relative(comment.created_at)),
        comment.edited ? h('span', { class: 'muted', title: formatTime(comment.updated_at) }, '(edited)') : null),
      h('p', { class: 'comment-body' }, bodyWithMentions(comment)),
      comment.can_edit || comment.can_delete ? h('div', { class: 'actions comment-actions' },
        comment.can_edit ? h('button', { type: 'button', class: 'link small', onclick: edit }, 'Edit') : null,
        comment.can_delete ? h('button', { type: 'button', class: 'link small danger-link', onclick: remove }, 'Delete') : null) : null);
    const edit = () => {
      const { area, el } = box(`comment-edit-${comment.id}`, comment.body, 'Edit comment');
      const error = h('p', { class: 'field-error', hidden: true });
      const save = async (event) => {
        event.preventDefault();
        if (!area.value.trim()) { showError(error, 'A comment needs some text. Delete it instead?'); return; }
        try {
          Object.assign(comment, await patch(`${path}/${comment.id}`, { body: area.value }));
          show();
          li.querySelector('button')?.focus();
        } catch (err) {
          if (!err.signedOut) showError(error, Object.values(err.fields || {})[0] || err.message);
        }
      };
      area.addEventListener('keydown', (event) => { if (event.key === 'Enter' && event.ctrlKey) save(event); });
      mount(li, h('form', { class: 'comment-edit', onsubmit: save }, el, error,
        h('div', { class: 'actions' },
          h('button', { type: 'submit', class: 'primary small' }, 'Save'),
          h('button', { type: 'button', class: 'small', onclick: () => { show(); li.querySelector('button')?.focus(); } }, 'Cancel'))));
      area.focus();
    };
    const remove = async () => {
      const own = comment.author && comment.author.id === ctx.user.id;
      const ok = await confirmDialog({
        title: 'Delete this comment?',
        message: own ? 'Your comment will be deleted.' : `${personName(comment.author)}’s comment will be deleted.`,
        lose: 'Its text is lost for every member.', confirmLabel: 'Delete', danger: true,
      });
      if (!ok) return;
      try {
        await del(`${path}/${comment.id}`);
      } catch (err) {
        if (!err.signedOut) toast(err.message, { kind: 'error' });
        return;
      }
      onCountChanged();
      toast('Comment deleted.');
      reload();
    };
    show();
    return li;
  }

  const draw = () => {
    mount(listEl, state.items.length ? state.items.map(commentItem) : h('li', { class: 'muted comment-empty' }, 'No comments yet.'));
    mount(more, state.items.length < state.total
      ? h('button', { type: 'button', class: 'small', onclick: () => reload({ append: true }) }, `Show more (${state.total - state.items.length})`)
      : null);
  };

  async function reload({ append = false } = {}) {
    const offset = append ? state.items.length : 0;
    try {
      const page = await get(`${path}?limit=${PAGE_SIZE}&offset=${offset}`);
      state.items = append ? [...state.items, ...page.items] : page.items;
      state.total = page.total;
      draw();
    } catch (err) {
      if (err.signedOut) return;
      mount(listEl, h('li', { class: 'form-error' }, err.message));
    }
  }

  let form = null;
  if (canWrite(ctx.role)) {
    const { area, el } = box('comment-body', '', 'New comment');
    const error = h('p', { class: 'field-error', hidden: true });
    const send = async (event) => {
      event.preventDefault();
      if (!area.value.trim()) { showError(error, 'Write something first.'); area.focus(); return; }
      showError(error, '');
      try {
        await post(path, { body: area.value });
        area.value = '';
        onCountChanged();
        // The newest is last: show up to it.
        await reload();
        // Up to the newest (the last page), unless a page brings nothing new.
        for (let before = -1; state.items.length < state.total && state.items.length > before;) {
          before = state.items.length;
          await reload({ append: true });
        }
        listEl.lastElementChild?.scrollIntoView({ block: 'nearest' });
        area.focus();
      } catch (err) {
        if (!err.signedOut) showError(error, Object.values(err.fields || {})[0] || err.message);
      }
    };
    area.addEventListener('keydown', (event) => { if (event.key === 'Enter' && event.ctrlKey) send(event); });
    form = h('form', { class: 'comment-form', onsubmit: send }, el, error,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'comment-send' }, 'Comment')));
  }

  reload();
  return {
    el: h('section', { class: 'comments', 'aria-labelledby': 'comments-title' },
      h('h3', { id: 'comments-title' }, 'Comments'), listEl, more, form),
  };
}
