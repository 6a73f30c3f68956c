// Settings → Notifications: quiet hours and how early todo alerts come (one form), push to a
// phone through ntfy (server, topic, a write-only token, a priority per kind of alert) and
// "Send test", which shows what happened without anything the ntfy server said.

import { h, mount } from '../../dom.js';
import { get, patch, post } from '../../api.js';
import { form } from '../../forms.js';
import { load } from '../../load.js';
import { confirmDialog } from '../../dialog.js';
import { toast } from '../../toast.js';

const KINDS = [
  ['reminder_due', 'Reminders'],
  ['todo_due', 'Todos due'],
  ['birthday', 'Birthdays'],
  ['connection_request', 'Connection requests'],
  ['connection_accepted', 'Accepted connections'],
  ['task_assigned', 'Tasks assigned to you'],
  ['task_comment', 'Comments on your tasks'],
  ['mentioned', 'Mentions in comments'],
];
const PRIORITIES = [['1', '1 · Min'], ['2', '2 · Low'], ['3', '3 · Default'], ['4', '4 · High'], ['5', '5 · Urgent']];

export function notificationsPanel() {
  const alerts = h('div');
  const push = h('div');
  const reload = () => load(alerts, {
    fetch: () => get('/api/settings'),
    isEmpty: () => false,
    render: (current) => {
      mount(push, ntfyCard(current, reload));
      return alertsForm(current);
    },
  });
  reload();
  return h('div', { class: 'stack' },
    h('section', { class: 'card narrow', 'aria-labelledby': 'alerts-title' }, h('h2', { id: 'alerts-title' }, 'Alerts'), alerts),
    h('section', { class: 'card narrow', 'aria-labelledby': 'push-title' },
      h('h2', { id: 'push-title' }, 'Push to your phone (ntfy)'),
      h('p', { class: 'muted' }, 'Install the ntfy app, subscribe to a topic, and enter the same server and topic here.'),
      push));
}

function alertsForm(current) {
  const quiet = current.quiet_hours;
  return form({
    fields: [
      { name: 'quiet', label: 'Hold pushes during quiet hours', kind: 'checkbox', value: Boolean(quiet),
        hint: 'Pushes wait until the quiet hours end; the bell in the app still shows everything at once.' },
      { name: 'quiet_start', label: 'Quiet from', type: 'time', optional: true, value: quiet ? quiet.start : '22:00' },
      { name: 'quiet_end', label: 'Quiet until', type: 'time', optional: true, value: quiet ? quiet.end : '07:00' },
      { name: 'todo_due_alert_minutes', label: 'Alert for a todo this many minutes before it is due', kind: 'number',
        min: 0, max: 10080, step: 5, value: current.todo_due_alert_minutes },
    ],
    submitLabel: 'Save alerts',
    async onSubmit(values, { success, show }) {
      if (values.quiet && (!values.quiet_start || !values.quiet_end || values.quiet_start === values.quiet_end)) {
        const error = new Error('Give two different times for the quiet hours.');
        error.fields = { quiet_start: 'Give a start and an end that differ.' };
        show(error);
        return;
      }
      await patch('/api/settings', {
        quiet_hours: values.quiet ? { start: values.quiet_start, end: values.quiet_end } : null,
        todo_due_alert_minutes: values.todo_due_alert_minutes,
      });
      success('Saved.');
    },
  }).el;
}

function ntfyCard(current, reload) {
  const tokenState = h('p', { class: 'token-state' },
    'Access token: ', h('strong', {}, current.ntfy_token_set ? 'set' : 'not set'));
  const removeToken = current.ntfy_token_set ? h('button', {
    type: 'button',
    class: 'danger',
    async onclick() {
      const sure = await confirmDialog({
        title: 'Remove the access token?',
        message: 'Pushes to a topic that needs a token will fail until you enter one again.',
        lose: 'The stored token is deleted.',
        confirmLabel: 'Remove token',
        danger: true,
      });
      if (!sure) return;
      try {
        await patch('/api/settings', { ntfy_token: null });
        toast('Access token removed.');
        reload();
      } catch (error) {
        if (!error.signedOut) toast(error.message, { kind: 'error' });
      }
    },
  }, 'Remove token') : null;

  const built = form({
    fields: [
      { name: 'ntfy_server', label: 'Server', type: 'url', optional: true, maxLength: 500, value: current.ntfy_server || '',
        placeholder: 'https://ntfy.sh', autocapitalize: 'none', hint: 'Leave empty to turn pushes off.' },
      { name: 'ntfy_topic', label: 'Topic', optional: true, maxLength: 64, value: current.ntfy_topic || '', autocapitalize: 'none',
        hint: 'Letters, digits, - and _. Anyone who knows a topic on a public server can read it: pick a long one.' },
      { name: 'ntfy_token', label: current.ntfy_token_set ? 'New access token' : 'Access token', type: 'password', optional: true,
        autocomplete: 'new-password', maxLength: 256,
        hint: current.ntfy_token_set ? 'Leave empty to keep the stored token.' : 'Only if your topic needs one.' },
      ...KINDS.map(([kind, label]) => ({
        name: `priority_${kind}`, label: `Priority: ${label}`, kind: 'select', options: PRIORITIES, value: String(current.ntfy_priority[kind] ?? 3),
      })),
    ],
    submitLabel: 'Save push settings',
    async onSubmit(values, { success }) {
      const body = {
        ntfy_server: values.ntfy_server.trim() || null,
        ntfy_topic: values.ntfy_topic.trim() || null,
        ntfy_priority: Object.fromEntries(KINDS.map(([kind]) => [kind, Number(values[`priority_${kind}`])])),
      };
      if (values.ntfy_token) body.ntfy_token = values.ntfy_token;
      const saved = await patch('/api/settings', body);
      built.inputs.ntfy_token.value = '';
      tokenState.replaceChildren('Access token: ', h('strong', {}, saved.ntfy_token_set ? 'set' : 'not set'));
      success('Saved.');
    },
  });

  const outcome = h('p', { class: 'test-outcome', role: 'status', 'aria-live': 'polite' });
  const testButton = h('button', {
    type: 'button',
    async onclick() {
      testButton.disabled = true;
      testButton.setAttribute('aria-busy', 'true');
      outcome.className = 'test-outcome';
      outcome.textContent = 'Sending…';
      try {
        const result = await post('/api/settings/ntfy/test');
        const status = result.status ? ` (status ${result.status})` : '';
        outcome.className = `test-outcome ${result.delivered ? 'success' : 'form-error'}`;
        outcome.textContent = result.delivered
          ? `Delivered${status}. Check your phone.`
          : `Not delivered${status}: ${result.error || 'unknown error'}.`;
      } catch (error) {
        if (error.signedOut) return;
        outcome.className = 'test-outcome form-error';
        outcome.textContent = error.message;
      } finally {
        testButton.disabled = false;
        testButton.removeAttribute('aria-busy');
      }
    },
  }, 'Send test');

  return h('div', {},
    tokenState,
    removeToken ? h('div', { class: 'actions token-actions' }, removeToken) : null,
    built.el,
    h('div', { class: 'test-push' },
      h('h3', {}, 'Test'),
      h('p', { class: 'muted' }, 'Sends a test push to the saved server and topic.'),
      testButton,
      outcome));
}
