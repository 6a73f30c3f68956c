// Forms: labelled fields of every kind a domain needs, checked in one pass before sending,
// errors (the browser's and the server's) shown next to the field they concern, a general
// error area, a success line that stays, and a busy state while the request runs.

import { h } from './dom.js';
import { ApiError, post } from './api.js';
import { fieldKinds } from './fields.js';

let nextId = 0;

const STRENGTH_WORDS = ['Very weak', 'Very weak', 'Weak', 'Good', 'Strong'];

// A strength meter under a new-password input. The verdict comes from the server's own
// policy (POST /api/auth/password-strength), asked a moment after the typing pauses; a
// slower answer for older text is ignored. `username()` names the account, when known.
// The meter and one line of verdict keep their space while empty (class `unjudged`), so the
// verdict arriving never moves the submit button from under a pointer about to click it.
function strengthMeter(input, username) {
  const meter = h('meter', { class: 'unjudged', min: 0, max: 4, low: 2.5, high: 3.5, optimum: 4, value: 0, 'aria-hidden': 'true' });
  const verdict = h('p', { class: 'hint strength-verdict', 'aria-live': 'polite' });
  let timer = null;
  let asked = 0;
  const judge = async () => {
    const password = input.value;
    const ticket = ++asked;
    if (password === '') {
      meter.classList.add('unjudged');
      verdict.textContent = '';
      return;
    }
    try {
      const result = await post('/api/auth/password-strength', { password, username: username() || null }, { quiet: true });
      if (ticket !== asked) return;
      meter.value = result.score;
      meter.classList.remove('unjudged');
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

// fields: [{ name, label, kind, hint, value, optional, ...kind options }]
//   kind: text (default; `type` may say password/email/search), textarea, select (`options`
//   as [value, label] pairs), checkbox, date, datetime (instant, with a zone picker), number
//   (`min`, `max`, `step`), list (several values), code (one-time codes; `recovery: true`
//   also accepts recovery codes). `minLength`/`maxLength` bound text.
//   `strength`: a function giving the account's username (or '') shows a strength meter.
// statusFields: { 401: 'current_password' } shows an error of that status at that field.
export function form({ fields, submitLabel, onSubmit, extra, statusFields = {}, danger = false }) {
  const alert = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const done = h('p', { class: 'success', role: 'status', hidden: true });
  const controls = {};
  const inputs = {};
  const errors = {};
  const rows = fields.map((field) => {
    const id = `f${++nextId}`;
    const errorId = `${id}-error`;
    const hintId = field.hint ? `${id}-hint` : null;
    const describedBy = [hintId, errorId].filter(Boolean).join(' ');
    const kind = fieldKinds[field.kind || 'text'] || fieldKinds.text;
    const control = kind(field, id, describedBy);
    controls[field.name] = { field, control };
    inputs[field.name] = control.focusable;
    errors[field.name] = h('p', { class: 'field-error', id: errorId, hidden: true });
    const label = h('label', { for: id }, field.label, field.optional ? h('span', { class: 'optional' }, ' (optional)') : null);
    return h('div', { class: `field field-${field.kind || 'text'}` },
      field.kind === 'checkbox' ? null : label,
      control.el,
      field.kind === 'checkbox' ? label : null,
      field.hint ? h('p', { class: 'hint', id: hintId }, field.hint) : null,
      field.strength ? strengthMeter(control.focusable, field.strength) : null,
      errors[field.name]);
  });
  const button = h('button', { type: 'submit', class: danger ? 'danger' : 'primary' }, submitLabel);

  const clear = () => {
    alert.hidden = true;
    for (const [name, el] of Object.entries(errors)) {
      el.hidden = true;
      inputs[name].removeAttribute('aria-invalid');
    }
  };
  const fieldError = (name, message) => {
    if (!errors[name]) return false;
    errors[name].textContent = message;
    errors[name].hidden = false;
    inputs[name].setAttribute('aria-invalid', 'true');
    return true;
  };
  // Shows an error: per field where the server named one this form has, else in the alert.
  const show = (error) => {
    let placed = false;
    for (const [name, message] of Object.entries(error.fields || {})) {
      if (fieldError(name, message)) placed = true;
    }
    const atField = error instanceof ApiError && statusFields[error.status];
    if (!placed && atField && fieldError(atField, error.message)) placed = true;
    if (!placed || !(error instanceof ApiError)) {
      alert.textContent = error.message || 'Something went wrong.';
      alert.hidden = false;
    }
    const first = Object.entries(errors).find(([, el]) => !el.hidden);
    if (first) inputs[first[0]].focus();
  };
  // A success line that stays until the next submit.
  const success = (message) => {
    done.textContent = message;
    done.hidden = false;
  };
  const values = () => Object.fromEntries(Object.entries(controls).map(([name, { control }]) => [name, control.value()]));
  const reset = () => {
    for (const { field, control } of Object.values(controls)) control.set(field.kind === 'checkbox' ? false : '');
  };

  // Every field checked in one pass: all problems shown at once, not one per submit.
  const validate = () => {
    const problems = {};
    for (const [name, { field, control }] of Object.entries(controls)) {
      const problem = control.problem ? control.problem() : null;
      const value = control.value();
      const empty = value === '' || value === null || (Array.isArray(value) && value.length === 0);
      if (problem) problems[name] = problem;
      else if (empty && !field.optional && field.kind !== 'checkbox') problems[name] = 'This field is required.';
      else if (typeof value === 'string' && field.minLength && value.length < field.minLength) {
        problems[name] = `Use at least ${field.minLength} characters.`;
      } else if (typeof value === 'string' && field.maxLength && value.length > field.maxLength) {
        problems[name] = `Use at most ${field.maxLength} characters.`;
      }
    }
    return problems;
  };

  const el = h('form', {
    novalidate: true,
    async onsubmit(event) {
      event.preventDefault();
      clear();
      done.hidden = true;
      const problems = validate();
      if (Object.keys(problems).length > 0) {
        const error = new Error('Check the fields marked above.');
        error.fields = problems;
        show(error);
        alert.hidden = true;
        return;
      }
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      try {
        await onSubmit(values(), { show, success, reset });
      } catch (error) {
        if (!error.signedOut) show(error);
      } finally {
        button.disabled = false;
        button.removeAttribute('aria-busy');
      }
    },
  }, rows, alert, h('div', { class: 'actions' }, button, extra || null), done);
  return { el, inputs, show, success, values, reset, button };
}
