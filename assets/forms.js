// Forms with labelled fields, server errors shown next to the field they concern, a general
// error area, and a busy state while the request runs.

import { h } from './dom.js';
import { ApiError } from './api.js';

let nextId = 0;

// fields: [{ name, label, type, autocomplete, hint, value }]
export function form({ fields, submitLabel, onSubmit, extra }) {
  const alert = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const inputs = {};
  const errors = {};
  const rows = fields.map((field) => {
    const id = `f${++nextId}`;
    const errorId = `${id}-error`;
    const hintId = field.hint ? `${id}-hint` : null;
    inputs[field.name] = h('input', {
      id,
      name: field.name,
      type: field.type || 'text',
      autocomplete: field.autocomplete || 'off',
      required: true,
      value: field.value,
      'aria-describedby': [hintId, errorId].filter(Boolean).join(' '),
      autocapitalize: 'none',
      spellcheck: 'false',
    });
    errors[field.name] = h('p', { class: 'field-error', id: errorId, hidden: true });
    return h('div', { class: 'field' },
      h('label', { for: id }, field.label),
      inputs[field.name],
      field.hint ? h('p', { class: 'hint', id: hintId }, field.hint) : null,
      errors[field.name]);
  });
  const button = h('button', { type: 'submit', class: 'primary' }, submitLabel);

  const clear = () => {
    alert.hidden = true;
    for (const [name, el] of Object.entries(errors)) {
      el.hidden = true;
      inputs[name].removeAttribute('aria-invalid');
    }
  };
  const show = (error) => {
    let placed = false;
    for (const [field, message] of Object.entries(error.fields || {})) {
      if (errors[field]) {
        errors[field].textContent = message;
        errors[field].hidden = false;
        inputs[field].setAttribute('aria-invalid', 'true');
        placed = true;
      }
    }
    if (!placed || !(error instanceof ApiError)) {
      alert.textContent = error.message || 'Something went wrong.';
      alert.hidden = false;
    }
  };

  const el = h('form', {
    novalidate: true,
    async onsubmit(event) {
      event.preventDefault();
      clear();
      const values = Object.fromEntries(Object.entries(inputs).map(([k, input]) => [k, input.value]));
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      try {
        await onSubmit(values, { show });
      } catch (error) {
        show(error);
      } finally {
        button.disabled = false;
        button.removeAttribute('aria-busy');
      }
    },
  }, rows, alert, h('div', { class: 'actions' }, button, extra || null));
  return { el, inputs, show };
}
