// Modal dialogs on the platform's <dialog>: a confirmation that says what will be lost, and
// a small form (a new password, a new name). They replace alert/prompt/confirm, which
// cannot be styled, cannot hide a password, and block the page.

import { h } from './dom.js';
import { form } from './forms.js';

function open(dialog, onClose) {
  const opener = document.activeElement;
  document.body.append(dialog);
  dialog.addEventListener('close', () => {
    dialog.remove();
    onClose();
    if (opener && opener.isConnected) opener.focus();
  });
  // A click on the backdrop (outside the box) cancels, as Escape does.
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close('cancel');
  });
  dialog.showModal();
}

// Asks before an action; resolves true only when confirmed. `lose` says what will be lost.
export function confirmDialog({ title, message, lose, confirmLabel = 'Confirm', danger = false }) {
  return new Promise((resolve) => {
    const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
    const cancel = h('button', { type: 'button', class: 'cancel', onclick: () => dialog.close('cancel') }, 'Cancel');
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId },
      h('h2', { id: titleId }, title),
      message ? h('p', {}, message) : null,
      lose ? h('p', { class: 'loses' }, lose) : null,
      h('div', { class: 'actions end' },
        cancel,
        h('button', { type: 'button', class: danger ? 'danger confirm' : 'primary confirm', onclick: () => dialog.close('ok') }, confirmLabel)));
    open(dialog, () => resolve(dialog.returnValue === 'ok'));
    // The safe choice has the focus: Enter alone never destroys anything.
    cancel.focus();
  });
}

// A form in a dialog; resolves with what `onSubmit` returned, or null when cancelled. Errors
// stay in the dialog, next to their fields.
export function formDialog({ title, message, fields, submitLabel, onSubmit, danger = false, statusFields }) {
  return new Promise((resolve) => {
    const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
    let result = null;
    const { el } = form({
      fields,
      submitLabel,
      danger,
      statusFields,
      extra: h('button', { type: 'button', class: 'cancel', onclick: () => dialog.close('cancel') }, 'Cancel'),
      async onSubmit(values) {
        result = await onSubmit(values);
        dialog.close('ok');
      },
    });
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId },
      h('h2', { id: titleId }, title), message ? h('p', {}, message) : null, el);
    open(dialog, () => resolve(dialog.returnValue === 'ok' ? (result ?? true) : null));
    el.querySelector('input, select, textarea')?.focus();
  });
}
