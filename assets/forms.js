// Forms with labelled fields, server errors shown next to the field they concern, a general
// error area, and a busy state while the request runs.

import { h } from './dom.js';
import { ApiError, post } from './api.js';

let nextId = 0;

const STRENGTH_WORDS = ['Very weak', 'Very weak', 'Weak', 'Good', 'Strong'];

// A strength meter under a new-password input. The verdict comes from the server's own
// policy (POST /api/auth/password-strength), asked a moment after the typing pauses; a
// slower answer for older text is ignored. `username()` names the account, when known.
function strengthMeter(input, username) {
  const meter = h('meter', { min: 0, max: 4, low: 2.5, high: 3.5, optimum: 4, value: 0, hidden: true, 'aria-hidden': 'true' });
  const verdict = h('p', { class: 'hint strength-verdict', 'aria-live': 'polite' });
  let timer = null;
  let asked = 0;
  const judge = async () => {
    const password = input.value;
    const ticket = ++asked;
    if (password === '') {
      meter.hidden = true;
      verdict.textContent = '';
      return;
    }
    try {
      const result = await post('/api/auth/password-strength', { password, username: username() || null }, { quiet: true });
      if (ticket !== asked) return;
      meter.value = result.score;
      meter.hidden = false;
      verdict.textContent = result.acceptable
        ? `Strength: ${STRENGTH_WORDS[result.score]}.`
        : `Strength: ${STRENGTH_WORDS[result.score]}. ${result.problem}`;
    } catch {
      if (ticket === asked) verdict.textContent = '';
    }
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(judge, 300);
  });
  return h('div', { class: 'strength' }, meter, verdict);
}

// fields: [{ name, label, type, autocomplete, hint, value, strength }]
// `strength`: a function giving the account's username (or '') shows a strength meter.
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
      field.strength ? strengthMeter(inputs[field.name], field.strength) : null,
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
